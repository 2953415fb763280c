/* store_metrics — the aggregates of /metrics (store_metrics.h): each a
 * GROUP BY the database does, in the SQL both dialects share. */
#include "store_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

/* a growing array of elem-sized rows, zeroed as they come */
typedef struct grow {
    char *v;
    size_t n, cap, elem;
} grow;

static void *push(grow *g)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        if (!(g->v = realloc(g->v, g->cap * g->elem)))
            abort(); /* the allocation policy: abort on OOM */
    }
    void *row = g->v + g->n++ * g->elem;
    memset(row, 0, g->elem);
    return row;
}

static char *dup_col(flux_store *s, flux_db_stmt *st, int col)
{
    const char *t = s->drv->column_text(st, col);
    char *d = strdup(t ? t : "");
    if (!d)
        abort();
    return d;
}

/* a query's parameter: a text, or (text NULL) a number */
typedef struct param {
    const char *text;
    int64_t num;
} param;

/* Runs sql with its parameters, handing each row to row(). */
static int each_row(flux_store *s, const char *sql, const param *p, size_t np,
                    void (*row)(flux_store *, flux_db_stmt *, void *), void *ctx, const char *what)
{
    if (!s->in_txn && s->drv->gone(s->db) && store_reopen(s) != 0)
        return -1;
    flux_db_stmt *st = s->drv->prepare(s->db, sql);
    if (!st)
        return store_dbfail(s, FLUX_DB_ERROR, what);
    int rc = FLUX_DB_OK;
    for (size_t i = 0; i < np && rc == FLUX_DB_OK; i++)
        rc = p[i].text ? s->drv->bind_text(st, (int)i + 1, p[i].text) : s->drv->bind_int(st, (int)i + 1, p[i].num);
    while (rc == FLUX_DB_OK && (rc = s->drv->step(st)) == FLUX_DB_ROW) {
        row(s, st, ctx);
        rc = FLUX_DB_OK;
    }
    int r = rc == FLUX_DB_DONE ? 0 : store_dbfail(s, rc, what);
    s->drv->finalize(st);
    return r < 0 ? -1 : 0;
}

/* ---- counts ---- */

static void count_row(flux_store *s, flux_db_stmt *st, void *ctx)
{
    flux_store_count *c = push(ctx);
    c->pipeline = dup_col(s, st, 0);
    c->key = dup_col(s, st, 1);
    c->n = s->drv->column_int(st, 2);
}

static int counts(flux_store *s, const char *sql, flux_store_count **rows, size_t *n, const char *what)
{
    grow g = {.elem = sizeof **rows};
    int rc = each_row(s, sql, NULL, 0, count_row, &g, what);
    if (rc) {
        flux_store_counts_free((flux_store_count *)g.v, g.n);
        g.v = NULL, g.n = 0;
    }
    *rows = (flux_store_count *)g.v;
    *n = g.n;
    return rc;
}

void flux_store_counts_free(flux_store_count *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].pipeline);
        free(rows[i].key);
    }
    free(rows);
}

int flux_store_count_runs(flux_store *s, flux_store_count **rows, size_t *n)
{
    return counts(s, "SELECT pipeline, state, COUNT(*) FROM runs GROUP BY pipeline, state ORDER BY pipeline, state",
                  rows, n, "counting runs");
}

int flux_store_count_tis(flux_store *s, const flux_store_run_range *in, flux_store_count **rows, size_t *n)
{
    grow g = {.elem = sizeof **rows};
    param p[2] = {{NULL, in->from}, {NULL, in->below}};
    int rc = each_row(s,
                      "SELECT r.pipeline, t.state, COUNT(*) FROM task_instances t JOIN runs r ON r.id = t.run "
                      "WHERE t.run >= ? AND t.run < ? GROUP BY r.pipeline, t.state ORDER BY r.pipeline, t.state",
                      p, 2, count_row, &g, "counting task instances");
    if (rc) {
        flux_store_counts_free((flux_store_count *)g.v, g.n);
        g.v = NULL, g.n = 0;
    }
    *rows = (flux_store_count *)g.v;
    *n = g.n;
    return rc;
}

/* ---- durations ---- */

typedef struct dur_ctx {
    grow g;
    size_t nb;
} dur_ctx;

