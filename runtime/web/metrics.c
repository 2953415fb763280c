/* metrics — GET /metrics in the Prometheus text exposition format 0.0.4,
 * so Grafana can chart Flux without SQL: runs and task instances by
 * pipeline and state, how long tries ran (a histogram per pipeline), the
 * records transfers read, wrote and rejected per pipeline and task, how
 * long sensors waited, and the age of each scheduler's heartbeat. Every
 * number is an aggregate the database computes (store_metrics.h: GROUP
 * BY), never rows summed here; the finished runs' aggregates are kept
 * between scrapes (the cache below), so a scrape costs the runs since. Which tasks are sensors is the plans'
 * knowledge: each plan is read once per process (a plan id is the hash of
 * its text, so what it says never changes). */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "runs.h"
#include "store_metrics.h"
#include "arena.h"
#include "web_int.h"

/* the histogram's upper bounds: a tenth of a second to a day (the ones
 * under a second in tenths: histogram() writes them so) */
static const int64_t BOUNDS_MS[] = {100,     500,     1000,    5000,     15000,    30000,    60000,   300000,
                                    900000,  1800000, 3600000, 10800000, 21600000, 43200000, 86400000};
#define NBOUNDS (sizeof BOUNDS_MS / sizeof *BOUNDS_MS)

/* ---- the sensors of each plan, read once ---- */

typedef struct plan_sensors {
    char *plan_id;
    char **tasks;
    size_t n;
} plan_sensors;

static pthread_mutex_t sensors_lock = PTHREAD_MUTEX_INITIALIZER;
static plan_sensors *known;
static size_t nknown, capknown;

/* the entry of plan_id, read from the store when new; NULL when its plan
 * cannot be read now (tried again at the next scrape) */
static const plan_sensors *sensors_of(flux_store *s, const char *plan_id)
{
    for (size_t i = 0; i < nknown; i++)
        if (!strcmp(known[i].plan_id, plan_id))
            return &known[i];
    char *text = flux_store_get_plan(s, plan_id);
    if (!text)
        return NULL;
    flux_compilation c;
    char err[512];
    int rc = flux_load_plan_text(&c, plan_id, text, strlen(text), err, sizeof err);
    free(text);
    plan_sensors e = {.plan_id = strdup(plan_id)};
    if (!e.plan_id)
        abort();
    const flux_pipeline *p = rc ? NULL : c.pipelines[0];
    for (size_t k = 0; p && k < p->ntasks; k++) {
        if (!p->tasks[k]->kind || strcmp(p->tasks[k]->kind, "sensor"))
            continue;
        if (!(e.tasks = realloc(e.tasks, (e.n + 1) * sizeof *e.tasks)) || !(e.tasks[e.n++] = strdup(p->tasks[k]->id)))
            abort();
    }
    flux_compilation_free(&c);
    if (nknown == capknown) {
        capknown = capknown ? 2 * capknown : 16;
        if (!(known = realloc(known, capknown * sizeof *known)))
            abort();
    }
    known[nknown] = e;
    return &known[nknown++];
}

/* every (plan, sensor task) of the store's plans; the strings are the
 * cache's (valid while sensors_lock is held). *complete is cleared when a
 * plan could not be read (its sensors are then missing). */
static int sensor_tasks(flux_store *s, const char ***plans, const char ***tasks, size_t *n, bool *complete)
{
    char **ids;
    size_t nids;
    *plans = *tasks = NULL;
    *n = 0;
    if (flux_store_plan_ids(s, &ids, &nids) != 0)
        return -1;
    size_t cap = 0;
    for (size_t i = 0; i < nids; i++) {
        const plan_sensors *e = sensors_of(s, ids[i]);
        if (!e)
            *complete = false;
        for (size_t k = 0; e && k < e->n; k++) {
            if (*n == cap) {
                cap = cap ? 2 * cap : 16;
                if (!(*plans = realloc(*plans, cap * sizeof **plans)) || !(*tasks = realloc(*tasks, cap * sizeof **tasks)))
                    abort();
            }
            (*plans)[*n] = e->plan_id;
            (*tasks)[(*n)++] = e->tasks[k];
        }
    }
    flux_store_strings_free(ids, nids);
    return 0;
}

