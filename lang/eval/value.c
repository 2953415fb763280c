/* value — the values templates compute with; rendering and JSON. */
#include "value.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void flux_print_string_literal(const char *s, size_t n, flux_buf *out); /* parse.c */
void flux_print_duration(int64_t ms, flux_buf *out);                   /* parse.c */

flux_value flux_cstr(flux_arena *a, const char *s)
{
    size_t n = strlen(s);
    return flux_str(flux_arena_strndup(a, s, n), n);
}

const char *flux_type_name(flux_type t)
{
    switch (t) {
    case FLUX_T_NONE: return "none";
    case FLUX_T_BOOL: return "boolean";
    case FLUX_T_INT: return "integer";
    case FLUX_T_FLOAT: return "number";
    case FLUX_T_STR: return "string";
    case FLUX_T_DURATION: return "duration";
    case FLUX_T_TIME: return "time";
    case FLUX_T_LIST: return "list";
    case FLUX_T_DICT: return "dict";
    case FLUX_T_MACRO: return "macro";
    case FLUX_T_RUNTIME: return "run-time value";
    case FLUX_T_ERROR: return "invalid value";
    }
    return "value";
}

const char *flux_type_a(flux_type t)
{
    switch (t) {
    case FLUX_T_NONE: return "none";
    case FLUX_T_INT: return "an integer";
    case FLUX_T_ERROR: return "an invalid value";
    default: break;
    }
    static const char *const with_a[] = {
        [FLUX_T_BOOL] = "a boolean", [FLUX_T_FLOAT] = "a number", [FLUX_T_STR] = "a string",
        [FLUX_T_DURATION] = "a duration", [FLUX_T_TIME] = "a time", [FLUX_T_LIST] = "a list",
        [FLUX_T_DICT] = "a dict", [FLUX_T_MACRO] = "a macro", [FLUX_T_RUNTIME] = "a run-time value"};
    return with_a[t];
}

bool flux_truthy(flux_value v)
{
    switch (v.t) {
    case FLUX_T_NONE: return false;
    case FLUX_T_BOOL: return v.u.b;
    case FLUX_T_INT: return v.u.i != 0;
    case FLUX_T_FLOAT: return v.u.f != 0.0;
    case FLUX_T_STR: return v.u.s.len > 0;
    case FLUX_T_DURATION: return v.u.ms != 0;
    case FLUX_T_LIST: case FLUX_T_DICT: return v.u.list.n > 0;
    default: return true;
    }
}

bool flux_value_equal(flux_value a, flux_value b)
{
    if ((a.t == FLUX_T_INT || a.t == FLUX_T_FLOAT) && (b.t == FLUX_T_INT || b.t == FLUX_T_FLOAT)) {
        double x = a.t == FLUX_T_INT ? (double)a.u.i : a.u.f;
        double y = b.t == FLUX_T_INT ? (double)b.u.i : b.u.f;
        if (a.t == FLUX_T_INT && b.t == FLUX_T_INT)
            return a.u.i == b.u.i;
        return x == y;
    }
    if (a.t != b.t)
        return false;
    switch (a.t) {
    case FLUX_T_NONE: return true;
    case FLUX_T_BOOL: return a.u.b == b.u.b;
    case FLUX_T_STR: return a.u.s.len == b.u.s.len && memcmp(a.u.s.s, b.u.s.s, a.u.s.len) == 0;
    case FLUX_T_DURATION: case FLUX_T_TIME: return a.u.ms == b.u.ms; /* same instant, whatever the zone */
    case FLUX_T_LIST: case FLUX_T_DICT:
        if (a.u.list.n != b.u.list.n)
            return false;
        for (size_t i = 0; i < a.u.list.n; i++)
            if (!flux_value_equal(a.u.list.v[i], b.u.list.v[i]))
                return false;
        return true;
    case FLUX_T_MACRO: return a.u.p == b.u.p;
    default: return false;
    }
}

