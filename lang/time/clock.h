/* clock — the two clocks Flux reads: wall time (what run dates, logs and the
 * store record) and monotonic time (what timeouts and durations measure, so a
 * clock step never fires or stalls them). */
#ifndef FLUX_CLOCK_H
#define FLUX_CLOCK_H

#include <stdint.h>

int64_t flux_clock_wall_ms(void); /* CLOCK_REALTIME, milliseconds since the epoch (truncated) */
int64_t flux_clock_mono_ms(void); /* CLOCK_MONOTONIC, milliseconds (truncated) */
int64_t flux_clock_mono_us(void); /* CLOCK_MONOTONIC, microseconds (truncated) */

#endif
