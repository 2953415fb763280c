/* sched_deadlines — deadlines checked by the scheduler from the store.
 *
 * A pipeline's deadline: each run must have succeeded that long after its
 * interval's end; a task's: that long after its run started. Both are read
 * from the runs and task instances in the store, never from a process of
 * the run, so a deadline passes (and is recorded) even while no runner of
 * the run is alive, or after this scheduler was stopped and started again.
 * A miss is one row per run and task (store_notify), written with its
 * on_deadline_miss notices in one transaction: recorded and told once,
 * whichever scheduler sees it first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "duration.h"
#include "executor.h"
#include "isotime.h"
#include "scheduler_int.h"

/* runs of a pipeline looked at: the newest; an older one missed its
 * deadline long ago and was recorded then */
#define RUNS_LOOKED_AT 20

static void record(sched *S, const flux_run_row *r, const char *task, const flux_attrs *attrs, int64_t deadline_ms,
                   int64_t due, int64_t now, const char *state)
{
    const flux_field *f = flux_attr_field(attrs, "on_deadline_miss");
    size_t n = f && f->kind == FLUX_F_LIST ? f->u.list.n : 0;
    flux_notice *v = calloc(n ? n : 1, sizeof *v);
    char (*keys)[81] = calloc(n ? n : 1, sizeof *keys);
    char dur[64], at[40], note[400];
    flux_buf b = {0};
    flux_print_duration(deadline_ms, &b);
    snprintf(dur, sizeof dur, "%s", flux_buf_cstr(&b));
    flux_buf_free(&b);
    flux_time_iso_into(due, 0, at, sizeof at);
    snprintf(note, sizeof note, "deadline %s after %s passed at %s; %s %s", dur,
             task ? "the run's start" : "the interval's end", at, task ? "the task was" : "the run was", state);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (f->u.list.v[i].kind != FLUX_F_STRING)
            continue;
        flux_exec_notice_key(r->pipeline, r->run_id, task ? task : "", 0, "deadline_miss", f->u.list.v[i].u.str.s,
                             keys[k]);
        v[k] = (flux_notice){.notifier = f->u.list.v[i].u.str.s, .event = "deadline_miss", .key = keys[k],
                             .note = note, .task = task};
        k++;
    }
    bool recorded = false;
    if (flux_store_deadline_miss(S->s, r->id, task, due, now, v, k, &recorded) != 0)
        flux_scheduler_logf(S, "flux scheduler: recording a missed deadline: %s", flux_store_error(S->s));
    else if (recorded)
        flux_scheduler_logf(S, "flux scheduler: run %s of %s%s%s missed its deadline (%s)", r->run_id, r->pipeline,
                            task ? ", task " : "", task ? task : "", note);
    free(v);
    free(keys);
}

static bool missed(const flux_deadline_row *m, size_t n, const char *task)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(m[i].task, task))
            return true;
    return false;
}

/* the latest try of task in rows, or NULL */
static const flux_ti_row *latest(const flux_ti_row *rows, size_t n, const char *task)
{
    const flux_ti_row *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].task, task) && (!best || rows[i].try_number > best->try_number))
            best = &rows[i];
    return best;
}

static void check_run(sched *S, const flux_pipeline *p, const flux_run_row *r, int64_t now)
{
    int64_t pd = flux_attr_ms(&p->attrs, "deadline", 0);
    bool any_task = false;
    for (size_t i = 0; i < p->ntasks && !any_task; i++)
        any_task = flux_attr_ms(&p->tasks[i]->attrs, "deadline", 0) > 0;
    if (pd <= 0 && !any_task)
        return;
    flux_deadline_row *m = NULL;
    size_t nm = 0;
    if (flux_store_deadline_misses(S->s, r->id, &m, &nm) != 0)
        return;
    int64_t due = r->interval_end + pd;
    bool in_time = r->state == FLUX_RUN_SUCCESS && r->ended && r->ended <= due;
    if (pd > 0 && !in_time && now >= due && !missed(m, nm, ""))
        record(S, r, NULL, &p->attrs, pd, due, now, flux_run_state_name(r->state));
    flux_ti_row *tis = NULL;
    size_t nt = 0;
    if (any_task && r->started && flux_store_list_tis(S->s, r->id, &tis, &nt) == 0) {
        for (size_t i = 0; i < p->ntasks; i++) {
            const flux_task *t = p->tasks[i];
            int64_t td = flux_attr_ms(&t->attrs, "deadline", 0);
            if (td <= 0 || now < r->started + td || missed(m, nm, t->id))
                continue;
            const flux_ti_row *ti = latest(tis, nt, t->id);
            /* succeeded (or skipped by its rules) in time: nothing to tell */
            if (ti && (ti->state == FLUX_TI_SKIPPED ||
                       (ti->state == FLUX_TI_SUCCESS && ti->ended && ti->ended <= r->started + td)))
                continue;
            record(S, r, t->id, &t->attrs, td, r->started + td, now, ti ? flux_ti_state_name(ti->state) : "not started");
        }
        flux_ti_rows_free(tis, nt);
    }
    free(m);
}

void flux_scheduler_deadlines(sched *S, int64_t now)
{
    for (size_t i = 0; i < S->npipes; i++) {
        spipe *sp = &S->pipes[i];
        if (!sp->plan)
            continue;
        flux_run_row *rows = NULL;
        size_t n = 0;
        if (flux_store_list_runs(S->s, sp->name, RUNS_LOOKED_AT, &rows, &n) != 0)
            continue; /* the store's trouble: the next tick tries again */
        for (size_t j = 0; j < n; j++) {
            /* a run keeps the plan it was made with; its deadlines are that plan's */
            splan *pl = strcmp(rows[j].plan_id, sp->plan->id) ? flux_scheduler_plan(S, rows[j].plan_id) : sp->plan;
            if (pl)
                check_run(S, pl->p, &rows[j], now);
            if (pl && pl != sp->plan)
                flux_scheduler_plan_put(S, pl);
        }
        free(rows);
    }
}
