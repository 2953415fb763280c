/* run — the commands that run things and show what ran: run, backfill,
 * test, clear, status, runs, tasks, logs. State lives under FLUX_HOME
 * (default .flux/): flux.db and logs/; --db URL or FLUX_DB selects another
 * store (sqlite:///path or mysql://user@host:port/db). */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "actions.h"
#include "attr.h"
#include "browse.h"
#include "compile.h"
#include "exec_print.h"
#include "executor.h"
#include "home.h"
#include "logs.h"
#include "meta.h"
#include "opts.h"
#include "runs.h"
#include "view_print.h"
#include "views.h"
#include "ops.h"
#include "plan.h"
#include "registry.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "tz.h"

/* this file's rows of the command table (commands.c), in the order
 * `flux help` lists them */
const flux_cli_command flux_cli_run_commands[] = {
    {"run", "run one run of a pipeline now, in the foreground",
     "usage: flux run FILE [--date T] [--param NAME=VALUE]... [-j N] [--pipeline P] [--db URL] [--stats]\n"
     "                [--quiet] [--wait] [--connections FILE] [--executor local|slurm]\n"
     "\n"
     "Runs the run whose logical date (its interval's start) is T, or with a day\n"
     "(YYYY-MM-DD) the one run whose logical date falls on it (default: the\n"
     "latest interval already over), with up to N tasks at once (default: the\n"
     "number of CPUs), recording every state change in the state store\n"
     "(FLUX_HOME/flux.db unless --db or FLUX_DB). Run again with the same\n"
     "arguments after a crash or a stop to resume: finished tasks are not run\n"
     "again. Exit status 0 only when the run succeeded. FILE is a .flux source\n"
     "or a .plan.yaml. A run another live process executes is not run twice:\n"
     "flux run says which process and exits with status 2, or with --wait\n"
     "waits until that process is done with it. --executor says where a task\n"
     "that sets no executor runs (default: executor: in flux.yaml, else local;\n"
     "slurm: each try a Slurm job, with the MySQL store).\n",
     flux_cmd_run},
    {"backfill", "run the runs of a range of intervals",
     "usage: flux backfill FILE --from A --to B [--reprocess failed|all|none] [--dry-run] [-j N] [--db URL]\n"
     "                     [--pipeline P] [--param NAME=VALUE]... [--quiet] [--wait] [--connections FILE]\n"
     "                     [--executor local|slurm]\n"
     "\n"
     "Runs every run whose interval starts in [A, B], at most max_active_runs at\n"
     "once. Runs that already finished are skipped (--reprocess none), rerun\n"
     "when failed (failed) or rerun entirely (all); unfinished ones resume. A run\n"
     "another live process executes stops the backfill with status 2 before\n"
     "anything runs, or with --wait is waited for. --executor: as flux run's.\n",
     flux_cmd_backfill},
    {"test", "run one task now, without state, output to this terminal",
     "usage: flux test FILE TASK [--date T] [--param NAME=VALUE]... [--pipeline P] [--connections FILE]\n"
     "\n"
     "Runs TASK of the run whose logical date is T (as flux run picks it) once,\n"
     "recording nothing, its output on this terminal with its secrets masked.\n",
     flux_cmd_test},
    {"clear", "make task instances of a run run again",
     "usage: flux clear RUN [TASK...] [--downstream] [--pipeline P] [--db URL] [--connections FILE]\n"
     "       flux clear --date T [TASK...] [--downstream] [--pipeline P] [--db URL] [--connections FILE]\n"
     "\n"
     "Clears the given tasks (all when none is given, their downstream tasks too\n"
     "with --downstream) of RUN (an id or run id from flux runs), or of the run\n"
     "whose logical date is T (a day YYYY-MM-DD: the run whose logical date falls\n"
     "on it); the next flux run or backfill of that run runs them, each with its\n"
     "full retries.\n",
     flux_cmd_clear},
    {"status", "the latest run of each pipeline",
     "usage: flux status [PIPELINE] [--tag TAG] [--format text|json] [--db URL] [--connections FILE]\n"
     "\n"
     "Says which state store (its URL without a password), FLUX_HOME and flux.yaml\n"
     "this command uses and how each was found, then the latest run of each\n"
     "pipeline with its owner and tags, the deployed versions and the schedulers.\n"
     "--tag: only the pipelines whose current plan has that tag.\n",
     flux_cmd_status},
    {"runs", "list and search runs, newest first",
     "usage: flux runs [PIPELINE|--pipeline P] [--state S] [--trigger T] [--run-id PREFIX]\n"
     "                 [--from TIME] [--to TIME] [--task TASK] [--field TEXT] [--output TEXT]\n"
     "                 [--limit N] [--format text|json] [--db URL] [--connections FILE]\n"
     "\n"
     "Lists the runs newest first (by logical date), the first N (default 50) of\n"
     "those every option given keeps, the same search as the web UI's: --state\n"
     "queued, running, success or failed; --trigger scheduled, manual or backfill;\n"
     "--run-id, a run id's beginning; --from and --to, the interval start within\n"
     "[FROM, TO] (a time such as 2026-11-02T00:00:00Z, UTC unless it names a zone);\n"
     "--task, a run with a try of TASK; --field and --output, a run with a try whose\n"
     "rendered fields (secrets masked) or outputs hold TEXT, in its case (of TASK\n"
     "when given).\n",
     flux_cmd_runs},
    {"tasks", "the task instances of a run, every try",
     "usage: flux tasks RUN [--pipeline P] [--format text|json] [--db URL] [--connections FILE]\n", flux_cmd_tasks},
    {"logs", "print the log of a task instance",
     "usage: flux logs RUN TASK [--try N] [--pipeline P] [--db URL] [--connections FILE]\n", flux_cmd_logs},
    {"notifications", "the notifications sent, pending or failed",
     "usage: flux notifications [--pending|--failed] [--format text|json] [--db URL] [--connections FILE]\n"
     "\nThe outbox, oldest first: run, task, try, event, notifier, state, attempts, last error, key.\n",
     flux_cmd_notifications},
};
const size_t flux_cli_run_ncommands = sizeof flux_cli_run_commands / sizeof *flux_cli_run_commands;

