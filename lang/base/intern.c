/* intern — one copy of each name (see intern.h). */
#include "intern.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "hash.h"

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = flux_hash(FLUX_HASH_SEED, s, n);
    return (uint32_t)(h ^ (h >> 32));
}

static void rehash(flux_interner *t, size_t cap)
{
    flux_intern_slot *slots = flux_xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].key)
            continue;
        size_t h = t->slots[i].hash & (cap - 1);
        while (slots[h].key)
            h = (h + 1) & (cap - 1);
        slots[h] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
}

const char *flux_intern(flux_interner *t, flux_arena *a, const char *s, size_t n)
{
    /* a name longer than 4 GiB cannot come from a source of at most 64 MiB
     * rendered under the expander's limits; it is copied, not interned */
    if (n > UINT32_MAX)
        return flux_arena_strndup(a, s, n);
    if (2 * (t->n + 1) > t->cap)
        rehash(t, t->cap ? 2 * t->cap : 256);
    uint32_t hv = hash_bytes(s, n);
    size_t h = hv & (t->cap - 1);
    for (; t->slots[h].key; h = (h + 1) & (t->cap - 1)) {
        const flux_intern_slot *sl = &t->slots[h];
        if (sl->hash == hv && sl->len == n && memcmp(sl->key, s, n) == 0)
            return sl->key;
    }
    const char *k = flux_arena_strndup(a, s, n);
    t->slots[h] = (flux_intern_slot){k, hv, (uint32_t)n};
    t->n++;
    return k;
}

void flux_interner_free(flux_interner *t)
{
    free(t->slots);
    memset(t, 0, sizeof *t);
}
