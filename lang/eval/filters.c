/* filters — the template filters and functions, one table row each (name,
 * arity, argument types, function), the same at compile time and at run
 * time, so an expression means the same thing in a loop header and in a
 * rendered command. */
#include "filters.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "duration.h"
#include "evalkit.h"
#include "isotime.h"
#include "timefmt.h"

#define FILTER(name) \
    static flux_eval_status name(flux_eval *ev, const flux_expr *x, flux_value in, flux_value *a, size_t n, \
                                 flux_value *out)

static flux_span fspan(const flux_expr *x)
{
    return x->kind == FLUX_X_FILTER ? x->u.filter.name_span : x->kind == FLUX_X_CALL ? x->u.call.name_span : x->span;
}

static flux_eval_status want_str(flux_eval *ev, const flux_expr *x, flux_value v, const char *what)
{
    if (v.t == FLUX_T_STR)
        return FLUX_EVAL_OK;
    return flux_evalkit_error(ev, fspan(x), NULL, "%s expects a string, found %s", what, flux_evalkit_tname(v));
}

FILTER(f_upper)
{
    (void)a, (void)n;
    flux_value s = flux_evalkit_render_str(ev, in);
    char *p = flux_arena_strndup(ev->arena, s.u.s.s, s.u.s.len);
    for (size_t i = 0; i < s.u.s.len; i++)
        if (p[i] >= 'a' && p[i] <= 'z')
            p[i] = (char)(p[i] - 32);
    (void)x;
    *out = flux_str(p, s.u.s.len);
    return FLUX_EVAL_OK;
}

FILTER(f_lower)
{
    (void)a, (void)n, (void)x;
    flux_value s = flux_evalkit_render_str(ev, in);
    char *p = flux_arena_strndup(ev->arena, s.u.s.s, s.u.s.len);
    for (size_t i = 0; i < s.u.s.len; i++)
        if (p[i] >= 'A' && p[i] <= 'Z')
            p[i] = (char)(p[i] + 32);
    *out = flux_str(p, s.u.s.len);
    return FLUX_EVAL_OK;
}

FILTER(f_trim)
{
    (void)a, (void)n, (void)x;
    flux_value s = flux_evalkit_render_str(ev, in);
    size_t b = 0, e = s.u.s.len;
    while (b < e && strchr(" \t\r\n\v\f", s.u.s.s[b]))
        b++;
    while (e > b && strchr(" \t\r\n\v\f", s.u.s.s[e - 1]))
        e--;
    *out = flux_str(flux_arena_strndup(ev->arena, s.u.s.s + b, e - b), e - b);
    return FLUX_EVAL_OK;
}

FILTER(f_replace)
{
    (void)n;
    flux_value s = flux_evalkit_render_str(ev, in);
    if (want_str(ev, x, a[0], "replace") || want_str(ev, x, a[1], "replace"))
        return FLUX_EVAL_ERROR;
    if (a[0].u.s.len == 0)
        return flux_evalkit_error(ev, x->u.filter.args.v[0]->span, NULL, "replace needs a non-empty string to find");
    flux_buf b = {0};
    for (size_t i = 0; i < s.u.s.len;) {
        if (i + a[0].u.s.len <= s.u.s.len && memcmp(s.u.s.s + i, a[0].u.s.s, a[0].u.s.len) == 0) {
            flux_buf_put(&b, a[1].u.s.s, a[1].u.s.len);
            i += a[0].u.s.len;
        } else {
            flux_buf_putc(&b, s.u.s.s[i++]);
        }
        if (b.len > STRING_MAX) {
            flux_buf_free(&b);
            return flux_evalkit_error(ev, x->span, NULL, "string too long");
        }
    }
    *out = flux_evalkit_str(ev, &b);
    return FLUX_EVAL_OK;
}

