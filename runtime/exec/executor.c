/* executor — the executor's core: runs, slots and pools, signals and a
 * service's drain (see executor.h). The ready queue and its dispatch are
 * ready.c's, depends_on_past is past.c's, a try's life is try.c's, sensors
 * are sensor.c's, rendering is fields.c's, the rules of the graph are
 * dag.c's, and processes are the backend's.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "exec_int.h"

/* ---- reports ---- */

static bool terminal(flux_ti_state s)
{
    return s == FLUX_TI_SUCCESS || s == FLUX_TI_FAILED || s == FLUX_TI_SKIPPED || s == FLUX_TI_UPSTREAM_FAILED;
}

void flux_exec_say(ex_task *k, flux_exec_event kind, flux_ti_state st, int64_t duration_ms, const char *note)
{
    const flux_exec_status *s = &k->run->ex->o.status;
    if (!s->task)
        return;
    flux_exec_task_event e = {kind, k->run->p->name, k->run->row.run_id, k->t->id, k->try_number, st, duration_ms,
                              note};
    s->task(s->ud, &e);
}

void flux_exec_say_progress(flux_executor *ex)
{
    const flux_exec_status *s = &ex->o.status;
    if (!s->progress)
        return;
    flux_exec_progress p = {ex->done, ex->total, ex->in_flight, ex->failed, flux_clock_mono_ms() - ex->t0_ms};
    s->progress(s->ud, &p);
}

static void on_progress(uv_timer_t *t)
{
    flux_exec_say_progress(t->data);
}

static void detach_run(ex_run *run);

void flux_exec_store_fail(ex_run *run, const ex_task *k, const char *what)
{
    flux_executor *ex = run->ex;
    if (run->detached)
        return;
    /* a transition that cannot be recorded must not happen silently, and
     * nothing may go on from it: what is in memory is no longer what the
     * store says */
    fprintf(stderr, "flux: state store: run %s of %s%s%s: cannot %s: %s\n", run->row.run_id, run->p->name,
            k ? ", task " : "", k ? k->t->id : "", what, flux_store_error(ex->store));
    if (ex->o.service) {
        detach_run(run);
        if (ex->o.run_detached)
            ex->o.run_detached(ex->o.ud, &run->row, flux_store_error(ex->store));
        return;
    }
    /* a runner stops now, leaving its tasks running: the next `flux run`
     * adopts them and resumes from the store */
    ex->stopping = true;
    ex->store_failed = true;
    uv_stop(&ex->loop);
}

bool flux_exec_flush(flux_executor *ex)
{
    if (!ex->grouped || !flux_store_unflushed(ex->store))
        return true;
    if (flux_store_flush(ex->store) == 0)
        return true;
    /* which run wrote what is not kept: each is failed (a runner stops at
     * the first) */
    for (ex_run *r = ex->runs; r && !ex->store_failed; r = r->next)
        if (!r->detached && !r->freeing)
            flux_exec_store_fail(r, NULL, "record the transitions of its tasks");
    return false;
}

/* the loop is about to wait: what it did this iteration is durable first */
static void on_flush(uv_prepare_t *p)
{
    flux_executor *ex = p->data;
    ex->iteration++;
    flux_exec_flush(ex);
}

int64_t flux_exec_mono_of(int64_t wall_ms)
{
    int64_t ago = flux_clock_wall_ms() - wall_ms;
    return flux_clock_mono_ms() - (ago > 0 ? ago : 0);
}

/* ---- slots and pools ---- */

static void drain_check(flux_executor *ex);

/* a process slot, counted globally (-j) and for the pipeline */
void flux_exec_take_slot(ex_task *k)
{
    if (k->holds_slot)
        return; /* a sensor in poke mode keeps the one it took for its first poke */
    k->holds_slot = true;
    k->run->ex->running++;
    k->run->ex->groups[k->run->group].running++;
}

void flux_exec_give_slot(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    if (k->holds_slot) {
        k->holds_slot = false;
        ex->running--;
        ex->groups[k->run->group].running--;
        drain_check(ex);
    }
    if (k->pool >= 0) {
        ex->pool_used[k->pool]--;
        k->pool = -1;
    }
}

/* An owner whose heartbeat has not been written for the fence time may
 * already be taken for gone by another process: it starts nothing until a
 * heartbeat is written again (on_beat dispatches then). */