/* ---- the text format ---- */

_Static_assert(NBOUNDS <= FLUX_STORE_MAX_BUCKETS, "the store sums at most FLUX_STORE_MAX_BUCKETS buckets");

/* a label value: backslash, double quote and line feed escaped */
static void label(flux_buf *b, const char *name, const char *v, bool first)
{
    flux_buf_printf(b, "%s%s=\"", first ? "" : ",", name);
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            flux_buf_putc(b, '\\'), flux_buf_putc(b, *v);
        else if (*v == '\n')
            flux_buf_puts(b, "\\n");
        else
            flux_buf_putc(b, *v);
    }
    flux_buf_putc(b, '"');
}

static void family(flux_buf *b, const char *name, const char *type, const char *help)
{
    flux_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void seconds(flux_buf *b, int64_t ms)
{
    flux_buf_printf(b, " %" PRId64 ".%03d\n", ms / 1000, (int)(ms % 1000 < 0 ? -(ms % 1000) : ms % 1000));
}

static void counts(flux_buf *b, const char *name, const flux_store_count *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        flux_buf_printf(b, "%s{", name);
        label(b, "pipeline", c[i].pipeline, true);
        label(b, "state", c[i].key, false);
        flux_buf_printf(b, "} %" PRId64 "\n", c[i].n);
    }
}

static void histogram(flux_buf *b, const char *name, const flux_store_durations *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k <= NBOUNDS; k++) {
            flux_buf_printf(b, "%s_bucket{", name);
            label(b, "pipeline", d[i].pipeline, true);
            if (k < NBOUNDS && BOUNDS_MS[k] % 1000)
                flux_buf_printf(b, ",le=\"0.%" PRId64 "\"} %" PRId64 "\n", BOUNDS_MS[k] / 100, d[i].le[k]);
            else if (k < NBOUNDS)
                flux_buf_printf(b, ",le=\"%" PRId64 "\"} %" PRId64 "\n", BOUNDS_MS[k] / 1000, d[i].le[k]);
            else
                flux_buf_printf(b, ",le=\"+Inf\"} %" PRId64 "\n", d[i].count);
        }
        flux_buf_printf(b, "%s_sum{", name);
        label(b, "pipeline", d[i].pipeline, true);
        flux_buf_puts(b, "}");
        seconds(b, d[i].sum_ms);
        flux_buf_printf(b, "%s_count{", name);
        label(b, "pipeline", d[i].pipeline, true);
        flux_buf_printf(b, "} %" PRId64 "\n", d[i].count);
    }
}

static void records(flux_buf *b, const flux_store_records *r, size_t n)
{
    static const char *const names[] = {"flux_records_read_total", "flux_records_written_total",
                                        "flux_records_rejected_total"};
    static const char *const helps[] = {"Records the transfers of a task read, over all its tries.",
                                        "Records the transfers of a task wrote, over all its tries.",
                                        "Records the transfers of a task rejected, over all its tries."};
    for (int m = 0; m < 3; m++) {
        family(b, names[m], "counter", helps[m]);
        for (size_t i = 0; i < n; i++) {
            flux_buf_printf(b, "%s{", names[m]);
            label(b, "pipeline", r[i].pipeline, true);
            label(b, "task", r[i].task, false);
            flux_buf_printf(b, "} %" PRId64 "\n", m == 0 ? r[i].read : m == 1 ? r[i].written : r[i].rejected);
        }
    }
}

