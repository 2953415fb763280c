/* store_metrics — the aggregates /metrics serves, each one query that
 * groups in the database (GROUP BY), so a scrape moves the groups out of
 * the database, never its rows (millions of tries): runs and tries by
 * pipeline and state, how long tries ran (cumulative buckets), the records
 * transfers moved, and the plans recorded; the tries' aggregates over a
 * range of runs, so that a cache sums the finished runs once. Strings in the rows are
 * malloc'd; each free function frees a whole array. 0, or -1 with
 * flux_store_error. */
#ifndef FLUX_STORE_METRICS_H
#define FLUX_STORE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* a count by pipeline and one more key (a state) */
typedef struct flux_store_count {
    char *pipeline, *key;
    int64_t n;
} flux_store_count;
void flux_store_counts_free(flux_store_count *rows, size_t n);

/* The runs whose tries an aggregate sums: from <= id < below. */
typedef struct flux_store_run_range {
    int64_t from, below;
} flux_store_run_range;
#define FLUX_STORE_ALL_RUNS ((flux_store_run_range){0, INT64_MAX})

/* Runs by pipeline and state. */
int flux_store_count_runs(flux_store *s, flux_store_count **rows, size_t *n);
/* Task instances (every try) by their run's pipeline and their state. */
int flux_store_count_tis(flux_store *s, const flux_store_run_range *in, flux_store_count **rows, size_t *n);

/* Durations (ended - started) of the tries that started and ended, by
 * pipeline: le[i] counts those of at most bounds_ms[i]; count and sum of
 * all of them. */
#define FLUX_STORE_MAX_BUCKETS 16
typedef struct flux_store_durations {
    char *pipeline;
    int64_t le[FLUX_STORE_MAX_BUCKETS];
    int64_t count, sum_ms;
} flux_store_durations;
void flux_store_durations_free(flux_store_durations *rows, size_t n);
/* All tries (tasks NULL), or only the tries of the tasks named, each a
 * task of a plan: plans[i] and tasks[i] (a sensor's waits). nbounds at
 * most FLUX_STORE_MAX_BUCKETS. */
int flux_store_ti_durations(flux_store *s, const flux_store_run_range *in, const int64_t *bounds_ms, size_t nbounds,
                            const char *const *plans, const char *const *tasks, size_t ntasks,
                            flux_store_durations **rows, size_t *n);

/* What the transfers of each task moved, summed over its tries. */
typedef struct flux_store_records {
    char *pipeline, *task;
    int64_t read, written, rejected;
} flux_store_records;
void flux_store_records_free(flux_store_records *rows, size_t n);
int flux_store_records_totals(flux_store *s, const flux_store_run_range *in, flux_store_records **rows, size_t *n);

/* What a cache of the aggregates may keep (web/metrics.c): every run
 * below *below has finished (the oldest queued or running run, else one
 * past the newest), so its tries change no more unless a user clears or
 * marks it, which writes events. *first: the oldest run's id (0: none). */
int flux_store_settled_below(flux_store *s, int64_t *first, int64_t *below);
/* *id: the id of the run n runs on from the first at or after from (in
 * id order), -1 when there are not so many: where a chunk of n ends. */
int flux_store_runs_after(flux_store *s, int64_t from, int64_t n, int64_t *id);
/* Whether an event at or after since_ms (the writers' clocks) is of a run
 * below below: a run a cache summed has changed. */
int flux_store_runs_changed(flux_store *s, int64_t since_ms, int64_t below, bool *changed);

/* The id of every plan recorded (a few per pipeline: one per version). */
int flux_store_plan_ids(flux_store *s, char ***ids, size_t *n);
void flux_store_strings_free(char **v, size_t n);

#endif
