/* store_tis — task instances, one row per try: inserting a try, its
 * transitions, the tries of a run or of a task at a date, and how much of
 * a try's log flux-wrap dropped to keep it under max_log_size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_private.h"

void flux_ti_row_free(flux_ti_row *r)
{
    if (!r)
        return;
    free(r->rendered);
    free(r->outputs);
    free(r->note);
    r->rendered = r->outputs = r->note = NULL;
}

void flux_ti_rows_free(flux_ti_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        flux_ti_row_free(&rows[i]);
    free(rows);
}

static int read_ti(flux_store *s, flux_db_stmt *st, flux_ti_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = store_col_int(s, st, 0, 0);
    r->run = store_col_int(s, st, 1, 0);
    store_col_copy(s, st, 2, r->task, sizeof r->task);
    r->try_number = (int)store_col_int(s, st, 3, 0);
    const char *state = s->drv->column_text(st, 4);
    if (flux_ti_state_parse(state, &r->state))
        return store_fail(s, "task instance %lld has an unknown state '%s'", (long long)r->id, state ? state : "NULL");
    r->queued = store_col_int(s, st, 5, 0);
    r->started = store_col_int(s, st, 6, 0);
    r->ended = store_col_int(s, st, 7, 0);
    r->exit_status = (int)store_col_int(s, st, 8, -1);
    r->pid = (int)store_col_int(s, st, 9, 0);
    store_col_copy(s, st, 10, r->host, sizeof r->host);
    store_col_copy(s, st, 11, r->log_path, sizeof r->log_path);
    bool oom = false;
    r->rendered = store_col_dup(s, st, 12, &oom);
    r->outputs = store_col_dup(s, st, 13, &oom);
    r->note = store_col_dup(s, st, 14, &oom);
    r->ready = store_col_int(s, st, 15, 0);
    if (oom) {
        flux_ti_row_free(r);
        return store_fail(s, "out of memory");
    }
    return 0;
}

typedef struct {
    int64_t run, ready, now;
    const char *task, *note;
    int try_number;
    flux_ti_state st;
    int64_t id;
} ti_insert_ctx;

/* the row and its event; the caller's transaction */
static int ti_insert_row(flux_store *s, ti_insert_ctx *c)
{
    flux_db_stmt *st = store_use(s, ST_TI_INSERT);
    if (!st || store_bind(s, st, "isisiis", c->run, c->task, (int64_t)c->try_number, flux_ti_state_name(c->st),
                          c->now, c->ready, c->note))
        return -1;
    int rc = c->ready > 0 ? FLUX_DB_OK : s->drv->bind_null(st, 6);
    if (rc != FLUX_DB_OK)
        return s->drv->reset(st), store_dbfail(s, rc, "binding a query parameter");
    rc = s->drv->step(st);
    c->id = rc == FLUX_DB_DONE ? s->drv->last_id(st) : 0;
    s->drv->reset(st);
    if (rc == FLUX_DB_DUP)
        return store_fail(s, "try %d of task %s of run %lld is already recorded", c->try_number, c->task,
                    (long long)c->run);
    if (rc != FLUX_DB_DONE) {
        char what[400];
        snprintf(what, sizeof what, "recording try %d of task %s of run %lld", c->try_number, c->task,
                 (long long)c->run);
        return store_dbfail(s, rc, what);
    }
    return store_event_ti(s, c->id, flux_ti_state_name(c->st), "");
}

static int ti_insert_body(flux_store *s, void *vctx)
{
    return ti_insert_row(s, vctx);
}

int flux_store_ti_insert_ready(flux_store *s, int64_t run, const char *task, int try_number, flux_ti_state st,
                               int64_t ready_ms, int64_t now_ms, int64_t *id)
{
    if (store_check_name(s, "task id", task, MAX_TASK))
        return -1;
    if (try_number < 1)
        return store_fail(s, "try number %d of task %s is not 1 or more", try_number, task), -1;
    if (!store_ti_state_ok(st))
        return store_fail(s, "task instance state %d is not a state", (int)st), -1;
    ti_insert_ctx c = {run, ready_ms, now_ms, task, NULL, try_number, st, 0};
    int rc = store_transact(s, ti_insert_body, &c, MANY_STATEMENTS);
    if (id)
        *id = rc ? 0 : c.id;
    if (!rc)
        store_events_tidy(s);
    return rc;
}