static void dur_row(flux_store *s, flux_db_stmt *st, void *ctx)
{
    dur_ctx *d = ctx;
    flux_store_durations *r = push(&d->g);
    r->pipeline = dup_col(s, st, 0);
    r->count = s->drv->column_int(st, 1);
    r->sum_ms = s->drv->column_int(st, 2);
    for (size_t i = 0; i < d->nb; i++)
        r->le[i] = s->drv->column_int(st, 3 + (int)i);
}

void flux_store_durations_free(flux_store_durations *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rows[i].pipeline);
    free(rows);
}

/* one query for at most 100 (plan, task) pairs: their sums by pipeline
 * added into d (a pipeline is a row once) */
static int durations_of(flux_store *s, const flux_store_run_range *in, const int64_t *bounds, size_t nb,
                        const char *const *plans, const char *const *tasks, size_t ntasks, dur_ctx *d)
{
    enum { SQL_CAP = 12000 };
    char *sql = malloc(SQL_CAP);
    param *p = calloc(nb + 2 * ntasks + 3, sizeof *p);
    if (!sql || !p)
        abort();
    size_t np = 0, at = (size_t)snprintf(sql, SQL_CAP, "SELECT r.pipeline, COUNT(*), SUM(t.ended_at - t.started_at)");
    for (size_t i = 0; i < nb; i++) {
        at += (size_t)snprintf(sql + at, SQL_CAP - at, ", SUM(CASE WHEN t.ended_at - t.started_at <= ? THEN 1 ELSE 0 END)");
        p[np++].num = bounds[i];
    }
    at += (size_t)snprintf(sql + at, SQL_CAP - at,
                           " FROM task_instances t JOIN runs r ON r.id = t.run"
                           " WHERE t.run >= ? AND t.run < ? AND t.started_at IS NOT NULL AND t.ended_at IS NOT NULL");
    p[np++].num = in->from;
    p[np++].num = in->below;
    for (size_t i = 0; tasks && i < ntasks; i++) {
        at += (size_t)snprintf(sql + at, SQL_CAP - at, "%s(r.plan_id = ? AND t.task = ?)", i ? " OR " : " AND (");
        p[np++].text = plans[i];
        p[np++].text = tasks[i];
    }
    snprintf(sql + at, SQL_CAP - at, "%s GROUP BY r.pipeline ORDER BY r.pipeline", tasks && ntasks ? ")" : "");
    dur_ctx part = {.g = {.elem = sizeof(flux_store_durations)}, .nb = nb};
    int rc = each_row(s, sql, p, np, dur_row, &part, "summing durations");
    free(sql);
    free(p);
    flux_store_durations *got = (flux_store_durations *)part.g.v;
    for (size_t i = 0; i < part.g.n; i++) {
        flux_store_durations *into = NULL, *have = (flux_store_durations *)d->g.v;
        for (size_t k = 0; k < d->g.n && !into; k++)
            if (!strcmp(have[k].pipeline, got[i].pipeline))
                into = &have[k];
        if (!into) {
            into = push(&d->g);
            into->pipeline = got[i].pipeline;
            got[i].pipeline = NULL;
        }
        into->count += got[i].count;
        into->sum_ms += got[i].sum_ms;
        for (size_t b = 0; b < nb; b++)
            into->le[b] += got[i].le[b];
    }
    flux_store_durations_free(got, part.g.n);
    return rc;
}

int flux_store_ti_durations(flux_store *s, const flux_store_run_range *in, const int64_t *bounds_ms, size_t nbounds,
                            const char *const *plans, const char *const *tasks, size_t ntasks,
                            flux_store_durations **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    if (nbounds > FLUX_STORE_MAX_BUCKETS)
        return store_fail(s, "at most %d buckets", FLUX_STORE_MAX_BUCKETS), -1;
    dur_ctx d = {.g = {.elem = sizeof **rows}, .nb = nbounds};
    int rc = 0;
    if (!tasks)
        rc = durations_of(s, in, bounds_ms, nbounds, NULL, NULL, 0, &d);
    /* the tasks named in slices, so that a statement's parameters stay few */
    for (size_t at = 0; tasks && at < ntasks && !rc; at += 100)
        rc = durations_of(s, in, bounds_ms, nbounds, plans + at, tasks + at, ntasks - at < 100 ? ntasks - at : 100,
                          &d);
    if (rc) {
        flux_store_durations_free((flux_store_durations *)d.g.v, d.g.n);
        return -1;
    }
    *rows = (flux_store_durations *)d.g.v;
    *n = d.g.n;
    return 0;
}

