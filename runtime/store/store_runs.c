/* store_runs — runs (created race-free between processes), their states,
 * and what schedulers share about them: heartbeats, the run_control row a
 * scheduler claims a run by, and the queries of the tick. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

int store_read_run(flux_store *s, flux_db_stmt *st, flux_run_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = store_col_int(s, st, 0, 0);
    store_col_copy(s, st, 1, r->pipeline, sizeof r->pipeline);
    store_col_copy(s, st, 2, r->run_id, sizeof r->run_id);
    store_col_copy(s, st, 3, r->plan_id, sizeof r->plan_id);
    store_col_copy(s, st, 4, r->trigger, sizeof r->trigger);
    const char *state = s->drv->column_text(st, 5);
    if (store_run_state_parse(state, &r->state))
        return store_fail(s, "run %lld has an unknown state '%s'", (long long)r->id, state ? state : "NULL");
    r->interval_start = store_col_int(s, st, 6, 0);
    r->interval_end = store_col_int(s, st, 7, 0);
    r->logical_date = store_col_int(s, st, 8, 0);
    r->created = store_col_int(s, st, 9, 0);
    r->started = store_col_int(s, st, 10, 0);
    r->ended = store_col_int(s, st, 11, 0);
    return 0;
}

/* Runs a statement that returns at most one run: 0 found, 1 none. */
static int one_run(flux_store *s, flux_db_stmt *st, flux_run_row *row)
{
    int rc = s->drv->step(st), r;
    if (rc == FLUX_DB_ROW)
        r = store_read_run(s, st, row);
    else if (rc == FLUX_DB_DONE)
        r = 1;
    else
        r = store_dbfail(s, rc, "reading a run");
    s->drv->reset(st);
    return r;
}

static bool trigger_ok(const char *t)
{
    return strcmp(t, "scheduled") == 0 || strcmp(t, "manual") == 0 || strcmp(t, "backfill") == 0;
}

typedef struct {
    const flux_run_row *in;
    const char *owner, *params;
    int64_t now;
    flux_run_row *row;
    bool created;
} create_run_ctx;

/* A plain INSERT whose duplicate-key failure means "another writer created
 * it first": both databases make the second of two concurrent inserts wait
 * for the first to commit and then fail with the duplicate, after which
 * the SELECT sees the winner's row. Any other failure (a foreign key, a bad
 * value) stays an error, which INSERT IGNORE would have hidden. */
static int create_run_body(flux_store *s, void *vctx)
{
    create_run_ctx *c = vctx;
    const flux_run_row *in = c->in;
    int rc = store_ensure_pipeline(s, in->pipeline, c->now);
    if (rc)
        return rc;
    if (*in->plan_id) {
        char owner[MAX_PIPELINE + 1];
        if ((rc = store_plan_pipeline(s, in->plan_id, owner, sizeof owner)) < 0)
            return rc;
        if (rc == 1)
            return store_fail(s, "plan %s is not in the store (record it with put_plan before creating runs)",
                        in->plan_id);
        if (strcmp(owner, in->pipeline) != 0)
            return store_fail(s, "plan %s belongs to pipeline '%s', not '%s'", in->plan_id, owner, in->pipeline);
    }
    flux_db_stmt *st = store_use(s, ST_RUN_INSERT);
    if (!st)
        return -1;
    int64_t started = in->started > 0 ? in->started : 0, ended = in->ended > 0 ? in->ended : 0;
    if (store_bind(s, st, "sssssiiiiii", in->pipeline, in->run_id, store_opt(in->plan_id), in->trigger,
             flux_run_state_name(in->state), in->interval_start, in->interval_end, in->logical_date, c->now,
             started, ended))
        return -1;
    if (!started && (rc = s->drv->bind_null(st, 10)) != FLUX_DB_OK)
        return s->drv->reset(st), store_dbfail(s, rc, "binding a query parameter");
    if (!ended && (rc = s->drv->bind_null(st, 11)) != FLUX_DB_OK)
        return s->drv->reset(st), store_dbfail(s, rc, "binding a query parameter");
    rc = s->drv->step(st);
    s->drv->reset(st);
    if (rc != FLUX_DB_DONE && rc != FLUX_DB_DUP)
        return store_dbfail(s, rc, "creating the run");
    c->created = rc == FLUX_DB_DONE;
    if (!(st = store_use(s, ST_RUN_BY_NAME)) || store_bind(s, st, "ss", in->pipeline, in->run_id))
        return -1;
    rc = one_run(s, st, c->row);
    if (rc == 1)
        return store_fail(s, "run %s of %s vanished while being created", in->run_id, in->pipeline);
    if (rc || !c->created)
        return rc;
    if ((rc = store_event_run(s, c->row->id, flux_run_state_name(c->row->state), "")))
        return rc;
    /* its owner (or none: queued for a scheduler) and params from the
     * start, in the same transaction: no reader ever sees the run without
     * them */
    if (!(st = store_use(s, ST_RC_INSERT)) ||
        (c->owner ? store_bind(s, st, "isis", c->row->id, c->owner, c->now, c->params)
                  : store_bind(s, st, "inns", c->row->id, c->params)))
        return -1;
    return store_run_stmt(s, st, "recording the run's owner");
}

