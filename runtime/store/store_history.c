/* store_history — the queries behind the web UI's history views: the
 * grid's cells (the latest try of each task of a pipeline's newest runs),
 * runs per day and state, and transfer counts over runs. Each is one query
 * that the database bounds (WHERE, GROUP BY, LIMIT on an index), so a
 * store of a million tries is never read whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

static int read_cell(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_grid_cell *c = row;
    c->run = store_col_int(s, st, 0, 0);
    c->ti = store_col_int(s, st, 1, 0);
    store_col_copy(s, st, 2, c->task, sizeof c->task);
    c->try_number = (int)store_col_int(s, st, 3, 0);
    const char *state = s->drv->column_text(st, 4);
    if (flux_ti_state_parse(state, &c->state))
        return store_fail(s, "task instance %lld has an unknown state '%s'", (long long)c->ti, state ? state : "NULL");
    c->started = store_col_int(s, st, 5, 0);
    c->ended = store_col_int(s, st, 6, 0);
    return 0;
}

int flux_store_grid_cells(flux_store *s, const char *pipeline, size_t nruns, flux_grid_cell **cells, size_t *n)
{
    *cells = NULL;
    *n = 0;
    flux_db_stmt *st = store_use(s, ST_GRID_CELLS);
    if (!st || store_bind(s, st, "si", pipeline ? pipeline : "", (int64_t)(nruns ? nruns : 1)))
        return -1;
    return store_collect(s, st, sizeof **cells, read_cell, NULL, (void **)cells, n, "reading the grid");
}

/* one (day, pipeline, state, count) row, merged into the last stat when it
 * is the same day and pipeline (the rows come ordered that way) */
typedef struct {
    int64_t day, count;
    char pipeline[256];
    char state[16];
} day_state;

static int read_day_state(flux_store *s, flux_db_stmt *st, void *row)
{
    day_state *d = row;
    d->day = store_col_int(s, st, 0, 0);
    store_col_copy(s, st, 1, d->pipeline, sizeof d->pipeline);
    store_col_copy(s, st, 2, d->state, sizeof d->state);
    d->count = store_col_int(s, st, 3, 0);
    return 0;
}

static int by_day_pipeline(const void *x, const void *y)
{
    const day_state *a = x, *b = y;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return strcmp(a->pipeline, b->pipeline);
}

int flux_store_daily_stats(flux_store *s, const char *pipeline, int64_t since_ms, flux_day_stat **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = store_use(s, pipeline ? ST_DAILY_PIPELINE : ST_DAILY_ALL);
    if (!st || (pipeline ? store_bind(s, st, "si", pipeline, since_ms) : store_bind(s, st, "i", since_ms)))
        return -1;
    day_state *d;
    size_t nd;
    if (store_collect(s, st, sizeof *d, read_day_state, NULL, (void **)&d, &nd, "counting runs per day"))
        return -1;
    qsort(d, nd, sizeof *d, by_day_pipeline);
    flux_day_stat *out = nd ? calloc(nd, sizeof *out) : NULL;
    if (nd && !out) {
        free(d);
        return store_fail(s, "out of memory"), -1;
    }
    size_t len = 0;
    for (size_t i = 0; i < nd; i++) {
        if (!len || out[len - 1].day != d[i].day || strcmp(out[len - 1].pipeline, d[i].pipeline)) {
            out[len].day = d[i].day;
            memcpy(out[len].pipeline, d[i].pipeline, sizeof out[len].pipeline);
            len++;
        }
        flux_day_stat *o = &out[len - 1];
        flux_run_state rs;
        if (store_run_state_parse(d[i].state, &rs) == 0)
            *(rs == FLUX_RUN_QUEUED    ? &o->queued
              : rs == FLUX_RUN_RUNNING ? &o->running
              : rs == FLUX_RUN_SUCCESS ? &o->succeeded
                                       : &o->failed) += d[i].count;
    }
    free(d);
    *rows = out;
    *n = len;
    return 0;
}