int flux_store_ti_insert(flux_store *s, int64_t run, const char *task, int try_number, flux_ti_state st,
                         int64_t now_ms, int64_t *id)
{
    return flux_store_ti_insert_ready(s, run, task, try_number, st, 0, now_ms, id);
}

typedef struct {
    int64_t run, now;
    const char *const *tasks;
    size_t ntasks;
} clear_ctx;

/* the task's last try number in the run, 0 when it has none */
static int last_try(flux_store *s, int64_t run, const char *task, int *n)
{
    flux_db_stmt *st = store_use(s, ST_TI_LAST_TRY);
    if (!st || store_bind(s, st, "is", run, task))
        return -1;
    int rc = s->drv->step(st);
    *n = rc == FLUX_DB_ROW ? (int)store_col_int(s, st, 0, 0) : 0;
    s->drv->reset(st);
    return rc == FLUX_DB_ROW || rc == FLUX_DB_DONE ? FLUX_DB_OK : store_dbfail(s, rc, "reading a task's last try");
}

static int clear_body(flux_store *s, void *vctx)
{
    clear_ctx *c = vctx;
    for (size_t i = 0; i < c->ntasks; i++) {
        int last, rc = last_try(s, c->run, c->tasks[i], &last);
        if (rc)
            return rc;
        ti_insert_ctx t = {c->run, 0, c->now, c->tasks[i], "cleared", last + 1, FLUX_TI_NONE, 0};
        if ((rc = ti_insert_row(s, &t)))
            return rc;
    }
    return store_set_run_state_in(s, c->run, FLUX_RUN_QUEUED, c->now);
}

int flux_store_clear_tries(flux_store *s, int64_t run, const char *const *tasks, size_t ntasks, int64_t now_ms)
{
    for (size_t i = 0; i < ntasks; i++)
        if (store_check_name(s, "task id", tasks[i], MAX_TASK))
            return -1;
    clear_ctx c = {run, now_ms, tasks, ntasks};
    int rc = store_transact(s, clear_body, &c, MANY_STATEMENTS);
    if (!rc)
        store_events_tidy(s);
    return rc;
}

typedef struct {
    int64_t id;
    flux_ti_state st;
    int64_t started, ended;
    int pid, exit_status;
    const char *host, *log_path, *rendered, *outputs, *note;
    const flux_notice *notices;
    size_t nnotices;
    int64_t now;
} ti_update_ctx;

static int ti_update_body(flux_store *s, void *vctx)
{
    ti_update_ctx *c = vctx;
    const char *state = flux_ti_state_name(c->st);
    int rc = store_event_ti(s, c->id, state, state);
    if (rc)
        return rc;
    flux_db_stmt *st = store_use(s, ST_TI_UPDATE);
    if (!st)
        return -1;
    /* (keep, value) pairs; "none" values (0 times and pid, exit -1) are bound as NULL below */
    if (store_bind(s, st, "siiiiiiiisssssi", flux_ti_state_name(c->st), (int64_t)(c->started < 0), c->started,
             (int64_t)(c->ended < 0), c->ended, (int64_t)(c->pid < 0), (int64_t)c->pid,
             (int64_t)(c->exit_status < -1), (int64_t)c->exit_status, c->host, c->log_path, c->rendered,
             c->outputs, c->note, c->id))
        return -1;
    if (c->started <= 0)
        rc = s->drv->bind_null(st, 3);
    if (rc == FLUX_DB_OK && c->ended <= 0)
        rc = s->drv->bind_null(st, 5);
    if (rc == FLUX_DB_OK && c->pid <= 0)
        rc = s->drv->bind_null(st, 7);
    if (rc == FLUX_DB_OK && c->exit_status <= -1)
        rc = s->drv->bind_null(st, 9);
    if (rc != FLUX_DB_OK)
        return s->drv->reset(st), store_dbfail(s, rc, "binding a query parameter");
    rc = s->drv->step(st);
    int64_t n = rc == FLUX_DB_DONE ? s->drv->changes(st) : 0;
    s->drv->reset(st);
    if (rc != FLUX_DB_DONE)
        return store_dbfail(s, rc, "updating the task instance");
    if (n == 0)
        return store_fail(s, "no task instance %lld", (long long)c->id);
    if (c->nnotices) /* the outbox: in this same transaction */
        return store_put_notices(s, 0, c->id, c->notices, c->nnotices, c->now);
    return FLUX_DB_OK;
}

