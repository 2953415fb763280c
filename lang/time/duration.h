/* duration — the language's durations: parsed from text (500ms 30s 5m 1h 2d
 * 1w 1h30m) and printed back in their canonical form. */
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

#endif
