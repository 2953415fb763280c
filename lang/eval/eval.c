/* eval — evaluates template expressions: operators, filters and functions.
 *
 * Filters and functions are rows of one table each (name, arity, function),
 * the same at compile time and at run time, so an expression means the same
 * thing in a loop header and in a rendered command. */
#include "eval.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "isotime.h"
#include "suggest.h"


#define RANGE_MAX 1000000  /* a loop larger than this is a mistake, not a pipeline */
#define STRING_MAX (16u << 20)

/* ---- scopes ---- */

void flux_scope_bind(flux_arena *a, flux_scope *s, const char *name, flux_value v, bool *used)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i].name, name) == 0) {
            s->v[i].val = v;
            s->v[i].used = used;
            return;
        }
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 4;
        flux_binding *nv = flux_arena_alloc(a, cap * sizeof *nv);
        if (s->n)
            memcpy(nv, s->v, s->n * sizeof *nv);
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n].name = name;
    s->v[s->n].val = v;
    s->v[s->n].used = used;
    s->n++;
}

const flux_binding *flux_scope_find(const flux_scope *s, const char *name)
{
    for (; s; s = s->parent)
        for (size_t i = s->n; i-- > 0;)
            if (strcmp(s->v[i].name, name) == 0)
                return &s->v[i];
    return NULL;
}

/* ---- names of the run-time context ---- */

static const char *const runtime_names[] = {
    "conn", "data_interval_end", "data_interval_start", "ds", "ds_nodash", "interval_end",
    "interval_start", "logical_date", "params", "pipeline", "run_id", "task", "tasks",
    "try_number", "ts", "ts_nodash",
};

const char *const *flux_runtime_names(size_t *n)
{
    *n = sizeof runtime_names / sizeof *runtime_names;
    return runtime_names;
}

bool flux_is_runtime_name(const char *name)
{
    size_t n;
    const char *const *v = flux_runtime_names(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], name) == 0)
            return true;
    return false;
}

/* ---- errors ---- */

static flux_eval_status err(flux_eval *ev, flux_span span, const char *help, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static flux_eval_status err(flux_eval *ev, flux_span span, const char *help, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flux_diag *g = flux_diag_vadd(ev->diags, FLUX_SEV_ERROR, span, "template", fmt, ap);
    va_end(ap);
    if (help)
        flux_diag_help(g, "%s", help);
    if (g && ev->notes)
        ev->notes(ev->ud, g);
    return FLUX_EVAL_ERROR;
}

static const char *tname(flux_value v)
{
    return flux_type_name(v.t);
}

static flux_value mkstr(flux_eval *ev, flux_buf *b)
{
    flux_value v = flux_str(flux_arena_strndup(ev->arena, b->data ? b->data : "", b->len), b->len);
    flux_buf_free(b);
    return v;
}

static flux_value render_str(flux_eval *ev, flux_value v)
{
    if (v.t == FLUX_T_STR)
        return v;
    flux_buf b = {0};
    flux_value_render(v, &b);
    return mkstr(ev, &b);
}

/* a time from a time value, or from a string holding an ISO-8601 time
 * (shown in UTC) */
static bool as_time(flux_value v, int64_t *ms, int32_t *off)
{
    *off = 0;
    if (v.t == FLUX_T_TIME) {
        *ms = v.u.ms;
        *off = v.off;
        return true;
    }
    if (v.t == FLUX_T_STR) {
        bool zone;
        flux_sched_error e;
        return flux_time_parse(v.u.s.s, ms, &zone, &e) == 0;
    }
    return false;
}

/* ---- date formatting ---- */

static const char *const month_abbr[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const month_full[] = {"January", "February", "March", "April", "May", "June", "July",
                                         "August", "September", "October", "November", "December"};
static const char *const wday_abbr[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const wday_full[] = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};

typedef struct civil {
    int64_t y;
    unsigned m, d, hh, mm, ss, ms, wday, yday;
    int64_t epoch_s;
} civil;

static civil to_civil(int64_t ms)
{
    civil c;
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    flux_civil_from_days(days, &c.y, &c.m, &c.d);
    c.hh = (unsigned)(rem / 3600000);
    c.mm = (unsigned)(rem / 60000 % 60);
    c.ss = (unsigned)(rem / 1000 % 60);
    c.ms = (unsigned)(rem % 1000);
    c.wday = (unsigned)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    c.yday = (unsigned)(days - flux_days_from_civil(c.y, 1, 1)) + 1;
    c.epoch_s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    return c;
}

static const char *const date_directives = "%Y %m %d %H %M %S %f %j %y %b %B %a %A %u %w %s %F %T %z %Z %%";

/* strftime's common directives, in the wall-clock time of the value's zone
 * offset; returns the offending directive on an unknown one */
static int format_time(int64_t ms, int32_t off, const char *fmt, size_t len, flux_buf *out, char *bad)
{
    civil c = to_civil(ms + (int64_t)off * 1000);
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
        case 'B': flux_buf_puts(out, month_full[c.m - 1]); break;
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
static int parse_time(const char *s, size_t slen, const char *fmt, size_t flen, int64_t *ms)
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

/* ---- filters ---- */

typedef flux_eval_status (*filter_fn)(flux_eval *ev, const flux_expr *x, flux_value in, flux_value *a,
                                      size_t n, flux_value *out);

/* argument types, one letter each: d duration, s string, i integer, * any;
 * checked as soon as an argument is known, even when the input is only known
 * at run time */
typedef struct filter {
    const char *name;
    size_t min, max;
    filter_fn fn;
    const char *args;
} filter;

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
    return err(ev, fspan(x), NULL, "%s expects a string, found %s", what, tname(v));
}

FILTER(f_upper)
{
    (void)a, (void)n;
    flux_value s = render_str(ev, in);
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
    flux_value s = render_str(ev, in);
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
    flux_value s = render_str(ev, in);
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
    flux_value s = render_str(ev, in);
    if (want_str(ev, x, a[0], "replace") || want_str(ev, x, a[1], "replace"))
        return FLUX_EVAL_ERROR;
    if (a[0].u.s.len == 0)
        return err(ev, x->u.filter.args.v[0]->span, NULL, "replace needs a non-empty string to find");
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
            return err(ev, x->span, NULL, "string too long");
        }
    }
    *out = mkstr(ev, &b);
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
        return err(ev, fspan(x), NULL, "join expects a list, found %s", tname(in));
    flux_value sep = n ? render_str(ev, a[0]) : flux_str("", 0);
    flux_buf b = {0};
    for (size_t i = 0; i < in.u.list.n; i++) {
        if (i)
            flux_buf_put(&b, sep.u.s.s, sep.u.s.len);
        flux_value_render(in.u.list.v[i], &b);
    }
    *out = mkstr(ev, &b);
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
        return err(ev, fspan(x), NULL, "length expects a string, list or dict, found %s", tname(in));
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
        if (!isfinite(in.u.f) || fabs(in.u.f) > 9.2e18)
            return err(ev, fspan(x), NULL, "number out of integer range");
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
            return err(ev, fspan(x), NULL, "'%s' is not an integer", in.u.s.s);
        *out = flux_int(v);
        return FLUX_EVAL_OK;
    }
    default: return err(ev, fspan(x), NULL, "int cannot convert a %s", tname(in));
    }
}