int flux_store_create_run(flux_store *s, const flux_run_row *in, const char *owner, const char *params_json,
                          int64_t now_ms, flux_run_row *row, bool *created)
{
    /* the row's arrays may lack their terminator when filled by memcpy: check within bounds */
    if (!memchr(in->pipeline, 0, sizeof in->pipeline) || !memchr(in->run_id, 0, sizeof in->run_id) ||
        !memchr(in->plan_id, 0, sizeof in->plan_id) || !memchr(in->trigger, 0, sizeof in->trigger))
        return store_fail(s, "run row has an unterminated string"), -1;
    if (store_check_name(s, "pipeline name", in->pipeline, MAX_PIPELINE) ||
        store_check_name(s, "run id", in->run_id, MAX_RUN_ID) || store_check_len(s, "plan id", in->plan_id, MAX_PLAN_ID))
        return -1;
    if (!trigger_ok(in->trigger))
        return store_fail(s, "run trigger '%s' is not scheduled, manual or backfill", in->trigger), -1;
    if (!store_run_state_ok(in->state))
        return store_fail(s, "run state %d is not a run state", (int)in->state), -1;
    if (owner && store_check_name(s, "owner", owner, 255))
        return -1;
    flux_run_row tmp;
    create_run_ctx c = {in, owner, params_json, now_ms, row ? row : &tmp, false};
    int rc = store_transact(s, create_run_body, &c, MANY_STATEMENTS);
    if (created)
        *created = c.created;
    if (!rc && c.created)
        store_events_tidy(s);
    return rc;
}

int flux_store_get_run(flux_store *s, int64_t id, flux_run_row *row)
{
    flux_db_stmt *st = store_use(s, ST_RUN_BY_ID);
    if (!st || store_bind(s, st, "i", id))
        return -1;
    int rc = one_run(s, st, row);
    if (rc == 1)
        store_fail(s, "no run %lld", (long long)id);
    return rc < 0 ? -1 : rc;
}

int flux_store_find_run(flux_store *s, const char *pipeline, const char *run_id, flux_run_row *row)
{
    flux_db_stmt *st = store_use(s, ST_RUN_BY_NAME);
    if (!st || store_bind(s, st, "ss", pipeline ? pipeline : "", run_id ? run_id : ""))
        return -1;
    int rc = one_run(s, st, row);
    if (rc == 1)
        store_fail(s, "no run %s of %s", run_id ? run_id : "", pipeline ? pipeline : "");
    return rc < 0 ? -1 : rc;
}

int flux_store_previous_run(flux_store *s, const char *pipeline, int64_t logical_date, flux_run_row *row)
{
    flux_db_stmt *st = store_use(s, ST_RUN_PREVIOUS);
    if (!st || store_bind(s, st, "si", pipeline ? pipeline : "", logical_date))
        return -1;
    int rc = one_run(s, st, row);
    return rc < 0 ? -1 : rc;
}

typedef struct {
    int64_t id, now;
    flux_run_state st;
} run_state_ctx;

int store_set_run_state_in(flux_store *s, int64_t id, flux_run_state state, int64_t now)
{
    const char *name = flux_run_state_name(state);
    int rc = store_event_run(s, id, name, name);
    if (rc)
        return rc;
    flux_db_stmt *st = store_use(s, ST_RUN_SET_STATE);
    if (!st)
        return -1;
    bool ended = state == FLUX_RUN_SUCCESS || state == FLUX_RUN_FAILED;
    if (store_bind(s, st, "siiii", name, (int64_t)(state == FLUX_RUN_QUEUED), now, ended ? now : 0, id))
        return -1;
    if (!ended && (rc = s->drv->bind_null(st, 4)) != FLUX_DB_OK)
        return s->drv->reset(st), store_dbfail(s, rc, "binding a query parameter");
    rc = s->drv->step(st);
    int64_t n = rc == FLUX_DB_DONE ? s->drv->changes(st) : 0;
    s->drv->reset(st);
    if (rc != FLUX_DB_DONE)
        return store_dbfail(s, rc, "changing the run's state");
    if (n == 0)
        return store_fail(s, "no run %lld", (long long)id);
    return FLUX_DB_OK;
}

