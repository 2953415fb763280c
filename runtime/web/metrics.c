/* metrics — GET /metrics in the Prometheus text exposition format 0.0.4,
 * so Grafana can chart Flux without SQL: runs and task instances by
 * pipeline and state, how long tries ran (a histogram per pipeline), the
 * records transfers read, wrote and rejected per pipeline and task, how
 * long sensors waited, and the age of each scheduler's heartbeat. Every
 * number is an aggregate the database computes (store_metrics.h: GROUP
 * BY), never rows summed here. Which tasks are sensors is the plans'
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
 * cache's (valid while sensors_lock is held) */
static int sensor_tasks(flux_store *s, const char ***plans, const char ***tasks, size_t *n)
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

/* ---- the handler (under the store's lock) ---- */

void flux_web_metrics(const flux_web_request *rq, flux_web_reply *rp)
{
    flux_store *s = rq->store;
    flux_store_count *runs = NULL, *tis = NULL;
    flux_store_durations *dur = NULL, *waits = NULL;
    flux_store_records *rec = NULL;
    flux_scheduler_row *sr = NULL;
    size_t nruns = 0, ntis = 0, ndur = 0, nwaits = 0, nrec = 0, nsr = 0, nsensors = 0;
    const char **plans = NULL, **tasks = NULL;
    pthread_mutex_lock(&sensors_lock);
    int rc = flux_store_count_runs(s, &runs, &nruns) || flux_store_count_tis(s, &tis, &ntis) ||
             flux_store_ti_durations(s, BOUNDS_MS, NBOUNDS, NULL, NULL, 0, &dur, &ndur) ||
             flux_store_records_totals(s, &rec, &nrec) || sensor_tasks(s, &plans, &tasks, &nsensors) ||
             (nsensors && flux_store_ti_durations(s, NULL, 0, plans, tasks, nsensors, &waits, &nwaits)) ||
             flux_store_list_schedulers(s, &sr, &nsr);
    pthread_mutex_unlock(&sensors_lock);
    if (rc) {
        flux_web_error(rp, 500, "the store cannot be read: %s", flux_store_error(s));
    } else {
        flux_buf b = {0};
        family(&b, "flux_runs", "gauge", "Runs by pipeline and state.");
        counts(&b, "flux_runs", runs, nruns);
        family(&b, "flux_task_instances", "gauge", "Task instances (every try) by pipeline and state.");
        counts(&b, "flux_task_instances", tis, ntis);
        family(&b, "flux_task_duration_seconds", "histogram", "How long the tries that ended ran, start to end.");
        histogram(&b, "flux_task_duration_seconds", dur, ndur);
        records(&b, rec, nrec);
        family(&b, "flux_sensor_wait_seconds", "summary", "How long the tries of sensors that ended waited.");
        for (size_t i = 0; i < nwaits; i++) {
            flux_buf_puts(&b, "flux_sensor_wait_seconds_sum{");
            label(&b, "pipeline", waits[i].pipeline, true);
            flux_buf_puts(&b, "}");
            seconds(&b, waits[i].sum_ms);
            flux_buf_puts(&b, "flux_sensor_wait_seconds_count{");
            label(&b, "pipeline", waits[i].pipeline, true);
            flux_buf_printf(&b, "} %" PRId64 "\n", waits[i].count);
        }
        schedulers(&b, sr, nsr, flux_runs_now());
        rp->status = 200;
        rp->type = "text/plain; version=0.0.4; charset=utf-8";
        rp->len = b.len;
        rp->body = b.data ? b.data : strdup("");
        if (!rp->body)
            abort();
    }
    free(plans);
    free(tasks);
    flux_store_counts_free(runs, nruns);
    flux_store_counts_free(tis, ntis);
    flux_store_durations_free(dur, ndur);
    flux_store_durations_free(waits, nwaits);
    flux_store_records_free(rec, nrec);
    free(sr);
}
