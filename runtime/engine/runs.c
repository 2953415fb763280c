/* runs — the interval a command means, clearing tries, queuing a manual
 * run; see runs.h. */
#include "runs.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "clock.h"
#include "isotime.h"
#include "load.h"
#include "render.h"
#include "slurm_client.h"
#include "tz.h"

int64_t flux_runs_now(void)
{
    return flux_clock_wall_ms();
}

/* ---- a run named by its logical date ---- */

/* "YYYY-MM-DD" and nothing more: a day, not an instant */
static bool day_only(const char *text)
{
    static const char shape[] = "dddd-dd-dd";
    for (size_t i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? text[i] < '0' || text[i] > '9' : text[i] != shape[i])
            return false;
    return text[sizeof shape - 1] == '\0';
}

/* [from, to): the day text names (YYYY-MM-DD) in the zone tz; from one
 * midnight to the next, 23 or 25 hours at a DST change. -1 with err. */
static int day_range(const char *text, const flux_tz *tz, int64_t *from, int64_t *to, char *err, size_t errlen)
{
    int64_t y;
    unsigned m, d;
    char next[16];
    if (flux_load_time(text, tz, from, err, errlen) != 0)
        return -1;
    sscanf(text, "%4" SCNd64 "-%2u-%2u", &y, &m, &d);
    flux_civil_from_days(flux_days_from_civil(y, m, d) + 1, &y, &m, &d);
    snprintf(next, sizeof next, "%04d-%02u-%02u", (int)y, m, d);
    return flux_load_time(next, tz, to, err, errlen);
}

/* ms as ISO text with the offset of the pipeline's zone at that instant */
static const char *shown(const flux_timetable *tt, int64_t ms, char out[48])
{
    int32_t off = tt->tz ? flux_tz_offset(tt->tz, ms / 1000 - (ms % 1000 < 0), NULL) : 0;
    flux_buf b = {0};
    flux_time_iso(ms, off, &b);
    snprintf(out, 48, "%s", flux_buf_cstr(&b));
    flux_buf_free(&b);
    return out;
}

/* the last run of a schedule with an end, or -1 */
static int last_interval(const flux_timetable *tt, flux_interval *out)
{
    return tt->end_ms != INT64_MAX && flux_timetable_at(tt, tt->end_ms - 1, out) == 0 ? 0 : -1;
}

/* the first run whose logical date is t or later; -1 when none */
static int first_from(const flux_timetable *tt, int64_t t, flux_interval *iv)
{
    if (flux_timetable_at(tt, t, iv) == 0)
        return iv->start_ms >= t || flux_timetable_next(tt, iv, iv) == 0 ? 0 : -1;
    return flux_timetable_first(tt, iv) == 0 && iv->start_ms >= t ? 0 : -1;
}

/* the last run whose logical date is before t; -1 when none */
static int last_before(const flux_timetable *tt, int64_t t, flux_interval *iv)
{
    if (flux_timetable_at(tt, t - 1, iv) == 0)
        return 0;
    if (last_interval(tt, iv) == 0 && iv->start_ms < t)
        return 0;
    return flux_timetable_first(tt, iv) == 0 && iv->start_ms < t ? 0 : -1;
}

/* ": the runs nearest start at B and A", or what there is of that, for
 * no run at t (a day: from t to end) */
static void nearest(const flux_timetable *tt, int64_t t, int64_t end, char *out, size_t n)
{
    flux_interval b, a;
    char x[48], y[48];
    bool before = last_before(tt, t, &b) == 0, after = first_from(tt, end, &a) == 0;
    if (before && after)
        snprintf(out, n, ": the runs nearest it have logical dates %s and %s", shown(tt, b.start_ms, x),
                 shown(tt, a.start_ms, y));
    else if (after)
        snprintf(out, n, ": it is before the pipeline's first run, %s", shown(tt, a.start_ms, y));
    else if (before)
        snprintf(out, n, ": it is after the pipeline's last run, %s", shown(tt, b.start_ms, x));
    else
        snprintf(out, n, ": the pipeline has no run");
}

/* the run whose logical date is the instant t (given as text), or none */
static int run_at(const flux_timetable *tt, const char *pipeline, const char *text, int64_t t, flux_interval *iv,
                  char *err, size_t errlen)
{
    if (flux_timetable_at(tt, t, iv) == 0 && iv->start_ms == t)
        return 0;
    char near[200];
    nearest(tt, t, t + 1, near, sizeof near);
    snprintf(err, errlen,
             "%s is not the logical date of a run of '%s'%s\nhelp: --date names the run whose logical date (the "
             "start of its interval) it is; give one of those, or a day (YYYY-MM-DD) that has one run",
             text, pipeline, near);
    return FLUX_EXIT_FAIL;
}

