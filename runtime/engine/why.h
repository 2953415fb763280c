/* why — `flux why RUN TASK`: why a task instance is in its state, or has
 * not started, from the store alone (no process of the run need be alive):
 * its trigger rule and each upstream's state, its pool and who holds the
 * pool's slots, max_active_tasks and max_active_runs, a paused pipeline,
 * depends_on_past (the previous run's instance), a sensor's last and next
 * poke, a retry's wait and next try, the run's owner and its heartbeat.
 * Built once as JSON (the command prints it as is, or its reasons as text,
 * and a web UI's task panel can serve the same value). Nothing here prints.
 */
#ifndef FLUX_WHY_H
#define FLUX_WHY_H

#include <jansson.h>
#include <stdint.h>

#include "conn.h"
#include "store.h"

/* {run: {id, pipeline, run_id, state, owner}, task, operator, kind, state,
 *  try, started, ended, note,
 *  reasons: [{code, text}...]   the decisive one first, one line each as
 *                               `flux why` prints them,
 *  trigger_rule: {rule, decision, upstream: [{task, state}...]},
 *  pool: null | {name, slots (null: not in flux.yaml), used,
 *                holders: [{pipeline, run_id, task, try}...]},
 *  max_active_tasks: {limit, running, applies}, max_active_runs: {limit, active},
 *  paused: null (never deployed) | bool,
 *  depends_on_past: null | {previous_run: null | {id, run_id, state}, state},
 *  sensor: null | {mode, poke_interval, pokes, last_poke, last_result,
 *                  next_poke, times_out_at},
 *  retry: null | {retries, tries, retry_delay, next_try},
 *  owner: null | {id, alive, what, heartbeat}}
 * at now (wall ms); conns: flux.yaml's pools (NULL: none known). Codes of
 * reasons: finished, running, retry_wait, poke_wait, run_ended, unclaimed,
 * owner_gone, max_active_runs, upstream, depends_on_past, pool,
 * max_active_tasks, ready, paused, owner. NULL with err when the task is
 * not in the run's plan or the store cannot be read. */
json_t *flux_view_why(flux_store *s, const flux_conns *conns, const flux_run_row *run, const char *task,
                      int64_t now, char *err, size_t errlen);

#endif
