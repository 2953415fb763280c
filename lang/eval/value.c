/* value — the values templates compute with; rendering and JSON. */
#include "value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "parse.h"
#include "text.h"
#include "tz.h"
#include "utf8.h"

flux_value flux_cstr(flux_arena *a, const char *s)
{
    size_t n = strlen(s);
    return flux_str(flux_arena_strndup(a, s, n), n);
}

flux_value flux_value_copy(flux_arena *a, flux_value v)
{
    switch (v.t) {
    case FLUX_T_STR:
        v.u.s.s = flux_arena_strndup(a, v.u.s.s, v.u.s.len);
        break;
    case FLUX_T_LIST: case FLUX_T_DICT: {
        flux_value *items = flux_arena_alloc(a, (v.u.list.n ? v.u.list.n : 1) * sizeof *items);
        for (size_t i = 0; i < v.u.list.n; i++)
            items[i] = flux_value_copy(a, v.u.list.v[i]);
        v.u.list.v = items;
        break;
    }
    default: break; /* held in v itself, or static (a zone, a marker's name, a macro's item) */
    }
    return v;
}

static int32_t zone_offset(const struct flux_tz *tz, int64_t ms)
{
    /* the second that holds ms: floor, also before 1970 */
    return tz ? flux_tz_offset(tz, ms / 1000 - (ms % 1000 < 0), NULL) : 0;
}

flux_value flux_time_in(int64_t ms, const struct flux_tz *tz)
{
    flux_value v = flux_time_at(ms, zone_offset(tz, ms));
    v.tz = tz;
    return v;
}

flux_value flux_time_shift(flux_value t, int64_t ms)
{
    t.u.ms = ms;
    if (t.tz)
        t.off = zone_offset(t.tz, ms);
    return t;
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

static void render_float(double f, flux_buf *out)
{
    char tmp[FLUX_DOUBLE_TEXT];
    flux_buf_puts(out, flux_text_double(f, tmp));
}

/* "%" PRId64 without printf: names made in loops render an integer each */
static void render_int(int64_t i, flux_buf *out)
{
    char tmp[24], *p = tmp + sizeof tmp;
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (i < 0)
        *--p = '-';
    flux_buf_put(out, p, (size_t)(tmp + sizeof tmp - p));
}

void flux_value_json(flux_value v, flux_buf *out)
{
    switch (v.t) {
    case FLUX_T_NONE: flux_buf_puts(out, "null"); break;
    case FLUX_T_BOOL: flux_buf_puts(out, v.u.b ? "true" : "false"); break;
    case FLUX_T_INT: render_int(v.u.i, out); break;
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
            if (c >= 0x80) {
                /* a string indexed by byte can hold part of a character:
                 * JSON is UTF-8, so each byte that is not part of a whole
                 * character becomes U+FFFD, as in flux_utf8_sanitize */
                size_t w = flux_utf8_seq((const unsigned char *)v.u.s.s + i, v.u.s.len - i);
                if (w) {
                    flux_buf_put(out, v.u.s.s + i, w);
                    i += w - 1;
                } else {
                    flux_buf_puts(out, "\\ufffd");
                }
            } else if (c == '"' || c == '\\')
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
    case FLUX_T_INT: render_int(v.u.i, out); break;
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
