/* eval — evaluates template expressions against a scope of names.
 *
 * The same evaluator serves the expander (compile time: run-time names such as
 * ds or params evaluate to a RUNTIME marker, so an expression that touches one
 * is left for later) and the runtime's renderer (every name bound). Errors go
 * to the diagnostics object at the span of the offending sub-expression.
 */
#ifndef FLUX_EVAL_H
#define FLUX_EVAL_H

#include "evalctx.h"
#include "filters.h" /* the names of filters and functions, flux_filter_apply */

flux_eval_status flux_eval_expr(flux_eval *ev, const flux_expr *x, flux_value *out);

/* Partial evaluation: compile-time sub-expressions become literals, the rest
 * keeps its shape. NULL after an error. */
flux_expr *flux_fold(flux_eval *ev, flux_expr *x);

/* Literal expression for a compile-time value, its strings copied into a;
 * NULL if it has none (macro). */
flux_expr *flux_value_expr(flux_arena *a, flux_value v, flux_span span);

/* The run-time context: ds, ts, interval_start, params, conn ... */
const char *const *flux_runtime_names(size_t *n);
bool flux_is_runtime_name(const char *name);

#endif
