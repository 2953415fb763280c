/* executor — runs task instances of one or more runs on a libuv loop.
 *
 * Each task instance is its own process, started by a backend (backend.h;
 * today the local one, through `flux __wrap`, in its own session) or, for
 * the sensors the runner can check itself, a timer between pokes that holds
 * no worker slot. Dependencies are resolved by events: when a task instance
 * ends only its children are looked at (the rules are dag.h's). Every
 * transition is written to the state store before the next thing happens,
 * and a runner started again on the same run adopts or accounts for every
 * instance the previous one left running. The executor reports through a
 * status callback, as Ninja's Status does, and prints nothing itself but a
 * state-store error on stderr.
 */
#ifndef FLUX_EXECUTOR_H
#define FLUX_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "conn.h"
#include "owner.h"
#include "pipeline.h"
#include "render.h"
#include "store.h"
#include "tz.h"

typedef struct flux_executor flux_executor;

/* What happened to a task, for the status callback. */
typedef enum {
    FLUX_EXEC_STARTED,     /* a try began: its process started, or a sensor's first check */
    FLUX_EXEC_ADOPTED,     /* a try a previous runner left running is watched again */
    FLUX_EXEC_RECOVERED,   /* a try ended while no runner watched: its status is taken */
    FLUX_EXEC_RESCHEDULED, /* a sensor's condition does not hold yet: it waits for the next poke */
    FLUX_EXEC_ENDED,       /* a try ended: state, duration, note */
    FLUX_EXEC_DECIDED,     /* a task ended without running (skipped, upstream_failed): state */
} flux_exec_event;

typedef struct flux_exec_task_event {
    flux_exec_event kind;
    const char *pipeline, *run_id, *task;
    int try_number;
    flux_ti_state state;  /* ENDED, DECIDED: the state recorded */
    int64_t duration_ms;  /* ENDED: since the try started; 0 when that is unknown */
    const char *note;     /* ENDED: why it ended so ("exit status 1"), or NULL */
} flux_exec_task_event;

typedef struct flux_exec_progress {
    size_t done, total, running, failed; /* task instances of every run added */
    int64_t elapsed_ms;                  /* since flux_exec_run began */
} flux_exec_progress;

/* The executor's reports. Every member may be NULL (nothing reported). */
typedef struct flux_exec_status {
    void (*task)(void *ud, const flux_exec_task_event *e);
    void (*run_ended)(void *ud, const char *pipeline, const char *run_id, bool ok);
    /* after each dispatch of ready tasks, and every progress_ms (0: never on a timer) */
    void (*progress)(void *ud, const flux_exec_progress *p);
    int progress_ms;
    void (*stop)(void *ud, int sig, int64_t grace_ms); /* SIGINT or SIGTERM received */
    void (*finished)(void *ud);                        /* flux_exec_run is returning */
    void (*free)(void *ud); /* by flux_exec_free: the executor owns ud once given */
    void *ud;
} flux_exec_status;

typedef struct flux_exec_opts {
    int slots;             /* -j: task processes at once */
    const char *home;      /* FLUX_HOME: logs under home/logs */
    const char *self;      /* path of the flux binary (for __wrap) */
    const flux_conns *conns;
    int64_t grace_ms;      /* after SIGTERM/SIGINT or a timeout: before SIGKILL */
    int max_active_runs;   /* 0: no limit */
    flux_exec_status status;
    /* where tries run: NULL for the local backend; tests pass a fake one */
    flux_backend *(*backend_new)(struct uv_loop_s *loop, const char *self, flux_backend_done done);
    /* the slurm backend's settings (backend.h): NULL when the store cannot
     * serve Slurm jobs (SQLite), and a task that runs there fails saying so */
    const flux_slurm_conf *slurm;
    /* where a task that sets no executor runs: "local" or "slurm"
     * (--executor, else executor: in flux.yaml); NULL: local */
    const char *executor;
    /* a long-running service (the scheduler): runs are added while the loop
     * runs, each freed when it ends (after run_ended), the loop runs until
     * flux_exec_drain, the owner handles signals, and each pipeline's
     * max_active_tasks bounds its task processes across its runs */
    bool service;
    void (*run_ended)(void *ud, const flux_run_row *row);
    /* a service's run whose transition could not be written (why): the
     * executor let it go; its owner may add it again once the store works */
    void (*run_detached)(void *ud, const flux_run_row *row, const char *why);
    void *ud;
    /* who executes the runs added here; NULL: this process as a runner
     * (`flux run`). Registered in the store by the first run added; its
     * heartbeat written every second while flux_exec_run runs. */
    const flux_owner *owner;
} flux_exec_opts;

flux_executor *flux_exec_new(flux_store *store, const flux_exec_opts *opts);
void flux_exec_free(flux_executor *ex);

/* flux_exec_add_run's answer when another live process owns the run */
#define FLUX_EXEC_BUSY 2

/* Adds one run of a pipeline (tasks in plan order). The run is created in
 * the store, owned by this executor's owner from that transaction on, or
 * found there and resumed: finished task instances are kept, instances a
 * previous runner left running are adopted or accounted for. A run found
 * there is claimed first: it must be unowned, this owner's, finished, or
 * its owner gone (owner.h); else FLUX_EXEC_BUSY, and flux_exec_busy says
 * who owns it. params: the run's params dict. -1 with a message on
 * stderr. */
int flux_exec_add_run(flux_executor *ex, const flux_pipeline *p, const char *plan_id, const flux_tz *tz,
                      const flux_interval *iv, const char *trigger, const char *run_id, flux_value params);
/* After FLUX_EXEC_BUSY: "run R of P is being executed by flux run (pid ...)" */
const char *flux_exec_busy(const flux_executor *ex);

/* Where task t's tries run, "local" or "slurm" (placement.c): its own
 * executor, else dflt, else local; a sensor's pokes always locally. how:
 * flux_op_how(t->op). */
const char *flux_exec_task_executor(const flux_task *t, flux_op_run how, const char *dflt);
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

/* The idempotency key of a notification: "flux-" and the SHA-256 of what
 * it is about (task "" for the run's own), the same in every process. */
void flux_exec_notice_key(const char *pipeline, const char *run_id, const char *task, int try_number,
                          const char *event, const char *notifier, char out[81]);

/* Hand-off latencies (task end to child start), in microseconds, sorted. */
const int64_t *flux_exec_handoffs(const flux_executor *ex, size_t *n);

#endif