bool flux_exec_fenced(flux_executor *ex)
{
    if (flux_clock_mono_ms() - ex->beat_ok_ms <= FLUX_OWNER_FENCE_MS)
        return false;
    if (!ex->fence_said) {
        ex->fence_said = true;
        fprintf(stderr, "flux: state store: no heartbeat written for %d s: starting no task until one is\n",
                FLUX_OWNER_FENCE_MS / 1000);
    }
    return true;
}

/* ---- runs ---- */

static void maybe_start_runs(flux_executor *ex);

static void run_freed(ex_run *run)
{
    flux_past_free(run);
    for (size_t i = 0; i < run->n; i++)
        free(run->tasks[i].outputs);
    free(run->tasks);
    flux_dag_free(&run->g);
    free(run);
}

static void run_handle_closed(uv_handle_t *h)
{
    ex_task *k = h->data;
    ex_run *run = k->run;
    if (--run->closing == 0)
        run_freed(run);
}

/* A long-running service frees each run once it ended: unlinked now, its
 * memory once the loop has closed its timers. */
static void free_run_later(ex_run *run)
{
    flux_executor *ex = run->ex;
    ex_run *prev = NULL;
    for (ex_run *r = ex->runs; r && r != run; r = r->next)
        prev = r;
    if (prev)
        prev->next = run->next;
    else
        ex->runs = run->next;
    if (ex->runs_tail == run)
        ex->runs_tail = prev;
    ex->nruns--;
    ex->runs_done--;
    ex->total -= run->n;
    ex->done -= run->n - run->unfinished;
    run->freeing = true;
    flux_past_forget(run);
    for (size_t i = 0; i < run->n; i++) {
        ex_task *k = &run->tasks[i];
        /* cannot happen while each try ends once (a run ends after its last
         * task); the backend would call back into freed memory */
        assert(!k->proc && "a run ended while one of its processes was watched");
        k->timer.data = k->deadline.data = k;
        if (k->timer_init) {
            run->closing++;
            uv_close((uv_handle_t *)&k->timer, run_handle_closed);
        }
        if (k->deadline_init) {
            run->closing++;
            uv_close((uv_handle_t *)&k->deadline, run_handle_closed);
        }
    }
    if (run->closing == 0)
        run_freed(run);
}

/* ---- detached runs ---- */

static size_t watched(const ex_run *run)
{
    size_t n = 0;
    for (size_t i = 0; i < run->n; i++)
        n += run->tasks[i].proc != NULL;
    return n;
}

/* Lets a run go without writing anything more of it: its queued tasks leave
 * the queue and its timers stop; a try whose process is watched stays
 * watched until it ends, unrecorded (the run's journal keeps its end for
 * whoever adopts the run), and a service frees the run after the last. */
static void detach_run(ex_run *run)
{
    flux_executor *ex = run->ex;
    run->detached = true;
    flux_ready_drop_run(run);
    flux_past_forget(run);
    for (size_t i = 0; i < run->n; i++) {
        ex_task *k = &run->tasks[i];
        uv_timer_stop(&k->timer);
        uv_timer_stop(&k->deadline);
        if (k->phase == W_POKE_WAIT)
            ex->in_flight--;
        if (!k->proc) {
            k->phase = W_IDLE;
            flux_exec_give_slot(k); /* a sensor in poke mode between pokes */
        }
    }
    if (!run->ended) {
        run->ended = true;
        ex->runs_done++;
        if (run->active)
            ex->active_runs--;
    }
    if (ex->o.service && watched(run) == 0)
        free_run_later(run);
}

void flux_exec_detached_proc_done(ex_task *k)
{
    ex_run *run = k->run;
    flux_executor *ex = run->ex;
    ex->in_flight--;
    flux_exec_give_slot(k);
    k->phase = W_IDLE;
    if (ex->o.service && watched(run) == 0 && !run->freeing)
        free_run_later(run);
    flux_exec_dispatch(ex);
}

