/* history — the web UI's views of what ran (grid, gantt, runs per day,
 * transfers) as JSON values; see history.h. The store bounds every query;
 * this file only shapes rows already limited. */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "views.h"

static json_t *failed(flux_store *s, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", flux_store_error(s));
    return NULL;
}

static json_t *cell_json(const flux_grid_cell *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "task", json_string(c->task));
    json_object_set_new(o, "state", json_string(flux_ti_state_name(c->state)));
    json_object_set_new(o, "try_number", json_integer(c->try_number));
    json_object_set_new(o, "ti", json_integer(c->ti));
    json_object_set_new(o, "duration_ms",
                        c->started && c->ended >= c->started ? json_integer(c->ended - c->started) : json_null());
    return o;
}

/* One run's row: its cells in the order of tasks (by name through
 * index, an object of task -> position). */
static json_t *grid_row(const flux_run_row *run, const flux_grid_cell *cells, size_t ncells, json_t *index,
                        size_t ntasks)
{
    json_t *row = flux_view_run(run), *cs = json_array();
    for (size_t i = 0; i < ntasks; i++)
        json_array_append_new(cs, json_null());
    for (size_t i = 0; i < ncells; i++) {
        json_t *at = cells[i].run == run->id ? json_object_get(index, cells[i].task) : NULL;
        if (at)
            json_array_set_new(cs, (size_t)json_integer_value(at), cell_json(&cells[i]));
    }
    json_object_set_new(row, "cells", cs);
    return row;
}

json_t *flux_view_grid(flux_store *s, const char *pipeline, size_t nruns, char *err, size_t errlen)
{
    flux_run_row *runs;
    size_t nr;
    if (flux_store_list_runs(s, pipeline, nruns ? nruns : 1, &runs, &nr) != 0)
        return failed(s, err, errlen);
    flux_grid_cell *cells;
    size_t nc;
    if (flux_store_grid_cells(s, pipeline, nruns, &cells, &nc) != 0) {
        free(runs);
        return failed(s, err, errlen);
    }
    const char *plan_id = nr ? runs[0].plan_id : "";
    json_t *tasks = flux_view_plan_tasks(s, plan_id), *index = json_object();
    for (size_t i = 0; i < json_array_size(tasks); i++)
        json_object_set_new(index, json_string_value(json_array_get(tasks, i)), json_integer((json_int_t)i));
    json_t *rows = json_array();
    /* cells grouped by run: each run's row takes its own (a run holds at most ntasks) */
    for (size_t r = 0; r < nr; r++)
        json_array_append_new(rows, grid_row(&runs[r], cells, nc, index, json_array_size(tasks)));
    json_t *root = json_object();
    json_object_set_new(root, "pipeline", json_string(pipeline ? pipeline : ""));
    json_object_set_new(root, "plan_id", plan_id[0] ? json_string(plan_id) : json_null());
    json_object_set_new(root, "tasks", tasks);
    json_object_set_new(root, "runs", rows);
    json_decref(index);
    free(cells);
    free(runs);
    return root;
}

/* the first known time of a try: when it became ready, else queued, else started */
static int64_t first_time(const flux_ti_row *t)
{
    return t->ready ? t->ready : t->queued ? t->queued : t->started;
}

static int by_time(const void *x, const void *y)
{
    const flux_ti_row *a = x, *b = y;
    int64_t ta = first_time(a), tb = first_time(b);
    if (ta != tb)
        return ta < tb ? -1 : 1;
    if (a->started != b->started)
        return a->started < b->started ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

json_t *flux_view_gantt(flux_store *s, int64_t run, char *err, size_t errlen)
{
    flux_run_row r;
    int rc = flux_store_get_run(s, run, &r);
    if (rc != 0)
        return failed(s, err, errlen);
    flux_ti_row *rows;
    size_t n;
    if (flux_store_list_tis(s, run, &rows, &n) != 0)
        return failed(s, err, errlen);
    qsort(rows, n, sizeof *rows, by_time);
    json_t *tries = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_object();
        json_object_set_new(t, "task", json_string(rows[i].task));
        json_object_set_new(t, "try_number", json_integer(rows[i].try_number));
        json_object_set_new(t, "ti", json_integer(rows[i].id));
        json_object_set_new(t, "state", json_string(flux_ti_state_name(rows[i].state)));
        json_object_set_new(t, "ready", flux_view_jtime(rows[i].ready));
        json_object_set_new(t, "queued", flux_view_jtime(rows[i].queued));
        json_object_set_new(t, "started", flux_view_jtime(rows[i].started));
        json_object_set_new(t, "ended", flux_view_jtime(rows[i].ended));
        json_array_append_new(tries, t);
    }
    flux_ti_rows_free(rows, n);
    json_t *root = json_object();
    json_object_set_new(root, "run", flux_view_run(&r));
    json_object_set_new(root, "tries", tries);
    return root;
}

#define DAY_MS (86400 * 1000LL)

json_t *flux_view_stats_daily(flux_store *s, const char *pipeline, int days, int64_t now, char *err, size_t errlen)
{
    if (days < 1)
        days = 1;
    int64_t today = now - ((now % DAY_MS) + DAY_MS) % DAY_MS;
    flux_day_stat *rows;
    size_t n;
    if (flux_store_daily_stats(s, pipeline, today - (int64_t)(days - 1) * DAY_MS, &rows, &n) != 0)
        return failed(s, err, errlen);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        char day[16];
        char iso[64];
        flux_view_time(rows[i].day ? rows[i].day : 1, iso, sizeof iso);
        snprintf(day, sizeof day, "%.10s", iso);
        json_array_append_new(items, json_pack("{s:s, s:s, s:I, s:I, s:I}", "day", day, "pipeline", rows[i].pipeline,
                                               "succeeded", (json_int_t)rows[i].succeeded, "failed",
                                               (json_int_t)rows[i].failed, "running", (json_int_t)rows[i].running));
    }
    free(rows);
    return json_pack("{s:o}", "items", items);
}

json_t *flux_view_transfers(flux_store *s, const char *pipeline, const char *task, size_t limit, char *err,
                            size_t errlen)
{
    flux_transfer_row *rows;
    size_t n;
    if (flux_store_transfers(s, pipeline, task, limit, &rows, &n) != 0)
        return failed(s, err, errlen);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        const flux_transfer_row *t = &rows[i];
        json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "run", (json_int_t)t->run, "run_id",
                              t->run_id, "task", t->task, "ti", (json_int_t)t->ti, "records_read",
                              (json_int_t)t->read, "records_written", (json_int_t)t->written, "records_rejected",
                              (json_int_t)t->rejected, "bytes", (json_int_t)t->bytes);
        json_object_set_new(o, "loss_ratio",
                            t->read > 0 ? json_real((double)(t->read - t->written) / (double)t->read) : json_null());
        json_array_append_new(items, o);
    }
    free(rows);
    return json_pack("{s:o}", "items", items);
}
