/* help — `flux help [COMMAND]`, `flux reference --operators` and
 * `flux version`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "refgen.h"

#define FLUX_VERSION "0.1.0"

static int cmd_reference(int argc, char **argv);

/* this file's rows of the command table (commands.c), in the order
 * `flux help` lists them */
const flux_cli_command flux_cli_help_commands[] = {
    {"help", "show help for a command", "usage: flux help [COMMAND]\n", flux_cmd_help},
    {"reference", "print generated parts of the language reference",
     "usage: flux reference --operators\n"
     "\n"
     "Prints the operators section of lang/REFERENCE.md from the operator registry\n"
     "(a test keeps the checked-in reference equal to it), then the operators of\n"
     "one's own found on flux.yaml's operator_path, each with its manifest.\n",
     cmd_reference},
    {"version", "print the version", "usage: flux version\n", flux_cmd_version},
};
const size_t flux_cli_help_ncommands = sizeof flux_cli_help_commands / sizeof *flux_cli_help_commands;

int flux_cmd_help(int argc, char **argv)
{
    if (argc == 0) {
        flux_cli_usage(stdout);
        return FLUX_EXIT_OK;
    }
    const flux_cli_command *c = flux_cli_find_command(argv[0]);
    if (!c) {
        fprintf(stderr, "flux help: unknown command '%s'\n", argv[0]);
        flux_cli_suggest_command(argv[0]);
        return FLUX_EXIT_USAGE;
    }
    fputs(c->usage, stdout);
    return FLUX_EXIT_OK;
}

static int cmd_reference(int argc, char **argv)
{
    if (argc != 1 || strcmp(argv[0], "--operators") != 0) {
        fputs(flux_cli_find_command("reference")->usage, stderr);
        return FLUX_EXIT_USAGE;
    }
    /* with the operators of one's own that flux.yaml's operator_path holds */
    if (flux_cli_operators(NULL) != 0)
        return FLUX_EXIT_COMPILE;
    flux_registry_markdown(stdout);
    return FLUX_EXIT_OK;
}

int flux_cmd_version(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("flux %s\n", FLUX_VERSION);
    return FLUX_EXIT_OK;
}
