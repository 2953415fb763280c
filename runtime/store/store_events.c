/* store_events — the change feed: an events row written inside each run
 * and try transition's transaction, read by id for live pages (the web
 * UI's server-sent events), and pruned by age by the writers themselves,
 * now and then, so that no process has to be running to keep it small. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_private.h"

/* How often one connection prunes: rarely enough to cost nothing per
 * transition, often enough that a day's events never pile up for long. */
#define PRUNE_EVERY_MS (3600 * 1000LL)

int64_t store_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int event(flux_store *s, int which, int64_t id, const char *state, const char *was)
{
    flux_db_stmt *st = store_use(s, which);
    if (!st || store_bind(s, st, "isis", store_now_ms(), state, id, was))
        return -1;
    return store_run_stmt(s, st, "recording the change in the events feed");
}

int store_event_run(flux_store *s, int64_t run, const char *state, const char *was)
{
    return event(s, ST_EVENT_RUN, run, state, was);
}

int store_event_ti(flux_store *s, int64_t ti, const char *state, const char *was)
{
    return event(s, ST_EVENT_TI, ti, state, was);
}

typedef struct {
    int64_t before, deleted;
} prune_ctx;

static int prune_body(flux_store *s, void *vctx)
{
    prune_ctx *c = vctx;
    flux_db_stmt *st = store_use(s, ST_EVENTS_PRUNE);
    if (!st || store_bind(s, st, "i", c->before))
        return -1;
    int rc = s->drv->step(st);
    c->deleted = rc == FLUX_DB_DONE ? s->drv->changes(st) : 0;
    s->drv->reset(st);
    return rc == FLUX_DB_DONE ? FLUX_DB_OK : store_dbfail(s, rc, "deleting old events");
}

int flux_store_prune_events(flux_store *s, int64_t before_ms, int64_t *deleted)
{
    prune_ctx c = {before_ms, 0};
    int rc = store_transact(s, prune_body, &c, ONE_STATEMENT);
    if (deleted)
        *deleted = c.deleted;
    return rc;
}

/* A failed pruning is left to the next time: the transition it follows
 * has committed, and an old event more does no harm. Its message is kept
 * out of the store's error, which the caller may be about to read. */
void store_events_tidy(flux_store *s)
{
    int64_t now = store_now_ms();
    if (s->readonly || (s->events_pruned_at && now - s->events_pruned_at < PRUNE_EVERY_MS))
        return;
    s->events_pruned_at = now;
    char keep[sizeof s->err];
    memcpy(keep, s->err, sizeof keep);
    flux_store_prune_events(s, now - FLUX_EVENTS_KEEP_MS, NULL);
    memcpy(s->err, keep, sizeof keep);
}

static int read_event(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_event_row *r = row;
    r->id = store_col_int(s, st, 0, 0);
    r->at = store_col_int(s, st, 1, 0);
    store_col_copy(s, st, 2, r->kind, sizeof r->kind);
    r->run = store_col_int(s, st, 3, 0);
    r->ti = store_col_int(s, st, 4, 0);
    store_col_copy(s, st, 5, r->pipeline, sizeof r->pipeline);
    store_col_copy(s, st, 6, r->task, sizeof r->task);
    store_col_copy(s, st, 7, r->state, sizeof r->state);
    return 0;
}

int flux_store_events_since(flux_store *s, int64_t last_id, size_t limit, flux_event_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = store_use(s, ST_EVENTS_SINCE);
    int64_t lim = limit && limit < (size_t)INT64_MAX ? (int64_t)limit : INT64_MAX;
    if (!st || store_bind(s, st, "ii", last_id < 0 ? 0 : last_id, lim))
        return -1;
    return store_collect(s, st, sizeof **rows, read_event, NULL, (void **)rows, n, "reading the events feed");
}

int flux_store_events_head(flux_store *s, int64_t *id)
{
    *id = 0;
    flux_db_stmt *st = store_use(s, ST_EVENTS_HEAD);
    if (!st)
        return -1;
    int rc = s->drv->step(st);
    if (rc == FLUX_DB_ROW)
        *id = store_col_int(s, st, 0, 0);
    s->drv->reset(st);
    return rc == FLUX_DB_ROW ? 0 : store_dbfail(s, rc, "reading the events feed");
}