static void schedulers(flux_buf *b, const flux_scheduler_row *sr, size_t n, int64_t now)
{
    family(b, "flux_scheduler_heartbeat_age_seconds", "gauge",
           "Seconds since each scheduler's last heartbeat (every few seconds while it runs).");
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(sr[i].id, "run:", 4)) /* a `flux run` process's row: not a scheduler */
            continue;
        flux_buf_puts(b, "flux_scheduler_heartbeat_age_seconds{");
        label(b, "scheduler", sr[i].id, true);
        flux_buf_puts(b, "}");
        seconds(b, now - sr[i].heartbeat);
    }
    family(b, "flux_scheduler_stopped", "gauge", "1 when the scheduler stopped cleanly, else 0.");
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(sr[i].id, "run:", 4))
            continue;
        flux_buf_puts(b, "flux_scheduler_stopped{");
        label(b, "scheduler", sr[i].id, true);
        flux_buf_printf(b, "} %d\n", sr[i].stopped ? 1 : 0);
    }
}

/* ---- the sums of tries, and the cache of the finished runs' ---- */

typedef struct sums {
    flux_store_count *tis;
    flux_store_durations *dur, *waits;
    flux_store_records *rec;
    size_t ntis, ndur, nwaits, nrec;
} sums;

static void sums_free(sums *x)
{
    flux_store_counts_free(x->tis, x->ntis);
    flux_store_durations_free(x->dur, x->ndur);
    flux_store_durations_free(x->waits, x->nwaits);
    flux_store_records_free(x->rec, x->nrec);
    memset(x, 0, sizeof *x);
}

static char *dup_str(const char *v)
{
    char *d = strdup(v);
    if (!d)
        abort();
    return d;
}

static int by_count(const void *x, const void *y)
{
    const flux_store_count *a = x, *b = y;
    int c = strcmp(a->pipeline, b->pipeline);
    return c ? c : strcmp(a->key, b->key);
}

static int by_durations(const void *x, const void *y)
{
    return strcmp(((const flux_store_durations *)x)->pipeline, ((const flux_store_durations *)y)->pipeline);
}

static int by_records(const void *x, const void *y)
{
    const flux_store_records *a = x, *b = y;
    int c = strcmp(a->pipeline, b->pipeline);
    return c ? c : strcmp(a->task, b->task);
}

/* into, sorted, gets from (sorted here) added: rows of the same key summed,
 * the others copied in, in order. One merge for each row type. */
#define MERGE(name, type, cmp, copy_keys, add)                                                                    \
    static void name(type **into, size_t *n, type *from, size_t m)                                               \
    {                                                                                                              \
        if (m) /* no rows may come as NULL, which qsort must not get */                                           \
            qsort(from, m, sizeof *from, cmp);                                                                     \
        type *out = calloc(*n + m + 1, sizeof *out);                                                               \
        if (!out)                                                                                                  \
            abort();                                                                                               \
        size_t i = 0, j = 0, k = 0;                                                                                \
        while (i < *n || j < m) {                                                                                  \
            int c = i == *n ? 1 : j == m ? -1 : cmp(&(*into)[i], &from[j]);                                        \
            if (c < 0) {                                                                                           \
                out[k++] = (*into)[i++];                                                                           \
            } else if (c > 0) {                                                                                    \
                out[k] = from[j++];                                                                                \
                copy_keys(&out[k]);                                                                                \
                k++;                                                                                               \
            } else {                                                                                               \
                out[k] = (*into)[i++];                                                                             \
                add(&out[k], &from[j]);                                                                            \
                j++, k++;                                                                                          \
            }                                                                                                      \
        }                                                                                                          \
        free(*into);                                                                                               \
        *into = out;                                                                                               \
        *n = k;                                                                                                    \
    }

static void count_keys(flux_store_count *r)
{
    r->pipeline = dup_str(r->pipeline);
    r->key = dup_str(r->key);
}
static void count_add(flux_store_count *a, const flux_store_count *b)
{
    a->n += b->n;
}
static void durations_keys(flux_store_durations *r)
{
    r->pipeline = dup_str(r->pipeline);
}
static void durations_add(flux_store_durations *a, const flux_store_durations *b)
{
    a->count += b->count;
    a->sum_ms += b->sum_ms;
    for (size_t i = 0; i < FLUX_STORE_MAX_BUCKETS; i++)
        a->le[i] += b->le[i];
}
static void records_keys(flux_store_records *r)
{
    r->pipeline = dup_str(r->pipeline);
    r->task = dup_str(r->task);
}
static void records_add(flux_store_records *a, const flux_store_records *b)
{
    a->read += b->read;
    a->written += b->written;
    a->rejected += b->rejected;
}
MERGE(merge_counts, flux_store_count, by_count, count_keys, count_add)
MERGE(merge_durations, flux_store_durations, by_durations, durations_keys, durations_add)
MERGE(merge_records, flux_store_records, by_records, records_keys, records_add)

