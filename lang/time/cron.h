/* cron — schedule strings: five-field cron (names, ranges, steps, lists),
 * the @ presets and `every DURATION`, parsed into bit sets. Errors carry a
 * byte range inside the string so the caret lands on the field. */
#ifndef FLUX_CRON_H
#define FLUX_CRON_H

#include <stdbool.h>
#include <stdint.h>

#include "schederr.h"

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
 * never occur ("0 0 30 2 *") is an error. Steps run 1 to the field's span;
 * "a/n" runs from a to the end of the field's range, 0-7 for day-of-week
 * ("3/2" = WED,FRI,SUN).
 * out and err may be NULL; out is left untouched on failure. */
int flux_schedule_parse(const char *text, flux_schedule *out, flux_sched_error *err);

#endif
