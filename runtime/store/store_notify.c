/* store_notify — the outbox of notifications and the deadlines missed:
 * a notice written with the transition that causes it, listed, claimed
 * by one sender with an attempt token, and marked sent or failed by that
 * token only; a deadline miss recorded once with its notices. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

void flux_notice_rows_free(flux_notice_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].note);
        free(rows[i].last_error);
    }
    free(rows);
}

static void free_rows(void *rows, size_t n)
{
    flux_notice_rows_free(rows, n);
}

static int read_notice(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_notice_row *r = row;
    bool oom = false;
    r->id = store_col_int(s, st, 0, 0);
    store_col_copy(s, st, 1, r->key, sizeof r->key);
    r->run = store_col_int(s, st, 2, 0);
    r->ti = store_col_int(s, st, 3, 0);
    store_col_copy(s, st, 4, r->task, sizeof r->task);
    r->try_number = (int)store_col_int(s, st, 5, 0);
    store_col_copy(s, st, 6, r->event, sizeof r->event);
    store_col_copy(s, st, 7, r->notifier, sizeof r->notifier);
    r->note = store_col_dup(s, st, 8, &oom);
    store_col_copy(s, st, 9, r->state, sizeof r->state);
    r->attempts = (int)store_col_int(s, st, 10, 0);
    r->last_error = store_col_dup(s, st, 11, &oom);
    r->next_at = store_col_int(s, st, 12, 0);
    store_col_copy(s, st, 13, r->claim, sizeof r->claim);
    r->claimed_at = store_col_int(s, st, 14, 0);
    r->created_at = store_col_int(s, st, 15, 0);
    r->sent_at = store_col_int(s, st, 16, 0);
    store_col_copy(s, st, 17, r->pipeline, sizeof r->pipeline);
    store_col_copy(s, st, 18, r->run_id, sizeof r->run_id);
    r->logical_date = store_col_int(s, st, 19, 0);
    return oom ? store_fail(s, "out of memory") : 0;
}

static int collect(flux_store *s, flux_db_stmt *st, flux_notice_row **rows, size_t *n)
{
    return store_collect(s, st, sizeof **rows, read_notice, free_rows, (void **)rows, n, "listing notifications") ? -1
                                                                                                                   : 0;
}

int flux_store_list_notices(flux_store *s, const char *state, flux_notice_row **rows, size_t *n)
{
    flux_db_stmt *st = store_use(s, ST_NOTICE_LIST);
    if (!st || store_bind(s, st, "ss", state ? state : "", state ? state : ""))
        return -1;
    return collect(s, st, rows, n);
}

int flux_store_due_notices(flux_store *s, const char *owner, int64_t now_ms, flux_notice_row **rows, size_t *n)
{
    flux_db_stmt *st = store_use(s, owner ? ST_NOTICE_DUE_OWNER : ST_NOTICE_DUE);
    if (!st || (owner ? store_bind(s, st, "is", now_ms, owner) : store_bind(s, st, "i", now_ms)))
        return -1;
    return collect(s, st, rows, n);
}

/* inside a transition's transaction; a key already written is the same
 * notice written again (a transition replayed), not a second one */
int store_put_notices(flux_store *s, int64_t run, int64_t ti, const flux_notice *v, size_t n, int64_t now_ms)
{
    for (size_t i = 0; i < n; i++) {
        flux_db_stmt *st = store_use(s, ST_NOTICE_INSERT);
        if (!st)
            return -1;
        if (store_bind(s, st, "sssssiiiii", v[i].key, v[i].task, v[i].event, v[i].notifier, v[i].note, now_ms,
                       now_ms, ti, run, ti))
            return -1;
        /* a try's notice names no run (its try's row does), a run's no try */
        int rc = FLUX_DB_OK;
        if (rc == FLUX_DB_OK && !ti)
            rc = s->drv->bind_null(st, 8);
        if (rc == FLUX_DB_OK && !ti)
            rc = s->drv->bind_null(st, 10);
        if (rc == FLUX_DB_OK && !run)
            rc = s->drv->bind_null(st, 9);
        if (rc != FLUX_DB_OK)
            return s->drv->reset(st), store_dbfail(s, rc, "binding a query parameter");
        rc = s->drv->step(st);
        s->drv->reset(st);
        if (rc != FLUX_DB_DONE && rc != FLUX_DB_DUP)
            return store_dbfail(s, rc, "recording a notification");
    }
    return FLUX_DB_OK;
}

typedef struct {
    int64_t id, now, stale;
    const char *token;
    bool claimed;
} claim_ctx;

