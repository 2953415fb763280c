/* scheduler_int — what the scheduler service's two files share: its state
 * (scheduler.c: the tick, runs, store errors, signals) and the sources it
 * deploys (sched_sources.c: the tree or the branch watched and compiled).
 * Nothing outside runtime/engine's scheduler includes it. */
#ifndef FLUX_SCHEDULER_INT_H
#define FLUX_SCHEDULER_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "compile.h"
#include "executor.h"
#include "owner.h"
#include "schedule.h"
#include "scheduler.h"
#include "store.h"

typedef struct splan {
    char id[65];
    flux_compilation c;
    flux_pipeline *p;
    flux_timetable tt;
    int refs; /* runs executing on it, plus one while it is a pipeline's current plan */
    struct splan *next;
} splan;

typedef struct spipe {
    char name[256];
    splan *plan; /* its current version's plan (a reference held) */
    int version;
    bool paused, removed, seen;
    int64_t next_fire; /* the next run's fire time, 0 unknown (recomputed) */
} spipe;

typedef struct sched {
    const flux_scheduler_opts *o;
    flux_store *s;
    flux_executor *ex;
    const char *dir, *branch;
    char gitdir[PATH_MAX];
    char commit[65];
    int64_t grace_ms;
    flux_owner own;     /* this scheduler as the owner of its runs */
    const char *id;     /* own.id */
    splan *plans;
    spipe *pipes;
    size_t npipes;
    struct mine *mine; /* runs executing here, with the plan each holds */
    size_t nmine;
    struct retry *retry; /* runs let go after a store error: when to adopt each again */
    size_t nretry;
    char last_log[512];  /* a store error repeated every tick is logged once a minute */
    int64_t last_log_ms;
    uv_timer_t tick, poll, debounce;
    uv_signal_t sigterm, sigint, sighup;
    uv_fs_event_t **watch; /* one allocation each: libuv keeps their addresses */
    size_t nwatch;
    char *fingerprint; /* the tree's files, sizes and times, or the commit */
    bool stopping;
    bool exporting;             /* a commit's export is on the work queue */
    bool resync, resync_force;  /* a sync asked for meanwhile, done after it */
    int64_t last_source_error_ms;
    int64_t deadlines_ms; /* when deadlines were last checked */
} sched;

/* sched_deadlines.c: the deadlines of the pipelines' recent runs, checked
 * from the store every FLUX_DEADLINE_CHECK_MS; a miss recorded and its
 * notices written once */
#define FLUX_DEADLINE_CHECK_MS 2000
void flux_scheduler_deadlines(sched *S, int64_t now);
/* scheduler.c: a plan by id, a reference held (given back with _put) */
splan *flux_scheduler_plan(sched *S, const char *plan_id);
void flux_scheduler_plan_put(sched *S, splan *p);

/* scheduler.c: a log line; a tick as soon as the loop can */
void flux_scheduler_logf(sched *S, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void flux_scheduler_tick_now(sched *S);

/* sched_sources.c: watching starts (and the first compile and deploy);
 * a sync (force: recompile even when nothing changed, SIGHUP); watching
 * stops at SIGTERM; the handles closed with the loop's */
void flux_sched_sources_start(sched *S, uv_loop_t *loop);
void flux_sched_sources_sync(sched *S, bool force);
void flux_sched_sources_stop(sched *S);
void flux_sched_sources_close(sched *S);
void flux_sched_sources_free(sched *S);

#endif
