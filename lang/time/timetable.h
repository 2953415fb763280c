/* timetable — a schedule evaluated into runs in a zone: ticks, intervals and
 * the run that holds an instant (shared by dry-run, next and the scheduler). */
#ifndef FLUX_TIMETABLE_H
#define FLUX_TIMETABLE_H

#include <stdint.h>

#include "cron.h"

/* A schedule names instants ("ticks"). Cron fields match wall-clock times in
 * the pipeline's zone. A cron whose hour field allows every hour keeps equal
 * intervals of absolute time, as Airflow does for such crons: both passes of
 * a fold tick, and a wall time in a gap is taken at the offset before the
 * gap (later by the gap's length). Any other cron runs each wall time once: a
 * wall time that does not exist (gap) becomes the first valid instant after
 * it; one that happens twice (fold) counts once, at its first occurrence.
 * Ticks that land on the same instant are one tick. `every D` ticks at
 * start + k*D (absolute time, zone-independent).
 * A run covers [interval_start, interval_end) between consecutive ticks, the
 * first run starting at the first tick >= start, and fires at interval_end.
 * @once is one run with interval_start = interval_end = fire = start.
 * With an end, runs exist only while interval_end <= end.
 */

struct flux_tz;

typedef struct flux_interval {
    int64_t start_ms, end_ms, fire_ms; /* UTC epoch milliseconds */
} flux_interval;

typedef struct flux_timetable {
    flux_schedule sched;
    const struct flux_tz *tz;  /* NULL means UTC */
    int64_t start_ms;
    int64_t end_ms;  /* INT64_MAX when open-ended */
} flux_timetable;

/* First tick strictly after t; 0, or -1 when there is none (past year 9999,
 * or after the single @once tick). */
/* Ticks are the schedule's own instants: end does not apply to them, cron
 * ticks exist before start, and `every` ticks run start + k*D for negative k
 * too. Cron ticks fall on whole seconds. */
int flux_timetable_tick_after(const flux_timetable *tt, int64_t t_ms, int64_t *tick_ms);

/* The first run; 0, or -1 when the schedule has none. */
int flux_timetable_first(const flux_timetable *tt, flux_interval *out);

/* The run after prev; 0, or -1 when there is none. out may be prev. */
int flux_timetable_next(const flux_timetable *tt, const flux_interval *prev, flux_interval *out);

/* The run whose interval holds t (interval_start <= t < interval_end; for
 * @once, t == start); 0, or -1 when no run holds it. */
int flux_timetable_at(const flux_timetable *tt, int64_t t_ms, flux_interval *out);

#endif
