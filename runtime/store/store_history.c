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

int flux_store_transfers(flux_store *s, const char *pipeline, const char *task, size_t limit,
                         flux_transfer_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    int which = pipeline ? (task ? ST_XFER_PIPELINE_TASK : ST_XFER_PIPELINE) : (task ? ST_XFER_TASK : ST_XFER_ALL);
    flux_db_stmt *st = store_use(s, which);
    int64_t lim = limit && limit < (size_t)INT64_MAX ? (int64_t)limit : INT64_MAX;
    if (!st)
        return -1;
    int rc = pipeline && task ? store_bind(s, st, "ssi", pipeline, task, lim)
             : pipeline       ? store_bind(s, st, "si", pipeline, lim)
             : task           ? store_bind(s, st, "si", task, lim)
                              : store_bind(s, st, "i", lim);
    if (rc)
        return -1;
    return store_collect(s, st, sizeof **rows, read_transfer, NULL, (void **)rows, n, "reading transfer counts");
}
