/* arena — region allocation for compile-time data. */
#include "arena.h"
#include "alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ARENA_CHUNK (256u * 1024u)
/* released standard chunks kept for reuse: enough for the scratch of one
 * loop iteration of any size met in practice, little when idle */
#define ARENA_SPARE 4

typedef struct chunk {
    struct chunk *next;
    size_t size, used;
    size_t seq; /* creation order, for releasing to a mark */
    _Alignas(16) unsigned char data[];
} chunk;

struct flux_arena {
    chunk *head;  /* allocations go here; big requests get a chunk behind it */
    chunk *spare; /* released standard chunks, reused before malloc */
    size_t nspare;
    size_t total;
    size_t seq;   /* number of the next chunk */
};

flux_arena *flux_arena_new(void)
{
    flux_arena *a = calloc(1, sizeof *a);
    if (!a)
        flux_oom();
    return a;
}

static void free_list(chunk *c)
{
    for (chunk *n; c; c = n) {
        n = c->next;
        UNPOISON(c->data, c->size);
        free(c);
    }
}

void flux_arena_free(flux_arena *a)
{
    if (!a)
        return;
    free_list(a->head);
    free_list(a->spare);
    free(a);
}

static chunk *new_chunk(flux_arena *a, size_t want)
{
    chunk *n;
    if (want == ARENA_CHUNK && a->spare) {
        n = a->spare;
        a->spare = n->next;
        a->nspare--;
    } else {
        n = malloc(sizeof *n + want);
        if (!n)
            flux_oom();
        n->size = want;
        a->total += sizeof *n + want;
        POISON(n->data, want);
    }
    n->used = 0;
    n->seq = a->seq++;
    return n;
}

void *flux_arena_alloc(flux_arena *a, size_t size)
{
    size = (size + 15u) & ~(size_t)15u;
    chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        /* big requests get their own chunk behind the current one so the
         * current chunk's free tail is not wasted */
        size_t want = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
        chunk *n = new_chunk(a, want);
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
    UNPOISON(p, size);
    memset(p, 0, size);
    return p;
}

flux_arena_mark flux_arena_mark_now(flux_arena *a)
{
    flux_arena_mark m = {a->head, a->head ? a->head->used : 0, a->seq};
    return m;
}

static void drop_chunk(flux_arena *a, chunk *c)
{
    if (c->size == ARENA_CHUNK && a->nspare < ARENA_SPARE) {
        POISON(c->data, c->size);
        c->next = a->spare;
        a->spare = c;
        a->nspare++;
        return;
    }
    a->total -= sizeof *c + c->size;
    UNPOISON(c->data, c->size);
    free(c);
}

/* Only the head is ever allocated from, and a big chunk is put right behind
 * the head of its time. So the chunks made since the mark are the ones before
 * the mark's chunk in the list and a run right behind it; the mark's chunk
 * itself only goes back to its old fill, and everything behind that run is
 * older than the mark and untouched since. */
void flux_arena_release(flux_arena *a, flux_arena_mark m)
{
    chunk **pp = &a->head;
    for (chunk *c; (c = *pp);) {
        if (c->seq >= m.seq) {
            *pp = c->next;
            drop_chunk(a, c);
            continue;
        }
        if (c != m.chunk)
            break;
        POISON(c->data + m.used, c->used - m.used);
        c->used = m.used;
        pp = &c->next;
    }
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
