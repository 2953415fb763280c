/* wrap_main — main() of the flux-wrap binary: one wrapper, or with
 * --server the fork server of the runner's local backend (wrap_server.h). */
#include <string.h>

#include "wrap.h"
#include "wrap_server.h"

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--server"))
        return flux_wrap_server_main();
    return flux_wrap_main(argc - 1, argv + 1);
}
