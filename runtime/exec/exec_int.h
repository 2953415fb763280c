/* exec_int — the executor's private structures and the functions its files
 * share (executor.c, ready.c, past.c, fdlimit.c, try.c, sensor.c, fields.c). Nothing outside
 * runtime/exec includes it: the contract is executor.h.
 */
#ifndef FLUX_EXEC_INT_H
#define FLUX_EXEC_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "attr.h"
#include "backend.h"
#include "clock.h"
#include "dag.h"
#include "duration.h"
#include "executor.h"
#include "ops.h"
#include "owner.h"

typedef struct ex_run ex_run;
typedef struct ex_past ex_past; /* past.c's, per run */
typedef struct ex_outbox ex_outbox; /* outbox.c's */

#define FLUX_MAX_POOLS 64

/* where a task is in its life */
typedef enum {
    W_IDLE, W_QUEUED, W_PROCESS, W_ADOPTED, W_POKE_WAIT, W_RETRY_WAIT,
    W_PAST_WAIT, /* depends_on_past: ready, waiting for its previous run's instance (holds nothing) */
    W_DONE
} ex_phase;

typedef struct ex_task {
    ex_run *run;
    uint32_t idx;
    const flux_task *t;
    flux_op_run how;
    flux_rule rule;        /* trigger_rule, parsed once */
    int64_t priority;      /* the ready queue's order: higher first */
    bool poke_mode;        /* a sensor of mode = poke: holds its slot between pokes */
    bool depends_on_past;  /* starts once its previous run's instance succeeded or was skipped */
    flux_dag_counts in;    /* what its parents did so far */
    bool decided;          /* trigger rule applied (run, skip or upstream_failed) */
    /* current try */
    ex_phase phase;
    flux_ti_state state;
    int try_number;
    int cleared_at;        /* the try a clear ended (0: none): retries count from it */
    int64_t ti_id;
    flux_proc *proc;       /* the backend's, while its process is watched */
    flux_backend *backend; /* where the current try runs (placement.c), from its start or recovery */
    int64_t started_ms;      /* wall clock, for the store */
    /* monotonic anchors of the try's start and of a sensor's first poke
     * (0: not yet): what timeouts and durations are measured from, so a
     * stepped wall clock changes none of them */
    int64_t started_mono, first_poke_mono;
    int64_t poke_delay_ms;
    int pokes;             /* of the current try, numbered in the sensor's log */
    bool timed_out, interrupted;
    const char *final_why; /* this try failed in a way no retry can fix: why (a static text) */
    char reason[256];      /* a poke process's last "not yet" error, for the timeout's note */
    int pool;              /* pool slot held while running, -1 none */
    bool needs_row;        /* queued in memory; its try's row is written at start */
    int64_t ready_ms;      /* wall time the try entered the queue: ready, before waiting for a slot */
    bool holds_slot;       /* counted in running until the try ends */
    char log_path[1024];
    char *outputs;         /* JSON, malloc'd */
    uv_timer_t timer;      /* retry, poke */
    uv_timer_t deadline;   /* timeout of a process */
    bool timer_init, deadline_init;
    flux_ti_state recover_from; /* the store's unfinished state when its run was activated */
    /* in the ready queue (ready.c): its lane (0: not chosen yet) and the
     * order it became ready in, the last key after priority and date */
    int lane;
    uint64_t ready_serial;
    struct ex_task *past_prev, *past_next; /* the executor's list of W_PAST_WAIT tasks */
} ex_task;

struct ex_run {
    flux_executor *ex;
    const flux_pipeline *p;
    const flux_tz *tz;
    flux_run_row row;
    flux_value params;
    ex_task *tasks;
    size_t n;
    flux_dag g;
    size_t unfinished;
    bool ended, active;
    /* its state can no longer be written here (a store failure in a
     * service, or another owner took it over): nothing of it starts or is
     * recorded again; its watched processes are let go as they end */
    bool detached;
    int64_t started_ms;
    int group;             /* index in ex->groups: the pipeline's max_active_tasks */
    int max_tasks;         /* 0: no limit of its own */
    bool freeing;
    size_t closing;        /* handles still closing before the run is freed */
    ex_past *past;         /* depends_on_past's view of its previous run (past.c); NULL until needed */
    ex_run *next;
};

/* task processes running per pipeline, across its runs (max_active_tasks) */
typedef struct ex_group {
    char *pipeline;
    int running;
} ex_group;

/* Ready tries blocked or free alike: the same pool, pipeline and
 * max_active_tasks, needing a process slot or not (ready.c). A binary heap:
 * the head is the try that starts first. Lane 0 needs nothing (sensors the
 * runner pokes, a sensor in poke mode that holds its slot already). */