void flux_exec_run_done(ex_run *run)
{
    if (run->unfinished || run->ended || run->detached)
        return;
    run->ended = true;
    flux_executor *ex = run->ex;
    /* success when every leaf succeeded or was skipped, as Airflow decides */
    bool ok = true;
    for (size_t i = 0; i < run->n; i++) {
        flux_ti_state st = run->tasks[i].state;
        if (flux_dag_is_leaf(&run->g, i) && st != FLUX_TI_SUCCESS && st != FLUX_TI_SKIPPED)
            ok = false;
    }
    run->row.state = ok ? FLUX_RUN_SUCCESS : FLUX_RUN_FAILED;
    if (flux_store_set_run_state(ex->store, run->row.id, run->row.state, flux_clock_wall_ms()) != 0) {
        run->ended = false;
        flux_exec_store_fail(run, NULL, "record a run's end");
        return;
    }
    ex->runs_done++;
    if (run->active)
        ex->active_runs--;
    if (!ok)
        ex->runs_failed++;
    if (ex->o.status.run_ended)
        ex->o.status.run_ended(ex->o.status.ud, run->p->name, run->row.run_id, ok);
    if (ex->o.run_ended)
        ex->o.run_ended(ex->o.ud, &run->row);
    if (ex->o.service)
        free_run_later(run);
    maybe_start_runs(ex);
    if (ex->runs_done == ex->nruns && !ex->o.service)
        uv_stop(&ex->loop);
}

static void activate_run(ex_run *run)
{
    flux_executor *ex = run->ex;
    run->active = true;
    ex->active_runs++;
    run->started_ms = flux_clock_wall_ms();
    if (run->row.state != FLUX_RUN_RUNNING) {
        run->row.state = FLUX_RUN_RUNNING;
        if (flux_store_set_run_state(ex->store, run->row.id, FLUX_RUN_RUNNING, run->started_ms) != 0) {
            flux_exec_store_fail(run, NULL, "start a run");
            return;
        }
    }
    /* Every try the store left unfinished is claimed before any is
     * recovered: recovering one may finish it and start its children, and a
     * child started that way is RUNNING in memory by the time this loop
     * reaches it; recovering it again would watch its one process twice and
     * finish its try twice (children released twice, the run ending while a
     * task still runs). A claimed try is decided, so evaluate skips it. */
    for (size_t i = 0; i < run->n; i++) {
        ex_task *k = &run->tasks[i];
        k->recover_from = FLUX_TI_NONE;
        switch (k->state) {
        case FLUX_TI_RUNNING: case FLUX_TI_QUEUED: case FLUX_TI_UP_FOR_RETRY: case FLUX_TI_UP_FOR_RESCHEDULE:
            k->recover_from = k->state;
            k->decided = true;
            break;
        default: break;
        }
    }
    for (size_t i = 0; i < run->n && !run->detached; i++) {
        ex_task *k = &run->tasks[i];
        switch (k->recover_from) {
        case FLUX_TI_RUNNING: case FLUX_TI_QUEUED: flux_try_recover(k); break;
        case FLUX_TI_UP_FOR_RETRY: {
            k->decided = true;
            k->phase = W_RETRY_WAIT;
            uv_timer_start(&k->timer, flux_try_on_retry, 0, 0);
            break;
        }
        case FLUX_TI_UP_FOR_RESCHEDULE:
            k->decided = true;
            ex->in_flight++;
            k->phase = W_POKE_WAIT;
            uv_timer_start(&k->timer, flux_sensor_on_poke, 0, 0);
            break;
        default: break;
        }
    }
    for (size_t i = 0; i < run->n && !run->detached; i++)
        flux_try_evaluate(&run->tasks[i]);
    flux_exec_run_done(run);
}

static void maybe_start_runs(flux_executor *ex)
{
    for (ex_run *r = ex->runs; r; r = r->next) {
        if (r->active || r->ended)
            continue;
        if (ex->o.max_active_runs > 0 && (int)ex->active_runs >= ex->o.max_active_runs)
            break;
        activate_run(r);
    }
    flux_exec_dispatch(ex);
}

static int64_t pipeline_int(const flux_pipeline *p, const char *key, int64_t dflt)
{
    for (size_t i = 0; i < p->attrs.n; i++)
        if (!strcmp(p->attrs.v[i].key, key) && p->attrs.v[i].val.kind == FLUX_F_INT)
            return p->attrs.v[i].val.u.i;
    return dflt;
}

static int group_of(flux_executor *ex, const char *pipeline)
{
    for (size_t i = 0; i < ex->ngroups; i++)
        if (!strcmp(ex->groups[i].pipeline, pipeline))
            return (int)i;
    ex->groups = realloc(ex->groups, (ex->ngroups + 1) * sizeof *ex->groups);
    if (!ex->groups)
        abort();
    ex->groups[ex->ngroups].pipeline = strdup(pipeline);
    ex->groups[ex->ngroups].running = 0;
    return (int)ex->ngroups++;
}