/* ---- options ---- */

typedef struct ropts {
    const char *cmd;
    char *pos[8];
    size_t npos;
    const char *date, *from, *to, *pipeline, *db, *format, *reprocess, *conns, *tag, *executor;
    const char *state, *trigger, *run_id, *task, *field, *output; /* flux runs' search */
    flux_cli_list plist; /* --param */
    char **params;       /* plist's */
    size_t nparams;
    long jobs_n, try_n;  /* as parsed */
    int jobs;
    int try_number;
    long limit;
    bool downstream, dry_run, stats, quiet, wait, pending, failed;
} ropts;

/* the options of the eight commands; .only names the commands that take
 * one (each reads it below and lists it in its usage): any other refuses it
 * as an unknown option, with did-you-mean among its own. --connections is
 * every command's: flux.yaml's state_store names the store, and run,
 * backfill and test render connections into task fields */
#define R(f) .off = offsetof(ropts, f)
static const flux_opt ROPTS[] = {
    {.name = "--date", .kind = FLUX_OPT_STR, R(date), .only = "run test clear"},
    {.name = "--from", .kind = FLUX_OPT_STR, R(from), .only = "backfill runs"},
    {.name = "--to", .kind = FLUX_OPT_STR, R(to), .only = "backfill runs"},
    {.name = "--state", .kind = FLUX_OPT_STR, R(state), .only = "runs"},
    {.name = "--trigger", .kind = FLUX_OPT_STR, R(trigger), .only = "runs"},
    {.name = "--run-id", .kind = FLUX_OPT_STR, R(run_id), .only = "runs"},
    {.name = "--task", .kind = FLUX_OPT_STR, R(task), .only = "runs"},
    {.name = "--field", .kind = FLUX_OPT_STR, R(field), .only = "runs"},
    {.name = "--output", .kind = FLUX_OPT_STR, R(output), .only = "runs"},
    {.name = "--pipeline", .alias = "-p", .kind = FLUX_OPT_STR, R(pipeline),
     .only = "run backfill test clear runs tasks logs"},
    {.name = "--db", .kind = FLUX_OPT_STR, R(db), .only = "run backfill clear status runs tasks logs notifications"},
    {.name = "--format", .kind = FLUX_OPT_STR, R(format), .only = "status runs tasks notifications"},
    {.name = "--pending", .kind = FLUX_OPT_FLAG, R(pending), .only = "notifications"},
    {.name = "--failed", .kind = FLUX_OPT_FLAG, R(failed), .only = "notifications"},
    {.name = "--tag", .kind = FLUX_OPT_STR, R(tag), .only = "status"},
    {.name = "--reprocess", .kind = FLUX_OPT_STR, R(reprocess), .only = "backfill"},
    {.name = "--param", .alias = "-P", .kind = FLUX_OPT_LIST, R(plist), .missing = "--param needs name=value",
     .only = "run backfill test"},
    {.name = "--connections", .kind = FLUX_OPT_STR, R(conns)},
    {.name = "-j", .kind = FLUX_OPT_INT, R(jobs_n), .min = 1, .max = 4096, .attached = true,
     .missing = "-j needs a number of parallel tasks from 1 to 4096", .only = "run backfill"},
    {.name = "--try", .kind = FLUX_OPT_INT, R(try_n), .min = 1, .max = INT_MAX, .missing = "%s needs a positive number",
     .only = "logs"},
    {.name = "--limit", .kind = FLUX_OPT_INT, R(limit), .min = 1, .max = LONG_MAX,
     .missing = "%s needs a positive number", .only = "runs"},
    {.name = "--downstream", .kind = FLUX_OPT_FLAG, R(downstream), .only = "clear"},
    {.name = "--dry-run", .kind = FLUX_OPT_FLAG, R(dry_run), .only = "backfill"},
    {.name = "--stats", .kind = FLUX_OPT_FLAG, R(stats), .only = "run"},
    {.name = "--quiet", .alias = "-q", .kind = FLUX_OPT_FLAG, R(quiet), .only = "run backfill"},
    {.name = "--wait", .kind = FLUX_OPT_FLAG, R(wait), .only = "run backfill"},
    {.name = "--executor", .kind = FLUX_OPT_STR, R(executor), .only = "run backfill"},
};
#undef R

/* 0, 1 after --help, -1 after a usage error */
static int parse(const char *cmd, int argc, char **argv, ropts *o)
{
    memset(o, 0, sizeof *o);
    o->cmd = cmd;
    o->format = "text";
    flux_cli_spec sp = {.cmd = cmd, .opts = ROPTS, .nopts = sizeof ROPTS / sizeof *ROPTS, .maxpos = 8,
                        .too_many = "too many arguments"};
    flux_cli_list pos = {0};
    int rc = flux_cli_parse(&sp, argc, argv, o, &pos);
    for (size_t i = 0; i < pos.n; i++)
        o->pos[o->npos++] = pos.v[i];
    flux_cli_list_free(&pos);
    o->params = o->plist.v;
    o->nparams = o->plist.n;
    o->jobs = (int)o->jobs_n;
    o->try_number = (int)o->try_n;
    if (rc)
        return rc;
    return flux_cli_format_check(cmd, o->format);
}

/* parse, then the count of positional arguments (min to max): -1 to go on,
 * else the command's exit status (usage printed when the count is wrong) */
