/* timefmt — strftime's common directives, written and read without libc's
 * locale or time zone (the date() filter, ds_add, ds_format). */
#ifndef FLUX_TIMEFMT_H
#define FLUX_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/* The directives known, for help lines. */
#define FLUX_TIMEFMT_DIRECTIVES "%Y %m %d %H %M %S %f %j %y %b %B %a %A %u %w %s %F %T %z %Z %%"

/* Writes the instant ms in the wall-clock time of offset off (seconds east)
 * as fmt says. Returns 0, or -1 with *bad set to the unknown directive. */
int flux_timefmt_format(int64_t ms, int32_t off, const char *fmt, size_t len, flux_buf *out, char *bad);

/* strptime for the numeric directives ds_format needs: s read with fmt into
 * a UTC instant. 0, or -1 when s does not match. */
int flux_timefmt_parse(const char *s, size_t slen, const char *fmt, size_t flen, int64_t *ms);

#endif
