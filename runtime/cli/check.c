/* check — `flux check`: compiles the files given and the *.flux files
 * found under the directories given, and reports every diagnostic. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "compile.h"

/* this file's rows of the command table (commands.c), in the order
 * `flux help` lists them */
const flux_cli_command flux_cli_check_commands[] = {
    {"check", "compile pipelines and report every error",
     "usage: flux check [--format text|json] [--color auto|always|never] FILE|DIR...\n"
     "\n"
     "Compiles each .flux file (directories are searched recursively; files whose\n"
     "name starts with '_' are include fragments and are skipped there) and reports\n"
     "every error and warning with its place. Exit status: 0 valid, 3 compile\n"
     "errors, 2 usage or I/O error. Colour is used only on a terminal and never\n"
     "when NO_COLOR is set.\n",
     flux_cmd_check},
};
const size_t flux_cli_check_ncommands = sizeof flux_cli_check_commands / sizeof *flux_cli_check_commands;

int flux_cmd_check(int argc, char **argv)
{
    const char *format = "text", *color = "auto";
    flux_paths files = {0};
    int rc = FLUX_EXIT_OK;
    bool io_error = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            format = argv[++i];
        } else if (strncmp(a, "--format=", 9) == 0) {
            format = a + 9;
        } else if ((strcmp(a, "--color") == 0 || strcmp(a, "--colour") == 0) && i + 1 < argc) {
            color = argv[++i];
        } else if (strncmp(a, "--color=", 8) == 0) {
            color = a + 8;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(flux_cli_find_command("check")->usage, stdout);
            return FLUX_EXIT_OK;
        } else if (a[0] == '-' && a[1]) {
            static const char *const opts[] = {"--format", "--color", "--colour", "--help"};
            flux_cli_unknown_option("check", a, opts, sizeof opts / sizeof *opts);
            rc = FLUX_EXIT_USAGE;
            goto done;
        } else {
            struct stat st;
            if (stat(a, &st) == 0 && S_ISDIR(st.st_mode)) {
                size_t before = files.n;
                if (flux_load_find_sources(a, &files) != 0) {
                    fprintf(stderr, "flux check: cannot read directory '%s': %s\n", a, strerror(errno));
                    io_error = true;
                } else if (files.n == before) {
                    fprintf(stderr, "flux check: no .flux files under '%s'\n", a);
                    io_error = true;
                }
            } else {
                flux_paths_add(&files, a);
            }
        }
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        fprintf(stderr, "flux check: unknown format '%s' (text or json)\n", format);
        rc = FLUX_EXIT_USAGE;
        goto done;
    }
    if (strcmp(color, "auto") != 0 && strcmp(color, "always") != 0 && strcmp(color, "never") != 0) {
        fprintf(stderr, "flux check: unknown colour mode '%s' (auto, always or never)\n", color);
        rc = FLUX_EXIT_USAGE;
        goto done;
    }
    if (files.n == 0 && !io_error) {
        fputs(flux_cli_find_command("check")->usage, stderr);
        rc = FLUX_EXIT_USAGE;
        goto done;
    }
    flux_compilation c;
    flux_compilation_init(&c);
    for (size_t i = 0; i < files.n; i++)
        if (flux_compile_file(&c, files.v[i]) != 0)
            io_error = true;
    flux_compile_finish(&c);
    const char *nc = getenv("NO_COLOR");
    bool colour = strcmp(color, "always") == 0 ||
                  (strcmp(color, "auto") == 0 && isatty(STDERR_FILENO) && !(nc && *nc));
    if (strcmp(format, "json") == 0) {
        flux_diags_print_json(&c.diags, stdout);
    } else {
        flux_diags_print(&c.diags, stderr, colour);
        size_t e = c.diags.errors, w = c.diags.warnings;
        if (e || w)
            fprintf(stderr, "%zu error%s, %zu warning%s\n", e, e == 1 ? "" : "s", w, w == 1 ? "" : "s");
        if (!e && !io_error)
            printf("ok: %zu pipeline%s, %zu task%s, %zu dependenc%s in %zu file%s\n", c.npipelines,
                   c.npipelines == 1 ? "" : "s", c.ntasks, c.ntasks == 1 ? "" : "s", c.nedges,
                   c.nedges == 1 ? "y" : "ies", files.n, files.n == 1 ? "" : "s");
    }
    rc = io_error ? FLUX_EXIT_USAGE : c.diags.errors ? FLUX_EXIT_COMPILE : FLUX_EXIT_OK;
    flux_compilation_free(&c);
done:
    flux_paths_free(&files);
    return rc;
}
