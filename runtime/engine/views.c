/* views — the read-only views of the store as JSON values; see views.h. */
#include "views.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "meta.h"
#include "plan.h"
#include "value.h"

void flux_view_time(int64_t ms, char *out, size_t n)
{
    if (!ms) {
        snprintf(out, n, "-");
        return;
    }
    flux_buf b = {0};
    flux_time_iso(ms, 0, &b);
    snprintf(out, n, "%s", b.data);
    flux_buf_free(&b);
}

json_t *flux_view_jtime(int64_t ms)
{
    char t[64];
    flux_view_time(ms, t, sizeof t);
    return ms ? json_string(t) : json_null();
}

/* whole seconds, as deployments and sources show them */
static void iso_s(int64_t ms, char *out, size_t n)
{
    flux_time_iso_into(ms, FLUX_ISO_SECONDS, out, n);
}

json_t *flux_view_run(const flux_run_row *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "pipeline", json_string(r->pipeline));
    json_object_set_new(o, "run_id", json_string(r->run_id));
    json_object_set_new(o, "state", json_string(flux_run_state_name(r->state)));
    json_object_set_new(o, "trigger", json_string(r->trigger));
    json_object_set_new(o, "interval_start", flux_view_jtime(r->interval_start));
    json_object_set_new(o, "interval_end", flux_view_jtime(r->interval_end));
    json_object_set_new(o, "started", flux_view_jtime(r->started));
    json_object_set_new(o, "ended", flux_view_jtime(r->ended));
    json_object_set_new(o, "plan_id", json_string(r->plan_id));
    return o;
}

/* the run's missed deadlines: [{task (null: the run's own), deadline_at, missed_at}] */
static json_t *deadline_misses(flux_store *s, int64_t run)
{
    flux_deadline_row *m = NULL;
    size_t n = 0;
    json_t *a = json_array();
    if (flux_store_deadline_misses(s, run, &m, &n) != 0)
        return a;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s?, s:o, s:o}", "task", m[i].task[0] ? m[i].task : NULL, "deadline_at",
                                           flux_view_jtime(m[i].deadline_at), "missed_at",
                                           flux_view_jtime(m[i].missed_at)));
    free(m);
    return a;
}

json_t *flux_view_runs(flux_store *s, const char *pipeline, size_t limit, char *err, size_t errlen)
{
    flux_run_row *rows;
    size_t n;
    if (flux_store_list_runs(s, pipeline, limit, &rows, &n) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return NULL;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, flux_view_run(&rows[i]));
    }
    free(rows);
    return a;
}

static json_t *time_or_null(int64_t ms)
{
    char t[32];
    if (!ms)
        return json_null();
    iso_s(ms, t, sizeof t);
    return json_string(t);
}

json_t *flux_view_notifications(flux_store *s, const char *state, char *err, size_t errlen)
{
    flux_notice_row *rows;
    size_t n;
    if (flux_store_list_notices(s, state, &rows, &n) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return NULL;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const flux_notice_row *r = &rows[i];
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:i, s:s, s:s, s:s, s:i, s:s?, s:s?}", "id", (json_int_t)r->id,
                              "key", r->key, "pipeline", r->pipeline, "run_id", r->run_id, "task",
                              r->task[0] ? r->task : NULL, "try", r->try_number, "event", r->event, "notifier",
                              r->notifier, "state", r->state, "attempts", r->attempts, "last_error", r->last_error,
                              "note", r->note);
        json_object_set_new(o, "created_at", time_or_null(r->created_at));
        json_object_set_new(o, "next_at", strcmp(r->state, "pending") ? json_null() : time_or_null(r->next_at));
        json_object_set_new(o, "sent_at", time_or_null(r->sent_at));
        json_array_append_new(a, o);
    }
    flux_notice_rows_free(rows, n);
    return a;
}

json_t *flux_view_failing_notifiers(flux_store *s, char *err, size_t errlen)
{
    flux_notice_row *rows;
    size_t n;
    if (flux_store_list_notices(s, "", &rows, &n) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return NULL;
    }
    /* each notifier's latest notice says whether it works now */
    json_t *a = json_array();
    for (size_t i = n; i-- > 0;) {
        const flux_notice_row *r = &rows[i];
        bool seen = false;
        for (size_t j = i + 1; j < n && !seen; j++)
            seen = !strcmp(rows[j].notifier, r->notifier);
        if (seen)
            continue;
        bool failing = !strcmp(r->state, "failed") || (!strcmp(r->state, "pending") && r->attempts >= 2);
        if (failing)
            json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:s?}", "notifier", r->notifier, "state", r->state,
                                               "attempts", r->attempts, "last_error", r->last_error));
    }
    flux_notice_rows_free(rows, n);
    return a;
}

