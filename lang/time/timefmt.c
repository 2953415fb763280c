/* timefmt — strftime's common directives, written and read without libc's
 * locale or time zone: the date() filter, ds_add and ds_format. */
#include "timefmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "civil.h"

static const char *const month_abbr[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const wday_abbr[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const wday_full[] = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};

/* strftime's common directives, in the wall-clock time of the value's zone
 * offset; returns the offending directive on an unknown one */
int flux_timefmt_format(int64_t ms, int32_t off, const char *fmt, size_t len, flux_buf *out, char *bad)
{
    flux_civil_time c = flux_civil_at(ms + (int64_t)off * 1000);
    c.epoch_s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int32_t aoff = off < 0 ? -off : off;
    for (size_t i = 0; i < len; i++) {
        if (fmt[i] != '%') {
            flux_buf_putc(out, fmt[i]);
            continue;
        }
        if (++i >= len) {
            *bad = '\0';
            return -1;
        }
        switch (fmt[i]) {
        case 'Y': flux_buf_printf(out, "%04" PRId64, c.y); break;
        case 'm': flux_buf_printf(out, "%02u", c.m); break;
        case 'd': flux_buf_printf(out, "%02u", c.d); break;
        case 'H': flux_buf_printf(out, "%02u", c.hh); break;
        case 'M': flux_buf_printf(out, "%02u", c.mm); break;
        case 'S': flux_buf_printf(out, "%02u", c.ss); break;
        case 'f': flux_buf_printf(out, "%06u", c.ms * 1000); break;
        case 'j': flux_buf_printf(out, "%03u", c.yday); break;
        case 'y': flux_buf_printf(out, "%02u", (unsigned)(((c.y % 100) + 100) % 100)); break;
        case 'b': flux_buf_puts(out, month_abbr[c.m - 1]); break;
        case 'B': flux_buf_puts(out, flux_civil_month_name((int)c.m)); break;
        case 'a': flux_buf_puts(out, wday_abbr[c.wday]); break;
        case 'A': flux_buf_puts(out, wday_full[c.wday]); break;
        case 'u': flux_buf_printf(out, "%u", c.wday ? c.wday : 7); break;
        case 'w': flux_buf_printf(out, "%u", c.wday); break;
        case 's': flux_buf_printf(out, "%" PRId64, c.epoch_s); break;
        case 'F': flux_buf_printf(out, "%04" PRId64 "-%02u-%02u", c.y, c.m, c.d); break;
        case 'T': flux_buf_printf(out, "%02u:%02u:%02u", c.hh, c.mm, c.ss); break;
        case 'z': flux_buf_printf(out, "%c%02d%02d", off < 0 ? '-' : '+', aoff / 3600, aoff / 60 % 60); break;
        case 'Z':
            if (off == 0)
                flux_buf_puts(out, "UTC");
            else
                flux_buf_printf(out, "%c%02d:%02d", off < 0 ? '-' : '+', aoff / 3600, aoff / 60 % 60);
            break;
        case '%': flux_buf_putc(out, '%'); break;
        default:
            *bad = fmt[i];
            return -1;
        }
    }
    return 0;
}

/* strptime for the numeric directives ds_format needs */
int flux_timefmt_parse(const char *s, size_t slen, const char *fmt, size_t flen, int64_t *ms)
{
    int64_t y = 1970;
    unsigned m = 1, d = 1, hh = 0, mi = 0, ss = 0;
    size_t p = 0;
    for (size_t i = 0; i < flen; i++) {
        if (fmt[i] != '%') {
            if (p >= slen || s[p] != fmt[i])
                return -1;
            p++;
            continue;
        }
        if (++i >= flen)
            return -1;
        int width;
        switch (fmt[i]) {
        case 'Y': width = 4; break;
        case 'm': case 'd': case 'H': case 'M': case 'S': case 'y': width = 2; break;
        case '%':
            if (p >= slen || s[p] != '%')
                return -1;
            p++;
            continue;
        default: return -1;
        }
        int64_t v = 0;
        int k = 0;
        while (k < width && p < slen && s[p] >= '0' && s[p] <= '9') {
            v = v * 10 + (s[p++] - '0');
            k++;
        }
        if (k == 0)
            return -1;
        switch (fmt[i]) {
        case 'Y': y = v; break;
        case 'y': y = 2000 + v; break;
        case 'm': m = (unsigned)v; break;
        case 'd': d = (unsigned)v; break;
        case 'H': hh = (unsigned)v; break;
        case 'M': mi = (unsigned)v; break;
        case 'S': ss = (unsigned)v; break;
        }
    }
    if (p != slen || m < 1 || m > 12 || d < 1 || hh > 23 || mi > 59 || ss > 59)
        return -1;
    int64_t days = flux_days_from_civil(y, m, d);
    int64_t y2;
    unsigned m2, d2;
    flux_civil_from_days(days, &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d)
        return -1; /* 31 April and the like */
    *ms = ((days * 24 + hh) * 60 + mi) * 60000 + (int64_t)ss * 1000;
    return 0;
}
