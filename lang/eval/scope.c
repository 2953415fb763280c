/* scope — names bound to values, chained to the enclosing scope. */
#include "scope.h"

#include <string.h>

void flux_scope_bind(flux_arena *a, flux_scope *s, const char *name, flux_value v, bool *used)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i].name, name) == 0) {
            s->v[i].val = v;
            s->v[i].used = used;
            return;
        }
    }
    s->v = flux_arena_grow(a, s->v, s->n, &s->cap, sizeof *s->v, 4);
    s->v[s->n].name = name;
    s->v[s->n].val = v;
    s->v[s->n].used = used;
    s->n++;
}

const flux_binding *flux_scope_find(const flux_scope *s, const char *name)
{
    for (; s; s = s->parent)
        for (size_t i = s->n; i-- > 0;)
            if (strcmp(s->v[i].name, name) == 0)
                return &s->v[i];
    return NULL;
}
