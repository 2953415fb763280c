/* intern — one copy of each name.
 *
 * A pipeline made by loops names each task once where it is declared and again
 * in every dependency that reads it: 100,000 tasks with three upstreams each
 * render 700,000 names but hold 100,000 distinct ones. Interned, each distinct
 * name is stored once in the arena and every later rendering of it returns that
 * copy. The table itself is malloc'd and lives only as long as the stage that
 * renders names (the expansion of one file); the names outlive it in the arena.
 */
#ifndef FLUX_INTERN_H
#define FLUX_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef struct flux_intern_slot {
    const char *key; /* NULL = empty */
    uint32_t hash;   /* beside the key (one cache line a probe), so bytes */
    uint32_t len;    /* are compared only on a likely match */
} flux_intern_slot;

typedef struct flux_interner {
    flux_intern_slot *slots; /* open addressing, at most half full */
    size_t n, cap;
} flux_interner;

/* The arena copy (NUL-terminated) of the n bytes at s, made the first time
 * those bytes are seen and returned every time after. */
const char *flux_intern(flux_interner *t, flux_arena *a, const char *s, size_t n);

void flux_interner_free(flux_interner *t);

#endif
