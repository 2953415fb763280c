/* scheduler — placeholder while it is written */
#include <stdio.h>

#include "cli.h"

int flux_cmd_scheduler(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("flux scheduler: not built yet\n", stderr);
    return FLUX_EXIT_FAIL;
}