/* into += from (from's rows are reordered, not taken: the caller frees them) */
static void sums_add(sums *into, sums *from)
{
    merge_counts(&into->tis, &into->ntis, from->tis, from->ntis);
    merge_durations(&into->dur, &into->ndur, from->dur, from->ndur);
    merge_durations(&into->waits, &into->nwaits, from->waits, from->nwaits);
    merge_records(&into->rec, &into->nrec, from->rec, from->nrec);
}

/* the sums of the tries of the runs in r (the store under the server's lock) */
static int sums_of(flux_store *s, const flux_store_run_range *r, const char **plans, const char **tasks,
                   size_t nsensors, sums *out)
{
    memset(out, 0, sizeof *out);
    int rc = flux_store_count_tis(s, r, &out->tis, &out->ntis) ||
             flux_store_ti_durations(s, r, BOUNDS_MS, NBOUNDS, NULL, NULL, 0, &out->dur, &out->ndur) ||
             flux_store_records_totals(s, r, &out->rec, &out->nrec) ||
             (nsensors && flux_store_ti_durations(s, r, NULL, 0, plans, tasks, nsensors, &out->waits, &out->nwaits));
    if (rc)
        sums_free(out);
    return rc ? -1 : 0;
}

/* The cache: the sums of the tries of every run below `below`, all of
 * which had finished when they were summed, so that a scrape sums again
 * only the runs from the oldest unfinished one on (a store of 10,000 runs
 * of 100 tasks: a second's work on SQLite, six on MariaDB, becomes a few
 * milliseconds). A finished run changes only when a user clears or marks
 * it, and every such change writes an event (the store's change feed): an
 * event of a summed run since the last scrape (less FEED_SLACK_MS, for a
 * writer's transaction committed late or a clock behind) sums everything
 * again, as does a scrape after half the feed's keeping time (what the
 * feed would have told may be gone). A run that stays unfinished keeps the
 * runs after it out of the cache. One scrape at a time, on the metrics'
 * own store connection, so that a scrape never holds up the API's; the
 * cache is summed in chunks of CHUNK_RUNS runs (a query each). */
enum { CHUNK_RUNS = 1000 };
#define FEED_SLACK_MS (120 * 1000LL)

struct flux_web_metrics_cache {
    pthread_mutex_t lock;
    flux_store *store;  /* its own connection, opened at the first scrape */
    bool valid;
    int64_t below;      /* the runs below it are summed in s */
    int64_t checked_at; /* wall ms of the last read of the change feed */
    sums s;
};