FILTER(f_default)
{
    (void)ev, (void)x;
    bool falsy = n > 1 && flux_truthy(a[1]);
    *out = (in.t == FLUX_T_NONE || (falsy && !flux_truthy(in))) ? a[0] : in;
    return FLUX_EVAL_OK;
}

FILTER(f_join)
{
    if (in.t != FLUX_T_LIST)
        return flux_evalkit_error(ev, fspan(x), NULL, "join expects a list, found %s", flux_evalkit_tname(in));
    flux_value sep = n ? flux_evalkit_render_str(ev, a[0]) : flux_str("", 0);
    flux_buf b = {0};
    for (size_t i = 0; i < in.u.list.n; i++) {
        if (i)
            flux_buf_put(&b, sep.u.s.s, sep.u.s.len);
        flux_value_render(in.u.list.v[i], &b);
    }
    *out = flux_evalkit_str(ev, &b);
    return FLUX_EVAL_OK;
}

FILTER(f_length)
{
    (void)a, (void)n;
    if (in.t == FLUX_T_STR) {
        int64_t k = 0;
        for (size_t i = 0; i < in.u.s.len; i++)
            k += ((unsigned char)in.u.s.s[i] & 0xC0) != 0x80; /* code points, not bytes */
        *out = flux_int(k);
    } else if (in.t == FLUX_T_LIST) {
        *out = flux_int((int64_t)in.u.list.n);
    } else if (in.t == FLUX_T_DICT) {
        *out = flux_int((int64_t)in.u.list.n / 2);
    } else {
        return flux_evalkit_error(ev, fspan(x), NULL, "length expects a string, list or dict, found %s", flux_evalkit_tname(in));
    }
    return FLUX_EVAL_OK;
}

FILTER(f_int)
{
    (void)a, (void)n;
    switch (in.t) {
    case FLUX_T_INT: *out = in; return FLUX_EVAL_OK;
    case FLUX_T_BOOL: *out = flux_int(in.u.b); return FLUX_EVAL_OK;
    case FLUX_T_FLOAT:
        /* -2^63 <= f < 2^63, both exact doubles: the numbers whose integer
         * part an int64 holds (NaN fails both) */
        if (!(in.u.f >= -9223372036854775808.0 && in.u.f < 9223372036854775808.0))
            return flux_evalkit_error(ev, fspan(x), NULL, "number out of integer range");
        *out = flux_int((int64_t)in.u.f);
        return FLUX_EVAL_OK;
    case FLUX_T_STR: {
        char *end;
        const char *s = in.u.s.s;
        while (*s == ' ')
            s++;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        while (*end == ' ')
            end++;
        if (end == s || *end || errno)
            return flux_evalkit_error(ev, fspan(x), NULL, "'%s' is not an integer", in.u.s.s);
        *out = flux_int(v);
        return FLUX_EVAL_OK;
    }
    default: return flux_evalkit_error(ev, fspan(x), NULL, "int cannot convert a %s", flux_evalkit_tname(in));
    }
}

FILTER(f_string)
{
    (void)a, (void)n, (void)x;
    *out = flux_evalkit_render_str(ev, in);
    return FLUX_EVAL_OK;
}

FILTER(f_json)
{
    (void)a, (void)n, (void)x;
    flux_buf b = {0};
    flux_value_json(in, &b);
    *out = flux_evalkit_str(ev, &b);
    return FLUX_EVAL_OK;
}

/* POSIX shell single quotes: nothing inside is special except the quote */
FILTER(f_shquote)
{
    (void)a, (void)n, (void)x;
    flux_value s = flux_evalkit_render_str(ev, in);
    flux_buf b = {0};
    flux_buf_putc(&b, '\'');
    for (size_t i = 0; i < s.u.s.len; i++) {
        if (s.u.s.s[i] == '\'')
            flux_buf_puts(&b, "'\\''");
        else
            flux_buf_putc(&b, s.u.s.s[i]);
    }
    flux_buf_putc(&b, '\'');
    *out = flux_evalkit_str(ev, &b);
    return FLUX_EVAL_OK;
}

