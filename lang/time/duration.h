/* duration — the language's durations: parsed from text (500ms 30s 5m 1h 2d
 * 1w 1h30m) and printed back in their canonical form; and how long
 * something took, printed for people. */
#ifndef FLUX_DURATION_H
#define FLUX_DURATION_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "schederr.h"

/* Durations as in the language: 500ms 30s 5m 1h 2d 1w 1h30m. -1 with err on failure.
 * Units come largest first, each at most once ("30m1h" is an error); zero is
 * allowed here. text need not be NUL-terminated; ms and err may be NULL. */
int flux_duration_parse(const char *text, size_t len, int64_t *ms, flux_sched_error *err);

/* Canonical text of a duration, largest unit first, each unit once: "1h30m",
 * "500ms", "0s", "-5m" (days are the largest unit printed: 1w is "7d"). */
void flux_print_duration(int64_t ms, flux_buf *out);

/* How long something took, as every command prints it: the two largest
 * units, rounded: "850ms", "12.3s", "4m30s", "1h2m", "2d3h" (a zero last
 * unit is left out: "4m", "1h"). Not a duration of the language: "12.3s"
 * does not parse back. */
void flux_print_elapsed(int64_t ms, flux_buf *out);

#endif