/* The owner's row, before it owns anything: another process that finds a
 * run owned by an id nobody registered takes it for gone. */
static int ensure_registered(flux_executor *ex)
{
    if (ex->registered)
        return 0;
    if (flux_owner_beat(ex->store, &ex->owner, flux_clock_wall_ms(), false) != 0) {
        fprintf(stderr, "flux: state store: %s\n", flux_store_error(ex->store));
        return -1;
    }
    ex->registered = true;
    ex->beat_ok_ms = flux_clock_mono_ms();
    return 0;
}

/* A run that existed: claimed unless another live process owns it. 0
 * claimed, FLUX_EXEC_BUSY, or -1 (store). */
static int claim_existing(flux_executor *ex, const flux_run_row *row)
{
    bool claimed = false;
    int64_t now = flux_clock_wall_ms();
    if (flux_store_claim_run(ex->store, row->id, ex->owner.id, NULL, now, &claimed) != 0)
        goto fail;
    if (claimed)
        return 0;
    char owner[256];
    if (flux_store_run_control(ex->store, row->id, owner, sizeof owner, NULL) < 0)
        goto fail;
    flux_owner_seen seen;
    if (flux_owner_look(ex->store, NULL, 0, owner, now, &seen) != 0)
        goto fail;
    bool finished = row->state == FLUX_RUN_SUCCESS || row->state == FLUX_RUN_FAILED;
    if (seen.watching && !finished) {
        /* its heartbeat looks old by this clock, which proves nothing
         * across clocks: it is gone only if it stands still while watched */
        fprintf(stderr, "flux: run %s of %s: its owner, %s, may be gone: watching its heartbeat for %" PRId64
                        " s first\n",
                row->run_id, row->pipeline, seen.what, (seen.watch_left_ms + 999) / 1000);
        while (seen.alive && seen.watching) {
            struct timespec ts = {0, 500 * 1000000L};
            nanosleep(&ts, NULL);
            if (flux_owner_look(ex->store, NULL, 0, owner, flux_clock_wall_ms(), &seen) != 0)
                goto fail;
        }
    }
    if (seen.alive && !finished) {
        snprintf(ex->busy, sizeof ex->busy, "run %s of %s is being executed by %s", row->run_id, row->pipeline,
                 seen.what);
        return FLUX_EXEC_BUSY;
    }
    /* the owner is gone (or the run is over): the conditional update lets
     * only one of several claimants take it */
    if (flux_store_claim_run(ex->store, row->id, ex->owner.id, owner, now, &claimed) != 0)
        goto fail;
    if (!claimed) {
        snprintf(ex->busy, sizeof ex->busy, "run %s of %s was just claimed by another process", row->run_id,
                 row->pipeline);
        return FLUX_EXEC_BUSY;
    }
    return 0;
fail:
    fprintf(stderr, "flux: state store: %s\n", flux_store_error(ex->store));
    return -1;
}

/* the run's row: created (owned here), or found and claimed; 0, -1 or
 * FLUX_EXEC_BUSY */
static int create_run_row(flux_executor *ex, ex_run *run, const flux_pipeline *p, const char *plan_id,
                          const flux_interval *iv, const char *trigger, const char *run_id, bool *created)
{
    if (ensure_registered(ex) != 0)
        return -1;
    flux_run_row in;
    memset(&in, 0, sizeof in);
    snprintf(in.pipeline, sizeof in.pipeline, "%s", p->name);
    if (run_id)
        snprintf(in.run_id, sizeof in.run_id, "%s", run_id);
    else
        snprintf(in.run_id, sizeof in.run_id, "%s",
                 flux_run_id(ex->arena,
                             strcmp(trigger, "manual") == 0     ? "manual"
                             : strcmp(trigger, "backfill") == 0 ? "backfill"
                                                                : "scheduled",
                             iv->start_ms));
    snprintf(in.plan_id, sizeof in.plan_id, "%s", plan_id);
    snprintf(in.trigger, sizeof in.trigger, "%s", trigger);
    in.state = FLUX_RUN_QUEUED;
    in.interval_start = iv->start_ms;
    in.interval_end = iv->end_ms;
    in.logical_date = iv->start_ms;
    if (flux_store_create_run(ex->store, &in, ex->owner.id, NULL, flux_clock_wall_ms(), &run->row, created) != 0) {
        fprintf(stderr, "flux: state store: %s\n", flux_store_error(ex->store));
        return -1;
    }
    return *created ? 0 : claim_existing(ex, &run->row);
}

