/* history — the web UI's views of what ran, each built once as a JSON
 * value from bounded store queries (store.h's history section): the grid
 * of a pipeline's newest runs, the gantt of one run, runs per day, and
 * transfer counts over runs. Times are RFC 3339 UTC strings (null: not
 * yet). NULL with err when the store cannot be read. */
#ifndef FLUX_HISTORY_H
#define FLUX_HISTORY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* {pipeline, plan_id, tasks: [task ids in the plan order of the newest
 * run's plan], runs: [{run fields (flux_view_run)..., cells: [{task, state,
 * try_number, ti, duration_ms} | null, ...one per task]}...]}: the newest
 * nruns runs, newest first; a cell is its task's latest try (null: none;
 * duration_ms null until it ended). */
json_t *flux_view_grid(flux_store *s, const char *pipeline, size_t nruns, char *err, size_t errlen);

/* {run, tries: [{task, try_number, ti, state, ready, queued, started,
 * ended}...]}: every try of the run, by the time it became ready (then
 * queued, started, id); ready: it could run, queued: it left the runner's
 * queue with a slot, started: its process began. */
json_t *flux_view_gantt(flux_store *s, int64_t run, char *err, size_t errlen);

/* {items: [{day: "YYYY-MM-DD", pipeline, succeeded, failed, running}...]}:
 * runs per UTC day of their logical date over the days days ending with
 * now's, oldest first; a day without runs has no item. pipeline NULL: all. */
json_t *flux_view_stats_daily(flux_store *s, const char *pipeline, int days, int64_t now, char *err, size_t errlen);

/* {items: [{run, run_id, task, ti, records_read, records_written,
 * records_rejected, bytes, loss_ratio}...]}: counted tries, newest run
 * first, at most limit; loss_ratio (read - written) / read, null when
 * nothing was read. pipeline, task NULL: any. */
json_t *flux_view_transfers(flux_store *s, const char *pipeline, const char *task, size_t limit, char *err,
                            size_t errlen);

#endif