typedef struct ex_lane {
    bool slot;     /* its tries need a process slot */
    int pool;      /* the pool they draw from, -1 none */
    int group;     /* their pipeline's ex_group, -1 for lane 0 */
    int max_tasks; /* their runs' max_active_tasks, 0 none */
    ex_task **heap;
    size_t n, cap;
} ex_lane;

struct flux_executor {
    uv_loop_t loop;
    flux_store *store;
    flux_exec_opts o;
    flux_backend *backend; /* local, or a test's fake */
    flux_backend *slurm;   /* made at the first try that runs as a Slurm job (placement.c) */
    ex_run *runs, *runs_tail;
    size_t nruns, runs_done, runs_failed, active_runs;
    ex_lane *lanes;       /* the ready queue (ready.c) */
    size_t nlanes, nready;
    uint64_t ready_serial;
    /* depends_on_past: the tasks waiting for their previous run's instance,
     * re-checked through the store on a timer (past.c) */
    ex_task *past_head;
    size_t past_waiting;
    uv_timer_t past_timer;
    int running; /* process slots in use */
    int pool_used[FLUX_MAX_POOLS + 1];
    size_t total, done, failed;
    /* tries under way: those started or adopted and not ended, sensors
     * between pokes included (they hold no slot); a stop lets the waiting
     * ones go (up_for_reschedule) and ends when it is 0 */
    size_t in_flight;
    bool stopping;
    uv_signal_t sigint, sigterm;
    uv_timer_t progress, stop_timer;
    uv_prepare_t flush;   /* commits the loop iteration's grouped transitions before the loop waits */
    bool grouped;         /* the store groups transitions (flux_store_group): flux_exec_flush commits them */
    int64_t t0_ms;
    char host[128];
    int64_t *handoffs;
    size_t nhandoffs, handoffs_cap;
    flux_arena *arena;
    uint64_t iteration;   /* loop iterations (counted before each wait): a hand-off is measured within one */
    uint64_t end_iteration; /* the iteration of the last process end, and its time */
    int64_t end_us;
    ex_group *groups;
    size_t ngroups;
    bool draining;        /* service stop: no new task; running ones may finish */
    bool store_failed;    /* a runner (not a service) could not write a transition: it stops now */
    flux_owner owner;     /* who executes the runs added here (owner.h) */
    bool registered;      /* the owner's row is in the store */
    uv_timer_t beat;      /* the owner's heartbeat */
    int64_t beat_ok_ms;   /* monotonic time of the last heartbeat written */
    bool fence_said;
    char busy[1024];      /* flux_exec_add_run's FLUX_EXEC_BUSY: who owns the run */
    bool dispatching, redispatch;
    uv_timer_t drain_timer;
    /* descriptors (RLIMIT_NOFILE): the soft limit, raised to the hard one;
     * what is open besides the running tries' (counted from /proc/self/fd
     * when the estimate comes near the limit); said once when a try waits */
    int fd_limit, fd_base;
    bool fd_said;
    ex_outbox *outbox;    /* notifications being sent (outbox.c) */
};

/* executor.c: slots, runs, reports */
void flux_exec_take_slot(ex_task *k); /* once: a try that holds its slot keeps it */
void flux_exec_give_slot(ex_task *k); /* and its pool place */
/* An owner whose heartbeat is stale starts nothing (says so once). */
bool flux_exec_fenced(flux_executor *ex);

/* ready.c: the ready queue and its dispatch */
void flux_exec_enqueue(ex_task *k);
void flux_exec_dispatch(flux_executor *ex);
/* the queued tries of run taken out (a detached run) */
void flux_ready_drop_run(ex_run *run);
void flux_ready_free(flux_executor *ex);

/* past.c: depends_on_past */
/* k's trigger rule says run: queued now, or when its instance in the
 * previous run has succeeded or was skipped (W_PAST_WAIT meanwhile), or
 * ended upstream_failed when that one ended otherwise */
void flux_past_gate(ex_task *k);
/* k (of this executor) ended: the tasks waiting for it are checked again */
void flux_past_task_ended(ex_task *k);
/* run leaves the executor (detached, or freed by a service): what links it
 * to its previous and next runs is undone, its waiting tasks let go */
void flux_past_forget(ex_run *run);
void flux_past_free(ex_run *run); /* its memory, when the run is freed */
void flux_past_init(flux_executor *ex);
/* A transition of run (of task k, or NULL) could not be written: a runner
 * stops at once (the next one resumes from the store), a service detaches
 * that run and goes on (its owner re-adopts it from the store). */
void flux_exec_store_fail(ex_run *run, const ex_task *k, const char *what);
/* Commits the transitions grouped since the last flush: called before
 * anything outside the store may follow from them (a process started, a
 * notification sent) and before the loop waits. false when the commit
 * failed (every run it may have held has been failed as a store failure). */
