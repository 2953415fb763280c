/* isotime — ISO-8601 times parsed strictly and printed from an instant. */
#include "isotime.h"
#include "civil.h"
#include "text.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool fixed_digits(const char *t, size_t p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!flux_is_digit(t[p + (size_t)i]))
            return false; /* also stops at the NUL, so no read past the end */
        x = x * 10 + (t[p + (size_t)i] - '0');
    }
    *v = x;
    return true;
}

/* Width of what sits where a number was expected, so the caret covers it. */
static size_t bad_len(const char *t, size_t p)
{
    size_t q = p;
    while (flux_is_digit(t[q]))
        q++;
    return q > p ? q - p : t[p] ? 1 : 0;
}

static int expect_digits(const char *t, size_t *p, int n, int *v, const char *what, flux_sched_error *err)
{
    if (!fixed_digits(t, *p, n, v) || flux_is_digit(t[*p + (size_t)n])) {
        flux_sched_fail(err, *p, bad_len(t, *p), "expected a %d-digit %s", n, what);
        flux_sched_hint(err, "write times as 'YYYY-MM-DDTHH:MM:SSZ', e.g. '2026-11-01T00:00:00Z'");
        return -1;
    }
    *p += (size_t)n;
    return 0;
}

static int expect_char(const char *t, size_t *p, char c, const char *after, flux_sched_error *err)
{
    if (t[*p] != c) {
        flux_sched_fail(err, *p, t[*p] ? 1 : 0, "expected '%c' after the %s", c, after);
        flux_sched_hint(err, "write times as 'YYYY-MM-DDTHH:MM:SSZ', e.g. '2026-11-01T00:00:00Z'");
        return -1;
    }
    (*p)++;
    return 0;
}

/* "+01:00", "-0500" at *pp (on the sign): minutes east of UTC */
static int parse_offset(const char *text, size_t *pp, int64_t *offset_min, flux_sched_error *err)
{
    size_t p = *pp, at;
    int sign = text[p] == '-' ? -1 : 1, oh, om;
    p++;
    at = p;
    if (!fixed_digits(text, p, 2, &oh)) {
        flux_sched_fail(err, at, bad_len(text, at), "expected a 2-digit offset hour");
        flux_sched_hint(err, "write offsets as '+01:00', '-0500' or 'Z'");
        return -1;
    }
    if (oh > 23)
        return flux_sched_fail(err, at, 2, "offset hour %d is out of range 0-23", oh);
    p += 2;
    if (text[p] == ':')
        p++;
    at = p;
    if (!fixed_digits(text, p, 2, &om)) {
        flux_sched_fail(err, at, text[p] ? bad_len(text, at) : 0, "expected 2-digit offset minutes");
        flux_sched_hint(err, "write offsets as '+01:00', '-0500' or 'Z'");
        return -1;
    }
    if (om > 59)
        return flux_sched_fail(err, at, 2, "offset minute %d is out of range 0-59", om);
    *pp = p + 2;
    *offset_min = sign * (oh * 60 + om);
    return 0;
}

