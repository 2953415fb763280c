/* graph — GET /api/v1/plans/{id}/graph.svg[?run=ID][&focus=TASK&depth=N]:
 * the plan's DAG laid out by layout.c (cached per plan and view, in memory
 * and under FLUX_HOME/cache/graphs), each task's group given the state of
 * its latest try in the run. The store is read under the server's lock;
 * the layout, which takes seconds for thousands of tasks, is made outside
 * it, so other requests are not held up. A plan of more than 2,000 tasks
 * is not drawn whole (422 with its count: the page asks for a task to
 * centre on). The ETag is the plan id and a hash of the view and the run's states:
 * a page polling a run gets 304 until a task changes state. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "load.h"
#include "sha256.h"
#include "arena.h"
#include "web_int.h"

/* tasks drawn without a focus: Graphviz lays out 2,000 tasks in layers of
 * 100 with random parents in about a second (once per plan: then cached),
 * 5,000 in six */
#define MAX_WHOLE 2000
#define MAX_DEPTH 20

static int by_task(const void *x, const void *y)
{
    return strcmp(((const flux_layout_state *)x)->task, ((const flux_layout_state *)y)->task);
}

/* each task of p with the state of its latest try in rows (sorted by task
 * then try), "none" for a task without one; sorted by task for
 * flux_layout_states */
static flux_layout_state *run_states(const flux_pipeline *p, const flux_ti_row *rows, size_t n)
{
    flux_layout_state *st = calloc(p->ntasks ? p->ntasks : 1, sizeof *st);
    if (!st)
        abort();
    for (size_t k = 0; k < p->ntasks; k++)
        st[k] = (flux_layout_state){p->tasks[k]->id, "none"};
    qsort(st, p->ntasks, sizeof *st, by_task);
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && !strcmp(rows[i + 1].task, rows[i].task))
            continue; /* only each task's latest try */
        flux_layout_state key = {rows[i].task, NULL}, *hit = bsearch(&key, st, p->ntasks, sizeof *st, by_task);
        if (hit)
            hit->state = flux_ti_state_name(rows[i].state);
    }
    return st;
}

/* "PLAN-HASH": the view and the states in a SHA-256, 16 hex digits of it */
static void graph_etag(const char *plan_id, const char *focus, int depth, const flux_layout_state *st, size_t n,
                       char *out, size_t outlen)
{
    flux_buf b = {0};
    flux_buf_printf(&b, "%s\n%s\n%d\n", plan_id, focus ? focus : "", depth);
    for (size_t i = 0; st && i < n; i++)
        flux_buf_printf(&b, "%s\t%s\n", st[i].task, st[i].state);
    char hex[65];
    flux_sha256_hex(b.data ? b.data : "", b.len, hex);
    flux_buf_free(&b);
    snprintf(out, outlen, "\"%.64s-%.16s\"", plan_id, hex);
}

/* a run's tries: 0, or the reply says why not (404, 400, 500) */
static int read_run(const flux_web_request *rq, const char *plan_id, const char *arg, flux_ti_row **rows, size_t *n,
                    flux_web_reply *rp)
{
    char *end;
    long long id = strtoll(arg, &end, 10);
    flux_run_row run;
    int rc = *arg && !*end && id > 0 ? flux_store_get_run(rq->store, id, &run) : 1;
    if (rc) {
        if (rc > 0)
            flux_web_error(rp, 404, "no run %s", arg);
        else
            flux_web_error(rp, 500, "the store cannot be read: %s", flux_store_error(rq->store));
        return -1;
    }
    if (strcmp(run.plan_id, plan_id)) {
        flux_web_error(rp, 400, "run %s ran plan %s, not %s", arg, run.plan_id, plan_id);
        return -1;
    }
    if (flux_store_list_tis(rq->store, run.id, rows, n) != 0) {
        flux_web_error(rp, 500, "the store cannot be read: %s", flux_store_error(rq->store));
        return -1;
    }
    return 0;
}

void flux_web_graph(const flux_web_request *rq, const char *plan_id, flux_web_reply *rp)
{
    const char *run_arg = flux_web_arg(rq, "run"), *focus = flux_web_arg(rq, "focus"),
               *depth_arg = flux_web_arg(rq, "depth");
    if (focus && !*focus)
        focus = NULL;
    int depth = 2;
    if (depth_arg && *depth_arg) {
        char *end;
        long d = strtol(depth_arg, &end, 10);
        if (*end || d < 1 || d > MAX_DEPTH)
            return flux_web_error(rp, 400, "depth is a number 1..%d", MAX_DEPTH);
        depth = (int)d;
    }

    /* the store, under its lock: the plan's text and the run's tries */
    flux_web_lock(rq);
    char *text = flux_store_get_plan(rq->store, plan_id);
    bool lost = !text && flux_store_lost(rq->store);
    flux_ti_row *rows = NULL;
    size_t n = 0;
    int rrc = text && run_arg && *run_arg ? read_run(rq, plan_id, run_arg, &rows, &n, rp) : 0;
    flux_web_unlock(rq);
    if (!text)
        return lost ? flux_web_error(rp, 500, "the store cannot be read") : flux_web_error(rp, 404, "no plan %s", plan_id);
    if (rrc) {
        free(text);
        return;
    }

    flux_compilation c;
    char err[1024];
    int lrc = flux_load_plan_text(&c, plan_id, text, strlen(text), err, sizeof err);
    free(text);
    if (lrc) {
        flux_compilation_free(&c);
        flux_ti_rows_free(rows, n);
        return flux_web_error(rp, 500, "plan %s cannot be read: %s", plan_id, err);
    }
    const flux_pipeline *p = c.pipelines[0];
    flux_layout_state *st = run_arg && *run_arg ? run_states(p, rows, n) : NULL;
    flux_ti_rows_free(rows, n);
    char etag[100], *svg = NULL;
    size_t len = 0;
    graph_etag(plan_id, focus, depth, st, p->ntasks, etag, sizeof etag);
    if (!focus && p->ntasks > MAX_WHOLE) {
        flux_web_json(rp, 422, json_pack("{s:s, s:I}", "error",
                                         "the plan has too many tasks to draw whole: give focus=TASK (and depth=N)",
                                         "tasks", (json_int_t)p->ntasks));
    } else if (flux_web_not_modified(rq, etag)) {
        rp->status = 304;
        flux_web_header(rp, "ETag", etag);
        flux_web_header(rp, "Cache-Control", "no-cache");
    } else {
        int rc = flux_layout_cached(flux_web_graphs(rq), plan_id, p, focus, depth, &svg, &len, err, sizeof err);
        if (rc > 0) {
            flux_web_error(rp, 404, "plan %s has no task %s", plan_id, focus);
        } else if (rc < 0) {
            flux_web_error(rp, 500, "%s", err);
        } else {
            if (st) {
                size_t outlen;
                char *with = flux_layout_states(svg, len, st, p->ntasks, &outlen);
                free(svg);
                svg = with;
                len = outlen;
            }
            rp->status = 200;
            rp->type = "image/svg+xml; charset=utf-8";
            rp->body = svg;
            rp->len = len;
            flux_web_header(rp, "ETag", etag);
            flux_web_header(rp, "Cache-Control", "no-cache");
        }
    }
    free(st);
    bool big = p->ntasks > 200;
    flux_compilation_free(&c);
    if (big)
        flux_web_trim();
}