/* ---- records ---- */

static void records_row(flux_store *s, flux_db_stmt *st, void *ctx)
{
    flux_store_records *r = push(ctx);
    r->pipeline = dup_col(s, st, 0);
    r->task = dup_col(s, st, 1);
    r->read = s->drv->column_int(st, 2);
    r->written = s->drv->column_int(st, 3);
    r->rejected = s->drv->column_int(st, 4);
}

void flux_store_records_free(flux_store_records *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].pipeline);
        free(rows[i].task);
    }
    free(rows);
}

int flux_store_records_totals(flux_store *s, const flux_store_run_range *in, flux_store_records **rows, size_t *n)
{
    grow g = {.elem = sizeof **rows};
    param p[2] = {{NULL, in->from}, {NULL, in->below}};
    int rc = each_row(s,
                      "SELECT r.pipeline, t.task, SUM(c.records_read), SUM(c.records_written), "
                      "SUM(c.records_rejected) FROM transfer_counts c JOIN task_instances t ON t.id = c.ti "
                      "JOIN runs r ON r.id = t.run WHERE t.run >= ? AND t.run < ? "
                      "GROUP BY r.pipeline, t.task ORDER BY r.pipeline, t.task",
                      p, 2, records_row, &g, "summing records");
    if (rc) {
        flux_store_records_free((flux_store_records *)g.v, g.n);
        g.v = NULL, g.n = 0;
    }
    *rows = (flux_store_records *)g.v;
    *n = g.n;
    return rc;
}

/* ---- plans ---- */

static void plan_row(flux_store *s, flux_db_stmt *st, void *ctx)
{
    char **v = push(ctx);
    *v = dup_col(s, st, 0);
}

void flux_store_strings_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int flux_store_plan_ids(flux_store *s, char ***ids, size_t *n)
{
    grow g = {.elem = sizeof(char *)};
    int rc = each_row(s, "SELECT id FROM plan_versions ORDER BY id", NULL, 0, plan_row, &g, "listing the plans");
    if (rc) {
        flux_store_strings_free((char **)g.v, g.n);
        g.v = NULL, g.n = 0;
    }
    *ids = (char **)g.v;
    *n = g.n;
    return rc;
}

/* ---- what has settled ---- */

static void int_row(flux_store *s, flux_db_stmt *st, void *ctx)
{
    int64_t *v = ctx;
    v[0] = s->drv->column_null(st, 0) ? -1 : s->drv->column_int(st, 0);
}

int flux_store_settled_below(flux_store *s, int64_t *first, int64_t *below)
{
    int64_t unfinished = -1, last = -1;
    *first = -1;
    if (each_row(s, "SELECT MIN(id) FROM runs WHERE state IN ('queued', 'running')", NULL, 0, int_row, &unfinished,
                 "finding the oldest unfinished run") ||
        each_row(s, "SELECT MIN(id) FROM runs", NULL, 0, int_row, first, "finding the oldest run") ||
        each_row(s, "SELECT MAX(id) FROM runs", NULL, 0, int_row, &last, "finding the newest run"))
        return -1;
    if (*first < 0)
        *first = 0;
    *below = unfinished >= 0 ? unfinished : last >= 0 ? last + 1 : 0;
    return 0;
}

int flux_store_runs_after(flux_store *s, int64_t from, int64_t n, int64_t *id)
{
    *id = -1;
    param p[2] = {{NULL, from}, {NULL, n}};
    return each_row(s, "SELECT id FROM runs WHERE id >= ? ORDER BY id LIMIT 1 OFFSET ?", p, 2, int_row, id,
                    "counting runs");
}

int flux_store_runs_changed(flux_store *s, int64_t since_ms, int64_t below, bool *changed)
{
    int64_t hit = -1;
    param p[2] = {{NULL, since_ms}, {NULL, below}};
    if (each_row(s, "SELECT MIN(run) FROM events WHERE at >= ? AND run < ?", p, 2, int_row, &hit,
                 "reading the change feed"))
        return -1;
    *changed = hit >= 0;
    return 0;
}
