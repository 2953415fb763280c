/* ready — the ready queue and its dispatch. Tries waiting for a process
 * slot (-j), a pool's slot or their pipeline's max_active_tasks start in
 * decreasing `priority` (Airflow's priority_weight with weight_rule
 * absolute), then the run with the earlier logical date, then in the order
 * they became ready; with equal priorities and one run that is first in,
 * first out, as the queue was before priorities.
 *
 * One list would have to be walked past every try whose pool or pipeline is
 * full, at each start: a 10,000-task wide DAG behind a one-slot pool would
 * cost O(n) per dispatch. Instead the ready tries are split into lanes of
 * tries that are blocked or free alike (same pool, pipeline and
 * max_active_tasks, needing a slot or not), each lane a binary heap on the
 * key above. A start takes the best head among the lanes that are open:
 * O(lanes + log n), lanes being a handful (pools x pipelines in use).
 */
#include <stdlib.h>
#include <string.h>

#include "exec_int.h"

/* ---- the order ---- */

/* a starts before b */
static bool before(const ex_task *a, const ex_task *b)
{
    if (a->priority != b->priority)
        return a->priority > b->priority;
    if (a->run->row.logical_date != b->run->row.logical_date)
        return a->run->row.logical_date < b->run->row.logical_date;
    return a->ready_serial < b->ready_serial;
}

static void sift_up(ex_lane *l, size_t i)
{
    ex_task *k = l->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(k, l->heap[parent]))
            break;
        l->heap[i] = l->heap[parent];
        i = parent;
    }
    l->heap[i] = k;
}

static void sift_down(ex_lane *l, size_t i)
{
    ex_task *k = l->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= l->n)
            break;
        if (c + 1 < l->n && before(l->heap[c + 1], l->heap[c]))
            c++;
        if (!before(l->heap[c], k))
            break;
        l->heap[i] = l->heap[c];
        i = c;
    }
    l->heap[i] = k;
}

static ex_task *pop(ex_lane *l)
{
    ex_task *top = l->heap[0];
    l->heap[0] = l->heap[--l->n];
    if (l->n)
        sift_down(l, 0);
    return top;
}

/* ---- lanes ---- */

/* the pool a task draws from, or -1 (pools of flux.yaml; an unknown pool
 * name has one slot, so a typo does not turn into unlimited parallelism) */
static int pool_of(flux_executor *ex, const ex_task *k)
{
    const char *name = flux_attr_word(&k->t->attrs, "pool", NULL);
    if (!name)
        return -1;
    const flux_conns *c = ex->o.conns;
    for (size_t i = 0; c && i < c->npools && i < FLUX_MAX_POOLS; i++)
        if (!strcmp(c->pool_names[i], name))
            return (int)i;
    return FLUX_MAX_POOLS; /* the shared one-slot pool of unknown names */
}

static int pool_slots(flux_executor *ex, int p)
{
    return p < FLUX_MAX_POOLS && ex->o.conns ? ex->o.conns->pool_slots[p] : 1;
}

/* A try needs a process slot to start: a process, or a sensor in poke mode
 * (which keeps it for its whole wait); not one that holds it already (a
 * poke-mode sensor's next poke). */
static bool needs_slot(const ex_task *k)
{
    if (k->holds_slot)
        return false;
    return k->how == FLUX_OP_RUN_PROCESS || k->how == FLUX_OP_RUN_POKE_PROCESS ||
           (k->how == FLUX_OP_RUN_POKE && k->poke_mode);
}

static size_t lane_of(flux_executor *ex, ex_task *k)
{
    if (!needs_slot(k))
        return 0;
    if (k->lane > 0)
        return (size_t)k->lane; /* pool, pipeline and limit never change for a task */
    ex_lane key = {true, pool_of(ex, k), k->run->group, k->run->max_tasks, NULL, 0, 0};
    size_t i = 1;
    while (i < ex->nlanes && !(ex->lanes[i].pool == key.pool && ex->lanes[i].group == key.group &&
                               ex->lanes[i].max_tasks == key.max_tasks))
        i++;
    if (i == ex->nlanes) {
        ex->lanes = realloc(ex->lanes, (ex->nlanes + 1) * sizeof *ex->lanes);
        if (!ex->lanes)
            abort(); /* the allocation policy: abort on OOM */
        ex->lanes[ex->nlanes++] = key;
    }
    k->lane = (int)i;
    return i;
}

