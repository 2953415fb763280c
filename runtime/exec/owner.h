/* owner — the processes that execute runs, and who may take a run over.
 *
 * Every run has one owner from its creation: the `flux run` or `flux
 * backfill` that made it, or the scheduler that claimed it (a run `flux
 * trigger` queues has none until a scheduler claims it). Each owner is a
 * row of the store's registry (the schedulers table), its heartbeat
 * refreshed every second by the executor. Ownership moves only away from an
 * owner that is gone (stopped, its heartbeat older than the takeover limit,
 * or, on this host, its process no longer there), by the store's conditional
 * update. An owner whose own heartbeat could not be written for the fence
 * time stops starting tasks: it may be the one that is taken over.
 *
 * "Older than the takeover limit" is measured on this process's monotonic
 * clock, never by comparing wall clocks: an owner is gone when its
 * heartbeat value has not changed for that long while this process watched
 * it. A wall clock stepped by hours (or two hosts' clocks apart) therefore
 * never makes a live owner look dead; the price is that a process must
 * watch an owner it sees for the first time for the limit before taking
 * its runs (on this host a process that is gone is known at once).
 */
#ifndef FLUX_OWNER_H
#define FLUX_OWNER_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

/* a heartbeat older than this: its owner is gone and its runs may be taken over */
#define FLUX_OWNER_DEAD_AFTER_MS 10000
/* an owner whose last written heartbeat is older than this starts no task */
#define FLUX_OWNER_FENCE_MS 5000
/* how often the executor writes the heartbeat */
#define FLUX_OWNER_BEAT_MS 1000

typedef enum { FLUX_OWNER_SCHEDULER, FLUX_OWNER_RUNNER } flux_owner_kind;

typedef struct flux_owner {
    char id[256]; /* "scheduler:HOST:PID:TICKS" or "run:HOST:PID:TICKS" (its start, in ticks since boot) */
    char host[128];
    int pid;
    int64_t started; /* wall-clock ms */
    flux_owner_kind kind;
} flux_owner;

/* This process as an owner of that kind. */
void flux_owner_self(flux_owner *o, flux_owner_kind kind);
/* Writes its heartbeat (stopped: it exits cleanly, its runs free at once). */
int flux_owner_beat(flux_store *s, const flux_owner *o, int64_t now_ms, bool stopped);

/* What the registry says of an owner id. */
typedef struct flux_owner_seen {
    bool alive;
    /* alive only because it has not been watched for the limit yet: its
     * heartbeat looks old by the wall clock, and has not moved meanwhile */
    bool watching;
    int64_t watch_left_ms; /* with watching: how much longer before it counts as gone */
    flux_owner_kind kind;
    char what[400]; /* "flux run (pid 123 on host, heartbeat 0.4 s ago)" */
} flux_owner_seen;
/* rows: the registry (flux_store_list_schedulers), or NULL to read it.
 * now_ms (wall) only says how old the heartbeat looks in what. -1 when the
 * store cannot be read (err in the store). */
int flux_owner_look(flux_store *s, const flux_scheduler_row *rows, size_t n, const char *id, int64_t now_ms,
                    flux_owner_seen *out);

#endif
