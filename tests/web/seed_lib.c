/* seed_lib — writes a store of N runs × M tasks for the web UI's tests and
 * benchmark: a compiled plan of M bash tasks in a chain of layers, hourly
 * runs (every 7th failed at one task with its retry and the tasks after it
 * upstream_failed, the newest one running), tries with ready, queued,
 * started and ended times, transfer counts and lineage on two tasks, log
 * files for the newest runs, and a secret param (api_key) that must never
 * be shown. Rows go in as multi-row INSERTs, many runs per transaction:
 * the store's one-transaction-per-change API would take minutes. */
#include "seed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "compile.h"
#include "plan.h"
#include "sha256.h"
#include "store_driver.h"

#define HOUR_MS (3600 * 1000LL)
#define RUNS_PER_TXN 200

/* The pipeline's source: M tasks, task k after task k - 1 for a chain of ten
 * layers (so the grid has upstream_failed cells after a failure). */
static char *source_text(const seed_opts *o)
{
    flux_buf b = {0};
    flux_buf_printf(&b, "pipeline %s {\n    schedule = \"@hourly\"\n    start = \"2025-01-01T00:00:00Z\"\n"
                        "    params { api_key = \"%s\" }\n",
                    o->pipeline, SEED_SECRET);
    for (int k = 0; k < o->tasks; k++)
        flux_buf_printf(&b, "    task t%d : bash { command = \"echo t%d\" }\n", k, k);
    for (int k = 10; k < o->tasks; k++)
        flux_buf_printf(&b, "    t%d >> t%d\n", k - 10, k);
    flux_buf_putc(&b, '}');
    flux_buf_putc(&b, '\n');
    flux_buf_putc(&b, '\0');
    return b.data;
}

/* compiles the source and records its plan; plan_id gets its hash */
static int put_plan(flux_store *s, const seed_opts *o, char plan_id[65], char *err, size_t errlen)
{
    char *text = source_text(o);
    flux_compilation c;
    flux_compilation_init(&c);
    flux_compile_text(&c, "seed.flux", text, strlen(text));
    free(text);
    if (c.diags.errors || c.npipelines != 1) {
        snprintf(err, errlen, "the seed pipeline does not compile");
        flux_compilation_free(&c);
        return -1;
    }
    flux_plan plan;
    flux_compile_plan(&c, c.pipelines[0], &plan);
    flux_buf w = {0};
    flux_plan_write(&plan, &w);
    flux_buf_putc(&w, '\0');
    flux_sha256_hex(w.data, w.len - 1, plan_id);
    int rc = flux_store_put_plan(s, o->pipeline, plan_id, w.data, "seed.flux", plan_id, o->start_ms, &(bool){0});
    /* its facts beside it, as flux run and flux deploy record them (views
     * read them there, not the plan's text) */
    flux_plan_meta m = {.tags = "[]", .schedule = "@hourly", .tasks = o->tasks};
    if (!rc)
        rc = flux_store_put_plan_meta(s, plan_id, &m);
    flux_buf_free(&w);
    flux_compilation_free(&c);
    if (rc)
        snprintf(err, errlen, "%s", flux_store_error(s));
    return rc;
}

/* what happened to task k of run r: its tries' states, the last first */
typedef struct {
    int tries;
    const char *last, *before;
} task_fate;

static task_fate fate(const seed_opts *o, int r, int k)
{
    bool newest = r == o->runs - 1, bad = r % 7 == 3;
    int fail_at = 3;
    if (newest)
        return k < o->tasks / 2 ? (task_fate){1, "success", NULL}
               : k < o->tasks / 2 + 2 ? (task_fate){1, "running", NULL}
               : k < o->tasks / 2 + 4 ? (task_fate){1, "queued", NULL}
                                      : (task_fate){0, NULL, NULL};
    if (bad && k == fail_at)
        return (task_fate){2, "failed", "up_for_retry"};
    if (bad && k > fail_at && (k - fail_at) % 10 == 0)
        return (task_fate){1, "upstream_failed", NULL};
    if (k % 10 == 9)
        return (task_fate){2, "success", "up_for_retry"};
    return (task_fate){1, "success", NULL};
}

static int exec(flux_store *s, flux_buf *b, char *err, size_t errlen)
{
    flux_buf_putc(b, '\0');
    int rc = flux_store_exec_raw(s, b->data);
    if (rc)
        snprintf(err, errlen, "%s", flux_store_error(s));
    b->len = 0;
    return rc;
}

static void run_id(const seed_opts *o, int r, char *out, size_t n)
{
    snprintf(out, n, "scheduled__%lld", (long long)(o->start_ms + (int64_t)r * HOUR_MS));
}