json_t *flux_view_versions(flux_store *s, const char *pipeline, char *err, size_t errlen)
{
    flux_deployment *d;
    size_t n;
    if (flux_store_list_deployments(s, pipeline, &d, &n) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return NULL;
    }
    if (n == 0) {
        free(d);
        snprintf(err, errlen, "pipeline '%s' was never deployed", pipeline);
        return NULL;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        char t[32];
        iso_s(d[i].deployed_at, t, sizeof t);
        json_array_append_new(a, json_pack("{s:i, s:s, s:s, s:s?, s:s?, s:s?, s:b}", "version", d[i].version, "plan",
                                           d[i].plan_id, "deployed_at", t, "commit", d[i].commit[0] ? d[i].commit : NULL,
                                           "source", d[i].source_path[0] ? d[i].source_path : NULL, "source_sha256",
                                           d[i].source_sha256[0] ? d[i].source_sha256 : NULL, "current", i == 0));
    }
    free(d);
    return a;
}

json_t *flux_view_errors(flux_store *s, size_t *checked, char *err, size_t errlen)
{
    flux_source_row *src;
    size_t n;
    if (flux_store_list_sources(s, &src, &n) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return NULL;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!src[i].errors)
            continue;
        char t[32];
        iso_s(src[i].checked_at, t, sizeof t);
        json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:s}", "source", src[i].path, "checked_at", t, "commit",
                                           src[i].commit[0] ? src[i].commit : NULL, "errors", src[i].errors));
    }
    flux_source_rows_free(src, n);
    *checked = n;
    return a;
}

/* a try run as a Slurm job: its job id (null until sbatch gave one), the
 * node it ran on, the state squeue last reported while a runner watched
 * (null before any), and its phase in the store (submitting, submitted,
 * claimed, done: its job recorded an outcome, lost); null for a local try */
/* what the view shows of the run's tries besides their rows, each read
 * once for the whole view (sorted by try id): Slurm rows, counts and log
 * cuts */
typedef struct try_facts {
    flux_slurm_row *v;
    size_t n;
    flux_ti_extras *ex;
    size_t nex;
} try_facts;

static json_t *slurm_json(const try_facts *sl, int64_t ti)
{
    size_t lo = 0, hi = sl->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sl->v[mid].ti < ti)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == sl->n || sl->v[lo].ti != ti)
        return json_null();
    const flux_slurm_row *r = &sl->v[lo];
    return json_pack("{s:o, s:o, s:o, s:s}", "job_id", r->job_id > 0 ? json_integer(r->job_id) : json_null(), "node",
                     r->node[0] ? json_string(r->node) : json_null(), "state",
                     r->slurm_state[0] ? json_string(r->slurm_state) : json_null(), "phase", r->phase);
}

/* one try as the tasks view shows it */
static json_t *try_json(const try_facts *f, const flux_ti_row *row)
{
    json_t *t = json_object();
    /* the try's id: what its log is fetched by (the API's task-instances/{ti}/log) */
    json_object_set_new(t, "ti", json_integer(row->id));
    json_object_set_new(t, "task", json_string(row->task));
    json_object_set_new(t, "try", json_integer(row->try_number));
    json_object_set_new(t, "state", json_string(flux_ti_state_name(row->state)));
    json_object_set_new(t, "started", flux_view_jtime(row->started));
    json_object_set_new(t, "ended", flux_view_jtime(row->ended));
    json_object_set_new(t, "exit_status", row->exit_status >= 0 ? json_integer(row->exit_status) : json_null());
    json_object_set_new(t, "pid", row->pid ? json_integer(row->pid) : json_null());
    json_object_set_new(t, "host", json_string(row->host));
    json_object_set_new(t, "log", json_string(row->log_path));
    json_object_set_new(t, "note", row->note ? json_string(row->note) : json_null());
    json_error_t je;
    json_t *rend = row->rendered ? json_loads(row->rendered, 0, &je) : NULL;
    json_object_set_new(t, "rendered", rend ? rend : json_null());
    json_t *outs = row->outputs ? json_loads(row->outputs, 0, &je) : NULL;
    json_object_set_new(t, "outputs", outs ? outs : json_null());
    const flux_ti_extras *e = flux_ti_extras_find(f->ex, f->nex, row->id);
    if (e && e->has_counts)
        json_object_set_new(t, "counts",
                            json_pack("{s:I, s:I, s:I, s:I}", "read", (json_int_t)e->read, "written",
                                      (json_int_t)e->written, "rejected", (json_int_t)e->rejected, "bytes",
                                      (json_int_t)e->bytes));
    else
        json_object_set_new(t, "counts", json_null());
    /* bytes dropped from the middle of its log to keep it under max_log_size */
    bool cut = e && e->has_cut;
    json_object_set_new(t, "log_dropped", cut ? json_integer(e->dropped) : json_null());
    json_object_set_new(t, "max_log_size", cut ? json_integer(e->max_log_size) : json_null());
    json_object_set_new(t, "slurm", slurm_json(f, row->id));
    return t;
}