FILTER(f_string)
{
    (void)a, (void)n, (void)x;
    *out = render_str(ev, in);
    return FLUX_EVAL_OK;
}

FILTER(f_json)
{
    (void)a, (void)n, (void)x;
    flux_buf b = {0};
    flux_value_json(in, &b);
    *out = mkstr(ev, &b);
    return FLUX_EVAL_OK;
}

/* POSIX shell single quotes: nothing inside is special except the quote */
FILTER(f_shquote)
{
    (void)a, (void)n, (void)x;
    flux_value s = render_str(ev, in);
    flux_buf b = {0};
    flux_buf_putc(&b, '\'');
    for (size_t i = 0; i < s.u.s.len; i++) {
        if (s.u.s.s[i] == '\'')
            flux_buf_puts(&b, "'\\''");
        else
            flux_buf_putc(&b, s.u.s.s[i]);
    }
    flux_buf_putc(&b, '\'');
    *out = mkstr(ev, &b);
    return FLUX_EVAL_OK;
}

static void sql_literal(flux_value v, flux_buf *b)
{
    switch (v.t) {
    case FLUX_T_NONE: flux_buf_puts(b, "NULL"); return;
    case FLUX_T_BOOL: flux_buf_puts(b, v.u.b ? "TRUE" : "FALSE"); return;
    case FLUX_T_INT: case FLUX_T_FLOAT: flux_value_render(v, b); return;
    case FLUX_T_TIME: {
        /* DATETIME columns carry no zone: SQL literals of times are UTC */
        civil c = to_civil(v.u.ms);
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
            sql_literal(v.u.list.v[i], b);
        }
        flux_buf_putc(b, ')');
        return;
    default: {
        flux_buf t = {0};
        flux_value_render(v, &t);
        /* standard SQL quoting plus backslashes, which MySQL treats as escapes */
        flux_buf_putc(b, '\'');
        for (size_t i = 0; i < t.len; i++) {
            char c = t.data[i];
            if (c == '\'')
                flux_buf_puts(b, "''");
            else if (c == '\\')
                flux_buf_puts(b, "\\\\");
            else if (c == '\0')
                flux_buf_puts(b, "\\0");
            else
                flux_buf_putc(b, c);
        }
        flux_buf_putc(b, '\'');
        flux_buf_free(&t);
    }
    }
}

FILTER(f_sql)
{
    (void)a, (void)n, (void)x;
    flux_buf b = {0};
    sql_literal(in, &b);
    *out = mkstr(ev, &b);
    return FLUX_EVAL_OK;
}

static flux_eval_status time_in(flux_eval *ev, const flux_expr *x, flux_value in, int64_t *ms, int32_t *off)
{
    if (as_time(in, ms, off))
        return FLUX_EVAL_OK;
    if (in.t == FLUX_T_STR)
        return err(ev, fspan(x), "times are ISO-8601, e.g. 2026-11-01T00:00:00Z", "'%s' is not a time", in.u.s.s);
    return err(ev, fspan(x), NULL, "%s expects a time, found %s", fspan(x).file ? "this filter" : "filter",
               tname(in));
}

static flux_eval_status fmt_time(flux_eval *ev, const flux_expr *x, flux_value in, const char *fmt,
                                 flux_value *out)
{
    int64_t ms;
    int32_t off;
    if (time_in(ev, x, in, &ms, &off))
        return FLUX_EVAL_ERROR;
    flux_buf b = {0};
    char bad;
    format_time(ms, off, fmt, strlen(fmt), &b, &bad);
    *out = mkstr(ev, &b);
    return FLUX_EVAL_OK;
}

FILTER(f_ds) { (void)a, (void)n; return fmt_time(ev, x, in, "%Y-%m-%d", out); }
FILTER(f_ds_nodash) { (void)a, (void)n; return fmt_time(ev, x, in, "%Y%m%d", out); }
FILTER(f_ts)
{
    (void)a, (void)n;
    /* Airflow's ts: ISO-8601 with a numeric offset, never 'Z' */
    int64_t ms;
    int32_t off;
    if (time_in(ev, x, in, &ms, &off))
        return FLUX_EVAL_ERROR;
    flux_buf b = {0};
    char bad;
    format_time(ms, off, "%Y-%m-%dT%H:%M:%S", 17, &b, &bad);
    int32_t ao = off < 0 ? -off : off;
    flux_buf_printf(&b, "%c%02d:%02d", off < 0 ? '-' : '+', ao / 3600, ao / 60 % 60);
    *out = mkstr(ev, &b);
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
    if (format_time(ms, off, a[0].u.s.s, a[0].u.s.len, &b, &bad) != 0) {
        flux_buf_free(&b);
        char *h = flux_arena_printf(ev->arena, "directives are %s", date_directives);
        if (!bad)
            return err(ev, x->u.filter.args.v[0]->span, h, "date format ends with a lone '%%'");
        return err(ev, x->u.filter.args.v[0]->span, h, "unknown date directive '%%%c'", bad);
    }
    *out = mkstr(ev, &b);
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
        return err(ev, x->u.filter.args.v[0]->span, "write a duration such as 1h or 30m", "add expects a duration, found %s",
                   tname(a[0]));
    int64_t r;
    if (in.t == FLUX_T_DURATION) {
        if (add_overflows(in.u.ms, a[0].u.ms, &r))
            return err(ev, x->span, NULL, "duration out of range");
        *out = flux_duration(r);
        return FLUX_EVAL_OK;
    }
    int64_t ms;
    int32_t off;
    if (time_in(ev, x, in, &ms, &off))
        return FLUX_EVAL_ERROR;
    if (add_overflows(ms, a[0].u.ms, &r))
        return err(ev, x->span, NULL, "time out of range");
    *out = flux_time_at(r, off);
    return FLUX_EVAL_OK;
}