/* What the store knows of a resumed run: the latest try of each task;
 * finished tasks count as done for their children. */
static int load_tries(flux_executor *ex, ex_run *run)
{
    flux_ti_row *rows;
    size_t nrows;
    if (flux_store_list_tis(ex->store, run->row.id, &rows, &nrows) != 0) {
        fprintf(stderr, "flux: state store: %s\n", flux_store_error(ex->store));
        return -1;
    }
    for (size_t r = 0; r < nrows; r++) {
        for (size_t i = 0; i < run->n; i++) {
            ex_task *k = &run->tasks[i];
            if (strcmp(k->t->id, rows[r].task) != 0)
                continue;
            if (rows[r].state == FLUX_TI_NONE && rows[r].try_number > k->cleared_at)
                k->cleared_at = rows[r].try_number; /* flux clear's mark: retries count from it */
            if (rows[r].try_number < k->try_number)
                continue;
            k->try_number = rows[r].try_number;
            k->ti_id = rows[r].id;
            k->state = rows[r].state;
            k->started_ms = rows[r].started;
            k->started_mono = rows[r].started ? flux_exec_mono_of(rows[r].started) : 0;
            /* a sensor's wait goes on from where it began, not from this runner's start */
            k->first_poke_mono = flux_op_how(k->t->op) == FLUX_OP_RUN_POKE_PROCESS ||
                                         flux_op_how(k->t->op) == FLUX_OP_RUN_POKE
                                     ? k->started_mono
                                     : 0;
            free(k->outputs);
            k->outputs = rows[r].outputs ? strdup(rows[r].outputs) : NULL;
            flux_try_paths(k);
        }
    }
    flux_ti_rows_free(rows, nrows);
    for (size_t i = 0; i < run->n; i++) {
        ex_task *k = &run->tasks[i];
        if (!terminal(k->state))
            continue;
        k->decided = true;
        k->phase = W_DONE;
        ex->done++;
        flux_dag_outcome o = k->state == FLUX_TI_SUCCESS   ? FLUX_DAG_SUCCESS
                             : k->state == FLUX_TI_FAILED  ? FLUX_DAG_FAILED
                             : k->state == FLUX_TI_SKIPPED ? FLUX_DAG_SKIPPED
                                                           : FLUX_DAG_UPSTREAM_FAILED;
        for (uint32_t j = run->g.start[i]; j < run->g.start[i + 1]; j++)
            flux_dag_parent_done(&run->tasks[run->g.children[j]].in, o);
    }
    return 0;
}

int flux_exec_add_run(flux_executor *ex, const flux_pipeline *p, const char *plan_id, const flux_tz *tz,
                      const flux_interval *iv, const char *trigger, const char *run_id, flux_value params)
{
    ex_run *run = flux_xcalloc(1, sizeof *run);
    run->ex = ex;
    run->p = p;
    run->tz = tz;
    run->params = params;
    run->group = group_of(ex, p->name);
    run->max_tasks = ex->o.service ? (int)pipeline_int(p, "max_active_tasks", 16) : 0;
    bool created = false;
    int rc = create_run_row(ex, run, p, plan_id, iv, trigger, run_id, &created);
    if (rc != 0) {
        free(run);
        return rc;
    }
    run->n = p->ntasks;
    run->tasks = flux_xcalloc(run->n, sizeof *run->tasks);
    flux_dag_build(&run->g, run->n, p->edges, p->nedges);
    for (size_t i = 0; i < run->n; i++) {
        ex_task *k = &run->tasks[i];
        k->run = run;
        k->idx = (uint32_t)i;
        k->t = p->tasks[i];
        k->how = flux_op_how(k->t->op);
        k->rule = flux_dag_rule(flux_attr_word(&k->t->attrs, "trigger_rule", "all_success"));
        k->priority = flux_attr_int(&k->t->attrs, "priority", 1);
        k->depends_on_past = flux_attr_bool(&k->t->attrs, "depends_on_past", false);
        k->poke_mode = (k->how == FLUX_OP_RUN_POKE || k->how == FLUX_OP_RUN_POKE_PROCESS) &&
                       !strcmp(flux_attr_word(&k->t->attrs, "mode", "reschedule"), "poke");
        k->in.waiting = run->g.nparents[i];
        k->state = FLUX_TI_NONE;
        k->pool = -1;
        uv_timer_init(&ex->loop, &k->timer);
        uv_timer_init(&ex->loop, &k->deadline);
        k->timer.data = k;
        k->deadline.data = k;
        k->timer_init = k->deadline_init = true;
    }
    if (!created && load_tries(ex, run) != 0) {
        /* never linked: its timers close with the loop's next turn, then it is freed */
        for (size_t i = 0; i < run->n; i++) {
            run->closing += 2;
            uv_close((uv_handle_t *)&run->tasks[i].timer, run_handle_closed);
            uv_close((uv_handle_t *)&run->tasks[i].deadline, run_handle_closed);
        }
        if (run->n == 0)
            run_freed(run);
        return -1;
    }
    for (size_t i = 0; i < run->n; i++)
        if (!terminal(run->tasks[i].state))
            run->unfinished++;
    ex->total += run->n;
    if (ex->runs_tail)
        ex->runs_tail->next = run;
    else
        ex->runs = run;
    ex->runs_tail = run;
    ex->nruns++;
    if (ex->o.service) /* the loop is running: start it now */
        maybe_start_runs(ex);
    return 0;
}

