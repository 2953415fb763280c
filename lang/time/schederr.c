/* schederr — filling the time layer's parse errors. */
#include "schederr.h"

#include <stdarg.h>
#include <stdio.h>

int flux_sched_fail(flux_sched_error *err, size_t off, size_t len, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->help[0] = '\0';
    err->offset = off;
    err->len = len;
    return -1;
}

void flux_sched_hint(flux_sched_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->help, sizeof err->help, fmt, ap);
    va_end(ap);
}
