/* commands — the command table of `flux`, put together from the rows each
 * command file exports, and what is said about commands: the list, a
 * command's usage, did-you-mean for an unknown one. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "suggest.h"

/* the groups in the order `flux help` lists them */
static const struct group {
    const flux_cli_command *rows;
    const size_t *n;
} groups[] = {
    {flux_cli_check_commands, &flux_cli_check_ncommands},
    {flux_cli_preview_commands, &flux_cli_preview_ncommands},
    {flux_cli_run_commands, &flux_cli_run_ncommands},
    {flux_cli_why_commands, &flux_cli_why_ncommands},
    {flux_cli_scheduler_commands, &flux_cli_scheduler_ncommands},
    {flux_cli_deploy_commands, &flux_cli_deploy_ncommands},
    {flux_cli_lineage_commands, &flux_cli_lineage_ncommands},
    {flux_cli_connections_commands, &flux_cli_connections_ncommands},
    {flux_cli_web_commands, &flux_cli_web_ncommands},
    {flux_cli_help_commands, &flux_cli_help_ncommands},
};
#define NGROUPS (sizeof groups / sizeof *groups)

size_t flux_cli_ncommands(void)
{
    size_t n = 0;
    for (size_t g = 0; g < NGROUPS; g++)
        n += *groups[g].n;
    return n;
}

const flux_cli_command *flux_cli_command_at(size_t i)
{
    for (size_t g = 0; g < NGROUPS; g++) {
        if (i < *groups[g].n)
            return &groups[g].rows[i];
        i -= *groups[g].n;
    }
    return NULL;
}

const flux_cli_command *flux_cli_find_command(const char *name)
{
    for (size_t i = 0, n = flux_cli_ncommands(); i < n; i++)
        if (strcmp(flux_cli_command_at(i)->name, name) == 0)
            return flux_cli_command_at(i);
    return NULL;
}

void flux_cli_usage(FILE *out)
{
    fputs("usage: flux COMMAND [ARGS]\n\nFlux compiles declarative pipelines and runs them.\n\ncommands:\n", out);
    for (size_t i = 0, n = flux_cli_ncommands(); i < n; i++)
        fprintf(out, "  %-13s %s\n", flux_cli_command_at(i)->name, flux_cli_command_at(i)->summary);
    fputs("\nRun 'flux help COMMAND' for a command's options.\n", out);
}

void flux_cli_suggest_command(const char *name)
{
    size_t n = flux_cli_ncommands();
    const char *names[64];
    for (size_t i = 0; i < n && i < 64; i++)
        names[i] = flux_cli_command_at(i)->name;
    const char *best = flux_suggest(name, names, n < 64 ? n : 64);
    if (best)
        fprintf(stderr, "help: did you mean 'flux %s'?\n", best);
    else
        fputs("help: run 'flux --help' for the list of commands\n", stderr);
}