/* a string between single quotes, for the dialect: the quote doubled in
 * both; MySQL also reads a backslash as an escape (the operators' sessions
 * never set NO_BACKSLASH_ESCAPES), SQLite and standard SQL do not */
static void sql_string(const char *s, size_t n, flux_sql_dialect d, flux_buf *b)
{
    flux_buf_putc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\'')
            flux_buf_puts(b, "''");
        else if (c == '\\' && d == FLUX_SQL_MYSQL)
            flux_buf_puts(b, "\\\\");
        else if (c == '\0' && d == FLUX_SQL_MYSQL)
            flux_buf_puts(b, "\\0");
        else
            flux_buf_putc(b, c);
    }
    flux_buf_putc(b, '\'');
}

static void sql_literal(flux_value v, flux_sql_dialect d, flux_buf *b)
{
    switch (v.t) {
    case FLUX_T_NONE: flux_buf_puts(b, "NULL"); return;
    case FLUX_T_BOOL: flux_buf_puts(b, v.u.b ? "TRUE" : "FALSE"); return;
    case FLUX_T_INT: case FLUX_T_FLOAT: flux_value_render(v, b); return;
    case FLUX_T_TIME: {
        /* DATETIME columns carry no zone: SQL literals of times are UTC */
        flux_civil_time c = flux_civil_at(v.u.ms);
        flux_buf_printf(b, "'%04" PRId64 "-%02u-%02u %02u:%02u:%02u", c.y, c.m, c.d, c.hh, c.mm, c.ss);
        if (c.ms)
            flux_buf_printf(b, ".%03u", c.ms);
        flux_buf_putc(b, '\'');
        return;
    }
    case FLUX_T_LIST:
        flux_buf_putc(b, '(');
        for (size_t i = 0; i < v.u.list.n; i++) {
            if (i)
                flux_buf_puts(b, ", ");
            sql_literal(v.u.list.v[i], d, b);
        }
        flux_buf_putc(b, ')');
        return;
    default: {
        flux_buf t = {0};
        flux_value_render(v, &t);
        sql_string(t.data ? t.data : "", t.len, d, b);
        flux_buf_free(&t);
    }
    }
}

FILTER(f_sql)
{
    (void)a, (void)n, (void)x;
    flux_buf b = {0};
    sql_literal(in, ev->sql == FLUX_SQL_SQLITE ? FLUX_SQL_SQLITE : FLUX_SQL_MYSQL, &b);
    if (ev->compile_time && ev->sql == FLUX_SQL_UNKNOWN) {
        /* the database is known only at run time: a value whose literal
         * differs between dialects (a backslash in it) is quoted then */
        flux_buf other = {0};
        sql_literal(in, FLUX_SQL_SQLITE, &other);
        bool same = other.len == b.len && (!b.len || memcmp(other.data, b.data, b.len) == 0);
        flux_buf_free(&other);
        if (!same) {
            flux_buf_free(&b);
            out->t = FLUX_T_RUNTIME;
            return FLUX_EVAL_RUNTIME;
        }
    }
    *out = flux_evalkit_str(ev, &b);
    return FLUX_EVAL_OK;
}

static flux_eval_status time_in(flux_eval *ev, const flux_expr *x, flux_value in, int64_t *ms, int32_t *off)
{
    if (flux_evalkit_as_time(in, ms, off))
        return FLUX_EVAL_OK;
    if (in.t == FLUX_T_STR)
        return flux_evalkit_error(ev, fspan(x), "times are ISO-8601, e.g. 2026-11-01T00:00:00Z", "'%s' is not a time", in.u.s.s);
    return flux_evalkit_error(ev, fspan(x), NULL, "%s expects a time, found %s", fspan(x).file ? "this filter" : "filter",
               flux_evalkit_tname(in));
}

