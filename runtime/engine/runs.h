/* runs — choosing, clearing and triggering runs: the interval a command
 * means, tries cleared to run again, a manual run queued for a scheduler.
 * Nothing here prints: failures come back as a message in err. */
#ifndef FLUX_RUNS_H
#define FLUX_RUNS_H

#include <stddef.h>
#include <stdint.h>

#include "compile.h"
#include "schedule.h"
#include "store.h"

/* Wall-clock milliseconds since the epoch. */
int64_t flux_runs_now(void);

/* The run date names (a time in the timetable's zone unless it names one),
 * or without a date the latest interval already over. -1 with err. */
int flux_runs_pick_interval(const flux_timetable *tt, const char *pipeline, const char *date, flux_interval *iv,
                            char *err, size_t errlen);

/* The first run of a --from/--to range: the runs whose interval starts in
 * [from, to], both ends included (--from 11-25 --to 11-30 of a daily
 * pipeline is 6 runs). 0 with *first; FLUX_EXIT_USAGE for a reversed range;
 * FLUX_EXIT_FAIL when no run starts in it (wholly before the first run,
 * after the last, or between two runs), with err saying which. */
int flux_runs_range_first(const flux_timetable *tt, const char *pipeline, int64_t from, int64_t to,
                          flux_interval *first, char *err, size_t errlen);

/* The run arg names: its id, or its run id (of pipeline when given; an
 * error when several pipelines have it). -1 with err. */
int flux_runs_find(flux_store *s, const char *arg, const char *pipeline, flux_run_row *row, char *err,
                   size_t errlen);

/* Clears the latest try of each task of run named in tasks (all when ntasks
 * is 0; with only_state, only those failed or upstream_failed) to run again,
 * and queues the run when any was cleared. The number cleared, or -1. */
int flux_runs_clear(flux_store *s, int64_t run, const char *const *tasks, size_t ntasks, const char *only_state);

/* Queues a manual run of the deployment d (its plan loaded into c) at date
 * (NULL: now) with the overrides params ("name=value"), for a scheduler to
 * start. 0 with *row; FLUX_EXIT_USAGE (bad params) or FLUX_EXIT_FAIL, with
 * err. */
int flux_runs_trigger(flux_store *s, const flux_deployment *d, flux_compilation *c, const char *date,
                      char **params, size_t nparams, flux_run_row *row, char *err, size_t errlen);

#endif