json_t *flux_view_plan_tasks(flux_store *s, const char *plan_id)
{
    json_t *names = json_array();
    char *text = plan_id[0] ? flux_store_get_plan(s, plan_id) : NULL;
    if (!text)
        return names;
    flux_arena *a = flux_arena_new();
    flux_sources src;
    flux_sources_init(&src);
    char err[512];
    flux_plan *pl = flux_plan_read(a, &src, "plan", text, strlen(text), err, sizeof err);
    for (size_t i = 0; pl && i < pl->pipeline->ntasks; i++)
        json_array_append_new(names, json_string(pl->pipeline->tasks[i]->id));
    flux_sources_free(&src);
    flux_arena_free(a);
    free(text);
    return names;
}

static int by_task_try(const void *x, const void *y)
{
    const flux_ti_row *a = *(const flux_ti_row *const *)x, *b = *(const flux_ti_row *const *)y;
    int c = strcmp(a->task, b->task);
    return c ? c : (a->try_number > b->try_number) - (a->try_number < b->try_number);
}

/* one task: its tries (from by[at] on, the rows of the task in try order)
 * appended to tries, its summary to tasks; returns where its rows end */
static size_t add_task(const try_facts *f, const char *task, const flux_ti_row *const *by, size_t n, size_t at,
                       json_t *tasks, json_t *tries)
{
    const flux_ti_row *last = NULL;
    size_t ntries = 0;
    for (; at < n && !strcmp(by[at]->task, task); at++, ntries++) {
        last = by[at];
        json_array_append_new(tries, try_json(f, last));
    }
    json_array_append_new(tasks, json_pack("{s:s, s:s, s:I}", "task", task, "state",
                                           flux_ti_state_name(last ? last->state : FLUX_TI_NONE), "tries",
                                           (json_int_t)ntries));
    return at;
}

/* the first row of by (sorted by task) of task, or n */
static size_t first_of(const flux_ti_row *const *by, size_t n, const char *task)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(by[mid]->task, task) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && !strcmp(by[lo]->task, task) ? lo : n;
}

json_t *flux_view_tasks(flux_store *s, const flux_run_row *run, const flux_ti_row *rows, size_t n)
{
    json_t *root = flux_view_run(run), *tries = json_array(), *tasks = json_array();
    json_object_set_new(root, "deadline_misses", deadline_misses(s, run->id));
    /* the rows by task then try, whatever order the store gave them in, so
     * each task's tries are found by a binary search: runs have 10,000 tasks */
    const flux_ti_row **by = calloc(n ? n : 1, sizeof *by);
    bool *shown = calloc(n ? n : 1, sizeof *shown);
    if (!by || !shown)
        abort(); /* the allocation policy: abort on OOM */
    for (size_t i = 0; i < n; i++)
        by[i] = &rows[i];
    qsort(by, n, sizeof *by, by_task_try);
    try_facts sl = {0};
    if (flux_store_slurm_list(s, run->id, &sl.v, &sl.n) != 0)
        sl.v = NULL, sl.n = 0; /* a try's Slurm facts are extra: the view goes on without them */
    if (flux_store_run_extras(s, run->id, &sl.ex, &sl.nex) != 0)
        sl.ex = NULL, sl.nex = 0; /* and so are its counts and its log's cut */
    json_t *names = flux_view_plan_tasks(s, run->plan_id), *v;
    size_t k;
    json_array_foreach(names, k, v)
    {
        size_t at = first_of(by, n, json_string_value(v));
        size_t end = add_task(&sl, json_string_value(v), by, n, at, tasks, tries);
        for (size_t i = at; i < end; i++)
            shown[i] = true;
    }
    json_decref(names);
    /* the tries of a task the plan does not have (or of every task when
     * the plan cannot be read): after the plan's, by name */
    for (size_t i = 0; i < n;)
        i = shown[i] ? i + 1 : add_task(&sl, by[i]->task, by, n, i, tasks, tries);
    flux_slurm_rows_free(sl.v, sl.n);
    free(sl.ex);
    free(by);
    free(shown);
    json_object_set_new(root, "tasks", tasks);
    json_object_set_new(root, "task_instances", tries);
    return root;
}