FILTER(f_first)
{
    (void)a, (void)n;
    if (in.t != FLUX_T_LIST)
        return err(ev, fspan(x), NULL, "first expects a list, found %s", tname(in));
    *out = in.u.list.n ? in.u.list.v[0] : flux_none();
    return FLUX_EVAL_OK;
}

FILTER(f_last)
{
    (void)a, (void)n;
    if (in.t != FLUX_T_LIST)
        return err(ev, fspan(x), NULL, "last expects a list, found %s", tname(in));
    *out = in.u.list.n ? in.u.list.v[in.u.list.n - 1] : flux_none();
    return FLUX_EVAL_OK;
}

static const filter filters[] = {
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

static const filter *find_filter(const char *name)
{
    for (size_t i = 0; i < NFILTERS; i++)
        if (strcmp(filters[i].name, name) == 0)
            return &filters[i];
    return NULL;
}

bool flux_filter_known(const char *name)
{
    return find_filter(name) != NULL;
}

flux_eval_status flux_filter_apply(flux_eval *ev, const char *name, flux_value in, flux_value *out)
{
    /* no expression behind it: errors (none for a well-typed input) have no place */
    static const flux_expr nowhere = {.kind = FLUX_X_NONE};
    const filter *f = find_filter(name);
    if (!f || f->min > 0)
        return FLUX_EVAL_ERROR;
    return f->fn(ev, &nowhere, in, NULL, 0, out);
}

/* ---- functions ---- */

static flux_eval_status fn_range(flux_eval *ev, const flux_expr *x, flux_value *a, size_t n, flux_value *out)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].t != FLUX_T_INT)
            return err(ev, x->u.call.args.v[i]->span, NULL, "range expects integers, found %s", tname(a[i]));
    int64_t start = n >= 2 ? a[0].u.i : 0, stop = n >= 2 ? a[1].u.i : a[0].u.i, step = n == 3 ? a[2].u.i : 1;
    if (step == 0)
        return err(ev, x->u.call.args.v[2]->span, NULL, "range step must not be zero");
    double count = ceil(((double)stop - (double)start) / (double)step);
    if (count < 0)
        count = 0;
    if (count > RANGE_MAX)
        return err(ev, x->span, "split the work into several loops or pipelines", "range of %.0f items is larger than %d",
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
    if (a[0].t != FLUX_T_STR || parse_time(a[0].u.s.s, a[0].u.s.len, "%Y-%m-%d", 8, &ms) != 0)
        return err(ev, x->u.call.args.v[0]->span, "ds_add takes a date as YYYY-MM-DD, e.g. ds_add(ds, 7)",
                   "ds_add expects a YYYY-MM-DD date");
    if (a[1].t != FLUX_T_INT || a[1].u.i > 3650000 || a[1].u.i < -3650000)
        return err(ev, x->u.call.args.v[1]->span, NULL, "ds_add expects a number of days");
    flux_buf b = {0};
    char bad;
    format_time(ms + a[1].u.i * 86400000, 0, "%Y-%m-%d", 8, &b, &bad);
    *out = mkstr(ev, &b);
    return FLUX_EVAL_OK;
}

static flux_eval_status fn_ds_format(flux_eval *ev, const flux_expr *x, flux_value *a, size_t n, flux_value *out)
{
    (void)n;
    for (size_t i = 0; i < 3; i++)
        if (a[i].t != FLUX_T_STR)
            return err(ev, x->u.call.args.v[i]->span, NULL, "ds_format expects strings, found %s", tname(a[i]));
    int64_t ms;
    if (parse_time(a[0].u.s.s, a[0].u.s.len, a[1].u.s.s, a[1].u.s.len, &ms) != 0)
        return err(ev, x->u.call.args.v[0]->span, "input formats use %Y %m %d %H %M %S %y",
                   "'%s' does not match the format '%s'", a[0].u.s.s, a[1].u.s.s);
    flux_buf b = {0};
    char bad;
    if (format_time(ms, 0, a[2].u.s.s, a[2].u.s.len, &b, &bad) != 0) {
        flux_buf_free(&b);
        return err(ev, x->u.call.args.v[2]->span, NULL, "unknown date directive in '%s'", a[2].u.s.s);
    }
    *out = mkstr(ev, &b);
    return FLUX_EVAL_OK;
}

typedef struct function {
    const char *name;
    size_t min, max;
    flux_eval_status (*fn)(flux_eval *, const flux_expr *, flux_value *, size_t, flux_value *);
    const char *args; /* as for filters */
} function;

static const function functions[] = {
    {"ds_add", 2, 2, fn_ds_add, "si"},
    {"ds_format", 3, 3, fn_ds_format, "sss"},
    {"range", 1, 3, fn_range, "iii"},
};
#define NFUNCTIONS (sizeof functions / sizeof *functions)

static const char *function_names_v[NFUNCTIONS];

const char *const *flux_function_names(size_t *n)
{
    for (size_t i = 0; i < NFUNCTIONS; i++)
        function_names_v[i] = functions[i].name;
    *n = NFUNCTIONS;
    return function_names_v;
}