static const char *run_state(const seed_opts *o, int r)
{
    return r == o->runs - 1 ? "running" : r % 7 == 3 ? "failed" : "success";
}

/* runs [from, to) and their control rows (the secret param in each) */
static int insert_runs(flux_store *s, const seed_opts *o, const char *plan_id, int from, int to, flux_buf *b,
                       char *err, size_t errlen)
{
    flux_buf_printf(b, "INSERT INTO runs (pipeline, run_id, plan_id, trigger_kind, state, interval_start, "
                       "interval_end, logical_date, created_at, started_at, ended_at) VALUES ");
    for (int r = from; r < to; r++) {
        int64_t ld = o->start_ms + (int64_t)r * HOUR_MS, end = ld + HOUR_MS;
        char rid[64];
        run_id(o, r, rid, sizeof rid);
        bool running = r == o->runs - 1;
        flux_buf_printf(b, "%s('%s', '%s', '%s', 'scheduled', '%s', %lld, %lld, %lld, %lld, %lld, ", r > from ? ", " : "",
                        o->pipeline, rid, plan_id, run_state(o, r), (long long)ld, (long long)end, (long long)ld,
                        (long long)end, (long long)end);
        if (running)
            flux_buf_printf(b, "NULL)");
        else
            flux_buf_printf(b, "%lld)", (long long)(end + 600000));
    }
    if (exec(s, b, err, errlen))
        return -1;
    char first[64], last[64];
    run_id(o, from, first, sizeof first);
    run_id(o, to - 1, last, sizeof last);
    flux_buf_printf(b, "INSERT INTO run_control (run, owner, claimed_at, params) SELECT id, NULL, NULL, "
                       "'[\"api_key=%s\"]' FROM runs WHERE pipeline = '%s' AND logical_date BETWEEN %lld AND %lld",
                    SEED_SECRET, o->pipeline, (long long)(o->start_ms + (int64_t)from * HOUR_MS),
                    (long long)(o->start_ms + (int64_t)(to - 1) * HOUR_MS));
    return exec(s, b, err, errlen);
}

/* a try's log: a few lines, or big_mb MB for the newest run's first task */
static int write_log(const seed_opts *o, const char *path, int k, int t, bool big, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "writing %s: %s", path, strerror(errno));
        return -1;
    }
    long lines = big ? (long)o->big_log_mb * 1024 * 1024 / 64 : 20;
    for (long i = 0; i < lines; i++)
        fprintf(f, "t%d try %d line %08ld .................................%s\n", k, t, i, i + 1 == lines ? " end" : "");
    return fclose(f) == 0 ? 0 : -1;
}

/* one try's row; log is its log file's path or NULL */
static void try_values(flux_buf *b, bool first, int64_t run, int k, int t, const char *state, int64_t at,
                       const char *log)
{
    bool started = strcmp(state, "queued") != 0 && strcmp(state, "upstream_failed") != 0;
    bool ended = started && strcmp(state, "running") != 0;
    int64_t ready = at, queued = at + 50 * (k % 5), start = queued + 20, end = start + 1000 + 10 * k;
    flux_buf_printf(b, "%s(%lld, 't%d', %d, '%s', %lld, %lld, ", first ? "" : ", ", (long long)run, k, t, state,
                    (long long)ready, (long long)queued);
    if (started)
        flux_buf_printf(b, "%lld, ", (long long)start);
    else
        flux_buf_printf(b, "NULL, ");
    if (ended)
        flux_buf_printf(b, "%lld, %d, ", (long long)end, strcmp(state, "success") == 0 ? 0 : 1);
    else
        flux_buf_printf(b, "NULL, NULL, ");
    flux_buf_printf(b, "'seedhost', ");
    if (log)
        flux_buf_printf(b, "'%s', ", log);
    else
        flux_buf_printf(b, "NULL, ");
    flux_buf_printf(b, "'{\"command\":\"echo t%d\",\"api_key\":\"***\"}', %s)", k,
                    strcmp(state, "failed") == 0 ? "'exit status 1'" : "NULL");
}

/* every try of run r (store id id) */
static int run_tries(const seed_opts *o, int r, int64_t id, flux_buf *b, bool *first, char *err, size_t errlen)
{
    int64_t ld = o->start_ms + (int64_t)r * HOUR_MS;
    char dir[1200] = "";
    if (o->log_dir && r >= o->runs - o->log_runs) {
        snprintf(dir, sizeof dir, "%s/run%lld", o->log_dir, (long long)id);
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno)), -1;
    }
    for (int k = 0; k < o->tasks; k++) {
        task_fate f = fate(o, r, k);
        for (int t = 1; t <= f.tries; t++) {
            const char *state = t == f.tries ? f.last : f.before;
            char log[1300];
            bool has_log = dir[0] && strcmp(state, "queued") != 0 && strcmp(state, "upstream_failed") != 0;
            if (has_log) {
                snprintf(log, sizeof log, "%s/t%d.%d.log", dir, k, t);
                if (write_log(o, log, k, t, r == o->runs - 1 && k == 0 && o->big_log_mb > 0, err, errlen))
                    return -1;
            }
            try_values(b, *first, id, k, t, state, ld + (int64_t)(k / 10) * 2000 + (t - 1) * 5000,
                       has_log ? log : NULL);
            *first = false;
        }
    }
    return 0;
}

