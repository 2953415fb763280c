/* arena — region allocation for compile-time data.
 *
 * Everything a compilation builds (AST, expanded pipelines, values) lives in one
 * arena and is freed at once, as PostgreSQL's memory contexts do per parse.
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

/* Bytes obtained from the system so far (for benchmarks). */
size_t flux_arena_size(const flux_arena *a);

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
