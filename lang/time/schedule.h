/* schedule — schedule strings, ISO-8601 times and IANA time zones.
 *
 * Shared by the compiler (which checks them and reports errors with a position
 * inside the string) and the runtime (which evaluates them). No diagnostics
 * object here: errors come back as a message plus a byte range of the input so
 * the caller can put a caret under the exact field.
 */
#ifndef FLUX_SCHEDULE_H
#define FLUX_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct flux_sched_error {
    char msg[160];     /* lowercase, no final period: "minute field: 61 is out of range 0-59" */
    char help[160];    /* "" or a fix: "did you mean '@daily'?" */
    size_t offset;     /* byte range in the input string the message is about */
    size_t len;
} flux_sched_error;

typedef enum {
    FLUX_SCHED_CRON,   /* 5-field cron, presets map onto it (@hourly = "0 * * * *" ...) */
    FLUX_SCHED_ONCE,   /* @once */
    FLUX_SCHED_EVERY   /* every DURATION, aligned to start */
} flux_sched_kind;

typedef struct flux_schedule {
    flux_sched_kind kind;
    uint64_t minutes;  /* bit m set: minute m allowed (0-59) */
    uint32_t hours;    /* bits 0-23 */
    uint32_t mdays;    /* bits 1-31 */
    uint16_t months;   /* bits 1-12 */
    uint8_t wdays;     /* bits 0-6, Sunday = 0 (7 is accepted in input as Sunday) */
    bool mday_star;    /* day-of-month field was '*' (cron's OR rule for mday/wday) */
    bool wday_star;    /* both: as in cron, a field starting with '*' counts ("*\/2" too) */
    int64_t every_ms;  /* FLUX_SCHED_EVERY */
} flux_schedule;

/* Parses "0 * * * *", "*\/15 9-17 * JAN-MAR MON-FRI", "@daily", "every 15m" ...
 * Returns 0, or -1 with *err filled.
 * Names and presets are case-insensitive; in day-of-week, a range ending at
 * Sunday wraps to 7 ("FRI-SUN" = 5-7). A day-of-month/month combination that can
 * never occur ("0 0 30 2 *") is an error. Steps run 1 to the field's span.
 * out and err may be NULL; out is left untouched on failure. */
int flux_schedule_parse(const char *text, flux_schedule *out, flux_sched_error *err);

/* Durations as in the language: 500ms 30s 5m 1h 2d 1w 1h30m. -1 with err on failure.
 * Units come largest first, each at most once ("30m1h" is an error); zero is
 * allowed here. text need not be NUL-terminated; ms and err may be NULL. */
int flux_duration_parse(const char *text, size_t len, int64_t *ms, flux_sched_error *err);

/* ISO-8601: 2026-11-01T00:00:00Z, 2026-11-01T00:00:00+01:00, 2026-11-01T00:00,
 * 2026-11-01 (date only), fractional seconds allowed. has_zone is false when the
 * text carries no Z/offset (then it is a local time in the pipeline's timezone,
 * and *epoch_ms is that wall time taken as UTC). Checks calendar validity (month
 * lengths, leap years). Returns 0, or -1 with err.
 * Years 0000-9999; 'T' or one space between date and time; fractional seconds
 * are truncated to milliseconds; no leap seconds, no hour 24. Output pointers and
 * err may be NULL. */
int flux_time_parse(const char *text, int64_t *epoch_ms, bool *has_zone, flux_sched_error *err);

/* True when name is an IANA zone present in the system zoneinfo (UTC included).
 * Rejects names with "..", leading '/', or anything that is not a TZif file.
 * Zoneinfo is $TZDIR, or /usr/share/zoneinfo when unset or empty. Also rejects
 * the TZif files there that are not zone names: localtime, posixrules, posix/...,
 * right/... */
bool flux_tz_exists(const char *name);

/* Closest known zone name by edit distance (case-insensitive), or NULL when none
 * is close. The returned string lives until exit.
 * The list comes from tzdata.zi (zones and links), else zone1970.tab + zone.tab,
 * read on the first call with the TZDIR of that moment and cached for the
 * process: not thread-safe. A bare city ("paris") also matches the last
 * component; only names whose TZif file exists are suggested. */
const char *flux_tz_suggest(const char *name);

/* ---- evaluation (shared by dry-run, next and the scheduler) ----
 *
 * A schedule names instants ("ticks"). Cron fields match wall-clock times in
 * the pipeline's zone: a wall time that does not exist (DST gap) becomes the
 * first valid instant after it; a wall time that happens twice (fold) counts
 * once, at its first occurrence; ticks that land on the same instant are one
 * tick. `every D` ticks at start + k*D (absolute time, zone-independent).
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
