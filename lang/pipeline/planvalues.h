/* planvalues — the plan reader's typed values: fields (scalars, templates,
 * durations, enums, lists, maps), attribute maps, params, and the sorted name
 * lists the graph reader also uses. Internal to lang/pipeline. */
#ifndef FLUX_PLANVALUES_H
#define FLUX_PLANVALUES_H

#include "planread.h"

/* Names with their position, sorted by name: repeats and lookups in
 * n log n, whatever the size of the plan. */
typedef struct name_ref {
    const char *s;
    uint32_t i;
} name_ref;

int flux_planvalues_cmp_name(const void *x, const void *y);

/* v sorted; reports the earliest second use, at nodes[its position]. */
bool flux_planvalues_names_distinct(reader *r, const name_ref *v, size_t n, const node *const *nodes, const char *what);

int64_t flux_planvalues_name_find(const name_ref *v, size_t n, const char *s);

/* A mapping of name = value (pipeline attributes, a task's params) into
 * attrs, in the order written. */
bool flux_planvalues_attrs(reader *r, const node *m, const char *what, const char *owner, flux_attrs *out);

bool flux_planvalues_params(reader *r, const node *s, flux_attrs *out);

#endif