bool flux_exec_flush(flux_executor *ex);
/* Before acting on an event after the heartbeat went stale: write it now,
 * and let go of the runs another process took over meanwhile. */
void flux_exec_recheck(flux_executor *ex);
/* run's tries with a watched process: a detached run is freed when 0 */
void flux_exec_detached_proc_done(ex_task *k);
void flux_exec_say(ex_task *k, flux_exec_event kind, flux_ti_state st, int64_t duration_ms, const char *note);
void flux_exec_run_done(ex_run *run); /* when its last task finished */
void flux_exec_say_progress(flux_executor *ex); /* the progress counts, to the status callback */

/* The monotonic time of a wall-clock moment a previous runner recorded
 * (a try's start): now less the time since then, read once, never later. */
int64_t flux_exec_mono_of(int64_t wall_ms);

/* fdlimit.c: descriptors */
/* the soft RLIMIT_NOFILE raised to the hard one (once per process); the
 * limit now, INT_MAX for none */
int flux_fds_raise(void);
/* the soft RLIMIT_NOFILE this process started with, for its tasks, when
 * the executor raised its own above it; else 0 */
long flux_exec_task_nofile(void);
/* one more try of the backend fits under the limit (else it waits, said once) */
bool flux_fds_for_one_more(flux_executor *ex);

/* try.c: the life of one try */
void flux_try_queue(ex_task *k);
void flux_try_start(ex_task *k);
void flux_try_finished(ex_task *k, flux_ti_state st, const char *note, int exit_status);

/* ---- outbox.c: notifications ---- */
/* how long a runner goes on sending its notices after its runs ended */
#define FLUX_OUTBOX_DRAIN_MS 30000
/* The notices a try's transition to st causes (its on_failure, on_retry,
 * on_success notifiers), keys in keys[]; wakes the sender. */
size_t flux_outbox_notices(ex_task *k, flux_ti_state st, flux_notice *v, char (*keys)[81], size_t cap);
/* The idempotency key of a notice: "flux-" and a SHA-256 of what it is about. */
void flux_outbox_key(const char *pipeline, const char *run_id, const char *task, int try_number, const char *event,
                     const char *notifier, char out[81]);
void flux_outbox_start(flux_executor *ex);
void flux_outbox_kick(flux_executor *ex);
/* Sends what is left of this owner's notices, for at most limit_ms (sends
 * under way are waited for). */
void flux_outbox_drain(flux_executor *ex, int64_t limit_ms);
void flux_outbox_free(flux_executor *ex);
void flux_try_evaluate(ex_task *k);
/* k ends in st (skipped, upstream_failed) without running, with a note or NULL */
void flux_try_unrun(ex_task *k, flux_ti_state st, const char *note);
void flux_try_recover(ex_task *k);
void flux_try_done(void *ud, int status); /* the backend's done() */
void flux_try_desc_of(const ex_task *k, flux_try_desc *d);
void flux_try_paths(ex_task *k);
void flux_try_on_retry(uv_timer_t *t);
void flux_try_signal(ex_task *k, int sig);
/* the run's log directory and a file in it, opened as rundir.h does (a
 * refusal marks the try final); the descriptor, or negative with a note */
int flux_try_open_dir(ex_task *k, char *note, size_t notelen);
int flux_try_open_file(ex_task *k, int dirfd, const char *name, int flags, char *note, size_t notelen);

/* placement.c: the backend of a try about to start (NULL with a note, the
 * try final: slurm without the MySQL store), and of a try a previous
 * runner left unfinished */
flux_backend *flux_exec_backend_of(ex_task *k, char *note, size_t notelen);
flux_backend *flux_exec_backend_of_recovered(ex_task *k);

/* sensor.c: sensors checked by the runner, and waiting between pokes */
void flux_sensor_poke(ex_task *k);
/* a line of the sensor's log (its try's log): the time, then the text */
void flux_sensor_log(ex_task *k, int64_t now, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* a poke process ended with code (not interrupted): its line in the log */
void flux_sensor_poked(ex_task *k, int64_t now, int code);
void flux_sensor_not_yet(ex_task *k, int64_t now, char *note, size_t notelen);
void flux_sensor_on_poke(uv_timer_t *t);
/* a poke-mode sensor between pokes at a stop or drain: its slot given
 * back, recorded up_for_reschedule for the next runner */
void flux_sensor_let_go(ex_task *k);

/* fields.c: every field of a task rendered for one try, raw for running it
 * and masked JSON for the store. -1 with a note. */
int flux_fields_render(ex_task *k, flux_arena *a, flux_op_fields *fields, char **masked_json, char **raw_json,
                       const char ***secrets, size_t *nsecrets, char *note, size_t notelen);

#endif
