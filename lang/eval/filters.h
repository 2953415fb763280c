/* filters — the template filters and functions as table rows, for the
 * evaluator (eval.c). The names known to the language are listed by eval.h. */
#ifndef FLUX_FILTERS_H
#define FLUX_FILTERS_H

#include "eval.h"

typedef flux_eval_status (*flux_filter_fn)(flux_eval *ev, const flux_expr *x, flux_value in, flux_value *a,
                                           size_t n, flux_value *out);

/* argument types, one letter each: d duration, s string, i integer, * any;
 * checked as soon as an argument is known, even when the input is only known
 * at run time */
typedef struct flux_filter {
    const char *name;
    size_t min, max;
    flux_filter_fn fn;
    const char *args;
} flux_filter;

typedef struct flux_function {
    const char *name;
    size_t min, max;
    flux_eval_status (*fn)(flux_eval *, const flux_expr *, flux_value *, size_t, flux_value *);
    const char *args; /* as for filters */
} flux_function;

/* The row of a name, or NULL. */
const flux_filter *flux_filter_find(const char *name);
const flux_function *flux_function_find(const char *name);

#endif
