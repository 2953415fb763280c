/* runs — the interval a command means, clearing tries, queuing a manual
 * run; see runs.h. */
#include "runs.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "isotime.h"
#include "load.h"
#include "render.h"

int64_t flux_runs_now(void)
{
    return flux_clock_wall_ms();
}

int flux_runs_pick_interval(const flux_timetable *tt, const char *pipeline, const char *date, flux_interval *iv,
                            char *err, size_t errlen)
{
    if (date) {
        int64_t t;
        if (flux_load_time(date, tt->tz, &t, err, errlen) != 0)
            return -1;
        if (flux_timetable_at(tt, t, iv) != 0) {
            snprintf(err, errlen, "no run of '%s' covers %s", pipeline, date);
            return -1;
        }
        return 0;
    }
    int64_t now = flux_runs_now();
    flux_interval cur;
    if (flux_timetable_at(tt, now, &cur) == 0) {
        if (cur.start_ms != cur.end_ms && flux_timetable_at(tt, cur.start_ms - 1, iv) == 0)
            return 0;
        if (cur.fire_ms <= now) {
            *iv = cur;
            return 0;
        }
    }
    if (flux_timetable_first(tt, iv) == 0 && iv->fire_ms <= now)
        return 0;
    snprintf(err, errlen, "no interval of '%s' has ended yet; give --date", pipeline);
    return -1;
}

static const char *iso(int64_t ms, char out[40])
{
    return flux_time_iso_into(ms, 0, out, 40);
}

/* the last run of a schedule with an end, or -1 */
static int last_interval(const flux_timetable *tt, flux_interval *out)
{
    return tt->end_ms != INT64_MAX && flux_timetable_at(tt, tt->end_ms - 1, out) == 0 ? 0 : -1;
}

int flux_runs_range_first(const flux_timetable *tt, const char *pipeline, int64_t from, int64_t to,
                          flux_interval *first, char *err, size_t errlen)
{
    char a[40], b[40], c[40], d[40];
    if (to < from) {
        snprintf(err, errlen, "--to (%s) is before --from (%s)", iso(to, a), iso(from, b));
        return FLUX_EXIT_USAGE;
    }
    flux_interval iv, start;
    bool have;
    if (flux_timetable_at(tt, from, &iv) == 0)
        /* the run holding --from may start before it: the next one then */
        have = iv.start_ms >= from || flux_timetable_next(tt, &iv, &iv) == 0;
    else
        have = flux_timetable_first(tt, &iv) == 0 && iv.start_ms >= from;
    if (have && iv.start_ms <= to) {
        *first = iv;
        return 0;
    }
    int n = snprintf(err, errlen, "no run of '%s' starts between %s and %s", pipeline, iso(from, a), iso(to, b));
    size_t at = n < 0 ? 0 : (size_t)n < errlen ? (size_t)n : errlen;
    flux_interval last;
    if (flux_timetable_first(tt, &start) == 0 && to < start.start_ms)
        snprintf(err + at, errlen - at, ": the range ends before the pipeline's first run (%s)", iso(start.start_ms, c));
    else if (last_interval(tt, &last) == 0 && from > last.start_ms)
        snprintf(err + at, errlen - at, ": the range begins after the pipeline's last run (%s)", iso(last.start_ms, c));
    else if (have && flux_timetable_at(tt, iv.start_ms - 1, &last) == 0)
        snprintf(err + at, errlen - at, ": the runs nearest start at %s and %s", iso(last.start_ms, c),
                 iso(iv.start_ms, d));
    return FLUX_EXIT_FAIL;
}

int flux_runs_find(flux_store *s, const char *arg, const char *pipeline, flux_run_row *row, char *err,
                   size_t errlen)
{
    char *end;
    long long id = strtoll(arg, &end, 10);
    if (*arg && !*end) {
        if (flux_store_get_run(s, id, row) == 0)
            return 0;
    } else {
        /* a run_id, with the pipeline when several pipelines have it */
        flux_run_row *rows;
        size_t n, hits = 0;
        if (flux_store_list_runs(s, pipeline, 0, &rows, &n) == 0) {
            for (size_t i = 0; i < n; i++)
                if (!strcmp(rows[i].run_id, arg)) {
                    *row = rows[i];
                    hits++;
                }
            free(rows);
        }
        if (hits == 1)
            return 0;
        if (hits > 1) {
            snprintf(err, errlen, "several pipelines have a run '%s'; add --pipeline", arg);
            return -1;
        }
    }
    snprintf(err, errlen, "no run '%s' (see flux runs)", arg);
    return -1;
}

