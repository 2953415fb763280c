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

/* The run --date D names, as Airflow users read it: the run whose logical
 * date (its interval's start) is D. D with a time (in the timetable's zone
 * unless it names one) must be exactly a run's logical date, else an error
 * naming the nearest ones before and after; D without a time (YYYY-MM-DD)
 * names the one run whose logical date falls on that day in the
 * pipeline's zone, else an error saying there is none (and the nearest) or
 * how many there are (the first and last, and how to give a time). 0 with
 * *iv; FLUX_EXIT_USAGE when D is not a time; FLUX_EXIT_FAIL when it names
 * no run or several; err says why. */
int flux_runs_at_date(const flux_timetable *tt, const char *pipeline, const char *date, flux_interval *iv, char *err,
                      size_t errlen);

/* flux_runs_at_date of date, or without a date the latest interval already
 * over (FLUX_EXIT_FAIL when none has). */
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

/* The run of the store date names by its logical date, of pipeline (NULL:
 * the one pipeline that has such a run): a time (in the pipeline's zone
 * unless it names one) is a run's logical date exactly, a day (YYYY-MM-DD)
 * matches the runs whose logical date falls on it in the pipeline's zone.
 * 0 with *row; FLUX_EXIT_USAGE for a date that is not one, or runs of
 * several pipelines; FLUX_EXIT_FAIL for no run or several (a manual and a
 * backfill run of the same date: their ids, to name one), with err. */
int flux_runs_find_dated(flux_store *s, const char *pipeline, const char *date, flux_run_row *row, char *err,
                         size_t errlen);

/* Clears each task of run named in tasks (all when ntasks is 0; with
 * only_state, only those whose latest try failed or is upstream_failed) to
 * run again: a new try in state none after the ones kept, and the run
 * queued, in one transaction. A cleared try still queued or running as a
 * Slurm job has its job cancelled first, all of them in one scancel, and
 * is marked lost (a job cancelled too late records nothing, a queued one
 * claims nothing); *cancelled counts those jobs. The number cleared, or -1
 * with err (nothing cleared when Slurm did not take the scancel). */
int flux_runs_clear(flux_store *s, int64_t run, const char *const *tasks, size_t ntasks, const char *only_state,
                    int *cancelled, char *err, size_t errlen);

/* Queues a manual run of the deployment d (its plan loaded into c), the run
 * whose logical date is date (as flux_runs_at_date reads it; NULL: the
 * interval holding now, or a point interval at now outside the schedule),
 * with the overrides params ("name=value"), for a scheduler to start. 0
 * with *row; FLUX_EXIT_USAGE (bad params, a date that is not a time) or
 * FLUX_EXIT_FAIL (a date that names no run or several, a store error),
 * with err. */
int flux_runs_trigger(flux_store *s, const flux_deployment *d, flux_compilation *c, const char *date,
                      char **params, size_t nparams, flux_run_row *row, char *err, size_t errlen);

#endif