/* ---- the evaluator ---- */

static flux_eval_status eval(flux_eval *ev, const flux_expr *x, flux_value *out);

static void suggest_names(flux_eval *ev, flux_suggester *s)
{
    for (const flux_scope *sc = ev->scope; sc; sc = sc->parent)
        for (size_t i = 0; i < sc->n; i++)
            flux_suggest_feed(s, sc->v[i].name);
    if (ev->compile_time) {
        size_t n;
        const char *const *v = flux_runtime_names(&n);
        for (size_t i = 0; i < n; i++)
            flux_suggest_feed(s, v[i]);
    }
}

static flux_eval_status eval_name(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    const flux_binding *b = flux_scope_find(ev->scope, x->u.name);
    if (b) {
        if (b->used)
            *b->used = true;
        if (b->val.t == FLUX_T_ERROR)
            return FLUX_EVAL_ERROR; /* its own error was reported where it was set */
        *out = b->val;
        return b->val.t == FLUX_T_RUNTIME ? FLUX_EVAL_RUNTIME : FLUX_EVAL_OK;
    }
    if (ev->compile_time && flux_is_runtime_name(x->u.name)) {
        out->t = FLUX_T_RUNTIME;
        out->u.p = x->u.name;
        return FLUX_EVAL_RUNTIME;
    }
    if (flux_diags_full(ev->diags))
        return FLUX_EVAL_ERROR;
    flux_suggester s;
    flux_suggest_init(&s, x->u.name);
    suggest_names(ev, &s);
    const char *best = flux_suggest_best(&s);
    if (best) {
        char *h = flux_arena_printf(ev->arena, "did you mean '%s'?", best);
        return err(ev, x->span, h, "unknown variable '%s'", x->u.name);
    }
    return err(ev, x->span, "variables are {% set %} names, loop variables, macro parameters and the run context (ds, params, ...)",
               "unknown variable '%s'", x->u.name);
}

static int num(flux_value v, double *d)
{
    if (v.t == FLUX_T_INT) {
        *d = (double)v.u.i;
        return 1;
    }
    if (v.t == FLUX_T_FLOAT) {
        *d = v.u.f;
        return 1;
    }
    return 0;
}

static int compare(flux_value a, flux_value b, int *c)
{
    double x, y;
    if (a.t == FLUX_T_INT && b.t == FLUX_T_INT) {
        *c = (a.u.i > b.u.i) - (a.u.i < b.u.i);
        return 0;
    }
    if (num(a, &x) && num(b, &y)) {
        *c = (x > y) - (x < y);
        return 0;
    }
    if (a.t == FLUX_T_STR && b.t == FLUX_T_STR) {
        size_t n = a.u.s.len < b.u.s.len ? a.u.s.len : b.u.s.len;
        int r = memcmp(a.u.s.s, b.u.s.s, n);
        *c = r ? (r > 0) - (r < 0) : (a.u.s.len > b.u.s.len) - (a.u.s.len < b.u.s.len);
        return 0;
    }
    if ((a.t == FLUX_T_DURATION && b.t == FLUX_T_DURATION) || (a.t == FLUX_T_TIME && b.t == FLUX_T_TIME)) {
        *c = (a.u.ms > b.u.ms) - (a.u.ms < b.u.ms);
        return 0;
    }
    return -1;
}