static int begin(const char *cmd, int argc, char **argv, ropts *o, size_t min, size_t max, const char *usage)
{
    int prc = parse(cmd, argc, argv, o);
    if (prc > 0)
        return free(o->params), FLUX_EXIT_OK;
    if (prc == 0 && o->npos >= min && o->npos <= max)
        return -1;
    if (prc == 0 && usage)
        flux_cli_usage_error(cmd, "%s", usage);
    return free(o->params), FLUX_EXIT_USAGE;
}

/* the executor's setup below names FLUX_HOME by this: absolute, so the log
 * paths stored work from any directory */
static const char *home(void)
{
    return flux_home_abs();
}

/* ---- loading a pipeline (source or plan) with its plan text ---- */

typedef struct loaded {
    flux_compilation c;
    flux_pipeline *p;
    char *plan_text;
    size_t plan_len;
    char plan_id[65];
    flux_timetable tt;
    flux_conns conns;
} loaded;

static int load(const ropts *o, const char *file, loaded *l)
{
    memset(l, 0, sizeof *l);
    int rc = flux_cli_load_with(&l->c, file, o->conns);
    if (rc)
        return rc;
    if (!(l->p = flux_cli_pipeline(&l->c, o->cmd, file, o->pipeline)))
        return FLUX_EXIT_USAGE;
    /* a plan read from a file writes back to the same bytes (the round-trip
     * guarantee of lang/PLAN.md), so its id is the same either way */
    flux_plan pl;
    flux_compile_plan(&l->c, l->p, &pl);
    flux_buf b = {0};
    flux_plan_write(&pl, &b);
    l->plan_text = b.data;
    l->plan_len = b.len;
    flux_sha256_hex(l->plan_text, l->plan_len, l->plan_id);
    if (flux_cli_timetable(o->cmd, l->p, &l->tt) != 0)
        return FLUX_EXIT_FAIL;
    if (flux_cli_conns(o->cmd, o->conns, l->c.arena, &l->conns) != 0)
        return FLUX_EXIT_USAGE;
    return 0;
}

static void unload(loaded *l)
{
    free(l->plan_text);
    flux_compilation_free(&l->c);
}

/* the run a --date names (the run whose logical date it is), or without
 * one the latest interval already over: 0, or the exit status after saying
 * why */
/* the plan a run uses, made the pipeline's current one, with the facts
 * views show of it; -1 with the store's error */
static int store_plan(flux_store *s, const loaded *l, const char *source)
{
    bool created;
    if (flux_store_put_plan(s, l->p->name, l->plan_id, l->plan_text, source, "", flux_runs_now(), &created) != 0)
        return -1;
    return flux_meta_record(s, l->plan_id, l->p);
}

static int pick_interval(const ropts *o, const loaded *l, flux_interval *iv)
{
    char err[1024];
    int rc = flux_runs_pick_interval(&l->tt, l->p->name, o->date, iv, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "flux %s: %s\n", o->cmd, err);
    return rc;
}


static void print_handoffs(flux_executor *ex, FILE *out)
{
    size_t n;
    const int64_t *h = flux_exec_handoffs(ex, &n);
    if (!n)
        return;
    fprintf(out, "hand-off latency (a task's end to the start it allows): p50 %.3f ms, p99 %.3f ms, n=%zu\n",
            (double)h[n / 2] / 1000.0, (double)h[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1000.0, n);
}

static flux_executor *new_executor(const ropts *o, flux_store *s, loaded *l, char **self)
{
    static flux_slurm_conf slurm;
    *self = flux_cli_self();
    flux_exec_opts eo = {0};
    /* where tasks that say nothing run; one that runs through Slurm needs
     * the MySQL store, refused here rather than at its first try */
    eo.executor = flux_cli_executor(o->cmd, o->executor, &l->conns);
    if (!eo.executor)
        return NULL;
    bool need = false;
    for (size_t i = 0; i < l->p->ntasks && !need; i++)
        need = !strcmp(flux_exec_task_executor(l->p->tasks[i], flux_op_how(l->p->tasks[i]->op), eo.executor),
                       "slurm");
    int src = flux_cli_slurm_conf(o->cmd, o->db, o->conns, s, need, &slurm);
    if (src < 0)
        return NULL;
    eo.slurm = src == 0 ? &slurm : NULL;
    eo.slots = o->jobs ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    const flux_field *mat = flux_attr_field(&l->p->attrs, "max_active_tasks");
    if (mat && mat->kind == FLUX_F_INT && mat->u.i < eo.slots)
        eo.slots = (int)mat->u.i;
    const flux_field *mar = flux_attr_field(&l->p->attrs, "max_active_runs");
    eo.max_active_runs = mar && mar->kind == FLUX_F_INT ? (int)mar->u.i : 16;
    eo.home = home();
    eo.self = *self;
    eo.conns = &l->conns;
    eo.status = flux_exec_print_status(stdout, o->quiet, isatty(STDOUT_FILENO) && !getenv("NO_PROGRESS"));
    return flux_exec_new(s, &eo);
}

/* ---- flux run ---- */

/* Adds a run to ex; when another live process owns it, says who and
 * exits 2, or with --wait polls until that process is done with it. */
static int add_owned_run(const ropts *o, flux_executor *ex, const loaded *l, const flux_interval *iv,
                         const char *trigger, flux_value params)
{
    bool said = false;
    for (;;) {
        int rc = flux_exec_add_run(ex, l->p, l->plan_id, l->tt.tz, iv, trigger, NULL, params);
        if (rc != FLUX_EXEC_BUSY)
            return rc == 0 ? 0 : FLUX_EXIT_FAIL;
        if (!o->wait) {
            fprintf(stderr, "flux %s: %s\nhelp: wait for it with --wait, or watch it with `flux tasks`\n", o->cmd,
                    flux_exec_busy(ex));
            return FLUX_EXIT_USAGE;
        }
        if (!said)
            fprintf(stderr, "flux %s: waiting: %s\n", o->cmd, flux_exec_busy(ex));
        said = true;
        struct timespec ts = {1, 0};
        nanosleep(&ts, NULL);
    }
}

/* After a failed run: each failed and upstream_failed task, in plan order,
 * with its note and log, so nobody has to dig; and when the run had failed
 * before this command and nothing ran, how to run it again. */
static void say_failures(flux_store *s, const flux_pipeline *p, const char *run_id, bool already)
{
    flux_run_row run;
    flux_ti_row *rows = NULL;
    size_t n = 0;
    if (flux_store_find_run(s, p->name, run_id, &run) != 0 || flux_store_list_tis(s, run.id, &rows, &n) != 0)
        return;
    const char *first_failed = NULL;
    for (size_t t = 0; t < p->ntasks; t++) {
        const flux_ti_row *last = NULL;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(rows[i].task, p->tasks[t]->id) && (!last || rows[i].try_number > last->try_number))
                last = &rows[i];
        if (!last)
            continue;
        if (last->state == FLUX_TI_FAILED) {
            first_failed = first_failed ? first_failed : p->tasks[t]->id;
            printf("failed: %s (try %d): %s\n", last->task, last->try_number, last->note ? last->note : "");
            if (last->log_path[0]) /* its wrapper makes a log at the first byte of output */
                printf("  log: %s\n", access(last->log_path, F_OK) == 0 ? last->log_path : "none (the task printed nothing)");
        } else if (last->state == FLUX_TI_UPSTREAM_FAILED) {
            /* a note says it was not an upstream task (depends_on_past) */
            printf("upstream_failed: %s: %s\n", last->task,
                   last->note && last->note[0] ? last->note : "an upstream task failed");
        }
    }
    if (already)
        printf("run %s of %s had already failed, so nothing ran; to run it again: flux clear %lld%s%s "
               "--downstream, then this command again\n",
               run.run_id, p->name, (long long)run.id, first_failed ? " " : "", first_failed ? first_failed : "");
    flux_ti_rows_free(rows, n);
}