/* ---- stopping ---- */

static void on_stop_timer(uv_timer_t *t)
{
    flux_executor *ex = t->data;
    for (ex_run *r = ex->runs; r; r = r->next)
        for (size_t i = 0; i < r->n; i++)
            if (r->tasks[i].proc)
                flux_try_signal(&r->tasks[i], SIGKILL);
}

/* At a stop, what waits for its time is left to the next runner: retries
 * (up_for_retry in the store) and sensors between pokes (up_for_reschedule;
 * such a wait holds no slot but counts in in_flight, which a stop waits to
 * see at 0; a sensor in poke mode gives its slot back and is recorded
 * up_for_reschedule too, so the next runner resumes its wait). */
static void let_waits_go(flux_executor *ex)
{
    for (ex_run *r = ex->runs; r; r = r->next)
        for (size_t i = 0; i < r->n; i++) {
            ex_task *k = &r->tasks[i];
            uv_timer_stop(&k->timer);
            if (k->phase == W_POKE_WAIT) {
                k->phase = W_IDLE;
                ex->in_flight--;
            }
            if (k->poke_mode && k->holds_slot && !k->proc)
                flux_sensor_let_go(k);
        }
    uv_timer_stop(&ex->past_timer); /* a waiting task is decided again by the next runner */
}

/* A stop: the tries of a backend that runs them on without the runner
 * (slurm) are each forgotten as they are, still running in the store, and
 * the next runner's recovery adopts them or takes their ends. */
static void let_tries_go(flux_executor *ex)
{
    for (ex_run *r = ex->runs; r; r = r->next)
        for (size_t i = 0; i < r->n; i++) {
            ex_task *k = &r->tasks[i];
            if (k->proc && k->backend && k->backend->ops->let_go &&
                (k->phase == W_PROCESS || k->phase == W_ADOPTED)) {
                k->backend->ops->let_go(k->proc);
                k->proc = NULL;
                k->phase = W_IDLE;
                flux_exec_give_slot(k);
                ex->in_flight--;
            }
        }
}

static void on_signal(uv_signal_t *h, int sig)
{
    flux_executor *ex = h->data;
    if (ex->stopping) {
        /* a second signal: do not wait any longer */
        on_stop_timer(&ex->stop_timer);
        return;
    }
    ex->stopping = true;
    if (ex->o.status.stop)
        ex->o.status.stop(ex->o.status.ud, sig, ex->o.grace_ms);
    let_waits_go(ex);
    bool any = false;
    let_tries_go(ex); /* those of a backend that leaves them running: the next runner takes their ends */
    for (ex_run *r = ex->runs; r; r = r->next) {
        for (size_t i = 0; i < r->n; i++) {
            ex_task *k = &r->tasks[i];
            if (k->proc && (k->phase == W_PROCESS || k->phase == W_ADOPTED)) {
                k->interrupted = true;
                flux_try_signal(k, SIGTERM);
                any = true;
            }
        }
    }
    uv_timer_start(&ex->stop_timer, on_stop_timer, (uint64_t)ex->o.grace_ms, 0);
    if (!any)
        uv_stop(&ex->loop);
}

/* ---- a service's stop ---- */

static void drain_check(flux_executor *ex)
{
    if (ex->draining && ex->running == 0 && !ex->stopping) {
        /* nothing runs: the rest (retries, pokes) waits for the next start */
        ex->stopping = true;
        uv_stop(&ex->loop);
    }
}