static flux_eval_status arith(flux_eval *ev, const flux_expr *x, flux_value a, flux_value b, flux_value *out)
{
    flux_xop op = x->u.binary.op;
    double p, q;
    int64_t r;
    if (a.t == FLUX_T_INT && b.t == FLUX_T_INT) {
        int64_t i = a.u.i, j = b.u.i;
        switch (op) {
        case FLUX_OP_ADD:
            if (__builtin_add_overflow(i, j, &r))
                goto overflow;
            *out = flux_int(r);
            return FLUX_EVAL_OK;
        case FLUX_OP_SUB:
            if (__builtin_sub_overflow(i, j, &r))
                goto overflow;
            *out = flux_int(r);
            return FLUX_EVAL_OK;
        case FLUX_OP_MUL:
            if (__builtin_mul_overflow(i, j, &r))
                goto overflow;
            *out = flux_int(r);
            return FLUX_EVAL_OK;
        case FLUX_OP_DIV:
            if (j == 0)
                goto divzero;
            *out = flux_float((double)i / (double)j);
            return FLUX_EVAL_OK;
        case FLUX_OP_IDIV: case FLUX_OP_MOD: {
            if (j == 0)
                goto divzero;
            if (i == INT64_MIN && j == -1)
                goto overflow;
            int64_t qd = i / j, m = i % j;
            if (m != 0 && ((m < 0) != (j < 0))) { /* floor semantics, as in Jinja */
                qd--;
                m += j;
            }
            *out = flux_int(op == FLUX_OP_IDIV ? qd : m);
            return FLUX_EVAL_OK;
        }
        default: break;
        }
    }
    if (num(a, &p) && num(b, &q)) {
        double f;
        switch (op) {
        case FLUX_OP_ADD: f = p + q; break;
        case FLUX_OP_SUB: f = p - q; break;
        case FLUX_OP_MUL: f = p * q; break;
        case FLUX_OP_DIV:
            if (q == 0)
                goto divzero;
            f = p / q;
            break;
        case FLUX_OP_IDIV:
            if (q == 0)
                goto divzero;
            f = floor(p / q);
            break;
        case FLUX_OP_MOD:
            if (q == 0)
                goto divzero;
            f = p - floor(p / q) * q;
            break;
        default: goto mismatch;
        }
        /* infinities and NaN have no literal: they could not be kept in a
         * plan, and a pipeline never means them */
        if (!isfinite(f))
            return err(ev, x->span, NULL, "number out of range");
        *out = flux_float(f);
        return FLUX_EVAL_OK;
    }
mismatch:
    if (op == FLUX_OP_ADD && a.t == FLUX_T_STR && b.t == FLUX_T_STR) {
        flux_buf s = {0};
        flux_buf_put(&s, a.u.s.s, a.u.s.len);
        flux_buf_put(&s, b.u.s.s, b.u.s.len);
        *out = mkstr(ev, &s);
        return FLUX_EVAL_OK;
    }
    if (op == FLUX_OP_ADD && a.t == FLUX_T_LIST && b.t == FLUX_T_LIST) {
        size_t n = a.u.list.n + b.u.list.n;
        flux_value *v = flux_arena_alloc(ev->arena, (n ? n : 1) * sizeof *v);
        memcpy(v, a.u.list.v, a.u.list.n * sizeof *v);
        memcpy(v + a.u.list.n, b.u.list.v, b.u.list.n * sizeof *v);
        out->t = FLUX_T_LIST;
        out->u.list.v = v;
        out->u.list.n = n;
        return FLUX_EVAL_OK;
    }
    if ((op == FLUX_OP_ADD || op == FLUX_OP_SUB) && b.t == FLUX_T_DURATION &&
        (a.t == FLUX_T_DURATION || a.t == FLUX_T_TIME)) {
        bool bad = op == FLUX_OP_ADD ? __builtin_add_overflow(a.u.ms, b.u.ms, &r)
                                     : __builtin_sub_overflow(a.u.ms, b.u.ms, &r);
        if (bad)
            goto overflow;
        *out = a;
        out->u.ms = r;
        return FLUX_EVAL_OK;
    }
    if (op == FLUX_OP_SUB && a.t == FLUX_T_TIME && b.t == FLUX_T_TIME) {
        if (__builtin_sub_overflow(a.u.ms, b.u.ms, &r))
            goto overflow;
        *out = flux_duration(r);
        return FLUX_EVAL_OK;
    }
    if (op == FLUX_OP_MUL && a.t == FLUX_T_DURATION && b.t == FLUX_T_INT) {
        if (__builtin_mul_overflow(a.u.ms, b.u.i, &r))
            goto overflow;
        *out = flux_duration(r);
        return FLUX_EVAL_OK;
    }
    if (op == FLUX_OP_MUL && a.t == FLUX_T_STR && b.t == FLUX_T_INT) {
        if (b.u.i < 0 || (b.u.i > 0 && a.u.s.len * (uint64_t)b.u.i > STRING_MAX))
            return err(ev, x->span, NULL, "string repetition out of range");
        flux_buf s = {0};
        for (int64_t i = 0; i < b.u.i; i++)
            flux_buf_put(&s, a.u.s.s, a.u.s.len);
        *out = mkstr(ev, &s);
        return FLUX_EVAL_OK;
    }
    return err(ev, x->span, op == FLUX_OP_ADD && (a.t == FLUX_T_STR || b.t == FLUX_T_STR) ? "join text with '~', e.g. a ~ \"_\" ~ b" : NULL,
               "cannot apply '%s' to %s and %s", flux_xop_text(op), tname(a), tname(b));
overflow:
    return err(ev, x->span, NULL, "arithmetic overflow");
divzero:
    return err(ev, x->u.binary.rhs->span, NULL, "division by zero");
}

static flux_eval_status eval_binary(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    flux_value a, b;
    flux_xop op = x->u.binary.op;
    flux_eval_status sa = eval(ev, x->u.binary.lhs, &a);
    if (sa == FLUX_EVAL_ERROR)
        return sa;
    if (op == FLUX_OP_AND || op == FLUX_OP_OR) {
        if (sa == FLUX_EVAL_OK) {
            bool t = flux_truthy(a);
            if ((op == FLUX_OP_AND && !t) || (op == FLUX_OP_OR && t)) {
                *out = a;
                return FLUX_EVAL_OK;
            }
            return eval(ev, x->u.binary.rhs, out);
        }
        /* run-time left side: still check the right side's names now */
        flux_eval_status sb = eval(ev, x->u.binary.rhs, &b);
        return sb == FLUX_EVAL_ERROR ? sb : FLUX_EVAL_RUNTIME;
    }
    flux_eval_status sb = eval(ev, x->u.binary.rhs, &b);
    if (sb == FLUX_EVAL_ERROR)
        return sb;
    if (sa == FLUX_EVAL_RUNTIME || sb == FLUX_EVAL_RUNTIME)
        return FLUX_EVAL_RUNTIME;
    int c;
    switch (op) {
    case FLUX_OP_EQ: *out = flux_bool(flux_value_equal(a, b)); return FLUX_EVAL_OK;
    case FLUX_OP_NE: *out = flux_bool(!flux_value_equal(a, b)); return FLUX_EVAL_OK;
    case FLUX_OP_LT: case FLUX_OP_LE: case FLUX_OP_GT: case FLUX_OP_GE:
        if (compare(a, b, &c) != 0)
            return err(ev, x->span, NULL, "cannot compare %s with %s", tname(a), tname(b));
        *out = flux_bool(op == FLUX_OP_LT ? c < 0 : op == FLUX_OP_LE ? c <= 0 : op == FLUX_OP_GT ? c > 0 : c >= 0);
        return FLUX_EVAL_OK;
    case FLUX_OP_CONCAT: {
        flux_buf s = {0};
        flux_value_render(a, &s);
        flux_value_render(b, &s);
        if (s.len > STRING_MAX) {
            flux_buf_free(&s);
            return err(ev, x->span, NULL, "string too long");
        }
        *out = mkstr(ev, &s);
        return FLUX_EVAL_OK;
    }
    case FLUX_OP_IN: case FLUX_OP_NOT_IN: {
        bool found = false;
        if (b.t == FLUX_T_LIST) {
            for (size_t i = 0; i < b.u.list.n && !found; i++)
                found = flux_value_equal(a, b.u.list.v[i]);
        } else if (b.t == FLUX_T_DICT) {
            for (size_t i = 0; i < b.u.list.n && !found; i += 2)
                found = flux_value_equal(a, b.u.list.v[i]);
        } else if (b.t == FLUX_T_STR && a.t == FLUX_T_STR) {
            found = a.u.s.len == 0;
            for (size_t i = 0; !found && i + a.u.s.len <= b.u.s.len; i++)
                found = memcmp(b.u.s.s + i, a.u.s.s, a.u.s.len) == 0;
        } else {
            return err(ev, x->span, NULL, "'in' needs a list, dict or string on the right, found %s", tname(b));
        }
        *out = flux_bool(op == FLUX_OP_IN ? found : !found);
        return FLUX_EVAL_OK;
    }
    default: return arith(ev, x, a, b, out);
    }
}