/* the one run whose logical date falls on the day text names, in the
 * pipeline's zone */
static int run_on_day(const flux_timetable *tt, const char *pipeline, const char *text, flux_interval *iv, char *err,
                      size_t errlen)
{
    int64_t from, to;
    if (day_range(text, tt->tz, &from, &to, err, errlen) != 0)
        return FLUX_EXIT_USAGE;
    const char *zone = tt->tz ? flux_tz_name(tt->tz) : "UTC";
    flux_interval first, last;
    long count = 0;
    if (first_from(tt, from, &first) == 0 && first.start_ms < to) {
        last = first;
        count = 1;
        flux_interval nx = first;
        /* an `every 1s` pipeline has 86,400 runs a day: counting stops there */
        while (count <= 100000 && nx.start_ms != nx.end_ms && flux_timetable_next(tt, &nx, &nx) == 0 &&
               nx.start_ms < to) {
            last = nx;
            count++;
        }
    }
    char a[48], b[48], near[200];
    if (count == 1) {
        *iv = first;
        return 0;
    }
    if (count == 0) {
        nearest(tt, from, to, near, sizeof near);
        snprintf(err, errlen, "no run of '%s' has its logical date on %s (in %s)%s", pipeline, text, zone, near);
    } else {
        snprintf(err, errlen,
                 "%s%ld runs of '%s' have their logical date on %s (in %s), the first %s and the last %s\n"
                 "help: --date names one run: give its time, e.g. --date %s",
                 count > 100000 ? "more than " : "", count > 100000 ? 100000 : count, pipeline, text, zone,
                 shown(tt, first.start_ms, a), shown(tt, last.start_ms, b), a);
    }
    return FLUX_EXIT_FAIL;
}

int flux_runs_at_date(const flux_timetable *tt, const char *pipeline, const char *date, flux_interval *iv, char *err,
                      size_t errlen)
{
    if (day_only(date))
        return run_on_day(tt, pipeline, date, iv, err, errlen);
    int64_t t;
    if (flux_load_time(date, tt->tz, &t, err, errlen) != 0)
        return FLUX_EXIT_USAGE;
    return run_at(tt, pipeline, date, t, iv, err, errlen);
}

int flux_runs_pick_interval(const flux_timetable *tt, const char *pipeline, const char *date, flux_interval *iv,
                            char *err, size_t errlen)
{
    if (date)
        return flux_runs_at_date(tt, pipeline, date, iv, err, errlen);
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
    return FLUX_EXIT_FAIL;
}

static const char *iso(int64_t ms, char out[40])
{
    return flux_time_iso_into(ms, 0, out, 40);
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

/* the zone of a run's pipeline, from its plan (UTC without one) */
static const flux_tz *run_zone(flux_store *s, const flux_run_row *run)
{
    char *text = run->plan_id[0] ? flux_store_get_plan(s, run->plan_id) : NULL;
    const flux_tz *tz = NULL;
    if (text) {
        flux_compilation c;
        flux_timetable tt;
        char err[512];
        if (flux_load_plan_text(&c, "plan", text, strlen(text), err, sizeof err) == 0 && c.npipelines &&
            flux_load_timetable(c.pipelines[0], &tt, err, sizeof err) == 0)
            tz = tt.tz; /* zones are loaded once per process and kept */
        flux_compilation_free(&c);
        free(text);
    }
    return tz;
}

/* the runs of pipeline among rows whose logical date date names (in the
 * zone of the pipeline's newest run's plan): their indexes into hits; how
 * many (0 with *rc and err when date is not a time) */
static size_t runs_on(flux_store *s, const flux_run_row *rows, size_t n, const char *pipeline, const char *date,
                      size_t *hits, int *rc, char *err, size_t errlen)
{
    const flux_run_row *newest = NULL;
    for (size_t i = 0; i < n && !newest; i++)
        if (!strcmp(rows[i].pipeline, pipeline))
            newest = &rows[i];
    const flux_tz *tz = run_zone(s, newest);
    int64_t from, to;
    if (day_only(date) ? day_range(date, tz, &from, &to, err, errlen) != 0
                       : flux_load_time(date, tz, &from, err, errlen) != 0) {
        *rc = FLUX_EXIT_USAGE;
        return 0;
    }
    if (!day_only(date))
        to = from + 1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].pipeline, pipeline) && rows[i].logical_date >= from && rows[i].logical_date < to)
            hits[k++] = i;
    return k;
}