static void on_drain_timer(uv_timer_t *t)
{
    flux_executor *ex = t->data;
    if (ex->stopping)
        return;
    /* the grace period is over: stop what still runs, as a SIGTERM would */
    uv_signal_t h;
    h.data = ex;
    on_signal(&h, SIGTERM);
}

void flux_exec_drain(flux_executor *ex, int64_t grace_ms)
{
    if (ex->draining) {
        on_drain_timer(&ex->drain_timer);
        return;
    }
    ex->draining = true;
    let_waits_go(ex);
    uv_timer_init(&ex->loop, &ex->drain_timer);
    ex->drain_timer.data = ex;
    uv_timer_start(&ex->drain_timer, on_drain_timer, (uint64_t)(grace_ms > 0 ? grace_ms : 0), 0);
    drain_check(ex);
}

struct uv_loop_s *flux_exec_loop(flux_executor *ex)
{
    return &ex->loop;
}

size_t flux_exec_active(const flux_executor *ex)
{
    return ex->nruns - ex->runs_done;
}

const char *flux_exec_busy(const flux_executor *ex)
{
    return ex->busy;
}

/* ---- the owner's heartbeat ---- */

/* Which of the runs here are still this owner's, after a time without a
 * heartbeat long enough for another process to have taken some over: those
 * are let go, never written again from here. */
static void check_ownership(flux_executor *ex)
{
    int64_t *ids = NULL;
    size_t n = 0;
    if (flux_store_runs_owned(ex->store, ex->owner.id, &ids, &n) != 0)
        return;
    for (ex_run *r = ex->runs, *next; r; r = next) {
        next = r->next;
        if (r->ended || r->detached || !r->active)
            continue;
        bool mine = false;
        for (size_t i = 0; i < n && !mine; i++)
            mine = ids[i] == r->row.id;
        if (mine)
            continue;
        fprintf(stderr, "flux: run %s of %s was taken over by another process while this one could not write "
                        "its heartbeat: letting it go\n", r->row.run_id, r->p->name);
        detach_run(r);
        if (!ex->o.service) { /* a runner has nothing left to do for it */
            ex->stopping = true;
            ex->store_failed = true;
            uv_stop(&ex->loop);
        }
    }
    free(ids);
}

static void beat(flux_executor *ex)
{
    int64_t mono = flux_clock_mono_ms();
    if (flux_owner_beat(ex->store, &ex->owner, flux_clock_wall_ms(), false) != 0) {
        if (!ex->fence_said && mono - ex->beat_ok_ms > FLUX_OWNER_FENCE_MS)
            flux_exec_fenced(ex);
        return;
    }
    bool gap = mono - ex->beat_ok_ms > FLUX_OWNER_FENCE_MS;
    ex->beat_ok_ms = mono;
    ex->registered = true;
    if (gap) {
        if (ex->fence_said)
            fprintf(stderr, "flux: state store: heartbeat written again: starting tasks\n");
        ex->fence_said = false;
        check_ownership(ex);
        if (!ex->dispatching)
            flux_exec_dispatch(ex);
    }
}

static void on_beat(uv_timer_t *t)
{
    beat(t->data);
}

void flux_exec_recheck(flux_executor *ex)
{
    /* after a pause (a stopped or frozen process) a task's end may be seen
     * before the heartbeat timer: whether the run is still ours comes first */
    if (flux_clock_mono_ms() - ex->beat_ok_ms > FLUX_OWNER_FENCE_MS)
        beat(ex);
}

/* ---- public ---- */

flux_executor *flux_exec_new(flux_store *store, const flux_exec_opts *opts)
{
    flux_executor *ex = flux_xcalloc(1, sizeof *ex);
    ex->store = store;
    ex->o = *opts;
    if (ex->o.slots < 1)
        ex->o.slots = 1;
    if (ex->o.grace_ms <= 0)
        ex->o.grace_ms = 10000;
    ex->arena = flux_arena_new();
    ex->fd_limit = flux_fds_raise();
    ex->fd_base = -1; /* counted at the first start */
    uv_loop_init(&ex->loop);
    ex->backend = ex->o.backend_new ? ex->o.backend_new(&ex->loop, ex->o.self, flux_try_done)
                                    : flux_backend_local_new(&ex->loop, ex->o.self, flux_try_done);
    gethostname(ex->host, sizeof ex->host - 1);
    if (ex->o.owner)
        ex->owner = *ex->o.owner;
    else
        flux_owner_self(&ex->owner, FLUX_OWNER_RUNNER);
    ex->beat_ok_ms = flux_clock_mono_ms();
    uv_timer_init(&ex->loop, &ex->beat);
    ex->beat.data = ex;
    flux_past_init(ex);
    return ex;
}