static flux_eval_status eval_args(flux_eval *ev, const flux_exprs *args, flux_value *v)
{
    flux_eval_status st = FLUX_EVAL_OK;
    for (size_t i = 0; i < args->n; i++) {
        flux_eval_status s = eval(ev, args->v[i], &v[i]);
        if (s == FLUX_EVAL_ERROR)
            return s;
        if (s == FLUX_EVAL_RUNTIME) {
            v[i].t = FLUX_T_RUNTIME;
            st = s;
        }
    }
    return st;
}

/* the known arguments of a call whose result is left for run time must
 * still have the right types: a mistake in a literal is a compile error */
static flux_eval_status check_args(flux_eval *ev, const char *what, const char *name, const char *spec,
                                   const flux_exprs *args, const flux_value *v)
{
    for (size_t i = 0; i < args->n && spec[i]; i++) {
        flux_type t = v[i].t;
        if (t == FLUX_T_RUNTIME || spec[i] == '*')
            continue;
        flux_type want = spec[i] == 'd' ? FLUX_T_DURATION : spec[i] == 'i' ? FLUX_T_INT : FLUX_T_STR;
        if (t != want)
            return err(ev, args->v[i]->span, spec[i] == 'd' ? "write a duration such as 1h or 30m" : NULL,
                       "argument %zu of %s '%s' must be %s, found %s", i + 1, what, name, flux_type_a(want),
                       flux_type_a(t));
        if (strcmp(name, "date") == 0 || (strcmp(name, "ds_format") == 0 && i == 2)) {
            flux_buf b = {0};
            char bad = 0;
            int r = format_time(0, 0, v[i].u.s.s, v[i].u.s.len, &b, &bad);
            flux_buf_free(&b);
            if (r != 0) {
                char *h = flux_arena_printf(ev->arena, "directives are %s", date_directives);
                if (!bad)
                    return err(ev, args->v[i]->span, h, "date format ends with a lone '%%'");
                return err(ev, args->v[i]->span, h, "unknown date directive '%%%c'", bad);
            }
        }
    }
    return FLUX_EVAL_OK;
}

static flux_eval_status arity(flux_eval *ev, const flux_expr *x, flux_span span, const char *what, const char *name,
                              size_t n, size_t min, size_t max)
{
    (void)x;
    if (n >= min && n <= max)
        return FLUX_EVAL_OK;
    if (min == max)
        return err(ev, span, NULL, "%s '%s' takes %zu argument%s, found %zu", what, name, min, min == 1 ? "" : "s", n);
    return err(ev, span, NULL, "%s '%s' takes %zu to %zu arguments, found %zu", what, name, min, max, n);
}

static flux_eval_status eval_filter(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    const filter *f = find_filter(x->u.filter.name);
    flux_value in;
    flux_eval_status si = eval(ev, x->u.filter.arg, &in);
    if (si == FLUX_EVAL_ERROR)
        return si;
    if (!f) {
        size_t nf;
        const char *const *names = flux_filter_names(&nf);
        const char *best = flux_suggest(x->u.filter.name, names, nf);
        char *h = best ? flux_arena_printf(ev->arena, "did you mean '%s'?", best) : NULL;
        return err(ev, x->u.filter.name_span, h ? h : "see the list of filters in lang/REFERENCE.md", "unknown filter '%s'",
                   x->u.filter.name);
    }
    size_t n = x->u.filter.args.n;
    if (arity(ev, x, x->u.filter.name_span, "filter", f->name, n, f->min, f->max))
        return FLUX_EVAL_ERROR;
    flux_value args[4];
    flux_eval_status sa = eval_args(ev, &x->u.filter.args, args);
    if (sa == FLUX_EVAL_ERROR)
        return sa;
    if (si == FLUX_EVAL_RUNTIME || sa == FLUX_EVAL_RUNTIME) {
        if (check_args(ev, "filter", f->name, f->args, &x->u.filter.args, args))
            return FLUX_EVAL_ERROR;
        return FLUX_EVAL_RUNTIME;
    }
    return f->fn(ev, x, in, args, n, out);
}

static flux_eval_status eval_call(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    const char *name = x->u.call.name;
    const flux_binding *b = flux_scope_find(ev->scope, name);
    if (b && b->val.t == FLUX_T_MACRO) {
        if (b->used)
            *b->used = true;
        return err(ev, x->span, "call it alone on its own line: {{ name(...) }}",
                   "macro '%s' expands to tasks and attributes, not to a value", name);
    }
    const function *f = NULL;
    for (size_t i = 0; i < NFUNCTIONS; i++)
        if (strcmp(functions[i].name, name) == 0)
            f = &functions[i];
    if (!f) {
        flux_suggester s;
        flux_suggest_init(&s, name);
        for (size_t i = 0; i < NFUNCTIONS; i++)
            flux_suggest_feed(&s, functions[i].name);
        for (const flux_scope *sc = ev->scope; sc; sc = sc->parent)
            for (size_t i = 0; i < sc->n; i++)
                if (sc->v[i].val.t == FLUX_T_MACRO)
                    flux_suggest_feed(&s, sc->v[i].name);
        const char *best = flux_suggest_best(&s);
        if (!best && find_filter(name))
            return err(ev, x->u.call.name_span, flux_arena_printf(ev->arena, "'%s' is a filter: write value | %s", name, name),
                       "unknown function '%s'", name);
        char *h = best ? flux_arena_printf(ev->arena, "did you mean '%s'?", best) : NULL;
        return err(ev, x->u.call.name_span, h ? h : "functions are range, ds_add and ds_format, and your macros",
                   "unknown function '%s'", name);
    }
    size_t n = x->u.call.args.n;
    if (arity(ev, x, x->u.call.name_span, "function", name, n, f->min, f->max))
        return FLUX_EVAL_ERROR;
    flux_value args[4];
    flux_eval_status sa = eval_args(ev, &x->u.call.args, args);
    if (sa == FLUX_EVAL_RUNTIME && check_args(ev, "function", f->name, f->args, &x->u.call.args, args))
        return FLUX_EVAL_ERROR;
    if (sa != FLUX_EVAL_OK)
        return sa;
    return f->fn(ev, x, args, n, out);
}

