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

flux_value flux_scope_loop(flux_arena *a, size_t i, size_t n)
{
    static const char *const keys[] = {"index", "index0", "first", "last", "length", "revindex", "revindex0"};
    flux_value vals[7] = {flux_int((int64_t)i + 1), flux_int((int64_t)i), flux_bool(i == 0), flux_bool(i + 1 == n),
                          flux_int((int64_t)n), flux_int((int64_t)(n - i)), flux_int((int64_t)(n - i - 1))};
    flux_value d = {.t = FLUX_T_DICT};
    d.u.list.n = 14;
    d.u.list.v = flux_arena_alloc(a, 14 * sizeof(flux_value));
    for (size_t k = 0; k < 7; k++) {
        d.u.list.v[2 * k] = flux_str(keys[k], strlen(keys[k]));
        d.u.list.v[2 * k + 1] = vals[k];
    }
    return d;
}