int flux_runs_find_dated(flux_store *s, const char *pipeline, const char *date, flux_run_row *row, char *err,
                         size_t errlen)
{
    flux_run_row *rows;
    size_t n;
    if (flux_store_list_runs(s, pipeline, 0, &rows, &n) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return FLUX_EXIT_FAIL;
    }
    size_t *hits = calloc(n ? n : 1, sizeof *hits), nhits = 0;
    if (!hits)
        abort(); /* the allocation policy: abort on OOM */
    int rc = 0;
    const char *which = pipeline;
    /* each pipeline with runs (rows are newest first), its date in its zone */
    for (size_t i = 0; i < n && !rc; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(rows[j].pipeline, rows[i].pipeline);
        if (seen)
            continue;
        size_t k = runs_on(s, rows, n, rows[i].pipeline, date, hits + nhits, &rc, err, errlen);
        if (k && nhits && strcmp(rows[hits[0]].pipeline, rows[i].pipeline)) {
            snprintf(err, errlen, "runs of several pipelines ('%s', '%s') have the logical date %s; add --pipeline",
                     rows[hits[0]].pipeline, rows[i].pipeline, date);
            rc = FLUX_EXIT_USAGE;
        }
        if (k)
            which = rows[i].pipeline;
        nhits += k;
    }
    if (!rc && nhits == 1) {
        *row = rows[hits[0]];
    } else if (!rc && nhits == 0) {
        snprintf(err, errlen, "no run %s%s%shas the logical date %s (flux runs lists them; a time must be a run's "
                 "logical date exactly, a day YYYY-MM-DD names the runs whose logical date falls on it)",
                 which ? "of '" : "", which ? which : "", which ? "' " : "", date);
        rc = FLUX_EXIT_FAIL;
    } else if (!rc) {
        int at = snprintf(err, errlen, "%zu runs of '%s' have the logical date %s:", nhits, which, date);
        for (size_t k = 0; k < nhits && k < 5 && at > 0 && (size_t)at < errlen; k++)
            at += snprintf(err + at, errlen - (size_t)at, "%s %lld (%s)", k ? "," : "", (long long)rows[hits[k]].id,
                           rows[hits[k]].run_id);
        if (at > 0 && (size_t)at < errlen)
            snprintf(err + at, errlen - (size_t)at, "%s\nhelp: name one by its id or run id instead of --date",
                     nhits > 5 ? ", ..." : "");
        rc = FLUX_EXIT_FAIL;
    }
    free(hits);
    free(rows);
    return rc;
}

/* the Slurm jobs of the tries about to be cleared (rows[i] where clear[i])
 * that are still queued or running: their tries marked lost, then the
 * jobs cancelled in one scancel. Each is found among the run's jobs (one
 * squeue) by the token in its comment, never by the stored id alone (a
 * restarted controller may have given it to another job; a runner killed
 * around sbatch stored none), duplicates of it included. -1 with err. */
