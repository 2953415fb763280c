/* browse — the web UI's views beside views.c's; see browse.h. */
#include "browse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "meta.h"
#include "plan.h"
#include "plandiff.h"
#include "source.h"
#include "views.h"

/* json_string(NULL) is no value at all, and setting it would drop the key:
 * every pipeline has the same keys, null when unset */
static json_t *text_or_null(const char *v)
{
    return v ? json_string(v) : json_null();
}

/* a plan's facts; a plan recorded before they were kept is read (meta.h) */
static void put_meta(flux_store *s, json_t *o, const char *plan_id)
{
    flux_plan_meta m = {0};
    char err[256];
    bool have = plan_id[0] && flux_meta_get(s, plan_id, &m, err, sizeof err) == 0;
    flux_meta_json(&m, o);
    json_object_set_new(o, "schedule", text_or_null(have ? m.schedule : NULL));
    json_object_set_new(o, "timezone", text_or_null(have ? m.timezone : NULL));
    json_object_set_new(o, "tasks", have ? json_integer(m.tasks) : json_null());
    if (have)
        flux_plan_meta_free(&m);
}

json_t *flux_view_pipelines(flux_store *s, size_t nlast, char *err, size_t errlen)
{
    flux_pipeline_row *p;
    size_t n;
    if (flux_store_list_pipelines(s, &p, &n) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return NULL;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s, s:i, s:s?, s:b, s:b}", "pipeline", p[i].name, "version", p[i].version,
                              "plan_id", p[i].plan_id[0] ? p[i].plan_id : NULL, "paused", p[i].paused, "removed",
                              p[i].removed);
        put_meta(s, o, p[i].plan_id);
        json_t *last = flux_view_runs(s, p[i].name, nlast, err, errlen);
        if (!last) {
            json_decref(o);
            json_decref(items);
            flux_pipeline_rows_free(p, n);
            return NULL;
        }
        json_object_set_new(o, "last_runs", last);
        json_array_append_new(items, o);
    }
    flux_pipeline_rows_free(p, n);
    return items;
}

json_t *flux_view_schedulers(flux_store *s, int64_t now, char *err, size_t errlen)
{
    flux_scheduler_row *sr;
    size_t n;
    if (flux_store_list_schedulers(s, &sr, &n) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return NULL;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(sr[i].id, "run:", 4)) /* the `flux run` processes that own runs: not schedulers */
            continue;
        bool alive = !sr[i].stopped && now - sr[i].heartbeat < 10000;
        json_t *o = json_pack("{s:s, s:s, s:i, s:b, s:o, s:o, s:I, s:o}", "scheduler", sr[i].id, "host", sr[i].host,
                              "pid", sr[i].pid, "alive", alive, "started", flux_view_jtime(sr[i].started), "heartbeat",
                              flux_view_jtime(sr[i].heartbeat), "heartbeat_age_ms",
                              (json_int_t)(now - sr[i].heartbeat), "stopped", flux_view_jtime(sr[i].stopped));
        json_array_append_new(a, o);
    }
    free(sr);
    return a;
}

/* the plan's text read as a plan, in a; NULL with err (*missing: none such) */
static flux_plan *read_plan(flux_store *s, flux_arena *a, flux_sources *src, const char *plan_id, bool *missing,
                            char *err, size_t errlen)
{
    char *text = flux_store_get_plan(s, plan_id);
    if (!text) {
        *missing = !flux_store_lost(s);
        snprintf(err, errlen, "no plan %s", plan_id);
        return NULL;
    }
    flux_plan *pl = flux_plan_read(a, src, "plan", text, strlen(text), err, errlen);
    free(text);
    return pl;
}

json_t *flux_view_plan(flux_store *s, const char *plan_id, bool *missing, char *err, size_t errlen)
{
    *missing = false;
    flux_arena *a = flux_arena_new();
    flux_sources src;
    flux_sources_init(&src);
    flux_plan *pl = read_plan(s, a, &src, plan_id, missing, err, errlen);
    json_t *out = NULL;
    if (pl) {
        const flux_pipeline *p = pl->pipeline;
        json_t *tasks = json_array();
        for (size_t k = 0; k < p->ntasks; k++) {
            json_t *up = json_array();
            for (size_t e = 0; e < p->nedges; e++)
                if (p->edges[e].b == k)
                    json_array_append_new(up, json_string(p->tasks[p->edges[e].a]->id));
            json_array_append_new(tasks, json_pack("{s:s, s:s, s:s?, s:o}", "id", p->tasks[k]->id, "operator",
                                                   p->tasks[k]->op, "kind", p->tasks[k]->kind, "upstream", up));
        }
        out = json_pack("{s:s, s:s, s:o}", "plan_id", plan_id, "pipeline", p->name, "tasks", tasks);
    }
    flux_sources_free(&src);
    flux_arena_free(a);
    return out;
}