static int claim_body(flux_store *s, void *vctx)
{
    claim_ctx *c = vctx;
    flux_db_stmt *st = store_use(s, ST_NOTICE_CLAIM);
    if (!st || store_bind(s, st, "siii", c->token, c->now, c->id, c->stale))
        return -1;
    int rc = s->drv->step(st);
    c->claimed = rc == FLUX_DB_DONE && s->drv->changes(st) == 1;
    s->drv->reset(st);
    return rc == FLUX_DB_DONE ? FLUX_DB_OK : store_dbfail(s, rc, "claiming a notification");
}

int flux_store_claim_notice(flux_store *s, int64_t id, const char *token, int64_t now_ms, int64_t stale_ms,
                            bool *claimed)
{
    if (store_check_name(s, "claim", token, 255))
        return -1;
    claim_ctx c = {id, now_ms, stale_ms, token, false};
    int rc = store_transact(s, claim_body, &c, ONE_STATEMENT);
    *claimed = !rc && c.claimed;
    return rc;
}

typedef struct {
    int64_t id, now, next;
    const char *token, *error, *state;
} result_ctx;

static int sent_body(flux_store *s, void *vctx)
{
    result_ctx *c = vctx;
    flux_db_stmt *st = store_use(s, ST_NOTICE_SENT);
    if (!st || store_bind(s, st, "iis", c->now, c->id, c->token))
        return -1;
    return store_run_stmt(s, st, "marking a notification sent");
}

int flux_store_notice_sent(flux_store *s, int64_t id, const char *token, int64_t now_ms)
{
    result_ctx c = {.id = id, .now = now_ms, .token = token};
    return store_transact(s, sent_body, &c, ONE_STATEMENT);
}

static int failed_body(flux_store *s, void *vctx)
{
    result_ctx *c = vctx;
    flux_db_stmt *st = store_use(s, ST_NOTICE_FAILED);
    if (!st || store_bind(s, st, "ssiis", c->state, c->error, c->next, c->id, c->token))
        return -1;
    return store_run_stmt(s, st, "recording a notification's failed attempt");
}

int flux_store_notice_failed(flux_store *s, int64_t id, const char *token, const char *error, int64_t next_at,
                             bool give_up)
{
    bool oom = false;
    char *fixed = store_utf8_fixed(error, &oom);
    if (oom)
        return store_fail(s, "out of memory"), -1;
    result_ctx c = {.id = id, .next = next_at, .token = token, .error = fixed ? fixed : error,
                    .state = give_up ? "failed" : "pending"};
    int rc = store_transact(s, failed_body, &c, ONE_STATEMENT);
    free(fixed);
    return rc;
}

typedef struct {
    int64_t run, deadline, now;
    const char *task;
    const flux_notice *v;
    size_t n;
    bool recorded;
} miss_ctx;

static int miss_body(flux_store *s, void *vctx)
{
    miss_ctx *c = vctx;
    c->recorded = false;
    flux_db_stmt *st = store_use(s, ST_DEADLINE_INSERT);
    if (!st || store_bind(s, st, "isii", c->run, c->task, c->deadline, c->now))
        return -1;
    int rc = s->drv->step(st);
    s->drv->reset(st);
    if (rc == FLUX_DB_DUP)
        return FLUX_DB_OK; /* recorded before, by this process or another: told then */
    if (rc != FLUX_DB_DONE)
        return store_dbfail(s, rc, "recording a missed deadline");
    c->recorded = true;
    return store_put_notices(s, c->run, 0, c->v, c->n, c->now);
}

int flux_store_deadline_miss(flux_store *s, int64_t run, const char *task, int64_t deadline_at, int64_t now_ms,
                             const flux_notice *notices, size_t n, bool *recorded)
{
    miss_ctx c = {run, deadline_at, now_ms, task ? task : "", notices, n, false};
    int rc = store_transact(s, miss_body, &c, MANY_STATEMENTS);
    if (recorded)
        *recorded = !rc && c.recorded;
    return rc;
}

static int read_miss(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_deadline_row *r = row;
    store_col_copy(s, st, 0, r->task, sizeof r->task);
    r->deadline_at = store_col_int(s, st, 1, 0);
    r->missed_at = store_col_int(s, st, 2, 0);
    return 0;
}

int flux_store_deadline_misses(flux_store *s, int64_t run, flux_deadline_row **rows, size_t *n)
{
    flux_db_stmt *st = store_use(s, ST_DEADLINE_LIST);
    if (!st || store_bind(s, st, "i", run))
        return -1;
    return store_collect(s, st, sizeof **rows, read_miss, NULL, (void **)rows, n, "listing missed deadlines") ? -1
                                                                                                              : 0;
}
