/* past — depends_on_past: a task instance starts only once the same task's
 * instance in the pipeline's previous run (the run with the greatest
 * logical date before this run's, whatever triggered it) succeeded or was
 * skipped.
 *
 * - No previous run, or one that does not hold the task (a task a later
 *   version added): it starts, as Airflow's ignore_first_depends_on_past.
 * - The previous instance not finished (not started yet, running, waiting
 *   for a retry or a poke): it waits, holding no slot, and is checked again
 *   when that instance ends in this process (in memory) and every
 *   FLUX_PAST_RECHECK_MS through the store (a run another process executes).
 * - The previous instance ended otherwise (failed, upstream_failed): it does
 *   not run but ends upstream_failed, its note naming the run and the task
 *   that blocked it and how to go on. Airflow would leave it waiting until
 *   someone clears the past; a runner must not hang on a past that cannot
 *   change by itself.
 *
 * What the store says of a previous run (its state, the latest try of each
 * of its tasks) is read in one query and kept for a recheck's interval, so
 * ten thousand tasks that become ready cost a few queries, not ten
 * thousand; each timed check reads it again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "exec_int.h"
#include "plan.h"

#define FLUX_PAST_RECHECK_MS 2000

typedef struct past_ti {
    char *task;
    int try_number;
    flux_ti_state st;
} past_ti;

struct ex_past {
    /* as a later run: its previous run */
    bool looked;        /* the previous run was looked up */
    bool none;          /* there is none */
    flux_run_row prev;  /* the previous run, its state as of the last read */
    ex_run *mem;        /* the previous run, when this executor has it */
    ex_run *sibling;    /* the next run in mem's list of later runs */
    /* when mem's plan is another version: the index in mem of each task
     * here (to_prev) and here of each task of mem (from_prev), -1 for none */
    int32_t *to_prev, *from_prev;
    uint64_t taken;     /* the loop's time + 1 when tis were read; 0: to be read */
    past_ti *tis;       /* the latest try of each of its tasks, sorted by task */
    size_t ntis;
    int plan_read;      /* its plan's task ids: 0 not read, 1 read, -1 unreadable */
    char **plan_tasks;  /* sorted */
    size_t nplan;
    /* as a previous run: the runs here whose previous run it is */
    ex_run *later;
};

static ex_past *past_of(ex_run *run)
{
    if (!run->past)
        run->past = flux_xcalloc(1, sizeof *run->past);
    return run->past;
}

static bool ended(flux_ti_state s)
{
    return s == FLUX_TI_SUCCESS || s == FLUX_TI_FAILED || s == FLUX_TI_SKIPPED || s == FLUX_TI_UPSTREAM_FAILED;
}

/* ---- the previous run ---- */

static bool same_plan(const ex_run *a, const ex_run *b)
{
    return a->n == b->n && (a->p == b->p || (a->row.plan_id[0] && !strcmp(a->row.plan_id, b->row.plan_id)));
}

typedef struct named {
    const char *id;
    int32_t idx;
} named;

static int cmp_named(const void *a, const void *b)
{
    return strcmp(((const named *)a)->id, ((const named *)b)->id);
}

/* run's tasks matched by id with those of prev, another version of the
 * pipeline: once, so that no check searches a run's tasks */
static void map_tasks(ex_run *run, ex_run *prev)
{
    ex_past *ps = run->past;
    named *order = flux_xcalloc(prev->n, sizeof *order);
    ps->to_prev = flux_xcalloc(run->n, sizeof *ps->to_prev);
    ps->from_prev = flux_xcalloc(prev->n, sizeof *ps->from_prev);
    for (size_t i = 0; i < prev->n; i++) {
        order[i] = (named){prev->tasks[i].t->id, (int32_t)i};
        ps->from_prev[i] = -1;
    }
    qsort(order, prev->n, sizeof *order, cmp_named);
    for (size_t i = 0; i < run->n; i++) {
        named key = {run->tasks[i].t->id, 0};
        const named *hit = bsearch(&key, order, prev->n, sizeof *order, cmp_named);
        ps->to_prev[i] = hit ? hit->idx : -1;
        if (hit)
            ps->from_prev[hit->idx] = (int32_t)i;
    }
    free(order);
}

