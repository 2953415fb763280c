/* browse — the views the web UI reads beside views.h's, each built once as
 * JSON the same way: the pipelines with their current version and last
 * runs, the scheduler heartbeats, a plan's structure, the diff of two plans.
 * NULL with err when the store cannot be read (or, for a plan, when there
 * is no such plan: *missing set). */
#ifndef FLUX_BROWSE_H
#define FLUX_BROWSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* [{pipeline, version, plan_id, paused, removed, description, owner, tags,
 *   schedule, timezone, tasks, last_runs: [run... up to nlast, newest first]}...] */
json_t *flux_view_pipelines(flux_store *s, size_t nlast, char *err, size_t errlen);

/* [{scheduler, host, pid, alive, started, heartbeat, heartbeat_age_ms, stopped}...] at now. */
json_t *flux_view_schedulers(flux_store *s, int64_t now, char *err, size_t errlen);

/* {plan_id, pipeline, tasks: [{id, operator, kind, upstream: [...]}...]} in plan order. */
json_t *flux_view_plan(flux_store *s, const char *plan_id, bool *missing, char *err, size_t errlen);

/* {from, to, summary, added, removed, changed}: what changed from plan a to plan b. */
json_t *flux_view_plan_diff(flux_store *s, const char *a, const char *b, bool *missing, char *err, size_t errlen);

/* A runs search as `flux runs` options and the web API's arguments give
 * it, each a text (NULL or "": not filtered): pipeline, state, trigger,
 * run_id (a prefix), from and to (the interval start within [from, to];
 * RFC 3339 times, UTC unless they name a zone), task (a run with a try of
 * it), field and output (a text a try's rendered fields, masked, or its
 * outputs hold, in its case; of task when given). */
typedef struct flux_runs_query {
    const char *pipeline, *state, *trigger, *run_id, *from, *to, *task, *field, *output;
    size_t window; /* field and output looked for in at most this many runs a page (0: all; store.h) */
} flux_runs_query;

/* {items: [run...], next_cursor: "..."|null}: one page of at most limit
 * runs of the search (cursor: the previous page's next_cursor, or NULL or
 * "" for the first), newest first by logical date, then id; with a window,
 * a page ends where its window did (fewer runs, and a cursor). NULL with err
 * and *bad set (a usage error) for a state, trigger, time or cursor that
 * is none; NULL with err when the store cannot be read. */
json_t *flux_view_runs_search(flux_store *s, const flux_runs_query *q, const char *cursor, size_t limit, bool *bad,
                              char *err, size_t errlen);

#endif