static int set_run_state_body(flux_store *s, void *vctx)
{
    run_state_ctx *c = vctx;
    return store_set_run_state_in(s, c->id, c->st, c->now);
}

/* queued (again, after a clear): started and ended are reset; running: started
 * is set unless it already was, ended is reset; success/failed: ended is now
 * (and started, if the run never ran). */
int flux_store_set_run_state(flux_store *s, int64_t id, flux_run_state st, int64_t now_ms)
{
    if (!store_run_state_ok(st))
        return store_fail(s, "run state %d is not a run state", (int)st), -1;
    run_state_ctx c = {id, now_ms, st};
    int rc = store_transact(s, set_run_state_body, &c, MANY_STATEMENTS);
    if (!rc)
        store_events_tidy(s);
    return rc;
}

int flux_store_list_runs(flux_store *s, const char *pipeline, size_t limit, flux_run_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = store_use(s, pipeline ? ST_RUNS_PIPELINE : ST_RUNS_ALL);
    if (!st)
        return -1;
    int64_t lim = limit ? (int64_t)limit : INT64_MAX;
    if (pipeline ? store_bind(s, st, "si", pipeline, lim) : store_bind(s, st, "i", lim))
        return -1;
    flux_run_row *out = NULL;
    size_t len = 0, cap = 0;
    int rc, r = 0;
    while ((rc = s->drv->step(st)) == FLUX_DB_ROW) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            flux_run_row *g = realloc(out, ncap * sizeof *out);
            if (!g) {
                r = store_fail(s, "out of memory");
                break;
            }
            out = g;
            cap = ncap;
        }
        if ((r = store_read_run(s, st, &out[len])))
            break;
        len++;
    }
    if (!r && rc != FLUX_DB_DONE)
        r = store_dbfail(s, rc, "listing runs");
    s->drv->reset(st);
    if (r) {
        free(out);
        return -1;
    }
    *rows = out;
    *n = len;
    return 0;
}

typedef struct {
    const char *id, *host;
    int64_t pid, started, now;
    bool stopped;
} beat_ctx;

static int bind_beat(flux_store *s, flux_db_stmt *st, bool insert, void *vctx)
{
    beat_ctx *c = vctx;
    if (insert)
        return c->stopped ? store_bind(s, st, "siiiis", c->host, c->pid, c->started, c->now, c->now, c->id)
                          : store_bind(s, st, "siiins", c->host, c->pid, c->started, c->now, c->id);
    return c->stopped ? store_bind(s, st, "iis", c->now, c->now, c->id) : store_bind(s, st, "ins", c->now, c->id);
}

static int beat_body(flux_store *s, void *vctx)
{
    beat_ctx *c = vctx;
    char gave_up[320];
    snprintf(gave_up, sizeof gave_up, "scheduler %s: its row keeps changing", c->id);
    store_upsert_spec u = {ST_SCHED_UPDATE, ST_SCHED_INSERT, bind_beat, "recording a heartbeat",
                           "registering the scheduler", gave_up};
    return store_upsert(s, &u, c);
}

int flux_store_heartbeat(flux_store *s, const char *id, const char *host, int pid, int64_t started_ms,
                         int64_t now_ms, bool stopped)
{
    if (store_check_name(s, "scheduler id", id, 255) || store_check_name(s, "host", host, 255))
        return -1;
    beat_ctx c = {id, host, pid, started_ms, now_ms, stopped};
    return store_transact(s, beat_body, &c, MANY_STATEMENTS);
}

static int read_scheduler(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_scheduler_row *r = row;
    store_col_copy(s, st, 0, r->id, sizeof r->id);
    store_col_copy(s, st, 1, r->host, sizeof r->host);
    r->pid = (int)store_col_int(s, st, 2, 0);
    r->started = store_col_int(s, st, 3, 0);
    r->heartbeat = store_col_int(s, st, 4, 0);
    r->stopped = store_col_int(s, st, 5, 0);
    return 0;
}

int flux_store_list_schedulers(flux_store *s, flux_scheduler_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = store_use(s, ST_SCHED_LIST);
    if (!st)
        return -1;
    return store_collect(s, st, sizeof **rows, read_scheduler, NULL, (void **)rows, n, "listing schedulers");
}

typedef struct {
    int64_t run, now;
    const char *owner, *steal_from;
    bool claimed;
} claim_ctx;

/* the run's control row, created when missing (runs created by a flux
 * older than owners have none) */
