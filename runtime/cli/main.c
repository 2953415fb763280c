/* main — the flux command: dispatches subcommands.
 *
 * Exit codes (as jq): 0 success, 2 usage or I/O error, 3 compile errors.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "wrap.h"
#include "compile.h"
#include "ops.h"
#include "refgen.h"
#include "suggest.h"

#define FLUX_VERSION "0.1.0"

enum { EXIT_OK = FLUX_EXIT_OK, EXIT_USAGE = FLUX_EXIT_USAGE, EXIT_COMPILE = FLUX_EXIT_COMPILE };

typedef struct command {
    const char *name;
    const char *summary;
    const char *usage;
    int (*run)(int argc, char **argv);
} command;

static int cmd_check(int argc, char **argv);
static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_reference(int argc, char **argv);

static const command commands[] = {
    {"check", "compile pipelines and report every error",
     "usage: flux check [--format text|json] [--color auto|always|never] FILE|DIR...\n"
     "\n"
     "Compiles each .flux file (directories are searched recursively; files whose\n"
     "name starts with '_' are include fragments and are skipped there) and reports\n"
     "every error and warning with its place. Exit status: 0 valid, 3 compile\n"
     "errors, 2 usage or I/O error. Colour is used only on a terminal and never\n"
     "when NO_COLOR is set.\n",
     cmd_check},
    {"compile", "write the plan of each pipeline of a file",
     "usage: flux compile FILE [-o DIR|-] [--pipeline P]\n"
     "\n"
     "Compiles FILE and writes DIR/PIPELINE.plan.yaml for each pipeline (DIR\n"
     "defaults to the current directory), printing each plan's path and id (the\n"
     "SHA-256 of its bytes). The same source always gives the same bytes.\n",
     flux_cmd_compile},
    {"dry-run", "list the runs a schedule creates, with every template rendered",
     "usage: flux dry-run FILE [--pipeline P] [--date T | --from A --to B] [--param NAME=VALUE]...\n"
     "                    [--connections FILE] [--format text|json]\n"
     "\n"
     "Shows the runs the schedule creates (interval and fire time) and, for each,\n"
     "the task instances in execution order with every field rendered. --date T\n"
     "shows the run whose interval holds T; --from/--to the runs whose interval\n"
     "starts in [A, B]; neither shows the first run. Times without a zone are in\n"
     "the pipeline's timezone. Nothing is executed, connected to or written;\n"
     "secrets print as ***. Connections come from flux.yaml (or --connections,\n"
     "FLUX_CONNECTIONS) and FLUX_CONN_<NAME>.\n",
     flux_cmd_dry_run},
    {"render", "print one task instance's rendered fields",
     "usage: flux render FILE TASK --date T [--pipeline P] [--param NAME=VALUE]... [--format text|json]\n",
     flux_cmd_render},
    {"graph", "export a pipeline's graph as DOT, Mermaid or JSON",
     "usage: flux graph FILE [--pipeline P] [--format dot|mermaid|json]\n"
     "\n"
     "Deterministic output; render DOT with Graphviz: flux graph FILE | dot -Tsvg > graph.svg\n",
     flux_cmd_graph},
    {"next", "show the next fire times of a pipeline",
     "usage: flux next FILE [-n N] [--after T] [--pipeline P] [--format text|json]\n"
     "\n"
     "The next N (default 5) runs firing after T (default now), with their\n"
     "intervals, in the pipeline's timezone and in UTC.\n",
     flux_cmd_next},
    {"run", "run one run of a pipeline now, in the foreground",
     "usage: flux run FILE [--date T] [--param NAME=VALUE]... [-j N] [--pipeline P] [--db URL] [--stats]\n"
     "\n"
     "Runs the run whose interval holds T (default: the latest interval already\n"
     "over) with up to N tasks at once (default: the number of CPUs), recording\n"
     "every state change in the state store (FLUX_HOME/flux.db unless --db or\n"
     "FLUX_DB). Run again with the same arguments after a crash or a stop to\n"
     "resume: finished tasks are not run again. Exit status 0 only when the run\n"
     "succeeded. FILE is a .flux source or a .plan.yaml.\n",
     flux_cmd_run},
    {"backfill", "run the runs of a range of intervals",
     "usage: flux backfill FILE --from A --to B [--reprocess failed|all|none] [--dry-run] [-j N] [--db URL]\n"
     "\n"
     "Runs every run whose interval starts in [A, B], at most max_active_runs at\n"
     "once. Runs that already finished are skipped (--reprocess none), rerun\n"
     "when failed (failed) or rerun entirely (all); unfinished ones resume.\n",
     flux_cmd_backfill},
    {"test", "run one task now, without state, output to this terminal",
     "usage: flux test FILE TASK [--date T] [--param NAME=VALUE]...\n", flux_cmd_test},
    {"clear", "make task instances of a run run again",
     "usage: flux clear RUN [TASK...] [--downstream] [--db URL]\n"
     "\n"
     "Clears the given tasks (all when none is given, their downstream tasks too\n"
     "with --downstream); the next flux run or backfill of that run runs them.\n",
     flux_cmd_clear},
    {"status", "the latest run of each pipeline", "usage: flux status [PIPELINE] [--format text|json] [--db URL]\n",
     flux_cmd_status},
    {"runs", "list runs, newest first", "usage: flux runs [PIPELINE] [--limit N] [--format text|json] [--db URL]\n",
     flux_cmd_runs},
    {"tasks", "the task instances of a run, every try",
     "usage: flux tasks RUN [--pipeline P] [--format text|json] [--db URL]\n", flux_cmd_tasks},
    {"logs", "print the log of a task instance", "usage: flux logs RUN TASK [--try N] [--db URL]\n", flux_cmd_logs},
    {"scheduler", "run the pipelines of a directory or git branch on their schedules",
     "usage: flux scheduler --pipelines DIR [--git BRANCH] [--db URL] [-j N] [--grace DURATION]\n"
     "\n"
     "Compiles every *.flux under DIR (with --git, the files of BRANCH's latest\n"
     "commit, never uncommitted edits) and deploys each valid pipeline as a new\n"
     "version; recompiles within 2 s of a change (file events, polling as a\n"
     "fallback) or on SIGHUP. A file that fails to compile keeps its pipelines on\n"
     "their last good version (flux errors shows why); a deleted one pauses them.\n"
     "Creates runs at interval ends (start, end, catchup, max_active_runs) and\n"
     "runs them, and the runs of flux trigger. SIGTERM stops cleanly: no new run,\n"
     "running tasks get the grace period (default 30s) to finish, exit 0.\n",
     flux_cmd_scheduler},
    {"deploy", "compile and publish pipelines as new versions, without a scheduler",
     "usage: flux deploy FILE|DIR [--commit ID] [--db URL]\n"
     "\n"
     "Prints per pipeline what changed (tasks added, removed, changed). A file\n"
     "with errors is not deployed (exit 3) and its pipelines keep their last\n"
     "good version; with DIR, pipelines no longer defined are paused.\n",
     flux_cmd_deploy},
    {"versions", "a pipeline's deployed versions, newest first",
     "usage: flux versions PIPELINE [--format text|json] [--db URL]\n", flux_cmd_versions},
    {"diff", "what changed between two versions of a pipeline",
     "usage: flux diff PIPELINE V1 V2 [--db URL]\n", flux_cmd_diff},
    {"pause", "stop creating runs of a pipeline", "usage: flux pause PIPELINE [--db URL]\n", flux_cmd_pause},
    {"unpause", "create runs of a paused pipeline again", "usage: flux unpause PIPELINE [--db URL]\n",
     flux_cmd_unpause},
    {"trigger", "queue a manual run for the scheduler",
     "usage: flux trigger PIPELINE [--date T] [--param name=value]... [--db URL]\n", flux_cmd_trigger},
    {"errors", "the diagnostics of sources that failed to compile",
     "usage: flux errors [--format text|json] [--db URL]\n", flux_cmd_errors},
    {"lineage", "which run and task moved a record, from where, to where",
     "usage: flux lineage --topic T [--partition P [--offset O]] [--format text|json] [--db URL]\n"
     "       flux lineage --table [DB.]TABLE [--format text|json] [--db URL]\n"
     "       flux lineage --file PATH [--format text|json] [--db URL]\n"
     "\n"
     "Finds the task instances whose transfers wrote or read the record (a Kafka\n"
     "offset, a table, a file), with what each read and wrote, then follows what\n"
     "they wrote to every later task that read it.\n",
     flux_cmd_lineage},
    {"connections", "list the connections, or try one",
     "usage: flux connections list [--format text|json] [--connections FILE]\n"
     "       flux connections test NAME [--connections FILE]\n"
     "\n"
     "list shows every connection of flux.yaml and FLUX_CONN_* with where it was\n"
     "defined (never a password); test opens a real connection (a MySQL login,\n"
     "a SQLite file, Kafka metadata, an HTTP request to the base URL).\n",
     flux_cmd_connections},
    {"help", "show help for a command", "usage: flux help [COMMAND]\n", cmd_help},
    {"reference", "print generated parts of the language reference",
     "usage: flux reference --operators\n"
     "\n"
     "Prints the operators section of lang/REFERENCE.md from the operator registry\n"
     "(a test keeps the checked-in reference equal to it).\n",
     cmd_reference},
    {"version", "print the version", "usage: flux version\n", cmd_version},
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static void usage(FILE *out)
{
    fputs("usage: flux COMMAND [ARGS]\n\nFlux compiles declarative pipelines and runs them.\n\ncommands:\n", out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fputs("\nRun 'flux help COMMAND' for a command's options.\n", out);
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

void flux_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "flux %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    const command *c = find_command(cmd);
    if (c)
        fputs(c->usage, stderr);
}

bool flux_cli_colour(void)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(STDERR_FILENO) && !(nc && *nc);
}

static void suggest_command(const char *name)
{
    const char *names[NCOMMANDS];
    for (size_t i = 0; i < NCOMMANDS; i++)
        names[i] = commands[i].name;
    const char *best = flux_suggest(name, names, NCOMMANDS);
    if (best)
        fprintf(stderr, "help: did you mean 'flux %s'?\n", best);
    else
        fputs("help: run 'flux --help' for the list of commands\n", stderr);
}

/* an unknown option, with the closest known one */
void flux_cli_unknown_option(const char *cmd, const char *opt, const char *const *known, unsigned long n)
{
    fprintf(stderr, "flux %s: unknown option '%s'\n", cmd, opt);
    char word[64];
    snprintf(word, sizeof word, "%s", opt);
    char *eq = strchr(word, '=');
    if (eq)
        *eq = '\0';
    const char *best = flux_suggest(word, known, n);
    if (best)
        fprintf(stderr, "help: did you mean '%s'?\n", best);
    else
        fprintf(stderr, "help: run 'flux help %s' for its options\n", cmd);
}

