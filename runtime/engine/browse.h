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

/* {items: [run...], next_cursor: "..."|null}: one page of the runs search
 * (store.h's flux_run_filter, an empty text filtering nothing; cursor: the
 * previous page's next_cursor or NULL), newest first. NULL with *bad set
 * (a usage error) for a cursor that is not one, a state or trigger that is
 * none. */
json_t *flux_view_runs_search(flux_store *s, const flux_run_filter *f, const char *cursor, size_t limit, bool *bad,
                              char *err, size_t errlen);

#endif