static int cancel_jobs(flux_store *s, int64_t run, const flux_ti_row *rows, const bool *clear, size_t n,
                       int *cancelled, char *err, size_t errlen)
{
    flux_slurm_row *sr = calloc(n ? n : 1, sizeof *sr);
    int64_t *ids = calloc(n ? n : 1, sizeof *ids);
    bool *active = calloc(n ? n : 1, sizeof *active);
    bool *watch = calloc(n ? n : 1, sizeof *watch);
    if (!sr || !ids || !active || !watch)
        abort(); /* the allocation policy: abort on OOM */
    size_t nids = 0;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (!clear[i] || flux_store_slurm_get(s, rows[i].id, &sr[i]) != 0)
            continue;
        active[i] = !strcmp(sr[i].phase, "submitting") || !strcmp(sr[i].phase, "submitted") ||
                    !strcmp(sr[i].phase, "claimed");
        /* a lost try's job may still be queued or running: a clear whose
         * scancel failed marked it lost, and the next clear must still
         * cancel it before the task runs again */
        watch[i] = active[i] || !strcmp(sr[i].phase, "lost");
        any |= watch[i];
    }
    int rc = 0;
    flux_run_row rr;
    flux_slurm_job *jobs = NULL;
    size_t nj = 0;
    if (any && flux_store_get_run(s, run, &rr) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        rc = -1;
    } else if (any) {
        char name[300];
        snprintf(name, sizeof name, "flux-%s", rr.run_id);
        if (flux_slurm_squeue(name, &jobs, &nj, err, errlen) != 0)
            rc = -1;
        ids = realloc(ids, (nj ? nj : 1) * sizeof *ids);
        if (!ids)
            abort();
    }
    for (size_t j = 0; j < nj && !rc; j++) {
        const char *tok = strrchr(jobs[j].comment, ':');
        bool ours = false;
        for (size_t i = 0; i < n && !ours && tok; i++)
            ours = watch[i] && !strcmp(tok + 1, sr[i].token);
        if (ours && !flux_slurm_state_ended(jobs[j].state))
            ids[nids++] = jobs[j].id;
    }
    free(jobs);
    /* lost before the scancel: a job's wrapper that SIGTERM ends records
     * its outcome only while its try is claimed, so a job cancelled (or
     * ending on its own) from here on records nothing */
    for (size_t i = 0; i < n && !rc; i++)
        if (active[i] && flux_store_slurm_lose(s, rows[i].id, sr[i].token, flux_runs_now()) < 0) {
            snprintf(err, errlen, "%s", flux_store_error(s));
            rc = -1;
        }
    if (!rc && flux_slurm_scancel(ids, nids, err, errlen) != 0)
        rc = -1;
    /* the try whose job was cancelled ends failed (it keeps its row: a
     * clear adds a new try after it and never rewrites one); so does a
     * lost one that a failed clear left running */
    for (size_t i = 0; i < n && !rc; i++)
        if ((active[i] || (watch[i] && (rows[i].state == FLUX_TI_RUNNING || rows[i].state == FLUX_TI_QUEUED))) &&
            flux_store_ti_update(s, rows[i].id,
                                 &(flux_ti_patch){.state = FLUX_TI_FAILED,
                                                  .ended_ms = flux_runs_now(),
                                                  .note = "its Slurm job was cancelled by flux clear"}) != 0) {
            snprintf(err, errlen, "%s", flux_store_error(s));
            rc = -1;
        }
    for (size_t i = 0; i < n; i++)
        if (clear[i])
            flux_slurm_row_free(&sr[i]);
    *cancelled = rc ? 0 : (int)nids;
    free(sr);
    free(ids);
    free(active);
    free(watch);
    return rc;
}

/* Each chosen task gets a new try in state none (the store's clear): the
 * tries it had stay as they ended, so the history of a run is never
 * rewritten; a runner then starts the next try. Its Slurm jobs are
 * cancelled first. */
int flux_runs_clear(flux_store *s, int64_t run, const char *const *tasks, size_t ntasks, const char *only_state,
                    int *cancelled, char *err, size_t errlen)
{
    flux_ti_row *rows;
    size_t n;
    *cancelled = 0;
    err[0] = '\0';
    if (flux_store_list_tis(s, run, &rows, &n) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return -1;
    }
    bool *clear = calloc(n ? n : 1, sizeof *clear);
    if (!clear)
        abort();
    for (size_t i = 0; i < n; i++) {
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
        clear[i] = want && rows[i].state != FLUX_TI_NONE;
    }
    /* the jobs first: cleared tries whose jobs ran on would be run twice */
    int rc = cancel_jobs(s, run, rows, clear, n, cancelled, err, errlen);
    const char **chosen = calloc(n ? n : 1, sizeof *chosen);
    if (!chosen)
        abort();
    size_t cleared = 0;
    for (size_t i = 0; i < n && !rc; i++)
        if (clear[i])
            chosen[cleared++] = rows[i].task;
    if (!rc && cleared)
        rc = flux_store_clear_tries(s, run, chosen, cleared, flux_runs_now());
    free(chosen);
    flux_ti_rows_free(rows, n);
    free(clear);
    if (rc && !err[0])
        snprintf(err, errlen, "%s", flux_store_error(s));
    return rc ? -1 : (int)cleared;
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
    flux_interval iv;
    int rc;
    if (date) {
        /* the run whose logical date it is, as flux run --date picks it */
        if ((rc = flux_runs_at_date(&tt, p->name, date, &iv, err, errlen)) != 0)
            return rc;
    } else if (flux_timetable_at(&tt, t, &iv) != 0) {
        /* now is outside the schedule (before start, @once): a point interval */
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
    rc = flux_store_create_run(s, &in, NULL, pj, flux_runs_now(), row, &created);
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