/* a plan's description, owner and tags into e; false when tag is given and
 * the plan does not have it. A plan that cannot be read shows none. */
static bool add_facts(flux_store *s, const char *plan_id, const char *tag, json_t *e)
{
    flux_plan_meta m;
    char err[256];
    if (!*plan_id || flux_meta_get(s, plan_id, &m, err, sizeof err) != 0)
        m = (flux_plan_meta){0};
    bool keep = !tag || flux_meta_has_tag(&m, tag);
    flux_meta_json(&m, e);
    flux_plan_meta_free(&m);
    return keep;
}

/* a run's pipeline and its place in the list (the newest first) */
typedef struct {
    const char *pipeline;
    size_t place;
} run_place;

static int by_pipeline(const void *a, const void *b)
{
    const run_place *x = a, *y = b;
    int c = strcmp(x->pipeline, y->pipeline);
    return c ? c : (x->place > y->place) - (x->place < y->place);
}

/* a pipeline's runs: from where they start in the sorted list; its newest's place */
typedef struct {
    size_t newest, from;
} run_group;

static int by_newest(const void *a, const void *b)
{
    const run_group *x = a, *y = b;
    return (x->newest > y->newest) - (x->newest < y->newest);
}

/* the latest run of each pipeline (rows are newest first) with its counts:
 * one entry per pipeline, in the order of its newest run, the runs sorted
 * by pipeline once (a store of 10,000 runs was paired up in O(n^2)) */
static json_t *status_pipelines(flux_store *s, const flux_run_row *rows, size_t n, const char *tag)
{
    json_t *arr = json_array();
    run_place *v = flux_xcalloc(n ? n : 1, sizeof *v);
    run_group *groups = flux_xcalloc(n ? n : 1, sizeof *groups);
    for (size_t i = 0; i < n; i++)
        v[i] = (run_place){rows[i].pipeline, i};
    qsort(v, n, sizeof *v, by_pipeline);
    size_t ng = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(v[i].pipeline, v[i - 1].pipeline))
            groups[ng++] = (run_group){v[i].place, i};
    qsort(groups, ng, sizeof *groups, by_newest);
    for (size_t g = 0; g < ng; g++) {
        const flux_run_row *last = &rows[groups[g].newest];
        size_t total = 0, ok = 0, bad = 0;
        for (size_t i = groups[g].from; i < n && !strcmp(v[i].pipeline, last->pipeline); i++) {
            total++;
            ok += rows[v[i].place].state == FLUX_RUN_SUCCESS;
            bad += rows[v[i].place].state == FLUX_RUN_FAILED;
        }
        json_t *e = json_object();
        json_object_set_new(e, "pipeline", json_string(last->pipeline));
        if (!add_facts(s, last->plan_id, tag, e)) {
            json_decref(e);
            continue;
        }
        json_object_set_new(e, "last_run", flux_view_run(last));
        json_object_set_new(e, "runs", json_integer((json_int_t)total));
        json_object_set_new(e, "succeeded", json_integer((json_int_t)ok));
        json_object_set_new(e, "failed", json_integer((json_int_t)bad));
        json_array_append_new(arr, e);
    }
    free(v);
    free(groups);
    return arr;
}

/* deployed pipelines: version, paused, removed, a source that fails to compile */
static json_t *status_deployed(flux_store *s, const char *pipeline, const char *tag)
{
    flux_pipeline_row *pr = NULL;
    size_t npr = 0;
    json_t *pj = json_array();
    if (flux_store_list_pipelines(s, &pr, &npr) != 0)
        return pj;
    for (size_t i = 0; i < npr; i++) {
        if (!pr[i].version || (pipeline && strcmp(pipeline, pr[i].name)))
            continue;
        const char *state = pr[i].removed ? "removed" : pr[i].paused ? "paused" : "active";
        json_t *e = json_pack("{s:s}", "pipeline", pr[i].name);
        if (!add_facts(s, pr[i].plan_id, tag, e)) {
            json_decref(e);
            continue;
        }
        json_object_update_new(e, json_pack("{s:i, s:s, s:s, s:s?, s:s?}", "version", pr[i].version, "plan",
                                            pr[i].plan_id, "state", state, "source", pr[i].source_path, "errors",
                                            pr[i].errors));
        json_array_append_new(pj, e);
    }
    flux_pipeline_rows_free(pr, npr);
    return pj;
}

