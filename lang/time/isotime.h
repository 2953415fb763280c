/* isotime — ISO-8601 times: parsed strictly from text and printed from an
 * instant at an offset. */
#ifndef FLUX_ISOTIME_H
#define FLUX_ISOTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "schederr.h"

/* ISO-8601: 2026-11-01T00:00:00Z, 2026-11-01T00:00:00+01:00, 2026-11-01T00:00,
 * 2026-11-01 (date only), fractional seconds allowed. has_zone is false when the
 * text carries no Z/offset (then it is a local time in the pipeline's timezone,
 * and *epoch_ms is that wall time taken as UTC). Checks calendar validity (month
 * lengths, leap years). Returns 0, or -1 with err.
 * Years 0000-9999; 'T' or one space between date and time; fractional seconds
 * are truncated to milliseconds; no leap seconds, no hour 24. Output pointers and
 * err may be NULL. */
int flux_time_parse(const char *text, int64_t *epoch_ms, bool *has_zone, flux_sched_error *err);

/* ISO-8601 text of an instant at an offset: 2026-11-01T00:00:00Z when the
 * offset is 0, else 2026-11-01T00:00:00+01:00 (milliseconds shown only when
 * not zero). */
void flux_time_iso(int64_t ms, int32_t off, flux_buf *out);

/* The same with choices, for the other ISO texts of the tree: */
enum {
    FLUX_ISO_MILLIS = 1,  /* always .mmm: 2026-11-01T00:00:00.000Z */
    FLUX_ISO_SECONDS = 2, /* never .mmm: milliseconds dropped (floor) */
    FLUX_ISO_SQL = 4      /* ' ' between date and time, no zone: a DATETIME literal */
};
void flux_time_iso_fmt(int64_t ms, int32_t off, unsigned flags, flux_buf *out);
/* flux_time_iso_fmt in UTC into a fixed buffer (cut to n - 1 bytes); returns out */
const char *flux_time_iso_into(int64_t ms, unsigned flags, char *out, size_t n);

#endif