flux_web_metrics_cache *flux_web_metrics_cache_new(void)
{
    flux_web_metrics_cache *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void flux_web_metrics_cache_free(flux_web_metrics_cache *c)
{
    if (!c)
        return;
    sums_free(&c->s);
    if (c->store)
        flux_store_close(c->store);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* Brings the cache up to the runs that have finished, and sums the rest
 * into live. Under c->lock and sensors_lock. */
static int sum_tries(flux_web_metrics_cache *c, sums *live, flux_store_count **runs, size_t *nruns,
                     flux_scheduler_row **sr, size_t *nsr)
{
    flux_store *s = c->store;
    const char **plans = NULL, **tasks = NULL;
    size_t nsensors = 0;
    int64_t now = flux_runs_now(), first = 0, target = 0;
    bool changed = false, complete = true;
    int rc = c->valid && now - c->checked_at < FLUX_EVENTS_KEEP_MS / 2
                 ? flux_store_runs_changed(s, c->checked_at - FEED_SLACK_MS, c->below, &changed)
                 : (changed = true, 0);
    rc = rc || flux_store_settled_below(s, &first, &target) ||
         sensor_tasks(s, &plans, &tasks, &nsensors, &complete);
    if (!rc && changed) {
        sums_free(&c->s);
        c->valid = true;
        c->below = first;
    }
    if (!rc)
        c->checked_at = now;
    /* finished runs summed once, chunk by chunk; not while a plan could
     * not be read (its sensors' waits would be missing for good) */
    bool summed = false;
    while (!rc && complete && c->below < target) {
        summed = true;
        int64_t end = -1;
        sums part;
        rc = flux_store_runs_after(s, c->below, CHUNK_RUNS, &end);
        flux_store_run_range r = {c->below, end < 0 || end > target ? target : end};
        if (!rc && !(rc = sums_of(s, &r, plans, tasks, nsensors, &part))) {
            sums_add(&c->s, &part);
            sums_free(&part);
            c->below = r.below;
        }
    }
    if (rc) /* summed again from nothing at the next scrape */
        c->valid = false;
    flux_store_run_range rest = {c->valid ? c->below : 0, INT64_MAX};
    rc = rc || sums_of(s, &rest, plans, tasks, nsensors, live) || flux_store_count_runs(s, runs, nruns) ||
         flux_store_list_schedulers(s, sr, nsr);
    free(plans);
    free(tasks);
    if (!rc && c->valid)
        sums_add(live, &c->s);
    if (summed)
        flux_web_trim();
    return rc ? -1 : 0;
}

/* ---- the handler ---- */

void flux_web_metrics(const flux_web_request *rq, flux_web_reply *rp)
{
    flux_web_metrics_cache *c = flux_web_metrics_cache_of(rq);
    flux_store_count *runs = NULL;
    flux_scheduler_row *sr = NULL;
    size_t nruns = 0, nsr = 0;
    sums all = {0};
    char err[1024] = "";
    pthread_mutex_lock(&c->lock);
    if (!c->store)
        c->store = flux_web_reader(rq, err, sizeof err);
    int rc = -1;
    if (c->store) {
        pthread_mutex_lock(&sensors_lock);
        rc = sum_tries(c, &all, &runs, &nruns, &sr, &nsr);
        pthread_mutex_unlock(&sensors_lock);
        if (rc)
            snprintf(err, sizeof err, "%s", flux_store_error(c->store));
    }
    pthread_mutex_unlock(&c->lock);
    if (rc) {
        flux_web_error(rp, 500, "the store cannot be read: %s", err);
    } else {
        flux_buf b = {0};
        family(&b, "flux_runs", "gauge", "Runs by pipeline and state.");
        counts(&b, "flux_runs", runs, nruns);
        family(&b, "flux_task_instances", "gauge", "Task instances (every try) by pipeline and state.");
        counts(&b, "flux_task_instances", all.tis, all.ntis);
        family(&b, "flux_task_duration_seconds", "histogram", "How long the tries that ended ran, start to end.");
        histogram(&b, "flux_task_duration_seconds", all.dur, all.ndur);
        records(&b, all.rec, all.nrec);
        family(&b, "flux_sensor_wait_seconds", "summary", "How long the tries of sensors that ended waited.");
        for (size_t i = 0; i < all.nwaits; i++) {
            flux_buf_puts(&b, "flux_sensor_wait_seconds_sum{");
            label(&b, "pipeline", all.waits[i].pipeline, true);
            flux_buf_puts(&b, "}");
            seconds(&b, all.waits[i].sum_ms);
            flux_buf_puts(&b, "flux_sensor_wait_seconds_count{");
            label(&b, "pipeline", all.waits[i].pipeline, true);
            flux_buf_printf(&b, "} %" PRId64 "\n", all.waits[i].count);
        }
        schedulers(&b, sr, nsr, flux_runs_now());
        rp->status = 200;
        rp->type = "text/plain; version=0.0.4; charset=utf-8";
        rp->len = b.len;
        rp->body = b.data ? b.data : strdup("");
        if (!rp->body)
            abort();
    }
    flux_store_counts_free(runs, nruns);
    sums_free(&all);
    free(sr);
}
