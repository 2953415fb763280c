/* main — the flux command: dispatches a subcommand from the command table
 * (commands.c), and the two hidden ones the runtime starts itself.
 *
 * Exit codes (as jq): 0 success, 2 usage or I/O error, 3 compile errors.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ops.h"
#include "wrap.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        flux_cli_usage(stderr);
        return FLUX_EXIT_USAGE;
    }
    const char *name = argv[1];
    /* the parent of every task process (see wrap.c), when flux-wrap is
     * not installed beside flux */
    if (strcmp(name, "__wrap") == 0)
        return flux_wrap_main(argc - 2, argv + 2);
    /* one task of an operator that runs in a process of its own (ops.h) */
    if (strcmp(name, "__op") == 0)
        return flux_op_main(argc - 2, argv + 2);
    /* one try run as a Slurm job (slurm_job.h): claims it, runs it, records its end */
    if (strcmp(name, "__slurm-job") == 0)
        return flux_cli_slurm_job(argc - 2, argv + 2);
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return flux_cmd_help(0, NULL);
    if (strcmp(name, "--version") == 0)
        return flux_cmd_version(0, NULL);
    const flux_cli_command *c = flux_cli_find_command(name);
    if (!c) {
        fprintf(stderr, "flux: unknown command '%s'\n", name);
        flux_cli_suggest_command(name);
        return FLUX_EXIT_USAGE;
    }
    return c->run(argc - 2, argv + 2);
}
