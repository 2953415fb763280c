/* alloc — allocation that aborts on out of memory (the policy is in alloc.h). */
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void flux_oom(void)
{
    fputs("flux: out of memory\n", stderr);
    abort();
}

void *flux_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        flux_oom();
    return p;
}

void *flux_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        flux_oom();
    return p;
}

void *flux_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        flux_oom();
    return q;
}

char *flux_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(flux_xmalloc(n), s, n);
}

void *flux_xgrow(void *v, size_t n, size_t *cap, size_t elem, size_t first)
{
    if (n < *cap)
        return v;
    *cap = *cap ? 2 * *cap : first;
    return flux_xrealloc(v, *cap * elem);
}

char *flux_xvasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    char *s = flux_xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}