static int ensure_control(flux_store *s, int64_t run)
{
    flux_db_stmt *st = store_use(s, ST_RC_INSERT);
    if (!st || store_bind(s, st, "innn", run))
        return -1;
    int rc = s->drv->step(st);
    s->drv->reset(st);
    if (rc == FLUX_DB_DONE || rc == FLUX_DB_DUP)
        return FLUX_DB_OK;
    return store_dbfail(s, rc, "recording the run's control row");
}

static int claim_body(flux_store *s, void *vctx)
{
    claim_ctx *c = vctx;
    int rc = ensure_control(s, c->run);
    if (rc)
        return rc;
    flux_db_stmt *st = store_use(s, ST_RC_CLAIM);
    if (!st || store_bind(s, st, "siis", c->owner, c->now, c->run, c->steal_from ? c->steal_from : c->owner))
        return -1;
    rc = s->drv->step(st);
    c->claimed = rc == FLUX_DB_DONE && s->drv->changes(st) > 0;
    s->drv->reset(st);
    return rc == FLUX_DB_DONE ? FLUX_DB_OK : store_dbfail(s, rc, "claiming a run");
}

int flux_store_claim_run(flux_store *s, int64_t run, const char *owner, const char *steal_from, int64_t now_ms,
                         bool *claimed)
{
    if (store_check_name(s, "owner", owner, 255))
        return -1;
    claim_ctx c = {run, now_ms, owner, steal_from, false};
    int rc = store_transact(s, claim_body, &c, MANY_STATEMENTS);
    *claimed = c.claimed;
    return rc;
}

int flux_store_run_control(flux_store *s, int64_t run, char *owner, size_t ownerlen, char **params)
{
    if (owner && ownerlen)
        owner[0] = '\0';
    if (params)
        *params = NULL;
    flux_db_stmt *st = store_use(s, ST_RC_GET);
    if (!st || store_bind(s, st, "i", run))
        return -1;
    int rc = s->drv->step(st);
    bool oom = false;
    if (rc == FLUX_DB_ROW) {
        if (owner && ownerlen)
            store_col_copy(s, st, 0, owner, ownerlen);
        if (params)
            *params = store_col_dup(s, st, 1, &oom);
    }
    s->drv->reset(st);
    if (oom)
        return store_fail(s, "out of memory"), -1;
    if (rc == FLUX_DB_ROW)
        return 0;
    return rc == FLUX_DB_DONE ? 1 : (store_dbfail(s, rc, "reading the run's control row"), -1);
}

static int read_id(flux_store *s, flux_db_stmt *st, void *row)
{
    *(int64_t *)row = store_col_int(s, st, 0, 0);
    return 0;
}

int flux_store_runs_owned(flux_store *s, const char *owner, int64_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    flux_db_stmt *st = store_use(s, ST_RUNS_OWNED);
    if (!st || store_bind(s, st, "s", owner ? owner : ""))
        return -1;
    return store_collect(s, st, sizeof **ids, read_id, NULL, (void **)ids, n, "listing a process's runs");
}

static int read_run_row(flux_store *s, flux_db_stmt *st, void *row)
{
    return store_read_run(s, st, row);
}

int flux_store_unfinished_runs(flux_store *s, flux_run_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = store_use(s, ST_RUNS_UNFINISHED);
    if (!st)
        return -1;
    return store_collect(s, st, sizeof **rows, read_run_row, NULL, (void **)rows, n, "listing unfinished runs");
}

int flux_store_last_scheduled(flux_store *s, const char *pipeline, int64_t *interval_start)
{
    flux_db_stmt *st = store_use(s, ST_RUN_LAST_SCHEDULED);
    if (!st || store_bind(s, st, "s", pipeline ? pipeline : ""))
        return -1;
    int rc = s->drv->step(st);
    bool none = rc != FLUX_DB_ROW || s->drv->column_null(st, 0);
    if (rc == FLUX_DB_ROW && !none)
        *interval_start = store_col_int(s, st, 0, 0);
    s->drv->reset(st);
    if (rc != FLUX_DB_ROW && rc != FLUX_DB_DONE)
        return store_dbfail(s, rc, "reading the last scheduled run"), -1;
    return none ? 1 : 0;
}

int flux_store_active_runs(flux_store *s, const char *pipeline, int *n)
{
    flux_db_stmt *st = store_use(s, ST_RUNS_ACTIVE);
    if (!st || store_bind(s, st, "s", pipeline ? pipeline : ""))
        return -1;
    int rc = s->drv->step(st);
    *n = rc == FLUX_DB_ROW ? (int)store_col_int(s, st, 0, 0) : 0;
    s->drv->reset(st);
    return rc == FLUX_DB_ROW ? 0 : (store_dbfail(s, rc, "counting active runs"), -1);
}