int flux_cmd_run(int argc, char **argv)
{
    ropts o;
    int prc = begin("run", argc, argv, &o, 1, 1, "give one FILE");
    if (prc >= 0)
        return prc;
    loaded l;
    int rc = load(&o, o.pos[0], &l);
    flux_interval iv;
    flux_value params;
    char err[512];
    if (!rc)
        rc = pick_interval(&o, &l, &iv);
    if (!rc && flux_run_params(l.c.arena, l.p, o.params, o.nparams, &params, err, sizeof err) != 0) {
        fprintf(stderr, "flux run: %s\n", err);
        rc = FLUX_EXIT_USAGE;
    }
    flux_store *s = rc ? NULL : flux_cli_open_store(o.cmd, o.db, o.conns);
    if (!rc && !s)
        rc = FLUX_EXIT_FAIL;
    if (!rc) {
        if (store_plan(s, &l, l.p->source ? flux_sources_get(&l.c.sources, l.p->source)->path : o.pos[0]) != 0) {
            fprintf(stderr, "flux run: state store: %s\n", flux_store_error(s));
            rc = FLUX_EXIT_FAIL;
        }
    }
    if (!rc) {
        char *self;
        const char *run_id = flux_run_id(l.c.arena, "manual", iv.start_ms);
        flux_run_row before;
        bool already = flux_store_find_run(s, l.p->name, run_id, &before) == 0 && before.state == FLUX_RUN_FAILED;
        flux_executor *ex = new_executor(&o, s, &l, &self);
        int64_t t0 = flux_runs_now();
        if (!ex)
            rc = FLUX_EXIT_USAGE;
        else if ((rc = add_owned_run(&o, ex, &l, &iv, "manual", params)) == 0) {
            rc = flux_exec_run(ex) == 0 ? FLUX_EXIT_OK : FLUX_EXIT_FAIL;
            char took[32];
            if (!o.quiet || o.stats)
                fprintf(stdout, "%zu tasks in %s; logs under %s/logs/%s/\n", l.p->ntasks,
                        flux_cli_elapsed(flux_runs_now() - t0, took, sizeof took), home(), l.p->name);
            if (rc == FLUX_EXIT_FAIL)
                say_failures(s, l.p, run_id, already);
            if (o.stats)
                print_handoffs(ex, stdout);
        }
        flux_exec_free(ex);
        free(self);
    }
    if (s)
        flux_store_close(s);
    unload(&l);
    free(o.params);
    return rc;
}

/* ---- flux backfill ---- */