static int read_transfer(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_transfer_row *r = row;
    r->run = store_col_int(s, st, 0, 0);
    store_col_copy(s, st, 1, r->run_id, sizeof r->run_id);
    store_col_copy(s, st, 2, r->pipeline, sizeof r->pipeline);
    r->logical_date = store_col_int(s, st, 3, 0);
    store_col_copy(s, st, 4, r->task, sizeof r->task);
    r->ti = store_col_int(s, st, 5, 0);
    r->try_number = (int)store_col_int(s, st, 6, 0);
    r->read = store_col_int(s, st, 7, 0);
    r->written = store_col_int(s, st, 8, 0);
    r->rejected = store_col_int(s, st, 9, 0);
    r->bytes = store_col_int(s, st, 10, 0);
    return 0;
}

/* the last run of the window of w runs (of pipeline) before the cursor
 * (date, id): 0 with *last, 1 when the runs end first, -1 */
static int window_last(flux_store *s, const char *pipeline, int64_t date, int64_t id, int64_t w, flux_run_key *last)
{
    flux_db_stmt *st = store_use(s, pipeline ? ST_XFER_WINDOW_PIPELINE : ST_XFER_WINDOW_ALL);
    if (!st || (pipeline ? store_bind(s, st, "siiii", pipeline, date, date, id, w - 1)
                         : store_bind(s, st, "iiii", date, date, id, w - 1)))
        return -1;
    int rc = s->drv->step(st);
    if (rc == FLUX_DB_ROW) {
        last->logical_date = s->drv->column_int(st, 0);
        last->id = s->drv->column_int(st, 1);
    }
    s->drv->reset(st);
    return rc == FLUX_DB_ROW ? 0 : rc == FLUX_DB_DONE ? 1 : store_dbfail(s, rc, "reading transfer counts");
}

/* Windows of runs, newest first, each read by the runs' date index and
 * their tries' run index, until limit rows: the newest counts cost the
 * newest runs, not a sort of every count in the store (most runs of most
 * pipelines count nothing). A window grows fourfold, from 64 runs to 4096. */
int flux_store_transfers(flux_store *s, const char *pipeline, const char *task, size_t limit,
                         flux_transfer_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    int which = pipeline ? (task ? ST_XFER_PIPELINE_TASK : ST_XFER_PIPELINE) : (task ? ST_XFER_TASK : ST_XFER_ALL);
    int64_t want = limit && limit < (size_t)INT64_MAX ? (int64_t)limit : INT64_MAX;
    flux_run_key cursor = {INT64_MAX, INT64_MAX}, last = {0};
    flux_transfer_row *out = NULL;
    size_t got = 0;
    for (int64_t w = 64;; w = w < 4096 ? 4 * w : w) {
        int wr = window_last(s, pipeline, cursor.logical_date, cursor.id, w, &last);
        if (wr < 0)
            goto fail;
        if (wr > 0) /* the last window: to the oldest run */
            last = (flux_run_key){INT64_MIN, INT64_MIN};
        flux_db_stmt *st = store_use(s, which);
        int64_t c[7] = {cursor.logical_date, cursor.logical_date, cursor.id, last.logical_date, last.logical_date,
                        last.id, want};
        int rc = !st ? -1
                 : pipeline && task
                     ? store_bind(s, st, "ssiiiiiii", pipeline, task, c[0], c[1], c[2], c[3], c[4], c[5], c[6])
                 : pipeline ? store_bind(s, st, "siiiiiii", pipeline, c[0], c[1], c[2], c[3], c[4], c[5], c[6])
                 : task     ? store_bind(s, st, "siiiiiii", task, c[0], c[1], c[2], c[3], c[4], c[5], c[6])
                            : store_bind(s, st, "iiiiiii", c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
        flux_transfer_row *part;
        size_t np;
        if (rc || store_collect(s, st, sizeof *part, read_transfer, NULL, (void **)&part, &np,
                                "reading transfer counts"))
            goto fail;
        if (np) {
            flux_transfer_row *grown = realloc(out, (got + np) * sizeof *out);
            if (!grown)
                abort();
            out = grown;
            memcpy(out + got, part, np * sizeof *part);
            got += np;
            want -= (int64_t)np;
        }
        free(part);
        if (want <= 0 || wr > 0)
            break;
        cursor = last;
    }
    *rows = out;
    *n = got;
    return 0;
fail:
    free(out);
    return -1;
}
