/* views — the read-only views of the store, each built once as a JSON
 * value: the command prints it as JSON as is, or as text from it, and a web
 * UI can serve the same value. Times are ISO 8601 UTC strings (null for
 * "not yet"). NULL with err when the store cannot be read. */
#ifndef FLUX_VIEWS_H
#define FLUX_VIEWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "home.h"
#include "store.h"

/* A time as the views write it ("-" for 0, milliseconds when not whole). */
void flux_view_time(int64_t ms, char *out, size_t n);

/* A time as JSON: its string, or null for 0. */
json_t *flux_view_jtime(int64_t ms);

/* One run: {id, pipeline, run_id, state, trigger, interval_start,
 * interval_end, started, ended, plan_id}. */
json_t *flux_view_run(const flux_run_row *r);

/* The task ids of a plan in its order (upstream first), [] when the plan
 * cannot be read. */
json_t *flux_view_plan_tasks(flux_store *s, const char *plan_id);

/* [{id, pipeline, run_id, state, trigger, interval_start, interval_end,
 *   started, ended, plan_id}...], newest first; pipeline NULL: all. */
/* The notifications of the outbox, oldest first; state "" for all, or
 * pending, sent, failed: [{id, key, pipeline, run_id, task, try, event,
 * notifier, state, attempts, last_error, created_at, next_at, sent_at}]. */
json_t *flux_view_notifications(flux_store *s, const char *state, char *err, size_t errlen);
/* Notifiers whose latest notification failed for good or is pending after
 * two attempts or more: [{notifier, failing, last_error}]. */
json_t *flux_view_failing_notifiers(flux_store *s, char *err, size_t errlen);
json_t *flux_view_runs(flux_store *s, const char *pipeline, size_t limit, char *err, size_t errlen);

/* [{version, plan, deployed_at, commit, source, source_sha256, current}...],
 * newest first; an error when the pipeline was never deployed. */
json_t *flux_view_versions(flux_store *s, const char *pipeline, char *err, size_t errlen);

/* [{source, checked_at, commit, errors}...]: the sources whose last compile
 * failed; *checked: how many sources there are. */
json_t *flux_view_errors(flux_store *s, size_t *checked, char *err, size_t errlen);

/* The run with its tasks and tries, both in plan order (upstream first,
 * from the run's plan): the run's fields (flux_view_run), "tasks": [{task,
 * state, tries}...] for every task of the run (state "none" and 0 tries
 * for one that has not started yet), and "task_instances": [{ti, task,
 * try, state, started, ended, exit_status, pid, host, log, note, rendered,
 * outputs, counts, log_dropped, max_log_size}...] for rows, its tries
 * (each task's in try order; ti is the try's id). */
json_t *flux_view_tasks(flux_store *s, const flux_run_row *run, const flux_ti_row *rows, size_t n);

/* {pipelines: [{pipeline, description, owner, tags, last_run, runs,
 *               succeeded, failed}...],
 *  deployed: [{pipeline, description, owner, tags, version, plan, state,
 *              source, errors}...],
 *  schedulers: [{scheduler, alive, heartbeat_age_ms}...]} at now;
 * description, owner and tags are those of the last run's plan (deployed:
 * the deployed plan's). pipeline NULL: all; tag: only the pipelines whose
 * plan has it. detail (for a text view): each scheduler also says whether
 * it "stopped", and schedulers is null when they cannot be read. */
json_t *flux_view_status(flux_store *s, const char *pipeline, const char *tag, int64_t now, bool detail, char *err,
                         size_t errlen);

/* What a command uses (home.h's flux_home_describe) as JSON: {store: {url,
 * from}, flux_home: {path, from}, flux_yaml: {path (null: none), from},
 * cwd}; no password. */
json_t *flux_view_where(const flux_home_info *info);

/* The connections of conns and FLUX_CONN_* (names allocated in a):
 * [{name, type, address, user, database, password_set, origin, port?}...],
 * never a password. detail (for a text view): each also says whether its
 * type was given ("typed"), whether it has "brokers", and whether its
 * password is "unresolved". */
json_t *flux_view_connections(flux_arena *a, const flux_conns *conns, bool detail);

#endif
