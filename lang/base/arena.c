/* arena — region allocation for compile-time data. */
#include "arena.h"
#include "alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (256u * 1024u)

typedef struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} chunk;

struct flux_arena {
    chunk *head;
    size_t total;
};

flux_arena *flux_arena_new(void)
{
    flux_arena *a = calloc(1, sizeof *a);
    if (!a)
        flux_oom();
    return a;
}

void flux_arena_free(flux_arena *a)
{
    if (!a)
        return;
    for (chunk *c = a->head, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    free(a);
}

void *flux_arena_alloc(flux_arena *a, size_t size)
{
    size = (size + 15u) & ~(size_t)15u;
    chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        /* big requests get their own chunk behind the current one so the
         * current chunk's free tail is not wasted */
        size_t want = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
        chunk *n = malloc(sizeof *n + want);
        if (!n)
            flux_oom();
        n->size = want;
        n->used = 0;
        a->total += sizeof *n + want;
        if (c && want != ARENA_CHUNK) {
            n->next = c->next;
            c->next = n;
        } else {
            n->next = c;
            a->head = n;
        }
        c = n;
    }
    void *p = c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

void *flux_arena_memdup(flux_arena *a, const void *p, size_t size)
{
    void *q = flux_arena_alloc(a, size ? size : 1);
    if (size)
        memcpy(q, p, size);
    return q;
}

char *flux_arena_strndup(flux_arena *a, const char *s, size_t n)
{
    char *p = flux_arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *flux_arena_strdup(flux_arena *a, const char *s)
{
    return flux_arena_strndup(a, s, strlen(s));
}

char *flux_arena_vprintf(flux_arena *a, const char *fmt, va_list ap)
{
    /* most texts are short: one formatting into a stack buffer, a second
     * one only for a long text */
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof small)
        return flux_arena_strndup(a, small, (size_t)n);
    char *p = flux_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *flux_arena_printf(flux_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = flux_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

size_t flux_arena_size(const flux_arena *a)
{
    return a->total;
}

static void buf_reserve(flux_buf *b, size_t extra)
{
    if (b->cap - b->len > extra)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->len <= extra)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d)
        flux_oom();
    b->data = d;
    b->cap = cap;
}

void flux_buf_put(flux_buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void flux_buf_puts(flux_buf *b, const char *s)
{
    flux_buf_put(b, s, strlen(s));
}

void flux_buf_putc(flux_buf *b, char c)
{
    flux_buf_put(b, &c, 1);
}

void flux_buf_printf(flux_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *flux_buf_cstr(flux_buf *b)
{
    buf_reserve(b, 0);
    b->data[b->len] = '\0';
    return b->data;
}

void flux_buf_free(flux_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void *flux_arena_grow(flux_arena *a, void *v, size_t n, size_t *cap, size_t elem, size_t first)
{
    if (n < *cap)
        return v;
    size_t c = *cap ? 2 * *cap : first;
    void *nv = flux_arena_alloc(a, c * elem);
    if (n)
        memcpy(nv, v, n * elem);
    *cap = c;
    return nv;
}