static void unmap_tasks(ex_past *ps)
{
    free(ps->to_prev);
    free(ps->from_prev);
    ps->to_prev = ps->from_prev = NULL;
}

static int look_up(ex_run *run)
{
    ex_past *ps = past_of(run);
    flux_executor *ex = run->ex;
    int rc = flux_store_previous_run(ex->store, run->p->name, run->row.logical_date, &ps->prev);
    if (rc < 0)
        return -1;
    ps->looked = true;
    ps->none = rc == 1;
    for (ex_run *r = ex->runs; r && !ps->none; r = r->next)
        if (r->row.id == ps->prev.id && !r->detached && !r->freeing) {
            ps->mem = r;
            ps->sibling = past_of(r)->later;
            r->past->later = run;
            if (!same_plan(run, r))
                map_tasks(run, r);
            break;
        }
    return 0;
}

/* k's instance in its previous run (which this executor has), or NULL when
 * that run's version has no such task */
static ex_task *prev_task(const ex_task *k)
{
    ex_past *ps = k->run->past;
    int32_t i = ps->to_prev ? ps->to_prev[k->idx] : (int32_t)k->idx;
    return i >= 0 ? &ps->mem->tasks[i] : NULL;
}

/* pk's instance in `later`, a run whose previous run is pk's, or NULL */
static ex_task *later_task(ex_run *later, const ex_task *pk)
{
    ex_past *ps = later->past;
    int32_t i = ps->from_prev ? ps->from_prev[pk->idx] : (int32_t)pk->idx;
    return i >= 0 ? &later->tasks[i] : NULL;
}

static int cmp_ti(const void *a, const void *b)
{
    const past_ti *x = a, *y = b;
    int c = strcmp(x->task, y->task);
    return c ? c : (x->try_number < y->try_number) - (x->try_number > y->try_number); /* latest first */
}

static int cmp_ti_task(const void *a, const void *b)
{
    return strcmp(((const past_ti *)a)->task, ((const past_ti *)b)->task);
}

static void free_tis(ex_past *ps)
{
    for (size_t i = 0; i < ps->ntis; i++)
        free(ps->tis[i].task);
    free(ps->tis);
    ps->tis = NULL;
    ps->ntis = 0;
}

/* The previous run's state and the latest try of each of its tasks, from
 * the store: kept for FLUX_PAST_RECHECK_MS (a chain of ten thousand tasks
 * that each become ready in an event of their own reads it a few times,
 * not ten thousand), and read again by each timed check. */
static int read_prev(ex_run *run)
{
    ex_past *ps = run->past;
    flux_executor *ex = run->ex;
    uint64_t now = uv_now(&ex->loop) + 1;
    if (ps->taken && now - ps->taken < FLUX_PAST_RECHECK_MS)
        return 0;
    flux_run_row prev;
    flux_ti_row *rows;
    size_t n;
    if (flux_store_get_run(ex->store, ps->prev.id, &prev) != 0)
        return -1;
    if (flux_store_list_tis(ex->store, ps->prev.id, &rows, &n) != 0)
        return -1;
    ps->prev = prev;
    free_tis(ps);
    ps->tis = flux_xcalloc(n, sizeof *ps->tis);
    for (size_t i = 0; i < n; i++) {
        ps->tis[i] = (past_ti){strdup(rows[i].task), rows[i].try_number, rows[i].state};
        if (!ps->tis[i].task)
            abort();
    }
    flux_ti_rows_free(rows, n);
    qsort(ps->tis, n, sizeof *ps->tis, cmp_ti);
    /* keep the first (latest) try of each task */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (kept && !strcmp(ps->tis[kept - 1].task, ps->tis[i].task)) {
            free(ps->tis[i].task);
            continue;
        }
        ps->tis[kept++] = ps->tis[i];
    }
    ps->ntis = kept;
    ps->taken = now;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The previous run's plan holds task: its plan is this run's, or names the
 * task. A plan that cannot be read is taken to hold it (the task then waits
 * for that run to end, which settles it). */
