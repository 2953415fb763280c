/* eval — evaluates template expressions against a scope of names.
 *
 * The same evaluator serves the expander (compile time: run-time names such as
 * ds or params evaluate to a RUNTIME marker, so an expression that touches one
 * is left for later) and the runtime's renderer (every name bound). Errors go
 * to the diagnostics object at the span of the offending sub-expression.
 */
#ifndef FLUX_EVAL_H
#define FLUX_EVAL_H

#include "ast.h"
#include "diag.h"
#include "value.h"

typedef struct flux_binding {
    const char *name;
    flux_value val;
    bool *used; /* set when the name is read (unused-{% set %} warnings) */
} flux_binding;

typedef struct flux_scope {
    const struct flux_scope *parent;
    flux_binding *v;
    size_t n, cap;
} flux_scope;

void flux_scope_bind(flux_arena *a, flux_scope *s, const char *name, flux_value v, bool *used);
const flux_binding *flux_scope_find(const flux_scope *s, const char *name);

typedef enum { FLUX_EVAL_OK, FLUX_EVAL_RUNTIME, FLUX_EVAL_ERROR } flux_eval_status;

typedef struct flux_eval {
    flux_arena *arena;
    flux_diags *diags;
    const flux_scope *scope;
    /* compile time: names of the run-time context are RUNTIME markers */
    bool compile_time;
    /* adds "in iteration ... of this loop" notes to an error */
    void (*notes)(void *ud, flux_diag *g);
    void *ud;
} flux_eval;

flux_eval_status flux_eval_expr(flux_eval *ev, const flux_expr *x, flux_value *out);

/* Partial evaluation: compile-time sub-expressions become literals, the rest
 * keeps its shape. NULL after an error. */
flux_expr *flux_fold(flux_eval *ev, flux_expr *x);

/* Literal expression for a compile-time value; NULL if it has none (macro). */
flux_expr *flux_value_expr(flux_arena *a, flux_value v, flux_span span);

/* The run-time context (DESIGN.md): ds, ts, interval_start, params, conn ... */
const char *const *flux_runtime_names(size_t *n);
bool flux_is_runtime_name(const char *name);

/* Filters and functions known to the language, sorted. */
const char *const *flux_filter_names(size_t *n);
const char *const *flux_function_names(size_t *n);
bool flux_filter_known(const char *name);

/* A filter without arguments applied to a value ({{ in | name }}). */
flux_eval_status flux_filter_apply(flux_eval *ev, const char *name, flux_value in, flux_value *out);

#endif