int flux_store_ti_update(flux_store *s, int64_t id, const flux_ti_patch *p)
{
    const char *host = p->host, *log_path = p->log_path, *rendered = p->rendered, *outputs = p->outputs,
               *note = p->note;
    flux_ti_state st = p->state;
    /* the body's encoding: < 0 unchanged, 0 none (NULL); exit < -1 unchanged, -1 none */
    int64_t started_ms = p->started_ms == 0 ? -1 : p->started_ms < 0 ? 0 : p->started_ms;
    int64_t ended_ms = p->ended_ms == 0 ? -1 : p->ended_ms < 0 ? 0 : p->ended_ms;
    int pid = p->pid == 0 ? -1 : p->pid < 0 ? 0 : p->pid;
    int exit_status = !p->set_exit ? -2 : p->exit_status < -1 ? -1 : p->exit_status;
    if (!store_ti_state_ok(st))
        return store_fail(s, "task instance state %d is not a state", (int)st), -1;
    if (store_check_len(s, "host", host, MAX_HOST) || store_check_len(s, "log path", log_path, MAX_LOG_PATH))
        return -1;
    bool oom = false;
    char *fixed[5] = {store_utf8_fixed(host, &oom), store_utf8_fixed(log_path, &oom), store_utf8_fixed(rendered, &oom),
                      store_utf8_fixed(outputs, &oom), store_utf8_fixed(note, &oom)};
    int rc = -1;
    if (oom)
        store_fail(s, "out of memory");
    else {
        ti_update_ctx c = {id,
                           st,
                           started_ms,
                           ended_ms,
                           pid,
                           exit_status,
                           fixed[0] ? fixed[0] : host,
                           fixed[1] ? fixed[1] : log_path,
                           fixed[2] ? fixed[2] : rendered,
                           fixed[3] ? fixed[3] : outputs,
                           fixed[4] ? fixed[4] : note,
                           p->notices,
                           p->nnotices,
                           p->ended_ms > 0 ? p->ended_ms : (int64_t)time(NULL) * 1000};
        /* a replacement can push a name past its column; check again */
        if (!store_check_len(s, "host", c.host, MAX_HOST) && !store_check_len(s, "log path", c.log_path, MAX_LOG_PATH))
            rc = store_transact(s, ti_update_body, &c, MANY_STATEMENTS);
    }
    if (!rc)
        store_events_tidy(s);
    for (int i = 0; i < 5; i++)
        free(fixed[i]);
    return rc;
}

/* Reads all rows of a statement returning TI_COLS. */
static int ti_rows(flux_store *s, flux_db_stmt *st, flux_ti_row **rows, size_t *n)
{
    flux_ti_row *out = NULL;
    size_t len = 0, cap = 0;
    int rc, r = 0;
    while ((rc = s->drv->step(st)) == FLUX_DB_ROW) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            flux_ti_row *g = realloc(out, ncap * sizeof *out);
            if (!g) {
                r = store_fail(s, "out of memory");
                break;
            }
            out = g;
            cap = ncap;
        }
        if ((r = read_ti(s, st, &out[len])))
            break;
        len++;
    }
    if (!r && rc != FLUX_DB_DONE)
        r = store_dbfail(s, rc, "listing task instances");
    s->drv->reset(st);
    if (r) {
        flux_ti_rows_free(out, len);
        return -1;
    }
    *rows = out;
    *n = len;
    return 0;
}

int flux_store_list_tis(flux_store *s, int64_t run, flux_ti_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = store_use(s, ST_TI_LIST);
    if (!st || store_bind(s, st, "i", run))
        return -1;
    return ti_rows(s, st, rows, n);
}

/* The first row of st: 0, or 1 when it has none (the caller says what was
 * missing), -1 on an error. The row takes over the malloc'd strings. */