static flux_eval_status eval_attr(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    flux_value o;
    flux_eval_status s = eval(ev, x->u.attr.obj, &o);
    if (s != FLUX_EVAL_OK)
        return s;
    if (o.t == FLUX_T_DICT) {
        flux_suggester sg;
        flux_suggest_init(&sg, x->u.attr.name);
        for (size_t i = 0; i + 1 < o.u.list.n; i += 2) {
            flux_value k = o.u.list.v[i];
            if (k.t == FLUX_T_STR && strcmp(k.u.s.s, x->u.attr.name) == 0) {
                *out = o.u.list.v[i + 1];
                return FLUX_EVAL_OK;
            }
            if (k.t == FLUX_T_STR)
                flux_suggest_feed(&sg, k.u.s.s);
        }
        const char *best = flux_suggest_best(&sg);
        char *h = best ? flux_arena_printf(ev->arena, "did you mean '%s'?", best) : NULL;
        return err(ev, x->u.attr.name_span, h, "no key '%s' in this dict", x->u.attr.name);
    }
    return err(ev, x->u.attr.name_span, NULL, "%s has no attribute '%s'", flux_type_a(o.t), x->u.attr.name);
}

static flux_eval_status eval_index(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    flux_value o, k;
    flux_eval_status s = eval(ev, x->u.index.obj, &o);
    if (s == FLUX_EVAL_ERROR)
        return s;
    flux_eval_status sk = eval(ev, x->u.index.index, &k);
    if (sk == FLUX_EVAL_ERROR)
        return sk;
    if (s == FLUX_EVAL_RUNTIME || sk == FLUX_EVAL_RUNTIME)
        return FLUX_EVAL_RUNTIME;
    if (o.t == FLUX_T_LIST || o.t == FLUX_T_STR) {
        if (k.t != FLUX_T_INT)
            return err(ev, x->u.index.index->span, NULL, "index must be an integer, found %s", tname(k));
        int64_t n = o.t == FLUX_T_LIST ? (int64_t)o.u.list.n : (int64_t)o.u.s.len;
        int64_t i = k.u.i < 0 ? n + k.u.i : k.u.i;
        if (i < 0 || i >= n)
            return err(ev, x->u.index.index->span, NULL, "index %" PRId64 " out of range for length %" PRId64, k.u.i, n);
        if (o.t == FLUX_T_LIST)
            *out = o.u.list.v[i];
        else
            *out = flux_str(flux_arena_strndup(ev->arena, o.u.s.s + i, 1), 1);
        return FLUX_EVAL_OK;
    }
    if (o.t == FLUX_T_DICT) {
        for (size_t i = 0; i + 1 < o.u.list.n; i += 2) {
            if (flux_value_equal(o.u.list.v[i], k)) {
                *out = o.u.list.v[i + 1];
                return FLUX_EVAL_OK;
            }
        }
        flux_buf b = {0};
        flux_value_json(k, &b);
        flux_eval_status r = err(ev, x->u.index.index->span, NULL, "no key %s in this dict", b.data ? b.data : "");
        flux_buf_free(&b);
        return r;
    }
    return err(ev, x->u.index.obj->span, NULL, "cannot index %s", flux_type_a(o.t));
}

static flux_eval_status eval(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    switch (x->kind) {
    case FLUX_X_NONE: *out = flux_none(); return FLUX_EVAL_OK;
    case FLUX_X_BOOL: *out = flux_bool(x->u.b); return FLUX_EVAL_OK;
    case FLUX_X_INT: *out = flux_int(x->u.i); return FLUX_EVAL_OK;
    case FLUX_X_FLOAT: *out = flux_float(x->u.f); return FLUX_EVAL_OK;
    case FLUX_X_STRING: *out = flux_str(x->u.str.s, x->u.str.len); return FLUX_EVAL_OK;
    case FLUX_X_DURATION: *out = flux_duration(x->u.ms); return FLUX_EVAL_OK;
    case FLUX_X_LIST: case FLUX_X_DICT: {
        size_t n = x->u.list.n;
        flux_value *v = flux_arena_alloc(ev->arena, (n ? n : 1) * sizeof *v);
        flux_eval_status s = eval_args(ev, &x->u.list, v);
        if (s != FLUX_EVAL_OK)
            return s;
        out->t = x->kind == FLUX_X_LIST ? FLUX_T_LIST : FLUX_T_DICT;
        out->u.list.v = v;
        out->u.list.n = n;
        return FLUX_EVAL_OK;
    }
    case FLUX_X_NAME: return eval_name(ev, x, out);
    case FLUX_X_ATTR: return eval_attr(ev, x, out);
    case FLUX_X_INDEX: return eval_index(ev, x, out);
    case FLUX_X_UNARY: {
        flux_value a;
        flux_eval_status s = eval(ev, x->u.unary.arg, &a);
        if (s != FLUX_EVAL_OK)
            return s;
        if (x->u.unary.op == FLUX_OP_NOT) {
            *out = flux_bool(!flux_truthy(a));
            return FLUX_EVAL_OK;
        }
        bool neg = x->u.unary.op == FLUX_OP_NEG;
        if (a.t == FLUX_T_INT) {
            if (neg && a.u.i == INT64_MIN)
                return err(ev, x->span, NULL, "arithmetic overflow");
            *out = flux_int(neg ? -a.u.i : a.u.i);
        } else if (a.t == FLUX_T_FLOAT) {
            *out = flux_float(neg ? -a.u.f : a.u.f);
        } else if (a.t == FLUX_T_DURATION) {
            if (neg && a.u.ms == INT64_MIN)
                return err(ev, x->span, NULL, "arithmetic overflow");
            *out = flux_duration(neg ? -a.u.ms : a.u.ms);
        } else {
            return err(ev, x->span, NULL, "cannot apply '%s' to %s", flux_xop_text(x->u.unary.op), tname(a));
        }
        return FLUX_EVAL_OK;
    }
    case FLUX_X_BINARY: return eval_binary(ev, x, out);
    case FLUX_X_FILTER: return eval_filter(ev, x, out);
    case FLUX_X_CALL: return eval_call(ev, x, out);
    case FLUX_X_COND: {
        flux_value c;
        flux_eval_status s = eval(ev, x->u.cond.cond, &c);
        if (s == FLUX_EVAL_ERROR)
            return s;
        if (s == FLUX_EVAL_OK)
            return eval(ev, flux_truthy(c) ? x->u.cond.then : x->u.cond.other, out);
        flux_value t;
        flux_eval_status a = eval(ev, x->u.cond.then, &t);
        flux_eval_status b = eval(ev, x->u.cond.other, &t);
        return a == FLUX_EVAL_ERROR || b == FLUX_EVAL_ERROR ? FLUX_EVAL_ERROR : FLUX_EVAL_RUNTIME;
    }
    }
    return err(ev, x->span, NULL, "cannot evaluate this expression");
}