void flux_exec_enqueue(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    if (!ex->nlanes) {
        /* lane 0: tries that need nothing to start */
        ex->lanes = calloc(1, sizeof *ex->lanes);
        if (!ex->lanes)
            abort();
        ex->lanes[0] = (ex_lane){false, -1, -1, 0, NULL, 0, 0};
        ex->nlanes = 1;
    }
    k->phase = W_QUEUED;
    k->ready_serial = ex->ready_serial++;
    size_t i = lane_of(ex, k); /* may move the lanes */
    ex_lane *l = &ex->lanes[i];
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->heap = realloc(l->heap, l->cap * sizeof *l->heap);
        if (!l->heap)
            abort();
    }
    l->heap[l->n++] = k;
    sift_up(l, l->n - 1);
    ex->nready++;
}

/* Its head could start now: lane 0 always; another when a process slot is
 * free (slots_free), its pool has a slot left and its pipeline is under its
 * max_active_tasks. */
static bool lane_open(flux_executor *ex, const ex_lane *l, bool slots_free)
{
    if (!l->n)
        return false;
    if (!l->slot)
        return true;
    if (!slots_free)
        return false;
    if (l->pool >= 0 && ex->pool_used[l->pool] >= pool_slots(ex, l->pool))
        return false;
    return !(l->max_tasks > 0 && ex->groups[l->group].running >= l->max_tasks);
}

static void dispatch_once(flux_executor *ex)
{
    if (ex->nready && flux_exec_fenced(ex))
        return;
    bool fds_ok = true; /* asked only when a try would take a slot */
    while (ex->nready && !ex->stopping && !ex->draining) {
        bool slots_free = fds_ok && ex->running < ex->o.slots;
        ex_lane *best = NULL;
        for (size_t i = 0; i < ex->nlanes; i++) {
            ex_lane *l = &ex->lanes[i];
            if (lane_open(ex, l, slots_free) && (!best || before(l->heap[0], best->heap[0])))
                best = l;
        }
        if (!best)
            return;
        if (best->slot && !flux_fds_for_one_more(ex)) {
            fds_ok = false; /* what needs no slot may still start */
            continue;
        }
        ex_task *k = pop(best);
        ex->nready--;
        if (best->slot) {
            k->pool = best->pool;
            if (k->pool >= 0)
                ex->pool_used[k->pool]++;
        }
        flux_try_start(k);
        if (ex->redispatch)
            return; /* started from inside the start: the outer loop goes on */
    }
}

/* Not reentrant: starting a task can finish it at once (a sensor whose first
 * poke succeeds) and that asks for a dispatch from inside this one; the
 * inner request is a second pass of the outer loop instead. */
void flux_exec_dispatch(flux_executor *ex)
{
    if (ex->dispatching) {
        ex->redispatch = true;
        return;
    }
    ex->dispatching = true;
    do {
        ex->redispatch = false;
        dispatch_once(ex);
    } while (ex->redispatch);
    ex->dispatching = false;
    flux_exec_say_progress(ex);
}

void flux_ready_drop_run(ex_run *run)
{
    flux_executor *ex = run->ex;
    if (ex->dispatching)
        ex->redispatch = true; /* the queue changes under the dispatch loop */
    for (size_t i = 0; i < ex->nlanes; i++) {
        ex_lane *l = &ex->lanes[i];
        size_t kept = 0;
        for (size_t j = 0; j < l->n; j++)
            if (l->heap[j]->run != run)
                l->heap[kept++] = l->heap[j];
        ex->nready -= l->n - kept;
        l->n = kept;
        for (size_t j = kept / 2; j-- > 0;)
            sift_down(l, j);
    }
}

void flux_ready_free(flux_executor *ex)
{
    for (size_t i = 0; i < ex->nlanes; i++)
        free(ex->lanes[i].heap);
    free(ex->lanes);
    ex->lanes = NULL;
    ex->nlanes = ex->nready = 0;
}