int flux_cmd_backfill(int argc, char **argv)
{
    ropts o;
    int prc = parse("backfill", argc, argv, &o);
    if (prc > 0)
        return free(o.params), FLUX_EXIT_OK;
    if (prc != 0)
        return free(o.params), FLUX_EXIT_USAGE;
    const char *rp = o.reprocess ? o.reprocess : "none";
    if (o.npos != 1 || !o.from || !o.to || (strcmp(rp, "none") && strcmp(rp, "failed") && strcmp(rp, "all"))) {
        flux_cli_usage_error("backfill", "give FILE --from A --to B [--reprocess failed|all|none]");
        return free(o.params), FLUX_EXIT_USAGE;
    }
    loaded l;
    int rc = load(&o, o.pos[0], &l);
    int64_t from = 0, to = 0;
    flux_value params;
    char err[512];
    if (!rc && (flux_cli_time("backfill", o.from, l.tt.tz, &from) != 0 || flux_cli_time("backfill", o.to, l.tt.tz, &to) != 0))
        rc = FLUX_EXIT_USAGE;
    /* the range is checked before anything is opened or written */
    flux_interval iv;
    if (!rc && (rc = flux_runs_range_first(&l.tt, l.p->name, from, to, &iv, err, sizeof err)) != 0)
        fprintf(stderr, "flux backfill: %s\n", err);
    if (!rc && flux_run_params(l.c.arena, l.p, o.params, o.nparams, &params, err, sizeof err) != 0) {
        fprintf(stderr, "flux backfill: %s\n", err);
        rc = FLUX_EXIT_USAGE;
    }
    flux_store *s = rc ? NULL : flux_cli_open_store(o.cmd, o.db, o.conns);
    if (!rc && !s)
        rc = FLUX_EXIT_FAIL;
    if (!rc && store_plan(s, &l, o.pos[0]) != 0) {
        fprintf(stderr, "flux backfill: state store: %s\n", flux_store_error(s));
        rc = FLUX_EXIT_FAIL;
    }
    char *self = NULL;
    flux_executor *ex = rc ? NULL : new_executor(&o, s, &l, &self);
    if (!rc && !ex)
        rc = FLUX_EXIT_USAGE;
    size_t added = 0, skipped = 0;
    bool have = !rc;
    while (!rc && have && iv.start_ms <= to) {
        char run_id[128];
        int cancelled = 0;
        flux_buf b = {0};
        flux_buf_puts(&b, "backfill__");
        flux_time_iso(iv.start_ms, 0, &b);
        snprintf(run_id, sizeof run_id, "%s", b.data);
        flux_buf_free(&b);
        flux_run_row row;
        int found = flux_store_find_run(s, l.p->name, run_id, &row);
        const char *what = "new";
        bool take = true;
        if (found == 0) {
            bool finished = row.state == FLUX_RUN_SUCCESS || row.state == FLUX_RUN_FAILED;
            if (!finished) {
                what = "resume";
            } else if (!strcmp(rp, "all")) {
                what = "reprocess";
                if (!o.dry_run && flux_runs_clear(s, row.id, NULL, 0, NULL, &cancelled, err, sizeof err) < 0)
                    fprintf(stderr, "flux backfill: clearing run %s: %s\n", run_id, err), rc = FLUX_EXIT_FAIL;
            } else if (!strcmp(rp, "failed") && row.state == FLUX_RUN_FAILED) {
                what = "reprocess failed";
                if (!o.dry_run && flux_runs_clear(s, row.id, NULL, 0, "failed", &cancelled, err, sizeof err) < 0)
                    fprintf(stderr, "flux backfill: clearing run %s: %s\n", run_id, err), rc = FLUX_EXIT_FAIL;
            } else {
                take = false;
                what = row.state == FLUX_RUN_SUCCESS ? "skip (succeeded)" : "skip (failed; --reprocess failed reruns it)";
            }
        }
        if (o.dry_run || !take) {
            flux_buf t = {0};
            flux_time_iso(iv.start_ms, 0, &t);
            printf("%s  %s\n", t.data, what);
            flux_buf_free(&t);
        }
        if (take && !o.dry_run && !rc) {
            rc = add_owned_run(&o, ex, &l, &iv, "backfill", params);
            added++;
        } else if (!take) {
            skipped++;
        }
        if (iv.start_ms == iv.end_ms || flux_timetable_next(&l.tt, &iv, &iv) != 0)
            break;
    }
    if (!rc && !o.dry_run) {
        if (added)
            rc = flux_exec_run(ex) == 0 ? FLUX_EXIT_OK : FLUX_EXIT_FAIL;
        printf("backfill of %s: %zu runs run, %zu skipped\n", l.p->name, added, skipped);
    }
    flux_exec_free(ex);
    free(self);
    if (s)
        flux_store_close(s);
    unload(&l);
    free(o.params);
    return rc;
}

/* ---- flux test ---- */

/* In flux test's child: the command under flux-wrap, which copies what it
 * prints here with every secret the rendering saw replaced by ***, as a
 * run's log has it (its standard error with its output, as in a log). The
 * values reach the wrapper on a descriptor, never in argv. Returns only
 * when the wrapper cannot be started: the command is not run unmasked. */
