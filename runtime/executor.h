/* executor — runs task instances of one or more runs on a libuv loop.
 *
 * Each task instance is its own process (through `flux __wrap`, in its own
 * session) or, for the sensors the runner can check itself, a timer between
 * pokes that holds no worker slot. Dependencies are resolved by events: when
 * a task instance ends only its children are looked at. Every transition is
 * written to the state store before the next thing happens, and a runner
 * started again on the same run adopts or accounts for every instance the
 * previous one left running.
 */
#ifndef FLUX_EXECUTOR_H
#define FLUX_EXECUTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conn.h"
#include "pipeline.h"
#include "render.h"
#include "store.h"
#include "tz.h"

typedef struct flux_executor flux_executor;

typedef struct flux_exec_opts {
    int slots;             /* -j: task processes at once */
    const char *home;      /* FLUX_HOME: logs under home/logs */
    const char *self;      /* path of the flux binary (for __wrap) */
    const flux_conns *conns;
    bool progress_tty;     /* live progress line instead of plain lines */
    FILE *out;             /* progress and events */
    int64_t grace_ms;      /* after SIGTERM/SIGINT or a timeout: before SIGKILL */
    int max_active_runs;   /* 0: no limit */
    bool quiet;            /* no per-task lines (benchmarks) */
    /* a long-running service (the scheduler): runs are added while the loop
     * runs, each freed when it ends (after run_ended), the loop runs until
     * flux_exec_drain, the owner handles signals, and each pipeline's
     * max_active_tasks bounds its task processes across its runs */
    bool service;
    void (*run_ended)(void *ud, const flux_run_row *row);
    void *ud;
} flux_exec_opts;

flux_executor *flux_exec_new(flux_store *store, const flux_exec_opts *opts);
void flux_exec_free(flux_executor *ex);

/* Adds one run of a pipeline (tasks in plan order). The run is created in
 * the store, or found there and resumed: finished task instances are kept,
 * instances a previous runner left running are adopted or accounted for.
 * params: the run's params dict. -1 with a message on stderr. */
int flux_exec_add_run(flux_executor *ex, const flux_pipeline *p, const char *plan_id, const flux_tz *tz,
                      const flux_interval *iv, const char *trigger, const char *run_id, flux_value params);
/* run_id: NULL for TRIGGER__<interval start>; a given one resumes that run. */

/* Runs the loop until every added run has ended (or a signal stopped it).
 * Returns 0 when every run succeeded. */
int flux_exec_run(flux_executor *ex);

/* A service's stop: no new task starts; running ones have grace_ms to end,
 * then are signalled as by SIGTERM; the loop ends when none runs. A second
 * call stops them at once. */
void flux_exec_drain(flux_executor *ex, int64_t grace_ms);
/* The loop, for a service's own timers and watchers. */
struct uv_loop_s *flux_exec_loop(flux_executor *ex);
/* Runs added and not ended. */
size_t flux_exec_active(const flux_executor *ex);

/* Hand-off latencies (task end to child start), in microseconds, sorted. */
const int64_t *flux_exec_handoffs(const flux_executor *ex, size_t *n);

#endif