static int first_ti(flux_store *s, flux_db_stmt *st, flux_ti_row *row)
{
    flux_ti_row *rows;
    size_t n;
    if (ti_rows(s, st, &rows, &n))
        return -1;
    if (n == 0) {
        free(rows);
        return 1;
    }
    *row = rows[0];
    free(rows);
    return 0;
}

int flux_store_latest_ti_at(flux_store *s, const char *pipeline, int64_t logical_date, const char *task,
                            flux_ti_row *row)
{
    memset(row, 0, sizeof *row);
    flux_db_stmt *st = store_use(s, ST_TI_LATEST_AT);
    if (!st || store_bind(s, st, "sis", pipeline ? pipeline : "", logical_date, task ? task : ""))
        return -1;
    int rc = first_ti(s, st, row);
    if (rc == 1)
        store_fail(s, "no try of task %s of %s for that interval", task ? task : "", pipeline ? pipeline : "");
    return rc;
}

int flux_store_latest_ti(flux_store *s, const char *pipeline, const char *run_id, const char *task,
                         flux_ti_row *row)
{
    memset(row, 0, sizeof *row);
    flux_db_stmt *st = store_use(s, ST_TI_LATEST);
    if (!st || store_bind(s, st, "sss", pipeline ? pipeline : "", run_id ? run_id : "", task ? task : ""))
        return -1;
    int rc = first_ti(s, st, row);
    if (rc == 1)
        store_fail(s, "no try of task %s in run %s of %s", task ? task : "", run_id ? run_id : "",
                   pipeline ? pipeline : "");
    return rc;
}

int flux_store_put_log_cut(flux_store *s, int64_t ti, int64_t dropped, int64_t max_log_size)
{
    if (dropped < 0 || max_log_size < 0)
        return store_fail(s, "the log cut of task instance %lld is negative", (long long)ti), -1;
    int64_t v[] = {dropped, max_log_size, ti};
    return store_put_ti_ints(s, ST_LOGCUT_UPDATE, ST_LOGCUT_INSERT, v, 3, "a log's cut");
}

int flux_store_get_log_cut(flux_store *s, int64_t ti, int64_t *dropped, int64_t *max_log_size)
{
    int64_t v[2];
    int rc = store_get_ti_ints(s, ST_LOGCUT_GET, ti, v, 2, "log cut");
    if (rc == 0) {
        *dropped = v[0];
        *max_log_size = v[1];
    }
    return rc;
}

/* one (ti, kind, four values) row: kind 0 counts, 1 a log's cut */
static int read_extra(flux_store *s, flux_db_stmt *st, void *out)
{
    flux_ti_extras *e = out;
    e->ti = store_col_int(s, st, 0, 0);
    int64_t v[4];
    for (int i = 0; i < 4; i++)
        v[i] = store_col_int(s, st, 2 + i, 0);
    if (store_col_int(s, st, 1, 0) == 0)
        e->has_counts = true, e->read = v[0], e->written = v[1], e->rejected = v[2], e->bytes = v[3];
    else
        e->has_cut = true, e->dropped = v[0], e->max_log_size = v[1];
    return 0;
}

int flux_store_run_extras(flux_store *s, int64_t run, flux_ti_extras **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = store_use(s, ST_RUN_EXTRAS);
    if (!st || store_bind(s, st, "ii", run, run))
        return -1;
    flux_ti_extras *v;
    size_t k;
    if (store_collect(s, st, sizeof *v, read_extra, NULL, (void **)&v, &k, "reading a run's counts and log cuts"))
        return -1;
    /* a try with both came as two rows, its counts then its cut: one */
    size_t w = 0;
    for (size_t i = 0; i < k; i++) {
        if (w && v[w - 1].ti == v[i].ti) {
            flux_ti_extras *e = &v[w - 1];
            e->has_cut = true, e->dropped = v[i].dropped, e->max_log_size = v[i].max_log_size;
        } else {
            v[w++] = v[i];
        }
    }
    *rows = v;
    *n = w;
    return 0;
}

const flux_ti_extras *flux_ti_extras_find(const flux_ti_extras *rows, size_t n, int64_t ti)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rows[mid].ti < ti)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && rows[lo].ti == ti ? &rows[lo] : NULL;
}