static void exec_masked(const char *self, const char *task, char **argv, const char *const *secrets,
                        size_t nsecrets)
{
    int fd = memfd_create("flux-test-secrets", 0);
    for (size_t i = 0; fd >= 0 && i < nsecrets; i++) {
        size_t n = strlen(secrets[i]) + 1; /* NUL-separated */
        if (write(fd, secrets[i], n) != (ssize_t)n) {
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0) {
        fprintf(stderr, "flux test: cannot hand the secrets to mask to flux-wrap: %s\n", strerror(errno));
        return;
    }
    char fdarg[16], key[300];
    snprintf(fdarg, sizeof fdarg, "%d", fd);
    snprintf(key, sizeof key, "%s 1", task);
    size_t n = 0;
    while (argv[n])
        n++;
    char **args = calloc(n + 8, sizeof *args);
    if (!args)
        abort();
    const char *head[] = {self, "__wrap", "/dev/null", key, "--secrets-fd", fdarg, "--"};
    for (size_t i = 0; i < 7; i++)
        args[i] = (char *)head[i];
    memcpy(args + 7, argv, n * sizeof *argv);
    execv(self, args);
    fprintf(stderr, "flux test: cannot start flux-wrap to mask the output: %s\n", strerror(errno));
}

/* flux test of an operator that runs as a process: its fields written for
 * it, the command started in a child with this terminal (masked by
 * flux-wrap when there are secrets), its outcome said */
static int test_process(const loaded *l, const flux_task *t, flux_op_run how, flux_renderer *r,
                        const flux_run *run, const flux_op_fields *f)
{
    int rc = FLUX_EXIT_OK;
    char err[512];
    flux_op_cmd cmd;
    /* flux test runs other operators in this process's child too */
    char fields_path[] = "/tmp/flux-test-fields.XXXXXX";
    int ffd = mkstemp(fields_path);
    if (ffd >= 0) {
        flux_buf jb = {0};
        flux_buf_putc(&jb, '{');
        for (size_t i = 0; i < f->n; i++) {
            if (i)
                flux_buf_puts(&jb, ", ");
            flux_value_json(flux_str(f->keys[i], strlen(f->keys[i])), &jb);
            flux_buf_puts(&jb, ": ");
            flux_field_json(r, &f->vals[i], &jb);
        }
        if (f->n)
            flux_buf_puts(&jb, ", ");
        flux_op_run_json(&jb, l->p->name, run->run_id, t->id, 1, 0, run->iv.start_ms, run->iv.end_ms);
        flux_buf_puts(&jb, ", ");
        flux_op_conns_json(&jb, t->op, f, r->conns);
        flux_buf_putc(&jb, '}');
        if (write(ffd, jb.data, jb.len) != (ssize_t)jb.len)
            fprintf(stderr, "flux test: cannot write %s\n", fields_path);
        close(ffd);
        flux_buf_free(&jb);
    }
    char *self = flux_cli_self();
    flux_op_where where = {self, fields_path};
    int crc = flux_op_command(t->op, f, &where, &cmd, err, sizeof err);
    if (crc != 0) {
        fprintf(stderr, "flux test: %s\n", err);
        rc = FLUX_EXIT_FAIL;
    } else {
        char conns[PATH_MAX + 32];
        pid_t pid = fork();
        if (pid == 0) {
            for (size_t i = 0; cmd.env && cmd.env[i]; i++)
                putenv(cmd.env[i]);
            /* the operator reads the flux.yaml this command read */
            if (strcmp(t->op, "bash") != 0 && l->conns.file && realpath(l->conns.file, conns))
                setenv("FLUX_CONNECTIONS", conns, 1);
            if (cmd.cwd && chdir(cmd.cwd) != 0) {
                fprintf(stderr, "flux test: cannot enter %s: %s\n", cmd.cwd, strerror(errno));
                _exit(127);
            }
            if (r->nsecrets) {
                exec_masked(self, t->id, cmd.argv, r->secrets, r->nsecrets);
                _exit(127);
            }
            execv(cmd.argv[0], cmd.argv);
            _exit(127);
        }
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (how == FLUX_OP_RUN_POKE_PROCESS) /* one poke */
            fprintf(stderr, "flux test: %s %s\n", t->id,
                    code == 0                       ? "condition holds"
                    : code == FLUX_OP_NOT_YET       ? "condition does not hold yet"
                    : code == FLUX_OP_NOT_YET_ERROR ? "cannot tell yet (see above): the sensor would poke again"
                                                    : "failed");
        else
            fprintf(stderr, "flux test: %s %s (exit status %d)\n", t->id, code ? "failed" : "succeeded",
                    code);
        rc = code ? FLUX_EXIT_FAIL : FLUX_EXIT_OK;
        flux_op_cmd_free(&cmd);
    }
    free(self);
    unlink(fields_path);
    return rc;
}

int flux_cmd_test(int argc, char **argv)
{
    ropts o;
    int prc = begin("test", argc, argv, &o, 2, 2, "give FILE TASK [--date T]");
    if (prc >= 0)
        return prc;
    loaded l;
    int rc = load(&o, o.pos[0], &l);
    flux_interval iv;
    flux_value params;
    char err[512];
    const flux_task *t = NULL;
    if (!rc) {
        for (size_t i = 0; i < l.p->ntasks; i++)
            if (!strcmp(l.p->tasks[i]->id, o.pos[1]))
                t = l.p->tasks[i];
        if (!t) {
            fprintf(stderr, "flux test: pipeline '%s' has no task '%s'\n", l.p->name, o.pos[1]);
            rc = FLUX_EXIT_USAGE;
        }
    }
    if (!rc)
        rc = pick_interval(&o, &l, &iv);
    if (!rc && flux_run_params(l.c.arena, l.p, o.params, o.nparams, &params, err, sizeof err) != 0) {
        fprintf(stderr, "flux test: %s\n", err);
        rc = FLUX_EXIT_USAGE;
    }
    if (!rc) {
        /* like Airflow's tasks test: no state, output to this terminal */
        flux_arena *a = flux_arena_new();
        flux_sources src;
        flux_sources_init(&src);
        flux_diags d;
        flux_diags_init(&d, &src);
        flux_renderer r = {.arena = a, .diags = &d, .conns = &l.conns, .mask = false,
                           .sql_conn = flux_registry_sql_conn};
        flux_run run = {l.p, l.tt.tz, iv, flux_run_id(a, "test", iv.start_ms), params};
        flux_task_fields tf;
        if (flux_render_task(&r, &run, t, 1, false, &tf) != 0) {
            flux_diags_print(&d, stderr, flux_cli_colour());
            fprintf(stderr, "flux test: %s\n", r.err[0] ? r.err : "rendering failed");
            rc = FLUX_EXIT_FAIL;
        }
        flux_op_fields f = {tf.keys, tf.vals, tf.n};
        if (!rc) {
            flux_op_run how = flux_op_how(t->op);
            fprintf(stderr, "flux test: %s.%s for %s\n", l.p->name, t->id, run.run_id);
            if (how == FLUX_OP_RUN_PROCESS || how == FLUX_OP_RUN_POKE_PROCESS) {
                rc = test_process(&l, t, how, &r, &run, &f);
            } else if (how == FLUX_OP_RUN_POKE) {
                flux_poke_ctx ctx = {flux_runs_now(), l.p->name, run.run_id, iv.start_ms, NULL, NULL};
                err[0] = '\0';
                int pr = flux_op_poke(t->op, &f, &ctx, err, sizeof err);
                fprintf(stderr, "flux test: %s %s%s%s\n", t->id,
                        pr == 1 ? "condition holds" : pr == 0 ? "condition does not hold yet" : err,
                        pr == 0 && err[0] ? ": " : "", pr == 0 ? err : "");
                rc = pr == 1 ? FLUX_EXIT_OK : FLUX_EXIT_FAIL;
            } else {
                fprintf(stderr, "flux test: operator '%s' is not implemented in this build of flux yet\n", t->op);
                rc = FLUX_EXIT_FAIL;
            }
        }
        flux_diags_free(&d);
        flux_sources_free(&src);
        flux_arena_free(a);
    }
    unload(&l);
    free(o.params);
    return rc;
}

/* ---- views ---- */

static int resolve_run(flux_store *s, const ropts *o, const char *arg, flux_run_row *row)
{
    char err[1024];
    if (flux_runs_find(s, arg, o->pipeline, row, err, sizeof err) != 0) {
        fprintf(stderr, "flux %s: %s\n", o->cmd, err);
        return -1;
    }
    return 0;
}

static int open_run(const ropts *o, const char *arg, flux_store **s, flux_run_row *run, flux_ti_row **rows,
                    size_t *n)
{
    *s = flux_cli_open_store(o->cmd, o->db, o->conns);
    if (!*s)
        return -1;
    if (resolve_run(*s, o, arg, run) != 0) {
        flux_store_close(*s);
        *s = NULL;
        return -1;
    }
    if (rows && flux_store_list_tis(*s, run->id, rows, n) != 0) {
        fprintf(stderr, "flux %s: %s\n", o->cmd, flux_store_error(*s));
        flux_store_close(*s);
        *s = NULL;
        return -1;
    }
    return 0;
}

int flux_cmd_runs(int argc, char **argv)
{
    ropts o;
    int prc = begin("runs", argc, argv, &o, 0, 1, NULL);
    if (prc >= 0)
        return prc;
    flux_store *s = flux_cli_open_store(o.cmd, o.db, o.conns);
    if (!s)
        return free(o.params), FLUX_EXIT_FAIL;
    /* the web API's search (engine/browse.h): one implementation of it */
    flux_runs_query q = {.pipeline = o.npos ? o.pos[0] : o.pipeline, .state = o.state, .trigger = o.trigger,
                         .run_id = o.run_id, .from = o.from, .to = o.to, .task = o.task, .field = o.field,
                         .output = o.output};
    char err[1024];
    bool bad = false;
    json_t *page = flux_view_runs_search(s, &q, NULL, o.limit ? (size_t)o.limit : 50, &bad, err, sizeof err);
    json_t *runs = page ? json_incref(json_object_get(page, "items")) : NULL;
    json_decref(page);
    int rc = runs ? 0 : -1;
    if (!runs) {
        fprintf(stderr, "flux runs: %s\n", err);
    } else if (!strcmp(o.format, "json")) {
        flux_view_print_json(runs);
    } else {
        flux_view_print_runs(runs);
        json_decref(runs);
    }
    flux_store_close(s);
    free(o.params);
    return rc ? (bad ? FLUX_EXIT_USAGE : FLUX_EXIT_FAIL) : FLUX_EXIT_OK;
}

int flux_cmd_status(int argc, char **argv)
{
    ropts o;
    int prc = begin("status", argc, argv, &o, 0, 1, NULL);
    if (prc >= 0)
        return prc;
    char err[1024];
    bool json = !strcmp(o.format, "json");
    flux_store *s = flux_cli_open_store(o.cmd, o.db, o.conns);
    if (!s) {
        /* no store (yet) or none that opens: still where it was looked for */
        flux_home_info where;
        if (!json && flux_home_describe(o.db, o.conns, &where, err, sizeof err) == FLUX_HOME_OK) {
            json_t *w = flux_view_where(&where);
            flux_view_print_where(w);
            json_decref(w);
        }
        return free(o.params), FLUX_EXIT_FAIL;
    }
    const char *pl = o.npos ? o.pos[0] : NULL;
    json_t *st = flux_view_status(s, pl, o.tag, flux_runs_now(), !json, err, sizeof err);
    flux_home_info where;
    int rc = st ? 0 : -1;
    json_t *failing = st ? flux_view_failing_notifiers(s, err, sizeof err) : NULL;
    if (failing)
        json_object_set_new(st, "failing_notifiers", failing);
    if (st && flux_home_describe(o.db, o.conns, &where, err, sizeof err) == FLUX_HOME_OK)
        json_object_set_new(st, "where", flux_view_where(&where));
    if (!st)
        fprintf(stderr, "flux status: %s\n", err);
    else if (json)
        flux_view_print_json(st);
    else {
        flux_view_print_status(st, pl != NULL);
        json_decref(st);
    }
    flux_store_close(s);
    free(o.params);
    return rc ? FLUX_EXIT_FAIL : FLUX_EXIT_OK;
}

int flux_cmd_notifications(int argc, char **argv)
{
    ropts o;
    int prc = begin("notifications", argc, argv, &o, 0, 0, NULL);
    if (prc >= 0)
        return prc;
    if (o.pending && o.failed)
        return fprintf(stderr, "flux notifications: give --pending or --failed, not both\n"), free(o.params), FLUX_EXIT_USAGE;
    flux_store *s = flux_cli_open_store(o.cmd, o.db, o.conns);
    if (!s)
        return free(o.params), FLUX_EXIT_FAIL;
    char err[1024];
    json_t *a = flux_view_notifications(s, o.pending ? "pending" : o.failed ? "failed" : "", err, sizeof err);
    if (!a)
        fprintf(stderr, "flux notifications: %s\n", err);
    else if (!strcmp(o.format, "json"))
        flux_view_print_json(a);
    else {
        flux_view_print_notifications(a);
        json_decref(a);
    }
    flux_store_close(s);
    free(o.params);
    return a ? FLUX_EXIT_OK : FLUX_EXIT_FAIL;
}

int flux_cmd_tasks(int argc, char **argv)
{
    ropts o;
    int prc = begin("tasks", argc, argv, &o, 1, 1, "give RUN (an id or run id from flux runs)");
    if (prc >= 0)
        return prc;
    flux_store *s;
    flux_run_row run;
    flux_ti_row *rows = NULL;
    size_t n = 0;
    if (open_run(&o, o.pos[0], &s, &run, &rows, &n) != 0)
        return free(o.params), FLUX_EXIT_USAGE;
    json_t *root = flux_view_tasks(s, &run, rows, n);
    if (!strcmp(o.format, "json")) {
        flux_view_print_json(root);
    } else {
        printf("run %" PRId64 " %s of %s: %s\n", run.id, run.run_id, run.pipeline, flux_run_state_name(run.state));
        flux_view_print_tasks(root);
        json_decref(root);
    }
    int rc = 0;
    flux_ti_rows_free(rows, n);
    flux_store_close(s);
    free(o.params);
    return rc;
}

int flux_cmd_logs(int argc, char **argv)
{
    ropts o;
    int prc = begin("logs", argc, argv, &o, 2, 2, "give RUN TASK [--try N]");
    if (prc >= 0)
        return prc;
    flux_store *s;
    flux_run_row run;
    flux_ti_row *rows = NULL;
    size_t n = 0;
    if (open_run(&o, o.pos[0], &s, &run, &rows, &n) != 0)
        return free(o.params), FLUX_EXIT_USAGE;
    int rc = 0;
    const flux_ti_row *pick = NULL, *any = NULL; /* the last try asked for with a log, and without */
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].task, o.pos[1]) && (!o.try_number || rows[i].try_number == o.try_number)) {
            any = &rows[i];
            pick = rows[i].log_path[0] ? &rows[i] : pick;
        }
    if (!pick && any) {
        /* a try that never started (its fields did not render, its program
         * was missing ...) has no log: its state and note say what happened */
        printf("task '%s' try %d has no log (it never started): %s%s%s\n",
               any->task, any->try_number, flux_ti_state_name(any->state), any->note ? ": " : "",
               any->note ? any->note : "");
    } else if (!pick) {
        fprintf(stderr, "flux logs: no task '%s'%s in run %s\n", o.pos[1], o.try_number ? " with that try" : "",
                run.run_id);
        rc = FLUX_EXIT_USAGE;
    } else {
        FILE *f;
        char err[1200];
        if (flux_log_open(pick->log_path, &f, err, sizeof err) != 0) {
            fprintf(stderr, "flux logs: %s\n", err);
            rc = FLUX_EXIT_FAIL;
        } else {
            char buf[65536];
            size_t k, total = 0;
            while (f && (k = fread(buf, 1, sizeof buf, f)) > 0) /* no file: the try printed nothing */
                fwrite(buf, 1, k, stdout), total += k;
            if (f && fclose(f) != 0)
                rc = FLUX_EXIT_FAIL;
            flux_slurm_row sr;
            if (!total && flux_store_slurm_get(s, pick->id, &sr) == 0) {
                /* an empty log of a try that is a Slurm job not started yet: say why */
                if (!strcmp(sr.phase, "submitting") || !strcmp(sr.phase, "submitted"))
                    fprintf(stderr, "flux logs: Slurm job %lld has not started yet (%s)\n", (long long)sr.job_id,
                            sr.slurm_state[0] ? sr.slurm_state : "queued");
                flux_slurm_row_free(&sr);
            }
        }
    }
    flux_ti_rows_free(rows, n);
    flux_store_close(s);
    free(o.params);
    return rc;
}

