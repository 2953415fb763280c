/* hash — the one hash of the project's open-addressing tables: FNV-1a,
 * quick on the short keys they hold (names, outputs, messages), its low
 * bits (a table's slot) well spread. Inline: flux-wrap, which links only a
 * few files of this layer, hashes its outputs with it too. */
#ifndef FLUX_HASH_H
#define FLUX_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FLUX_HASH_SEED 14695981039346656037ull

/* h carried on over the n bytes at p: start from FLUX_HASH_SEED, or chain
 * one key's parts through it */
static inline uint64_t flux_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

#endif
