/* attr — typed reads of attributes by name. */
#include "attr.h"

#include <string.h>

const flux_attr *flux_attr_find(const flux_attrs *as, const char *key)
{
    for (size_t i = 0; i < as->n; i++)
        if (strcmp(as->v[i].key, key) == 0)
            return &as->v[i];
    return NULL;
}

flux_attr *flux_attr_append(flux_arena *a, flux_attrs *as)
{
    as->v = flux_arena_grow(a, as->v, as->n, &as->cap, sizeof *as->v, 8);
    flux_attr *at = &as->v[as->n++];
    memset(at, 0, sizeof *at);
    return at;
}

const flux_field *flux_attr_field(const flux_attrs *as, const char *key)
{
    const flux_attr *a = flux_attr_find(as, key);
    return a ? &a->val : NULL;
}

int64_t flux_attr_int(const flux_attrs *as, const char *key, int64_t dflt)
{
    const flux_field *f = flux_attr_field(as, key);
    return f && f->kind == FLUX_F_INT ? f->u.i : dflt;
}

int64_t flux_attr_ms(const flux_attrs *as, const char *key, int64_t dflt)
{
    const flux_field *f = flux_attr_field(as, key);
    return f && f->kind == FLUX_F_DURATION ? f->u.ms : dflt;
}

bool flux_attr_bool(const flux_attrs *as, const char *key, bool dflt)
{
    const flux_field *f = flux_attr_field(as, key);
    return f && f->kind == FLUX_F_BOOL ? f->u.b : dflt;
}

const char *flux_attr_word(const flux_attrs *as, const char *key, const char *dflt)
{
    const flux_field *f = flux_attr_field(as, key);
    return f && (f->kind == FLUX_F_IDENT || f->kind == FLUX_F_STRING) ? f->u.str.s : dflt;
}