int flux_time_parse(const char *text, int64_t *epoch_ms, bool *has_zone, flux_sched_error *err)
{
    char cb[12];
    if (!text || !*text) {
        flux_sched_fail(err, 0, 0, "empty time");
        flux_sched_hint(err, "write times as 'YYYY-MM-DDTHH:MM:SSZ', e.g. '2026-11-01T00:00:00Z'");
        return -1;
    }
    size_t p = 0, at;
    int year, month, day, hour = 0, minute = 0, second = 0, millis = 0;
    int64_t offset_min = 0;
    bool zone = false;

    if (expect_digits(text, &p, 4, &year, "year", err) || expect_char(text, &p, '-', "year", err))
        return -1;
    at = p;
    if (expect_digits(text, &p, 2, &month, "month", err))
        return -1;
    if (month < 1 || month > 12)
        return flux_sched_fail(err, at, 2, "month %d is out of range 1-12", month);
    if (expect_char(text, &p, '-', "month", err))
        return -1;
    at = p;
    if (expect_digits(text, &p, 2, &day, "day", err))
        return -1;
    if (day < 1 || day > 31)
        return flux_sched_fail(err, at, 2, "day %d is out of range 1-31", day);
    if (day > flux_civil_month_days(year, month)) {
        flux_sched_fail(err, at, 2, "day %d does not exist in %s %04d", day, flux_civil_month_name(month), year);
        if (month == 2 && day == 29)
            flux_sched_hint(err, "%04d is not a leap year", year);
        return -1;
    }

    if (text[p]) {
        if (text[p] != 'T' && text[p] != 't' && text[p] != ' ') {
            flux_sched_fail(err, p, 1, "expected 'T' or a space after the date, found %s", flux_text_char_repr(text[p], cb));
            flux_sched_hint(err, "write times as 'YYYY-MM-DDTHH:MM:SSZ', e.g. '2026-11-01T00:00:00Z'");
            return -1;
        }
        p++;
        at = p;
        if (expect_digits(text, &p, 2, &hour, "hour", err))
            return -1;
        if (hour > 23) {
            flux_sched_fail(err, at, 2, "hour %d is out of range 0-23", hour);
            if (hour == 24)
                flux_sched_hint(err, "write 00:00 of the next day");
            return -1;
        }
        if (expect_char(text, &p, ':', "hour", err))
            return -1;
        at = p;
        if (expect_digits(text, &p, 2, &minute, "minute", err))
            return -1;
        if (minute > 59)
            return flux_sched_fail(err, at, 2, "minute %d is out of range 0-59", minute);
        if (text[p] == ':') {
            p++;
            at = p;
            if (expect_digits(text, &p, 2, &second, "second", err))
                return -1;
            if (second > 59) {
                flux_sched_fail(err, at, 2, "second %d is out of range 0-59", second);
                if (second == 60)
                    flux_sched_hint(err, "leap seconds are not supported");
                return -1;
            }
            if (text[p] == '.' || text[p] == ',') {
                size_t fs = ++p;
                int scale = 100;
                while (flux_is_digit(text[p])) {
                    millis += (text[p] - '0') * scale; /* digits past milliseconds are dropped */
                    scale /= 10;
                    p++;
                }
                if (p == fs)
                    return flux_sched_fail(err, fs - 1, 1, "expected digits after '%c'", text[fs - 1]);
            }
        }
        if (text[p] == 'Z' || text[p] == 'z') {
            zone = true;
            p++;
        } else if (text[p] == '+' || text[p] == '-') {
            if (parse_offset(text, &p, &offset_min, err))
                return -1;
            zone = true;
        }
        if (text[p]) {
            flux_sched_fail(err, p, strlen(text + p), "unexpected %s after the %s", flux_text_char_repr(text[p], cb),
                 zone ? "zone offset" : "time");
            if (!zone)
                flux_sched_hint(err, "a time may end with 'Z' or an offset such as '+01:00'");
            return -1;
        }
    }

    int64_t days = flux_days_from_civil(year, (unsigned)month, (unsigned)day);
    int64_t secs = ((days * 24 + hour) * 60 + minute) * 60 + second - offset_min * 60;
    if (epoch_ms)
        *epoch_ms = secs * 1000 + millis;
    if (has_zone)
        *has_zone = zone;
    return 0;
}

void flux_time_iso_fmt(int64_t ms, int32_t off, unsigned flags, flux_buf *out)
{
    ms += (int64_t)off * 1000;
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    int64_t y;
    unsigned m, d;
    flux_civil_from_days(days, &y, &m, &d);
    unsigned hh = (unsigned)(rem / 3600000), mm = (unsigned)(rem / 60000 % 60), ss = (unsigned)(rem / 1000 % 60);
    unsigned frac = (unsigned)(rem % 1000);
    flux_buf_printf(out, "%04" PRId64 "-%02u-%02u%c%02u:%02u:%02u", y, m, d, flags & FLUX_ISO_SQL ? ' ' : 'T', hh,
                    mm, ss);
    if (flags & FLUX_ISO_MILLIS || (frac && !(flags & FLUX_ISO_SECONDS)))
        flux_buf_printf(out, ".%03u", frac);
    if (flags & FLUX_ISO_SQL)
        return;
    if (off == 0) {
        flux_buf_putc(out, 'Z');
    } else {
        int32_t a = off < 0 ? -off : off;
        flux_buf_printf(out, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
    }
}

void flux_time_iso(int64_t ms, int32_t off, flux_buf *out)
{
    flux_time_iso_fmt(ms, off, 0, out);
}

const char *flux_time_iso_into(int64_t ms, unsigned flags, char *out, size_t n)
{
    flux_buf b = {0};
    flux_time_iso_fmt(ms, 0, flags, &b);
    snprintf(out, n, "%s", b.data ? b.data : "");
    flux_buf_free(&b);
    return out;
}