/* in's instant as fmt's text into b; *off gets its zone's offset */
static flux_eval_status time_text(flux_eval *ev, const flux_expr *x, flux_value in, const char *fmt, flux_buf *b,
                                  int32_t *off)
{
    int64_t ms;
    if (time_in(ev, x, in, &ms, off))
        return FLUX_EVAL_ERROR;
    char bad;
    flux_timefmt_format(ms, *off, fmt, strlen(fmt), b, &bad);
    return FLUX_EVAL_OK;
}

static flux_eval_status fmt_time(flux_eval *ev, const flux_expr *x, flux_value in, const char *fmt,
                                 flux_value *out)
{
    flux_buf b = {0};
    int32_t off;
    if (time_text(ev, x, in, fmt, &b, &off))
        return FLUX_EVAL_ERROR;
    *out = flux_evalkit_str(ev, &b);
    return FLUX_EVAL_OK;
}

FILTER(f_ds) { (void)a, (void)n; return fmt_time(ev, x, in, "%Y-%m-%d", out); }
FILTER(f_ds_nodash) { (void)a, (void)n; return fmt_time(ev, x, in, "%Y%m%d", out); }
FILTER(f_ts)
{
    (void)a, (void)n;
    /* Airflow's ts: ISO-8601 with a numeric offset, never 'Z' */
    flux_buf b = {0};
    int32_t off;
    if (time_text(ev, x, in, "%Y-%m-%dT%H:%M:%S", &b, &off))
        return FLUX_EVAL_ERROR;
    int32_t ao = off < 0 ? -off : off;
    flux_buf_printf(&b, "%c%02d:%02d", off < 0 ? '-' : '+', ao / 3600, ao / 60 % 60);
    *out = flux_evalkit_str(ev, &b);
    return FLUX_EVAL_OK;
}
FILTER(f_ts_nodash) { (void)a, (void)n; return fmt_time(ev, x, in, "%Y%m%dT%H%M%S", out); }

FILTER(f_date)
{
    (void)n;
    int64_t ms;
    int32_t off;
    if (want_str(ev, x, a[0], "date") || time_in(ev, x, in, &ms, &off))
        return FLUX_EVAL_ERROR;
    flux_buf b = {0};
    char bad;
    if (flux_timefmt_format(ms, off, a[0].u.s.s, a[0].u.s.len, &b, &bad) != 0) {
        flux_buf_free(&b);
        char *h = flux_arena_printf(ev->arena, "directives are %s", FLUX_TIMEFMT_DIRECTIVES);
        if (!bad)
            return flux_evalkit_error(ev, x->u.filter.args.v[0]->span, h, "date format ends with a lone '%%'");
        return flux_evalkit_error(ev, x->u.filter.args.v[0]->span, h, "unknown date directive '%%%c'", bad);
    }
    *out = flux_evalkit_str(ev, &b);
    return FLUX_EVAL_OK;
}

static bool add_overflows(int64_t a, int64_t b, int64_t *r)
{
    return __builtin_add_overflow(a, b, r);
}

FILTER(f_add)
{
    (void)n;
    if (a[0].t != FLUX_T_DURATION)
        return flux_evalkit_error(ev, x->u.filter.args.v[0]->span, "write a duration such as 1h or 30m", "add expects a duration, found %s",
                   flux_evalkit_tname(a[0]));
    int64_t r;
    if (in.t == FLUX_T_DURATION) {
        if (add_overflows(in.u.ms, a[0].u.ms, &r))
            return flux_evalkit_error(ev, x->span, NULL, "duration out of range");
        *out = flux_duration(r);
        return FLUX_EVAL_OK;
    }
    int64_t ms;
    int32_t off;
    if (time_in(ev, x, in, &ms, &off))
        return FLUX_EVAL_ERROR;
    if (add_overflows(ms, a[0].u.ms, &r))
        return flux_evalkit_error(ev, x->span, NULL, "time out of range");
    /* a time keeps its zone, and its offset follows the new instant */
    *out = in.t == FLUX_T_TIME ? flux_time_shift(in, r) : flux_time_at(r, off);
    return FLUX_EVAL_OK;
}

