/* schederr — the error of the time layer's parsers (durations, cron, ISO
 * times): a message plus a byte range of the input, so the compiler can put a
 * caret under the exact field. No diagnostics object at this layer. */
#ifndef FLUX_SCHEDERR_H
#define FLUX_SCHEDERR_H

#include <stddef.h>

typedef struct flux_sched_error {
    char msg[160];     /* lowercase, no final period: "minute field: 61 is out of range 0-59" */
    char help[160];    /* "" or a fix: "did you mean '@daily'?" */
    size_t offset;     /* byte range in the input string the message is about */
    size_t len;
} flux_sched_error;

#ifdef __GNUC__
#define FLUX_SCHED_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FLUX_SCHED_PRINTF(f, a)
#endif

/* Tokens are echoed into 160-byte messages; a clip keeps the sentence readable. */
#define FLUX_SCHED_CLIP(n) ((int)((n) > 40 ? 40 : (n)))

/* Fills err (when not NULL) with a message about [off, off+len) and no help;
 * returns -1 so parsers can `return flux_sched_fail(...)`. */
int flux_sched_fail(flux_sched_error *err, size_t off, size_t len, const char *fmt, ...) FLUX_SCHED_PRINTF(4, 5);

/* Sets the help line of err (when not NULL). */
void flux_sched_hint(flux_sched_error *err, const char *fmt, ...) FLUX_SCHED_PRINTF(2, 3);

#endif