/* schedulers: alive while their heartbeat is fresh */
static json_t *status_schedulers(flux_store *s, int64_t now, bool detail)
{
    flux_scheduler_row *sr = NULL;
    size_t nsr = 0;
    if (flux_store_list_schedulers(s, &sr, &nsr) != 0)
        return detail ? json_null() : json_array();
    json_t *sj = json_array();
    for (size_t i = 0; i < nsr; i++) {
        bool alive = !sr[i].stopped && now - sr[i].heartbeat < 10000;
        /* the registry also holds the `flux run` processes that own runs:
         * not schedulers, and of no interest once they ended */
        if (!strncmp(sr[i].id, "run:", 4))
            continue;
        json_t *e = json_pack("{s:s, s:b, s:I}", "scheduler", sr[i].id, "alive", alive, "heartbeat_age_ms",
                              (json_int_t)(now - sr[i].heartbeat));
        if (detail)
            json_object_set_new(e, "stopped", json_boolean(sr[i].stopped));
        json_array_append_new(sj, e);
    }
    free(sr);
    return sj;
}

json_t *flux_view_status(flux_store *s, const char *pipeline, const char *tag, int64_t now, bool detail, char *err,
                         size_t errlen)
{
    flux_run_row *rows;
    size_t n;
    if (flux_store_list_runs(s, pipeline, 0, &rows, &n) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return NULL;
    }
    json_t *arr = status_pipelines(s, rows, n, tag);
    free(rows);
    json_t *pj = status_deployed(s, pipeline, tag);
    json_t *sj = status_schedulers(s, now, detail);
    return json_pack("{s:o, s:o, s:o}", "pipelines", arr, "deployed", pj, "schedulers", sj);
}

json_t *flux_view_where(const flux_home_info *info)
{
    return json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s?, s:s}, s:s}", "store", "url", info->store, "from",
                     info->store_from, "flux_home", "path", info->home, "from", info->home_from, "flux_yaml", "path",
                     info->conns[0] ? info->conns : NULL, "from", info->conns_from, "cwd", info->cwd);
}

/* ---- connections ---- */

extern char **environ;

/* names from the file, then those only the environment defines */
static size_t all_names(flux_arena *a, const flux_conns *c, const char ***out)
{
    size_t cap = c->n + 16, n = 0;
    const char **v = flux_arena_alloc(a, cap * sizeof *v);
    for (size_t i = 0; i < c->n; i++)
        v[n++] = c->v[i].name;
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "FLUX_CONN_", 10) != 0 || !strchr(*e, '='))
            continue;
        size_t len = (size_t)(strchr(*e, '=') - (*e + 10));
        char *name = flux_arena_alloc(a, len + 1);
        for (size_t i = 0; i < len; i++)
            name[i] = (char)tolower((unsigned char)(*e)[10 + i]);
        name[len] = '\0';
        bool dup = false;
        for (size_t i = 0; i < n && !dup; i++) {
            char env[256];
            flux_conn_env_name(v[i], env, sizeof env);
            dup = strncmp(env, *e, strlen(env)) == 0 && (*e)[strlen(env)] == '=';
        }
        if (!dup && len && n < cap)
            v[n++] = name;
    }
    *out = v;
    return n;
}

static const char *where(const flux_conn *c)
{
    if (c->brokers)
        return c->brokers;
    if (!strcmp(c->type ? c->type : "", "sqlite"))
        return c->database ? c->database : "";
    return c->host ? c->host : "127.0.0.1";
}

json_t *flux_view_connections(flux_arena *a, const flux_conns *conns, bool detail)
{
    const char **names;
    size_t n = all_names(a, conns, &names);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const flux_conn *c = flux_conns_find(conns, names[i]);
        if (!c)
            continue;
        json_t *o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:b, s:s}", "name", names[i], "type", c->type ? c->type : "",
                              "address", where(c), "user", c->user, "database", c->database, "password_set",
                              c->password != NULL, "origin", c->origin ? c->origin : "");
        if (c->port)
            json_object_set_new(o, "port", json_integer(c->port));
        if (c->ssl_mode)
            json_object_set_new(o, "ssl_mode", json_string(c->ssl_mode));
        if (c->ca_file)
            json_object_set_new(o, "ca_file", json_string(c->ca_file));
        if (detail) {
            json_object_set_new(o, "typed", json_boolean(c->type != NULL));
            json_object_set_new(o, "brokers", json_boolean(c->brokers != NULL));
            json_object_set_new(o, "unresolved", json_boolean(c->unresolved));
        }
        json_array_append_new(arr, o);
    }
    return arr;
}
