/* actions — the writes a user asks for by name, shared by the commands and
 * the web API so that each is done one way: clear tasks of a run (with
 * their downstream), mark a task's latest try success or failed, queue a
 * manual run of a deployed pipeline. Nothing here prints: FLUX_EXIT_USAGE
 * (a name that is not there, a bad value) or FLUX_EXIT_FAIL (the store)
 * with err. */
#ifndef FLUX_ACTIONS_H
#define FLUX_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

/* Clears the tasks named (all when ntasks is 0; with downstream, every
 * task downstream of them in the run's plan too) to run again, and queues
 * the run; *cleared: how many tries were cleared, *cancelled: how many of
 * their Slurm jobs were cancelled (runs.h's flux_runs_clear). */
int flux_action_clear(flux_store *s, const flux_run_row *run, const char *const *tasks, size_t ntasks,
                      bool downstream, int *cleared, int *cancelled, char *err, size_t errlen);

/* Sets the latest try of task in run to success or failed (a task of the
 * run's plan that has not run yet gets a first try in that state; one the
 * plan lacks is FLUX_EXIT_USAGE), noting that a user marked it; the run's
 * state follows its tasks when none is left to run. */
int flux_action_mark(flux_store *s, const flux_run_row *run, const char *task, flux_ti_state st, char *err,
                     size_t errlen);

/* Queues a manual run of pipeline's current deployment at date (NULL: now)
 * with params ("name=value"), as `flux trigger` does; *version: the
 * deployment's. A pipeline never deployed is FLUX_EXIT_FAIL with *version
 * 0; a run of that date that exists already is FLUX_EXIT_FAIL with *row
 * that run (row->id 0 on every other failure). */
int flux_action_trigger(flux_store *s, const char *pipeline, const char *date, char **params, size_t nparams,
                        flux_run_row *row, int *version, char *err, size_t errlen);

#endif