FILTER(f_first)
{
    (void)a, (void)n;
    if (in.t != FLUX_T_LIST)
        return flux_evalkit_error(ev, fspan(x), NULL, "first expects a list, found %s", flux_evalkit_tname(in));
    *out = in.u.list.n ? in.u.list.v[0] : flux_none();
    return FLUX_EVAL_OK;
}

FILTER(f_last)
{
    (void)a, (void)n;
    if (in.t != FLUX_T_LIST)
        return flux_evalkit_error(ev, fspan(x), NULL, "last expects a list, found %s", flux_evalkit_tname(in));
    *out = in.u.list.n ? in.u.list.v[in.u.list.n - 1] : flux_none();
    return FLUX_EVAL_OK;
}

static const flux_filter filters[] = {
    {"add", 1, 1, f_add, "d"},          {"date", 1, 1, f_date, "s"},       {"default", 1, 2, f_default, "**"},
    {"ds", 0, 0, f_ds, ""},             {"ds_nodash", 0, 0, f_ds_nodash, ""}, {"first", 0, 0, f_first, ""},
    {"int", 0, 0, f_int, ""},           {"join", 0, 1, f_join, "s"},       {"json", 0, 0, f_json, ""},
    {"last", 0, 0, f_last, ""},         {"length", 0, 0, f_length, ""},    {"lower", 0, 0, f_lower, ""},
    {"replace", 2, 2, f_replace, "ss"}, {"shquote", 0, 0, f_shquote, ""},  {"sql", 0, 0, f_sql, ""},
    {"string", 0, 0, f_string, ""},     {"trim", 0, 0, f_trim, ""},        {"ts", 0, 0, f_ts, ""},
    {"ts_nodash", 0, 0, f_ts_nodash, ""}, {"upper", 0, 0, f_upper, ""},
};
#define NFILTERS (sizeof filters / sizeof *filters)

static const char *filter_names_v[NFILTERS];

const char *const *flux_filter_names(size_t *n)
{
    for (size_t i = 0; i < NFILTERS; i++)
        filter_names_v[i] = filters[i].name;
    *n = NFILTERS;
    return filter_names_v;
}

const flux_filter *flux_filter_find(const char *name)
{
    for (size_t i = 0; i < NFILTERS; i++)
        if (strcmp(filters[i].name, name) == 0)
            return &filters[i];
    return NULL;
}

bool flux_filter_known(const char *name)
{
    return flux_filter_find(name) != NULL;
}

flux_eval_status flux_filter_apply(flux_eval *ev, const char *name, flux_value in, flux_value *out)
{
    /* no expression behind it: errors (none for a well-typed input) have no place */
    static const flux_expr nowhere = {.kind = FLUX_X_NONE};
    const flux_filter *f = flux_filter_find(name);
    if (!f || f->min > 0)
        return FLUX_EVAL_ERROR;
    return f->fn(ev, &nowhere, in, NULL, 0, out);
}

/* ---- functions ---- */

