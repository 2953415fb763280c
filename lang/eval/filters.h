/* filters — the template filters and functions as table rows, for the
 * evaluator (eval.c), and the names known to the language. */
#ifndef FLUX_FILTERS_H
#define FLUX_FILTERS_H

#include "evalctx.h"

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

/* Filters and functions known to the language, sorted. */
const char *const *flux_filter_names(size_t *n);
const char *const *flux_function_names(size_t *n);
bool flux_filter_known(const char *name);

/* A filter without arguments applied to a value ({{ in | name }}). */
flux_eval_status flux_filter_apply(flux_eval *ev, const char *name, flux_value in, flux_value *out);

/* The row of a name, or NULL. */
const flux_filter *flux_filter_find(const char *name);
const flux_function *flux_function_find(const char *name);

#endif