static bool prev_holds(ex_run *run, const char *task)
{
    ex_past *ps = run->past;
    if (!strcmp(ps->prev.plan_id, run->row.plan_id))
        return true;
    if (!ps->plan_read) {
        ps->plan_read = -1;
        char *text = ps->prev.plan_id[0] ? flux_store_get_plan(run->ex->store, ps->prev.plan_id) : NULL;
        flux_arena *a = flux_arena_new();
        flux_sources src;
        flux_sources_init(&src);
        char err[512];
        flux_plan *pl = text ? flux_plan_read(a, &src, "plan", text, strlen(text), err, sizeof err) : NULL;
        if (pl) {
            const flux_pipeline *p = pl->pipeline;
            ps->plan_tasks = flux_xcalloc(p->ntasks, sizeof *ps->plan_tasks);
            for (size_t i = 0; i < p->ntasks; i++)
                if (!(ps->plan_tasks[i] = strdup(p->tasks[i]->id)))
                    abort();
            ps->nplan = p->ntasks;
            qsort(ps->plan_tasks, ps->nplan, sizeof *ps->plan_tasks, cmp_str);
            ps->plan_read = 1;
        }
        flux_sources_free(&src);
        flux_arena_free(a);
        free(text);
    }
    return ps->plan_read < 0 || bsearch(&task, ps->plan_tasks, ps->nplan, sizeof *ps->plan_tasks, cmp_str);
}

/* ---- the verdict ---- */

typedef enum { PAST_GO, PAST_WAIT, PAST_BLOCKED } past_verdict;

static past_verdict verdict(ex_task *k, char *note, size_t notelen)
{
    ex_run *run = k->run;
    ex_past *ps = past_of(run);
    if (!ps->looked && look_up(run) != 0)
        return PAST_WAIT; /* the store could not say: asked again at the next check */
    if (ps->none)
        return PAST_GO;
    flux_ti_state st;
    if (ps->mem) {
        const ex_task *pt = prev_task(k);
        if (!pt)
            return PAST_GO;
        st = pt->state;
    } else {
        if (read_prev(run) != 0)
            return PAST_WAIT;
        past_ti key = {(char *)k->t->id, 0, FLUX_TI_NONE};
        const past_ti *t = bsearch(&key, ps->tis, ps->ntis, sizeof *ps->tis, cmp_ti_task);
        if (!t) {
            /* no try of it there yet: a run that ended never had the task,
             * and neither will one whose plan does not hold it */
            bool over = ps->prev.state == FLUX_RUN_SUCCESS || ps->prev.state == FLUX_RUN_FAILED;
            return over || !prev_holds(run, k->t->id) ? PAST_GO : PAST_WAIT;
        }
        st = t->st;
    }
    if (st == FLUX_TI_SUCCESS || st == FLUX_TI_SKIPPED)
        return PAST_GO;
    if (!ended(st))
        return PAST_WAIT;
    snprintf(note, notelen,
             "blocked by depends_on_past: %s ended %s in the previous run, %s; to go on, clear it there "
             "(flux clear %lld %s --downstream) and run that run again, then clear this one (flux clear %lld %s "
             "--downstream)",
             k->t->id, flux_ti_state_name(st), ps->prev.run_id, (long long)ps->prev.id, k->t->id,
             (long long)run->row.id, k->t->id);
    return PAST_BLOCKED;
}

/* ---- waiting ---- */

static void on_recheck(uv_timer_t *t);

static void park(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    if (k->phase == W_PAST_WAIT)
        return;
    k->phase = W_PAST_WAIT;
    k->past_prev = NULL;
    k->past_next = ex->past_head;
    if (ex->past_head)
        ex->past_head->past_prev = k;
    ex->past_head = k;
    if (ex->past_waiting++ == 0)
        uv_timer_start(&ex->past_timer, on_recheck, FLUX_PAST_RECHECK_MS, FLUX_PAST_RECHECK_MS);
}