static flux_eval_status fn_range(flux_eval *ev, const flux_expr *x, flux_value *a, size_t n, flux_value *out)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].t != FLUX_T_INT)
            return flux_evalkit_error(ev, x->u.call.args.v[i]->span, NULL, "range expects integers, found %s", flux_evalkit_tname(a[i]));
    int64_t start = n >= 2 ? a[0].u.i : 0, stop = n >= 2 ? a[1].u.i : a[0].u.i, step = n == 3 ? a[2].u.i : 1;
    if (step == 0)
        return flux_evalkit_error(ev, x->u.call.args.v[2]->span, NULL, "range step must not be zero");
    double count = ceil(((double)stop - (double)start) / (double)step);
    if (count < 0)
        count = 0;
    if (count > RANGE_MAX)
        return flux_evalkit_error(ev, x->span, "split the work into several loops or pipelines", "range of %.0f items is larger than %d",
                   count, RANGE_MAX);
    size_t k = (size_t)count;
    flux_value *v = flux_arena_alloc(ev->arena, (k ? k : 1) * sizeof *v);
    for (size_t i = 0; i < k; i++)
        v[i] = flux_int(start + (int64_t)i * step);
    out->t = FLUX_T_LIST;
    out->u.list.v = v;
    out->u.list.n = k;
    return FLUX_EVAL_OK;
}

static flux_eval_status fn_ds_add(flux_eval *ev, const flux_expr *x, flux_value *a, size_t n, flux_value *out)
{
    (void)n;
    int64_t ms;
    if (a[0].t != FLUX_T_STR || flux_timefmt_parse(a[0].u.s.s, a[0].u.s.len, "%Y-%m-%d", 8, &ms) != 0)
        return flux_evalkit_error(ev, x->u.call.args.v[0]->span, "ds_add takes a date as YYYY-MM-DD, e.g. ds_add(ds, 7)",
                   "ds_add expects a YYYY-MM-DD date");
    if (a[1].t != FLUX_T_INT || a[1].u.i > 3650000 || a[1].u.i < -3650000)
        return flux_evalkit_error(ev, x->u.call.args.v[1]->span, NULL, "ds_add expects a number of days");
    flux_buf b = {0};
    char bad;
    flux_timefmt_format(ms + a[1].u.i * 86400000, 0, "%Y-%m-%d", 8, &b, &bad);
    *out = flux_evalkit_str(ev, &b);
    return FLUX_EVAL_OK;
}

static flux_eval_status fn_ds_format(flux_eval *ev, const flux_expr *x, flux_value *a, size_t n, flux_value *out)
{
    (void)n;
    for (size_t i = 0; i < 3; i++)
        if (a[i].t != FLUX_T_STR)
            return flux_evalkit_error(ev, x->u.call.args.v[i]->span, NULL, "ds_format expects strings, found %s", flux_evalkit_tname(a[i]));
    int64_t ms;
    if (flux_timefmt_parse(a[0].u.s.s, a[0].u.s.len, a[1].u.s.s, a[1].u.s.len, &ms) != 0)
        return flux_evalkit_error(ev, x->u.call.args.v[0]->span, "input formats use %Y %m %d %H %M %S %y",
                   "'%s' does not match the format '%s'", a[0].u.s.s, a[1].u.s.s);
    flux_buf b = {0};
    char bad;
    if (flux_timefmt_format(ms, 0, a[2].u.s.s, a[2].u.s.len, &b, &bad) != 0) {
        flux_buf_free(&b);
        return flux_evalkit_error(ev, x->u.call.args.v[2]->span, NULL, "unknown date directive in '%s'", a[2].u.s.s);
    }
    *out = flux_evalkit_str(ev, &b);
    return FLUX_EVAL_OK;
}

static const flux_function functions[] = {
    {"ds_add", 2, 2, fn_ds_add, "si"},
    {"ds_format", 3, 3, fn_ds_format, "sss"},
    {"range", 1, 3, fn_range, "iii"},
};
#define NFUNCTIONS (sizeof functions / sizeof *functions)

static const char *function_names_v[NFUNCTIONS];

const flux_function *flux_function_find(const char *name)
{
    for (size_t i = 0; i < NFUNCTIONS; i++)
        if (strcmp(functions[i].name, name) == 0)
            return &functions[i];
    return NULL;
}

const char *const *flux_function_names(size_t *n)
{
    for (size_t i = 0; i < NFUNCTIONS; i++)
        function_names_v[i] = functions[i].name;
    *n = NFUNCTIONS;
    return function_names_v;
}