flux_eval_status flux_eval_expr(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    *out = flux_none();
    return eval(ev, x, out);
}

/* ---- folding ---- */

flux_expr *flux_value_expr(flux_arena *a, flux_value v, flux_span span)
{
    flux_expr *x = flux_arena_alloc(a, sizeof *x);
    x->span = span;
    switch (v.t) {
    case FLUX_T_NONE: x->kind = FLUX_X_NONE; break;
    case FLUX_T_BOOL: x->kind = FLUX_X_BOOL; x->u.b = v.u.b; break;
    case FLUX_T_INT: x->kind = FLUX_X_INT; x->u.i = v.u.i; break;
    case FLUX_T_FLOAT: x->kind = FLUX_X_FLOAT; x->u.f = v.u.f; break;
    case FLUX_T_STR: x->kind = FLUX_X_STRING; x->u.str.s = v.u.s.s; x->u.str.len = v.u.s.len; break;
    case FLUX_T_DURATION: x->kind = FLUX_X_DURATION; x->u.ms = v.u.ms; break;
    case FLUX_T_TIME: {
        flux_buf b = {0};
        flux_time_iso(v.u.ms, v.off, &b);
        x->kind = FLUX_X_STRING;
        x->u.str.s = flux_arena_strndup(a, b.data, b.len);
        x->u.str.len = b.len;
        flux_buf_free(&b);
        break;
    }
    case FLUX_T_LIST: case FLUX_T_DICT: {
        x->kind = v.t == FLUX_T_LIST ? FLUX_X_LIST : FLUX_X_DICT;
        size_t n = v.u.list.n;
        x->u.list.v = flux_arena_alloc(a, (n ? n : 1) * sizeof *x->u.list.v);
        x->u.list.n = n;
        for (size_t i = 0; i < n; i++) {
            x->u.list.v[i] = flux_value_expr(a, v.u.list.v[i], span);
            if (!x->u.list.v[i])
                return NULL;
        }
        break;
    }
    default: return NULL;
    }
    return x;
}

static bool fold_list(flux_eval *ev, flux_exprs *l)
{
    flux_expr **v = flux_arena_alloc(ev->arena, (l->n ? l->n : 1) * sizeof *v);
    for (size_t i = 0; i < l->n; i++)
        if (!(v[i] = flux_fold(ev, l->v[i])))
            return false;
    l->v = v;
    return true;
}

flux_expr *flux_fold(flux_eval *ev, flux_expr *x)
{
    flux_value v;
    flux_eval_status s = eval(ev, x, &v);
    if (s == FLUX_EVAL_ERROR)
        return NULL;
    if (s == FLUX_EVAL_OK) {
        flux_expr *lit = flux_value_expr(ev->arena, v, x->span);
        if (lit)
            return lit;
        return x;
    }
    flux_expr *c = flux_arena_memdup(ev->arena, x, sizeof *x);
    switch (x->kind) {
    case FLUX_X_LIST: case FLUX_X_DICT:
        return fold_list(ev, &c->u.list) ? c : NULL;
    case FLUX_X_ATTR:
        return (c->u.attr.obj = flux_fold(ev, x->u.attr.obj)) ? c : NULL;
    case FLUX_X_INDEX:
        c->u.index.obj = flux_fold(ev, x->u.index.obj);
        c->u.index.index = flux_fold(ev, x->u.index.index);
        return c->u.index.obj && c->u.index.index ? c : NULL;
    case FLUX_X_UNARY:
        return (c->u.unary.arg = flux_fold(ev, x->u.unary.arg)) ? c : NULL;
    case FLUX_X_BINARY:
        c->u.binary.lhs = flux_fold(ev, x->u.binary.lhs);
        c->u.binary.rhs = flux_fold(ev, x->u.binary.rhs);
        return c->u.binary.lhs && c->u.binary.rhs ? c : NULL;
    case FLUX_X_FILTER:
        c->u.filter.arg = flux_fold(ev, x->u.filter.arg);
        return c->u.filter.arg && fold_list(ev, &c->u.filter.args) ? c : NULL;
    case FLUX_X_CALL:
        return fold_list(ev, &c->u.call.args) ? c : NULL;
    case FLUX_X_COND:
        c->u.cond.cond = flux_fold(ev, x->u.cond.cond);
        c->u.cond.then = flux_fold(ev, x->u.cond.then);
        c->u.cond.other = flux_fold(ev, x->u.cond.other);
        return c->u.cond.cond && c->u.cond.then && c->u.cond.other ? c : NULL;
    default:
        return c;
    }
}