/* ---- flux clear ---- */

int flux_cmd_clear(int argc, char **argv)
{
    ropts o;
    int prc = begin("clear", argc, argv, &o, 0, SIZE_MAX, NULL);
    if (prc >= 0)
        return prc;
    if (!o.date && !o.npos) {
        flux_cli_usage_error("clear", "give RUN [TASK...] or --date T [TASK...]");
        return free(o.params), FLUX_EXIT_USAGE;
    }
    flux_store *s;
    flux_run_row run;
    /* the tasks are the arguments after RUN, or all of them with --date */
    size_t first = o.date ? 0 : 1;
    if (o.date) {
        char err[2048];
        if (!(s = flux_cli_open_store(o.cmd, o.db, o.conns)))
            return free(o.params), FLUX_EXIT_FAIL;
        int frc = flux_runs_find_dated(s, o.pipeline, o.date, &run, err, sizeof err);
        if (frc) {
            fprintf(stderr, "flux clear: %s\n", err);
            flux_store_close(s);
            return free(o.params), frc;
        }
    } else if (open_run(&o, o.pos[0], &s, &run, NULL, NULL) != 0) {
        return free(o.params), FLUX_EXIT_USAGE;
    }
    char err[1024];
    int cleared = 0, cancelled = 0;
    int rc = flux_action_clear(s, &run, (const char *const *)o.pos + first, o.npos - first, o.downstream, &cleared,
                               &cancelled, err, sizeof err);
    if (rc)
        fprintf(stderr, "flux clear: %s\n", err);
    else {
        if (cancelled)
            printf("cancelled %d Slurm job%s of the cleared tries\n", cancelled, cancelled == 1 ? "" : "s");
        printf("cleared %d task instance%s of run %s of %s; flux run (or backfill) runs them again\n", cleared,
               cleared == 1 ? "" : "s", run.run_id, run.pipeline);
    }
    flux_store_close(s);
    free(o.params);
    return rc;
}
