/* scope — names bound to values, chained to the enclosing scope: the
 * variables of a template ({% set %}, loop variables, macros, and at run time
 * ds, params, conn ...). */
#ifndef FLUX_SCOPE_H
#define FLUX_SCOPE_H

#include <stdbool.h>

#include "arena.h"
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

/* The `loop` of iteration i (from 0) of n: index, index0, first, last,
 * length, revindex, revindex0, as a dict. */
flux_value flux_scope_loop(flux_arena *a, size_t i, size_t n);

#endif