static void unpark(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    if (k->phase != W_PAST_WAIT)
        return;
    k->phase = W_IDLE;
    if (k->past_prev)
        k->past_prev->past_next = k->past_next;
    else
        ex->past_head = k->past_next;
    if (k->past_next)
        k->past_next->past_prev = k->past_prev;
    k->past_prev = k->past_next = NULL;
    if (--ex->past_waiting == 0)
        uv_timer_stop(&ex->past_timer);
}

void flux_past_gate(ex_task *k)
{
    char note[1024];
    switch (verdict(k, note, sizeof note)) {
    case PAST_GO:
        unpark(k);
        flux_try_queue(k);
        break;
    case PAST_WAIT: park(k); break;
    case PAST_BLOCKED:
        unpark(k);
        flux_try_unrun(k, FLUX_TI_UPSTREAM_FAILED, note);
        break;
    }
}

/* Checks again each of the waiting tasks ws[0..n): one may have been
 * decided meanwhile (a check ends tasks, which ends others) or let go. */
static void recheck(ex_task **ws, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ex_task *w = ws[i];
        if (w->phase == W_PAST_WAIT && !w->run->detached && !w->run->ex->stopping)
            flux_past_gate(w);
    }
}

void flux_past_task_ended(ex_task *k)
{
    ex_past *ps = k->run->past;
    if (!ps || !ps->later)
        return;
    /* gathered first: a check may end a later run and change the list */
    size_t n = 0, cap = 4;
    ex_task **ws = flux_xcalloc(cap, sizeof *ws);
    for (ex_run *r = ps->later; r; r = r->past->sibling) {
        ex_task *w = later_task(r, k);
        if (!w || w->phase != W_PAST_WAIT)
            continue;
        if (n == cap && !(ws = realloc(ws, (cap *= 2) * sizeof *ws)))
            abort();
        ws[n++] = w;
    }
    recheck(ws, n);
    free(ws);
}

static void on_recheck(uv_timer_t *t)
{
    flux_executor *ex = t->data;
    if (ex->stopping || !ex->past_waiting) {
        uv_timer_stop(t);
        return;
    }
    size_t n = 0;
    ex_task **ws = flux_xcalloc(ex->past_waiting, sizeof *ws);
    for (ex_task *w = ex->past_head; w; w = w->past_next) {
        ws[n++] = w;
        if (w->run->past)
            w->run->past->taken = 0; /* what the store says now */
    }
    recheck(ws, n);
    free(ws);
    flux_exec_dispatch(ex);
}

void flux_past_init(flux_executor *ex)
{
    uv_timer_init(&ex->loop, &ex->past_timer);
    ex->past_timer.data = ex; /* started by the first task that waits */
}

void flux_past_forget(ex_run *run)
{
    ex_past *ps = run->past;
    for (size_t i = 0; i < run->n; i++)
        unpark(&run->tasks[i]);
    if (!ps)
        return;
    if (ps->mem) {
        ex_run **at = &ps->mem->past->later;
        while (*at && *at != run)
            at = &(*at)->past->sibling;
        if (*at)
            *at = ps->sibling;
        ps->mem = ps->sibling = NULL;
        unmap_tasks(ps);
    }
    /* the runs after it read the store from now on */
    for (ex_run *r = ps->later, *next; r; r = next) {
        next = r->past->sibling;
        r->past->mem = r->past->sibling = NULL;
        unmap_tasks(r->past);
    }
    ps->later = NULL;
}

void flux_past_free(ex_run *run)
{
    ex_past *ps = run->past;
    if (!ps)
        return;
    free_tis(ps);
    unmap_tasks(ps);
    for (size_t i = 0; i < ps->nplan; i++)
        free(ps->plan_tasks[i]);
    free(ps->plan_tasks);
    free(ps);
    run->past = NULL;
}
