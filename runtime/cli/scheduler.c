/* scheduler — `flux scheduler --pipelines DIR [--git BRANCH] [--db URL]
 * [-j N] [--grace 30s] [--executor local|slurm]`: the options, then the service (engine/scheduler.c)
 * with its log printed on standard output, a timestamp on each line. */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "backend.h"
#include "cli.h"
#include "clock.h"
#include "exec_print.h"
#include "opts.h"
#include "scheduler.h"

/* this file's rows of the command table (commands.c), in the order
 * `flux help` lists them */
const flux_cli_command flux_cli_scheduler_commands[] = {
    {"scheduler", "run the pipelines of a directory or git branch on their schedules",
     "usage: flux scheduler --pipelines DIR [--git BRANCH] [--db URL] [-j N] [--grace DURATION]\n"
     "                      [--executor local|slurm]\n"
     "\n"
     "Compiles every *.flux under DIR (with --git, the files of BRANCH's latest\n"
     "commit, never uncommitted edits) and deploys each valid pipeline as a new\n"
     "version; recompiles within 2 s of a change (file events, polling as a\n"
     "fallback) or on SIGHUP. A file that fails to compile keeps its pipelines on\n"
     "their last good version (flux errors shows why); a deleted one pauses them.\n"
     "Creates runs at interval ends (start, end, catchup, max_active_runs) and\n"
     "runs them, and the runs of flux trigger. SIGTERM stops cleanly: no new run,\n"
     "running tasks get the grace period (default 30s) to finish, exit 0 (tries\n"
     "run as Slurm jobs go on and are taken by the next start). --executor says\n"
     "where a task that sets no executor runs (default: executor: in flux.yaml,\n"
     "else local).\n",
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
    int64_t ms = flux_clock_wall_ms();
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
    const char *dir, *branch, *db, *conns, *grace, *executor;
    long jobs;
} sopts;

static const flux_opt OPTS[] = {
    {.name = "--pipelines", .kind = FLUX_OPT_STR, .off = offsetof(sopts, dir)},
    {.name = "--git", .kind = FLUX_OPT_STR, .off = offsetof(sopts, branch)},
    {.name = "--db", .kind = FLUX_OPT_STR, .off = offsetof(sopts, db)},
    {.name = "--connections", .kind = FLUX_OPT_STR, .off = offsetof(sopts, conns)},
    {.name = "--grace", .kind = FLUX_OPT_STR, .off = offsetof(sopts, grace)},
    {.name = "--executor", .kind = FLUX_OPT_STR, .off = offsetof(sopts, executor)},
    {.name = "-j", .kind = FLUX_OPT_INT, .off = offsetof(sopts, jobs), .min = 1, .max = 4096,
     .bad = "-j needs a number of parallel tasks from 1 to 4096"},
};
static const flux_cli_spec SPEC = {.cmd = "scheduler", .opts = OPTS, .nopts = sizeof OPTS / sizeof *OPTS,
                                   .too_many = "unexpected argument '%s'"};

/* 0, or the exit status to give up with */
static int parse(int argc, char **argv, sopts *o)
{
    memset(o, 0, sizeof *o);
    o->grace = "30s";
    flux_cli_list pos = {0};
    int rc = flux_cli_parse(&SPEC, argc, argv, o, &pos);
    flux_cli_list_free(&pos);
    if (rc)
        return rc > 0 ? FLUX_EXIT_OK : FLUX_EXIT_USAGE;
    if (!o->dir) {
        flux_cli_usage_error("scheduler", "give --pipelines DIR");
        return FLUX_EXIT_USAGE;
    }
    return 0;
}

int flux_cmd_scheduler(int argc, char **argv)
{
    sopts o;
    int prc = parse(argc, argv, &o);
    if (prc != 0 || !o.dir)
        return prc;
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
                              .jobs = (int)o.jobs, .grace_ms = grace_ms, .log = log_line, .say = say,
                              .status = flux_exec_print_status(stdout, false, false)};
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
    static flux_slurm_conf slurm;
    bool served = false;
    if (flux_cli_conns("scheduler", o.conns, ca, &conns) == 0 &&
        (so.executor = flux_cli_executor("scheduler", o.executor, &conns))) {
        /* a pipeline deployed later may ask for Slurm: ready whenever the store allows */
        int src = flux_cli_slurm_conf("scheduler", o.db, o.conns, s, !strcmp(so.executor, "slurm"), &slurm);
        so.slurm = src == 0 ? &slurm : NULL;
        so.conns = &conns;
        if ((served = src >= 0))
            rc = flux_scheduler_serve(s, &so);
    }
    if (!served && so.status.free)
        so.status.free(so.status.ud); /* the executor frees it when one was made */
    flux_store_close(s);
    flux_arena_free(ca);
    return rc;
}