/* ---- check ---- */

static int cmd_check(int argc, char **argv)
{
    const char *format = "text", *color = "auto";
    flux_paths files = {0};
    int rc = EXIT_OK;
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
            fputs(find_command("check")->usage, stdout);
            return EXIT_OK;
        } else if (a[0] == '-' && a[1]) {
            static const char *const opts[] = {"--format", "--color", "--colour", "--help"};
            flux_cli_unknown_option("check", a, opts, sizeof opts / sizeof *opts);
            rc = EXIT_USAGE;
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
        rc = EXIT_USAGE;
        goto done;
    }
    if (strcmp(color, "auto") != 0 && strcmp(color, "always") != 0 && strcmp(color, "never") != 0) {
        fprintf(stderr, "flux check: unknown colour mode '%s' (auto, always or never)\n", color);
        rc = EXIT_USAGE;
        goto done;
    }
    if (files.n == 0 && !io_error) {
        fputs(find_command("check")->usage, stderr);
        rc = EXIT_USAGE;
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
    rc = io_error ? EXIT_USAGE : c.diags.errors ? EXIT_COMPILE : EXIT_OK;
    flux_compilation_free(&c);
done:
    flux_paths_free(&files);
    return rc;
}

static int cmd_help(int argc, char **argv)
{
    if (argc == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    const command *c = find_command(argv[0]);
    if (!c) {
        fprintf(stderr, "flux help: unknown command '%s'\n", argv[0]);
        suggest_command(argv[0]);
        return EXIT_USAGE;
    }
    fputs(c->usage, stdout);
    return EXIT_OK;
}

static int cmd_reference(int argc, char **argv)
{
    if (argc != 1 || strcmp(argv[0], "--operators") != 0) {
        fputs(find_command("reference")->usage, stderr);
        return EXIT_USAGE;
    }
    flux_registry_markdown(stdout);
    return EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("flux %s\n", FLUX_VERSION);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    /* the parent of every task process (see wrap.c), when flux-wrap is
     * not installed beside flux */
    if (strcmp(name, "__wrap") == 0)
        return flux_wrap_main(argc - 2, argv + 2);
    /* one task of an operator that runs in a process of its own (ops.h) */
    if (strcmp(name, "__op") == 0)
        return flux_op_main(argc - 2, argv + 2);
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return cmd_help(0, NULL);
    if (strcmp(name, "--version") == 0)
        return cmd_version(0, NULL);
    const command *c = find_command(name);
    if (!c) {
        fprintf(stderr, "flux: unknown command '%s'\n", name);
        suggest_command(name);
        return EXIT_USAGE;
    }
    return c->run(argc - 2, argv + 2);
}
