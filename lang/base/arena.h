/* arena — region allocation for compile-time data.
 *
 * Everything a compilation keeps (AST, expanded pipelines) lives in one arena
 * and is freed at once, as PostgreSQL's memory contexts do per parse. What a
 * stage needs only for a while (the expander's scopes and the values its
 * templates compute) lives in a second arena that is rolled back to a mark
 * when the while ends (flux_arena_release), as PostgreSQL resets a per-row
 * context: the memory of one loop iteration serves the next.
 */
#ifndef FLUX_ARENA_H
#define FLUX_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct flux_arena flux_arena;

flux_arena *flux_arena_new(void);
void flux_arena_free(flux_arena *a);

/* Zeroed, 16-byte aligned. Aborts on out-of-memory: a compiler that cannot
 * allocate cannot report anything useful either. */
void *flux_arena_alloc(flux_arena *a, size_t size);
void *flux_arena_memdup(flux_arena *a, const void *p, size_t size);

/* Room for one more element in an array of the arena: v itself while n <
 * *cap, else a copy of its n elements (of size elem) with twice the room
 * (first when it had none), *cap updated. The old array stays in the arena. */
void *flux_arena_grow(flux_arena *a, void *v, size_t n, size_t *cap, size_t elem, size_t first);
char *flux_arena_strndup(flux_arena *a, const char *s, size_t n);
char *flux_arena_strdup(flux_arena *a, const char *s);
char *flux_arena_printf(flux_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *flux_arena_vprintf(flux_arena *a, const char *fmt, va_list ap);

/* Bytes obtained from the system and not given back (for benchmarks). */
size_t flux_arena_size(const flux_arena *a);

/* A point in an arena's life. flux_arena_release(a, m) gives back everything
 * allocated in a since flux_arena_mark_now(a) returned m, and nothing older;
 * marks nest (an inner one is released before an outer one). The released
 * memory is kept for the allocations that follow (a few chunks of it), so a
 * loop whose iterations each mark and release reuses the same bytes. Under
 * AddressSanitizer released bytes are poisoned, so a pointer kept past its
 * release is reported where it is read. */
typedef struct flux_arena_mark {
    void *chunk;  /* the chunk allocations went to then (NULL: none yet) */
    size_t used;  /* its bytes in use then */
    size_t seq;   /* chunks numbered from this one on are newer */
} flux_arena_mark;

flux_arena_mark flux_arena_mark_now(flux_arena *a);
void flux_arena_release(flux_arena *a, flux_arena_mark m);

/* Growable byte buffer on malloc, for building strings before they are frozen
 * into an arena. */
typedef struct flux_buf {
    char *data;
    size_t len, cap;
} flux_buf;

void flux_buf_put(flux_buf *b, const char *s, size_t n);
void flux_buf_puts(flux_buf *b, const char *s);
void flux_buf_putc(flux_buf *b, char c);
void flux_buf_printf(flux_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *flux_buf_cstr(flux_buf *b); /* NUL-terminated view, valid until the next put */
void flux_buf_free(flux_buf *b);

#endif
