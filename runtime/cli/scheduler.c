/* scheduler — `flux scheduler --pipelines DIR [--git BRANCH] [--db URL]
 * [-j N] [--grace 30s]`: the options, then the service (engine/scheduler.c)
 * with its log printed on standard output, a timestamp on each line. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "scheduler.h"

/* this file's rows of the command table (commands.c), in the order
 * `flux help` lists them */
const flux_cli_command flux_cli_scheduler_commands[] = {
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
};
const size_t flux_cli_scheduler_ncommands = sizeof flux_cli_scheduler_commands / sizeof *flux_cli_scheduler_commands;

static void log_line(void *ud, bool error, const char *line)
{
    (void)ud;
    if (error) {
        fprintf(stderr, "%s\n", line);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    char t[32];
    time_t now = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(t, sizeof t, "%H:%M:%S", &tm);
    printf("%s.%03d scheduler: %s\n", t, (int)(ms % 1000), line);
    fflush(stdout);
}

static void say(void *ud, bool error, const char *text)
{
    flux_cli_say(ud, error, text);
    fflush(stdout);
}

typedef struct sopts {
    const char *dir, *branch, *db, *conns, *grace;
    int jobs;
} sopts;

static int parse(int argc, char **argv, sopts *o)
{
    memset(o, 0, sizeof *o);
    o->grace = "30s";
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = !strcmp(a, "--pipelines")     ? &o->dir
                            : !strcmp(a, "--git")         ? &o->branch
                            : !strcmp(a, "--db")          ? &o->db
                            : !strcmp(a, "--connections") ? &o->conns
                            : !strcmp(a, "--grace")       ? &o->grace
                                                          : NULL;
        if (slot || !strcmp(a, "-j")) {
            if (i + 1 >= argc) {
                flux_cli_usage_error("scheduler", "option '%s' needs a value", a);
                return -1;
            }
            if (slot) {
                *slot = argv[++i];
                continue;
            }
            char *end;
            long j = strtol(argv[++i], &end, 10);
            if (*end || j < 1 || j > 4096) {
                flux_cli_usage_error("scheduler", "-j needs a number of parallel tasks from 1 to 4096");
                return -1;
            }
            o->jobs = (int)j;
        } else {
            static const char *const known[] = {"--pipelines", "--git", "--db", "--connections", "--grace", "-j"};
            if (a[0] == '-')
                flux_cli_unknown_option("scheduler", a, known, sizeof known / sizeof *known);
            else
                flux_cli_usage_error("scheduler", "unexpected argument '%s'", a);
            return -1;
        }
    }
    if (!o->dir) {
        flux_cli_usage_error("scheduler", "give --pipelines DIR");
        return -1;
    }
    return 0;
}

int flux_cmd_scheduler(int argc, char **argv)
{
    sopts o;
    if (parse(argc, argv, &o) != 0)
        return FLUX_EXIT_USAGE;
    struct stat st;
    if (stat(o.dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "flux scheduler: '%s' is not a directory\n", o.dir);
        return FLUX_EXIT_USAGE;
    }
    int64_t grace_ms;
    flux_sched_error e;
    if (flux_duration_parse(o.grace, strlen(o.grace), &grace_ms, &e) != 0 || grace_ms < 0) {
        flux_cli_usage_error("scheduler", "--grace needs a duration such as 30s");
        return FLUX_EXIT_USAGE;
    }
    char absdir[PATH_MAX], gitdir[PATH_MAX];
    flux_scheduler_opts so = {.dir = realpath(o.dir, absdir) ? absdir : o.dir, .branch = o.branch,
                              .jobs = o.jobs, .grace_ms = grace_ms, .log = log_line, .say = say};
    if (o.branch) {
        if (flux_scheduler_gitdir(so.dir, gitdir, sizeof gitdir) != 0) {
            fprintf(stderr, "flux scheduler: --git: %s is not in a git repository\n", so.dir);
            return FLUX_EXIT_USAGE;
        }
        so.gitdir = gitdir;
    }
    flux_store *s = flux_cli_open_store("scheduler", o.db, o.conns);
    if (!s)
        return FLUX_EXIT_FAIL;
    flux_arena *ca = flux_arena_new();
    flux_conns conns;
    int rc = FLUX_EXIT_USAGE;
    if (flux_cli_conns("scheduler", o.conns, ca, &conns) == 0) {
        so.conns = &conns;
        rc = flux_scheduler_serve(s, &so);
    }
    flux_store_close(s);
    flux_arena_free(ca);
    return rc;
}