int flux_runs_clear(flux_store *s, int64_t run, const char *const *tasks, size_t ntasks, const char *only_state)
{
    flux_ti_row *rows;
    size_t n;
    if (flux_store_list_tis(s, run, &rows, &n) != 0)
        return -1;
    int rc = 0, cleared = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        /* the latest try of each task is the one to clear */
        if (i + 1 < n && !strcmp(rows[i + 1].task, rows[i].task))
            continue;
        bool want = ntasks == 0;
        for (size_t k = 0; k < ntasks && !want; k++)
            want = !strcmp(tasks[k], rows[i].task);
        if (only_state && want) {
            flux_ti_state st = rows[i].state;
            want = st == FLUX_TI_FAILED || st == FLUX_TI_UPSTREAM_FAILED;
        }
        if (!want || rows[i].state == FLUX_TI_NONE)
            continue;
        rc = flux_store_ti_update(s, rows[i].id, &(flux_ti_patch){.state = FLUX_TI_NONE, .note = "cleared"});
        cleared++;
    }
    flux_ti_rows_free(rows, n);
    if (!rc && cleared)
        rc = flux_store_set_run_state(s, run, FLUX_RUN_QUEUED, flux_runs_now());
    return rc ? -1 : cleared;
}

/* the run row of a manual run at t (date given: its interval's start) */
static void manual_row(flux_run_row *in, const flux_deployment *d, flux_compilation *c, const flux_interval *iv,
                       int64_t t, bool dated)
{
    memset(in, 0, sizeof *in);
    snprintf(in->pipeline, sizeof in->pipeline, "%s", c->pipelines[0]->name);
    snprintf(in->run_id, sizeof in->run_id, "%s", flux_run_id(c->arena, "manual", dated ? iv->start_ms : t));
    snprintf(in->plan_id, sizeof in->plan_id, "%s", d->plan_id);
    snprintf(in->trigger, sizeof in->trigger, "manual");
    in->state = FLUX_RUN_QUEUED;
    in->interval_start = iv->start_ms;
    in->interval_end = iv->end_ms;
    in->logical_date = iv->start_ms;
}

int flux_runs_trigger(flux_store *s, const flux_deployment *d, flux_compilation *c, const char *date,
                      char **params, size_t nparams, flux_run_row *row, char *err, size_t errlen)
{
    flux_pipeline *p = c->pipelines[0];
    flux_timetable tt;
    if (flux_load_timetable(p, &tt, err, errlen) != 0)
        return FLUX_EXIT_FAIL;
    int64_t t = flux_runs_now();
    if (date && flux_load_time(date, tt.tz, &t, err, errlen) != 0)
        return FLUX_EXIT_FAIL;
    flux_interval iv;
    if (flux_timetable_at(&tt, t, &iv) != 0) {
        /* a time outside the schedule (before start, @once): a point interval */
        iv.start_ms = iv.end_ms = iv.fire_ms = t;
    }
    flux_value pv;
    if (flux_run_params(c->arena, p, params, nparams, &pv, err, errlen) != 0)
        return FLUX_EXIT_USAGE;
    flux_run_row in;
    manual_row(&in, d, c, &iv, t, date != NULL);
    /* the overrides as given (the scheduler checks them again against the
     * plan), written with the run in one transaction: a scheduler's tick
     * never sees the run without them */
    json_t *a = json_array();
    for (size_t i = 0; i < nparams; i++)
        json_array_append_new(a, json_string(params[i]));
    char *pj = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    bool created;
    int rc = flux_store_create_run(s, &in, NULL, pj, flux_runs_now(), row, &created);
    free(pj);
    if (rc != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return FLUX_EXIT_FAIL;
    }
    if (!created) {
        snprintf(err, errlen, "run %s of %s exists already (state %s)", row->run_id, row->pipeline,
                 flux_run_state_name(row->state));
        return FLUX_EXIT_FAIL;
    }
    return 0;
}