int flux_exec_run(flux_executor *ex)
{
    ex->t0_ms = flux_clock_mono_ms();
    if (!ex->o.service) { /* a service's owner handles signals (flux_exec_drain) */
        uv_signal_init(&ex->loop, &ex->sigint);
        uv_signal_init(&ex->loop, &ex->sigterm);
        ex->sigint.data = ex->sigterm.data = ex;
        uv_signal_start(&ex->sigint, on_signal, SIGINT);
        uv_signal_start(&ex->sigterm, on_signal, SIGTERM);
    }
    uv_timer_init(&ex->loop, &ex->stop_timer);
    ex->stop_timer.data = ex;
    uv_timer_init(&ex->loop, &ex->progress);
    ex->progress.data = ex;
    if (ex->o.status.progress && ex->o.status.progress_ms > 0)
        uv_timer_start(&ex->progress, on_progress, (uint64_t)ex->o.status.progress_ms,
                       (uint64_t)ex->o.status.progress_ms);
    uv_timer_start(&ex->beat, on_beat, FLUX_OWNER_BEAT_MS, FLUX_OWNER_BEAT_MS);
    /* a loop iteration's transitions in one transaction (store.h) */
    ex->grouped = flux_store_group(ex->store, true);
    uv_prepare_init(&ex->loop, &ex->flush);
    ex->flush.data = ex;
    uv_prepare_start(&ex->flush, on_flush);
    flux_outbox_start(ex);
    maybe_start_runs(ex);
    if (ex->runs_done < ex->nruns || ex->stopping || ex->o.service)
        uv_run(&ex->loop, UV_RUN_DEFAULT);
    /* after a stop: let the signalled processes end and record them (not
     * after a store failure: nothing more can be recorded) */
    while (ex->stopping && !ex->store_failed && ex->in_flight > 0 && uv_run(&ex->loop, UV_RUN_ONCE))
        ;
    /* what the runs' ends notify is sent before the owner goes (what is
     * left stays pending in the store for the next owner or a scheduler) */
    if (!ex->store_failed)
        flux_outbox_drain(ex, ex->stopping ? 2000 : FLUX_OUTBOX_DRAIN_MS);
    uv_timer_stop(&ex->beat);
    flux_exec_flush(ex);
    uv_prepare_stop(&ex->flush);
    if (ex->grouped)
        flux_store_group(ex->store, false);
    ex->grouped = false;
    if (ex->o.status.finished)
        ex->o.status.finished(ex->o.status.ud);
    if (ex->stopping)
        return 1;
    return ex->runs_failed ? 1 : 0;
}

static void close_all(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

void flux_exec_free(flux_executor *ex)
{
    if (!ex)
        return;
    /* stopped: whoever comes next may take the unfinished runs over at once */
    if (ex->registered)
        flux_owner_beat(ex->store, &ex->owner, flux_clock_wall_ms(), true);
    uv_walk(&ex->loop, close_all, NULL);
    /* a uv_stop() left pending makes the first uv_run return at once */
    while (uv_run(&ex->loop, UV_RUN_DEFAULT))
        ;
    uv_loop_close(&ex->loop);
    flux_outbox_free(ex);
    ex->backend->ops->free(ex->backend);
    if (ex->slurm)
        ex->slurm->ops->free(ex->slurm);
    for (ex_run *r = ex->runs, *n; r; r = n) {
        n = r->next;
        run_freed(r);
    }
    free(ex->handoffs);
    flux_ready_free(ex);
    for (size_t i = 0; i < ex->ngroups; i++)
        free(ex->groups[i].pipeline);
    free(ex->groups);
    flux_arena_free(ex->arena);
    if (ex->o.status.free)
        ex->o.status.free(ex->o.status.ud);
    free(ex);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

const int64_t *flux_exec_handoffs(const flux_executor *ex, size_t *n)
{
    if (ex->nhandoffs)
        qsort(ex->handoffs, ex->nhandoffs, sizeof *ex->handoffs, cmp_i64);
    *n = ex->nhandoffs;
    return ex->handoffs;
}