/* days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * well-known civil algorithm, written from its description) */
int64_t flux_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void flux_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void flux_time_iso(int64_t ms, int32_t off, flux_buf *out)
{
    ms += (int64_t)off * 1000;
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    int64_t y;
    unsigned m, d;
    flux_civil_from_days(days, &y, &m, &d);
    unsigned hh = (unsigned)(rem / 3600000), mm = (unsigned)(rem / 60000 % 60), ss = (unsigned)(rem / 1000 % 60);
    unsigned frac = (unsigned)(rem % 1000);
    flux_buf_printf(out, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u", y, m, d, hh, mm, ss);
    if (frac)
        flux_buf_printf(out, ".%03u", frac);
    if (off == 0) {
        flux_buf_putc(out, 'Z');
    } else {
        int32_t a = off < 0 ? -off : off;
        flux_buf_printf(out, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
    }
}

static void render_float(double f, flux_buf *out)
{
    if (isnan(f)) {
        flux_buf_puts(out, "nan");
        return;
    }
    if (isinf(f)) {
        flux_buf_puts(out, f < 0 ? "-inf" : "inf");
        return;
    }
    char tmp[64];
    double a = fabs(f);
    if (a == 0 || (a >= 1e-4 && a < 1e16)) {
        /* plain decimals with the fewest digits that read back exactly,
         * as Python prints floats: 1000.0, 0.1, 0.30000000000000004 */
        for (int d = 1; d <= 17; d++) {
            snprintf(tmp, sizeof tmp, "%.*f", d, f);
            if (strtod(tmp, NULL) == f)
                break;
        }
    } else {
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(tmp, sizeof tmp, "%.*g", prec, f);
            if (strtod(tmp, NULL) == f)
                break;
        }
    }
    flux_buf_puts(out, tmp);
}

void flux_value_json(flux_value v, flux_buf *out)
{
    switch (v.t) {
    case FLUX_T_NONE: flux_buf_puts(out, "null"); break;
    case FLUX_T_BOOL: flux_buf_puts(out, v.u.b ? "true" : "false"); break;
    case FLUX_T_INT: flux_buf_printf(out, "%" PRId64, v.u.i); break;
    case FLUX_T_FLOAT:
        if (!isfinite(v.u.f))
            flux_buf_puts(out, "null");
        else
            render_float(v.u.f, out);
        break;
    case FLUX_T_STR: {
        flux_buf_putc(out, '"');
        for (size_t i = 0; i < v.u.s.len; i++) {
            unsigned char c = (unsigned char)v.u.s.s[i];
            if (c == '"' || c == '\\')
                flux_buf_printf(out, "\\%c", c);
            else if (c == '\n')
                flux_buf_puts(out, "\\n");
            else if (c == '\t')
                flux_buf_puts(out, "\\t");
            else if (c == '\r')
                flux_buf_puts(out, "\\r");
            else if (c < 0x20)
                flux_buf_printf(out, "\\u%04x", c);
            else
                flux_buf_putc(out, (char)c);
        }
        flux_buf_putc(out, '"');
        break;
    }
    case FLUX_T_DURATION: case FLUX_T_TIME: {
        flux_buf tmp = {0};
        flux_value_render(v, &tmp);
        flux_value_json(flux_str(tmp.data ? tmp.data : "", tmp.len), out);
        flux_buf_free(&tmp);
        break;
    }
    case FLUX_T_LIST:
        flux_buf_putc(out, '[');
        for (size_t i = 0; i < v.u.list.n; i++) {
            if (i)
                flux_buf_puts(out, ", ");
            flux_value_json(v.u.list.v[i], out);
        }
        flux_buf_putc(out, ']');
        break;
    case FLUX_T_DICT:
        flux_buf_putc(out, '{');
        for (size_t i = 0; i + 1 < v.u.list.n; i += 2) {
            if (i)
                flux_buf_puts(out, ", ");
            flux_value k = v.u.list.v[i];
            if (k.t == FLUX_T_STR) {
                flux_value_json(k, out);
            } else {
                flux_buf tmp = {0};
                flux_value_render(k, &tmp);
                flux_value_json(flux_str(tmp.data ? tmp.data : "", tmp.len), out);
                flux_buf_free(&tmp);
            }
            flux_buf_puts(out, ": ");
            flux_value_json(v.u.list.v[i + 1], out);
        }
        flux_buf_putc(out, '}');
        break;
    default: flux_buf_puts(out, "null"); break;
    }
}

void flux_value_render(flux_value v, flux_buf *out)
{
    switch (v.t) {
    case FLUX_T_NONE: break;
    case FLUX_T_BOOL: flux_buf_puts(out, v.u.b ? "true" : "false"); break;
    case FLUX_T_INT: flux_buf_printf(out, "%" PRId64, v.u.i); break;
    case FLUX_T_FLOAT: render_float(v.u.f, out); break;
    case FLUX_T_STR: flux_buf_put(out, v.u.s.s, v.u.s.len); break;
    case FLUX_T_DURATION: flux_print_duration(v.u.ms, out); break;
    case FLUX_T_TIME: flux_time_iso(v.u.ms, v.off, out); break;
    case FLUX_T_LIST: case FLUX_T_DICT: flux_value_json(v, out); break;
    case FLUX_T_MACRO: flux_buf_puts(out, "<macro>"); break;
    case FLUX_T_RUNTIME: flux_buf_puts(out, "<run-time>"); break;
    case FLUX_T_ERROR: break;
    }
}
