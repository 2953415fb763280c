/* evalkit — what the evaluator (eval.c) shares with its filters and
 * functions (filters.c): limits, errors at a span, and small value helpers.
 * Internal to lang/eval. */
#ifndef FLUX_EVALKIT_H
#define FLUX_EVALKIT_H

#include <stdbool.h>
#include <stdint.h>

#include "evalctx.h"

#define RANGE_MAX 1000000  /* a loop larger than this is a mistake, not a pipeline */
#define STRING_MAX (16u << 20)

/* Reports an error at span (with notes from ev->notes); returns FLUX_EVAL_ERROR. */
flux_eval_status flux_evalkit_error(flux_eval *ev, flux_span span, const char *help, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static inline const char *flux_evalkit_tname(flux_value v) { return flux_type_name(v.t); }

/* A string value of b's bytes, copied into the arena; frees b. */
flux_value flux_evalkit_str(flux_eval *ev, flux_buf *b);

/* v as a string value: itself, or its rendered text. */
flux_value flux_evalkit_render_str(flux_eval *ev, flux_value v);

/* a time from a time value, or from a string holding an ISO-8601 time
 * (shown in UTC) */
bool flux_evalkit_as_time(flux_value v, int64_t *ms, int32_t *off);

#endif
