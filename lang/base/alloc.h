/* alloc — the allocation policy of Flux, stated once: running out of memory
 * aborts the process with "flux: out of memory" on stderr, as jq and the
 * arena do. A compiler or a task process that cannot allocate has nothing
 * sensible left to report, and a NULL check at every call would be dead code
 * that is never tested. So callers never check: use these helpers (or the
 * arena) instead of malloc/calloc/realloc/strdup. */
#ifndef FLUX_ALLOC_H
#define FLUX_ALLOC_H

#include <stdarg.h>
#include <stddef.h>

/* Prints "flux: out of memory" and aborts. */
_Noreturn void flux_oom(void);

void *flux_xmalloc(size_t n);             /* n == 0 allocates 1 byte: never NULL */
void *flux_xcalloc(size_t n, size_t size); /* zeroed; never NULL, overflow-checked */
void *flux_xrealloc(void *p, size_t n);    /* n == 0 keeps 1 byte: never NULL */
char *flux_xstrdup(const char *s);

/* Room for one more element in a malloc'd array: v itself while n < *cap,
 * else v reallocated to twice the room (first when it had none), *cap
 * updated. */
void *flux_xgrow(void *v, size_t n, size_t *cap, size_t elem, size_t first);

/* printf into a new string (free it). */
char *flux_xvasprintf(const char *fmt, va_list ap);

#endif