/* transfer counts and lineage for t1 and t2 of runs [from, to) */
static int counts_and_lineage(flux_store *s, const seed_opts *o, int from, int to, flux_buf *b, char *err,
                              size_t errlen)
{
    const char *where = "FROM task_instances t JOIN runs r ON r.id = t.run WHERE r.pipeline = '%s' AND "
                        "r.logical_date BETWEEN %lld AND %lld AND t.task IN ('t1', 't2') AND t.state = 'success'";
    long long lo = (long long)(o->start_ms + (int64_t)from * HOUR_MS);
    long long hi = (long long)(o->start_ms + (int64_t)(to - 1) * HOUR_MS);
    flux_buf_printf(b, "INSERT INTO transfer_counts (ti, records_read, records_written, records_rejected, bytes) "
                       "SELECT t.id, 1000 + t.id %% 100, 1000 + t.id %% 100 - t.id %% 7, t.id %% 7, "
                       "100 * (1000 + t.id %% 100) ");
    flux_buf_printf(b, where, o->pipeline, lo, hi);
    if (exec(s, b, err, errlen))
        return -1;
    flux_buf_printf(b, "INSERT INTO lineage (ti, direction, kind, name, detail) SELECT t.id, 'read', 'topic', "
                       "'seed.events', '{\"partition\":0,\"offset\":42}' ");
    flux_buf_printf(b, where, o->pipeline, lo, hi);
    if (exec(s, b, err, errlen))
        return -1;
    flux_buf_printf(b, "INSERT INTO lineage (ti, direction, kind, name, detail) SELECT t.id, 'write', 'table', "
                       "'warehouse.events', NULL ");
    flux_buf_printf(b, where, o->pipeline, lo, hi);
    return exec(s, b, err, errlen);
}

/* runs [from, to) with their tries, counts and lineage, in one transaction */
static int seed_batch(flux_store *s, const seed_opts *o, const char *plan_id, int from, int to, flux_buf *b,
                      char *err, size_t errlen)
{
    if (exec(s, (flux_buf_printf(b, "%s", strcmp(flux_store_kind(s), "sqlite") ? "BEGIN" : "BEGIN IMMEDIATE"), b),
             err, errlen))
        return -1;
    int rc = insert_runs(s, o, plan_id, from, to, b, err, errlen);
    bool first = true;
    if (!rc)
        flux_buf_printf(b, "INSERT INTO task_instances (run, task, try_number, state, ready_at, queued_at, "
                           "started_at, ended_at, exit_status, host, log_path, rendered, note) VALUES ");
    for (int r = from; r < to && !rc; r++) {
        char rid[64];
        flux_run_row row;
        run_id(o, r, rid, sizeof rid);
        if (flux_store_find_run(s, o->pipeline, rid, &row) != 0) {
            snprintf(err, errlen, "%s", flux_store_error(s));
            rc = -1;
        } else
            rc = run_tries(o, r, row.id, b, &first, err, errlen);
    }
    if (!rc && !first)
        rc = exec(s, b, err, errlen);
    if (!rc)
        rc = counts_and_lineage(s, o, from, to, b, err, errlen);
    b->len = 0;
    flux_buf_printf(b, rc ? "ROLLBACK" : "COMMIT");
    char e2[256];
    int rc2 = exec(s, b, e2, sizeof e2);
    if (!rc && rc2)
        snprintf(err, errlen, "%s", e2);
    return rc ? rc : rc2;
}

int seed_store(flux_store *s, const seed_opts *o, char *err, size_t errlen)
{
    char plan_id[65];
    if (o->runs < 1 || o->tasks < 1)
        return snprintf(err, errlen, "runs and tasks must be 1 or more"), -1;
    if (put_plan(s, o, plan_id, err, errlen))
        return -1;
    flux_buf b = {0};
    int rc = 0;
    for (int from = 0; from < o->runs && !rc; from += RUNS_PER_TXN) {
        int to = from + RUNS_PER_TXN < o->runs ? from + RUNS_PER_TXN : o->runs;
        rc = seed_batch(s, o, plan_id, from, to, &b, err, errlen);
    }
    flux_buf_free(&b);
    return rc;
}