static json_t *names(const char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

json_t *flux_view_plan_diff(flux_store *s, const char *from, const char *to, bool *missing, char *err, size_t errlen)
{
    *missing = false;
    flux_arena *a = flux_arena_new();
    flux_sources src;
    flux_sources_init(&src);
    flux_plan *pa = read_plan(s, a, &src, from, missing, err, errlen);
    flux_plan *pb = pa ? read_plan(s, a, &src, to, missing, err, errlen) : NULL;
    json_t *out = NULL;
    if (pb) {
        flux_plan_diff d;
        flux_plan_diff_tasks(a, pa, pb, &d);
        flux_buf sum = {0};
        flux_plan_diff_summary(&d, true, &sum);
        out = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "from", from, "to", to, "summary", flux_buf_cstr(&sum),
                        "added", names(d.added, d.nadded), "removed", names(d.removed, d.nremoved), "changed",
                        names(d.changed, d.nchanged));
        flux_buf_free(&sum);
    }
    flux_sources_free(&src);
    flux_arena_free(a);
    return out;
}

/* an empty text filters nothing (a form's empty box) */
static const char *given(const char *v)
{
    return v && *v ? v : NULL;
}

static int search_time(const char *name, const char *v, int64_t *ms, char *err, size_t errlen)
{
    char why[256];
    *ms = 0;
    if (!given(v))
        return 0;
    if (flux_load_time(v, NULL, ms, why, sizeof why) == 0)
        return 0;
    snprintf(err, errlen, "%s '%s' is not a time (such as 2026-11-02T00:00:00Z): %s", name, v, why);
    return -1;
}

json_t *flux_view_runs_search(flux_store *s, const flux_runs_query *in, const char *cursor, size_t limit, bool *bad,
                              char *err, size_t errlen)
{
    flux_run_filter q = {.pipeline = given(in->pipeline), .state = given(in->state), .trigger = given(in->trigger),
                         .run_id_prefix = given(in->run_id), .task = given(in->task), .field = given(in->field),
                         .output = given(in->output), .window = in->window};
    cursor = given(cursor);
    *bad = true;
    if (q.state && strcmp(q.state, "queued") && strcmp(q.state, "running") && strcmp(q.state, "success") &&
        strcmp(q.state, "failed")) {
        snprintf(err, errlen, "state '%s' is not a run's state (queued, running, success, failed)", q.state);
        return NULL;
    }
    if (q.trigger && strcmp(q.trigger, "scheduled") && strcmp(q.trigger, "manual") && strcmp(q.trigger, "backfill")) {
        snprintf(err, errlen, "trigger '%s' is not scheduled, manual or backfill", q.trigger);
        return NULL;
    }
    if (search_time("from", in->from, &q.from, err, errlen) || search_time("to", in->to, &q.to, err, errlen))
        return NULL;
    *bad = false;
    if (cursor) {
        long long d, id;
        char tail;
        if (sscanf(cursor, "%lld_%lld%c", &d, &id, &tail) != 2 || id <= 0) {
            *bad = true;
            snprintf(err, errlen, "cursor '%s' is not one this server gave", cursor);
            return NULL;
        }
        q.after_date = d;
        q.after_id = id;
    }
    flux_run_row *rows;
    size_t n;
    flux_run_key more;
    /* one more than the page tells whether there is a next one */
    if (flux_store_search_runs(s, &q, limit + 1, &rows, &n, &more) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return NULL;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < limit; i++)
        json_array_append_new(items, flux_view_run(&rows[i]));
    json_t *next = json_null();
    char c[64];
    if (n > limit) {
        snprintf(c, sizeof c, "%lld_%lld", (long long)rows[limit - 1].logical_date, (long long)rows[limit - 1].id);
        next = json_string(c);
    } else if (more.id) { /* the window ended first: on from its last run */
        snprintf(c, sizeof c, "%lld_%lld", (long long)more.logical_date, (long long)more.id);
        next = json_string(c);
    }
    free(rows);
    return json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
}
