/* mysqlload_values — each value checked against its column's type before
 * the server sees it, because LOAD DATA LOCAL turns every error into a
 * warning and a truncated or zeroed value into a row: the only way to
 * reject a record with its reason is to know the column's type. A value
 * that passes is appended to the pending rows as LOAD DATA text. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "mysqlload_int.h"
#include "opkit.h"
#include "text.h"
#include "utf8.h"
#include "value.h"

static int grow(mysqlload *m, size_t more)
{
    if (m->len + more <= m->cap)
        return 0;
    size_t cap = m->cap ? m->cap : 65536;
    while (cap < m->len + more)
        cap *= 2;
    char *b = realloc(m->buf, cap);
    if (!b)
        return -1;
    m->buf = b;
    m->cap = cap;
    return 0;
}

/* digits without printf: formatting is a hot path of a load */
static char *put_uint(char *o, uint64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    while (n)
        *o++ = tmp[--n];
    return o;
}

/* strict integer text: [+-]digits */
int mysqlload_parse_int(const char *s, bool *neg, uint64_t *mag)
{
    const char *p = s;
    *neg = false;
    if (*p == '+' || *p == '-')
        *neg = *p++ == '-';
    if (!isdigit((unsigned char)*p))
        return -1;
    uint64_t v = 0;
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -2; /* overflow */
        v = v * 10 + d;
    }
    if (*p)
        return -1;
    *mag = v;
    return 0;
}

static const char *json_kind(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

/* The text of a number value, or of a string when text mode lets it stand for
 * one; NULL (with why) otherwise. */
static const char *number_text(const col *c, json_t *v, bool text, char buf[FLUX_DOUBLE_TEXT], char *why, size_t whylen)
{
    if (json_is_integer(v)) {
        snprintf(buf, FLUX_DOUBLE_TEXT, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        flux_text_double_g(json_real_value(v), buf);
        return buf;
    }
    /* a number written as a string ("12.30", common for money) is still
     * that number: the text is checked as strictly as a number */
    (void)text;
    if (json_is_string(v))
        return json_string_value(v);
    opkit_fmt(why, whylen, "column '%s': %s where %s expects a number", c->name, json_kind(v), c->type);
    return NULL;
}

static int check_int(const col *c, json_t *v, bool text, char *out, size_t outlen, char *why, size_t whylen)
{
    if (json_is_boolean(v)) {
        snprintf(out, outlen, "%d", json_is_true(v) ? 1 : 0);
        return 0;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d != floor(d) || !isfinite(d) || d < -9.3e18 || d > 1.8e19) {
            char b[FLUX_DOUBLE_TEXT];
            flux_text_double_g(d, b);
            opkit_fmt(why, whylen, "column '%s': %s is not an integer (%s)", c->name, b, c->type);
            return -1;
        }
        snprintf(out, outlen, "%.0f", d);
    } else if (json_is_integer(v)) {
        snprintf(out, outlen, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (text && (!strcasecmp(s, "true") || !strcasecmp(s, "false"))) {
            snprintf(out, outlen, "%d", !strcasecmp(s, "true"));
            return 0;
        }
        snprintf(out, outlen, "%s", s);
    } else {
        opkit_fmt(why, whylen, "column '%s': %s where %s expects an integer", c->name, json_kind(v), c->type);
        return -1;
    }
    bool neg;
    uint64_t mag;
    int rc = mysqlload_parse_int(out, &neg, &mag);
    if (rc == -1) {
        opkit_fmt(why, whylen, "column '%s': '%.60s' is not an integer (%s)", c->name, out, c->type);
        return -1;
    }
    bool ok = rc == 0;
    if (ok && neg)
        ok = mag <= (uint64_t)INT64_MAX + 1 && (mag == 0 || (c->lo < 0 && (int64_t)(0 - mag) >= c->lo));
    else if (ok)
        ok = mag <= c->uhi;
    if (!ok) {
        opkit_fmt(why, whylen, "column '%s': %.60s is out of the range of %s", c->name, out, c->type);
        return -1;
    }
    /* normalized: no '+', no leading zeros */
    if (outlen < 22) {
        opkit_fmt(why, whylen, "column '%s': internal: no room for an integer", c->name);
        return -1;
    }
    char *o = out;
    if (neg && mag)
        *o++ = '-';
    *put_uint(o, mag, 1) = '\0';
    return 0;
}

static int check_decimal(const col *c, json_t *v, bool text, char *out, size_t outlen, char *why, size_t whylen)
{
    char nb[FLUX_DOUBLE_TEXT];
    if (json_is_boolean(v)) {
        snprintf(out, outlen, "%d", json_is_true(v) ? 1 : 0);
        return 0;
    }
    const char *s = number_text(c, v, text, nb, why, whylen);
    if (!s)
        return -1;
    /* [+-]digits[.digits][e[+-]digits] into sign, digits and a decimal
     * exponent, then laid out plainly so precision and scale can be counted */
    const char *p = s;
    bool neg = false;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    char dig[128];
    size_t nd = 0;
    long point = -1, exp10 = 0;
    bool any = false;
    for (; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            if (nd + 1 >= sizeof dig)
                goto bad;
            dig[nd++] = *p;
            any = true;
        } else if (*p == '.' && point < 0)
            point = (long)nd;
        else
            break;
    }
    if (!any)
        goto bad;
    if (*p == 'e' || *p == 'E') {
        char *end;
        errno = 0;
        exp10 = strtol(p + 1, &end, 10);
        if (end == p + 1 || *end || errno || exp10 > 200 || exp10 < -200)
            goto bad;
    } else if (*p)
        goto bad;
    if (point < 0)
        point = (long)nd;
    point += exp10;
    /* integer part digits [0, point), fraction [point, nd) */
    char ip[300], fp[300];
    size_t ni = 0, nf = 0;
    for (long i = (point < 0 ? point : 0); i < point; i++)
        if (ni < sizeof ip - 1)
            ip[ni++] = i >= 0 && (size_t)i < nd ? dig[i] : '0';
    for (long i = point; i < (long)nd; i++)
        if (nf < sizeof fp - 1)
            fp[nf++] = i >= 0 ? dig[i] : '0';
    ip[ni] = fp[nf] = 0;
    /* insignificant zeros */
    size_t lead = 0;
    while (lead < ni && ip[lead] == '0')
        lead++;
    while (nf && fp[nf - 1] == '0')
        fp[--nf] = 0;
    if ((long)nf > c->scale) {
        opkit_fmt(why, whylen, "column '%s': %.60s has more than %d decimal places (%s)", c->name, s, c->scale,
                      c->type);
        return -1;
    }
    if ((long)(ni - lead) > c->prec - c->scale) {
        opkit_fmt(why, whylen, "column '%s': %.60s is out of the range of %s", c->name, s, c->type);
        return -1;
    }
    bool zero = ni == lead && nf == 0;
    snprintf(out, outlen, "%s%s%s%s", neg && !zero ? "-" : "", ni == lead ? "0" : ip + lead, nf ? "." : "", fp);
    return 0;
bad:
    opkit_fmt(why, whylen, "column '%s': '%.60s' is not a number (%s)", c->name, s, c->type);
    return -1;
}

static int check_float(const col *c, json_t *v, bool text, char *out, size_t outlen, char *why, size_t whylen)
{
    char nb[FLUX_DOUBLE_TEXT];
    if (json_is_real(v)) {
        /* the common case, without a round trip through text: 17 significant
         * digits give the server exactly this double back */
        double d = json_real_value(v);
        if (!isfinite(d) || (c->prec == 24 && fabs(d) > 3.402823466e38)) {
            opkit_fmt(why, whylen, "column '%s': %.17g is not a number %s can hold", c->name, d, c->type);
            return -1;
        }
        snprintf(out, outlen, "%.17g", d);
        return 0;
    }
    const char *s = number_text(c, v, text, nb, why, whylen);
    if (!s)
        return -1;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end || isspace((unsigned char)*s) || !isfinite(d) || errno == ERANGE ||
        (c->prec == 24 && fabs(d) > 3.402823466e38)) {
        opkit_fmt(why, whylen, "column '%s': '%.60s' is not a number %s can hold", c->name, s, c->type);
        return -1;
    }
    flux_text_double_g(d, nb);
    snprintf(out, outlen, "%s", nb);
    return 0;
}

static int digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return v;
}

/* ISO 8601 text to microseconds since the epoch (UTC). date_only: only
 * YYYY-MM-DD given. */
static int parse_iso(const char *s, int64_t *us, bool *date_only)
{
    const char *p = s;
    int y = digits(&p, 4);
    if (y < 0 || *p++ != '-')
        return -1;
    int mo = digits(&p, 2);
    if (mo < 1 || mo > 12 || *p++ != '-')
        return -1;
    int d = digits(&p, 2);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d < 1 || d > mdays[mo - 1])
        return -1;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return -1;
    int64_t t = flux_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400LL * 1000000LL;
    *date_only = *p == 0;
    if (!*p) {
        *us = t;
        return 0;
    }
    if (*p != 'T' && *p != 't' && *p != ' ')
        return -1;
    p++;
    int h = digits(&p, 2);
    if (h < 0 || h > 23 || *p++ != ':')
        return -1;
    int mi = digits(&p, 2);
    if (mi < 0 || mi > 59)
        return -1;
    int sec = 0;
    int64_t frac = 0;
    if (*p == ':') {
        p++;
        sec = digits(&p, 2);
        if (sec < 0 || sec > 59)
            return -1;
        if (*p == '.' || *p == ',') {
            p++;
            int n = 0;
            if (!isdigit((unsigned char)*p))
                return -1;
            for (; isdigit((unsigned char)*p); p++, n++)
                if (n < 6)
                    frac = frac * 10 + (*p - '0');
            for (; n < 6; n++)
                frac *= 10;
        }
    }
    int64_t off = 0;
    if (*p == 'Z' || *p == 'z')
        p++;
    else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1;
        int oh = digits(&p, 2);
        if (oh < 0 || oh > 23)
            return -1;
        int om = 0;
        if (*p == ':')
            p++;
        if (*p) {
            om = digits(&p, 2);
            if (om < 0 || om > 59)
                return -1;
        }
        off = sign * (oh * 3600 + om * 60);
    }
    if (*p)
        return -1;
    t += ((int64_t)h * 3600 + mi * 60 + sec - off) * 1000000LL + frac;
    *us = t;
    return 0;
}

static int check_time(const col *c, json_t *v, bool text, char *out, size_t outlen, char *why, size_t whylen)
{
    int64_t us;
    bool date_only = false;
    const char *shown = NULL;
    char nb[FLUX_DOUBLE_TEXT];
    if (json_is_string(v)) {
        shown = json_string_value(v);
        if (parse_iso(shown, &us, &date_only)) {
            /* CSV: a number of seconds written as text */
            char *end;
            double d = text ? strtod(shown, &end) : 0;
            if (!text || end == shown || *end || !isfinite(d) || fabs(d) > 3e11) {
                opkit_fmt(why, whylen, "column '%s': '%.60s' is not an ISO 8601 date-time (%s)", c->name, shown,
                              c->type);
                return -1;
            }
            us = llround(d * 1e6);
        }
    } else if (json_is_integer(v) || json_is_real(v)) {
        double d = json_number_value(v);
        number_text(c, v, false, nb, NULL, 0);
        shown = nb;
        if (!isfinite(d) || fabs(d) > 3e11) {
            opkit_fmt(why, whylen, "column '%s': %s seconds is out of the range of %s", c->name, nb, c->type);
            return -1;
        }
        us = json_is_integer(v) ? (int64_t)json_integer_value(v) * 1000000LL : llround(d * 1e6);
    } else {
        opkit_fmt(why, whylen, "column '%s': %s where %s expects a date-time", c->name, json_kind(v), c->type);
        return -1;
    }
    int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    int64_t frac = us - secs * 1000000;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t sod = secs - days * 86400;
    int64_t cy;
    unsigned cm, cd;
    flux_civil_from_days(days, &cy, &cm, &cd);
    int y = (int)cy, mo = (int)cm, d = (int)cd;
    if (c->k == K_DATE) {
        if (sod || frac) {
            opkit_fmt(why, whylen, "column '%s': '%.60s' has a time of day (UTC) but %s holds a date only", c->name,
                          shown, c->type);
            return -1;
        }
        if (y < 1000 || y > 9999) {
            opkit_fmt(why, whylen, "column '%s': '%.60s' is out of the range of %s", c->name, shown, c->type);
            return -1;
        }
        snprintf(out, outlen, "%04d-%02d-%02d", y, mo, d);
        return 0;
    }
    bool range = c->timestamp ? (secs >= 1 && secs <= 2147483647LL) : (y >= 1000 && y <= 9999);
    if (!range) {
        opkit_fmt(why, whylen, "column '%s': '%.60s' is out of the range of %s", c->name, shown, c->type);
        return -1;
    }
    (void)date_only;
    if (outlen < 32) {
        opkit_fmt(why, whylen, "column '%s': internal: no room for a time", c->name);
        return -1;
    }
    char *o = put_uint(out, (uint64_t)y, 4);
    *o++ = '-';
    o = put_uint(o, (uint64_t)mo, 2);
    *o++ = '-';
    o = put_uint(o, (uint64_t)d, 2);
    *o++ = ' ';
    o = put_uint(o, (uint64_t)(sod / 3600), 2);
    *o++ = ':';
    o = put_uint(o, (uint64_t)(sod / 60 % 60), 2);
    *o++ = ':';
    o = put_uint(o, (uint64_t)(sod % 60), 2);
    /* the column's fractional digits; finer ones are cut, as the column
     * cannot hold them */
    if (c->scale > 0) {
        char f[8];
        put_uint(f, (uint64_t)frac, 6);
        *o++ = '.';
        for (int i = 0; i < (c->scale > 6 ? 6 : c->scale); i++)
            *o++ = f[i];
    }
    *o = '\0';
    return 0;
}

/* Appends s (n bytes) escaped for LOAD DATA ... ESCAPED BY '\\'. */
static int put_escaped(mysqlload *m, const char *s, size_t n)
{
    if (grow(m, 2 * n + 2))
        return -1;
    char *o = m->buf + m->len;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        switch (ch) {
        case '\\': *o++ = '\\'; *o++ = '\\'; break;
        case '\t': *o++ = '\\'; *o++ = 't'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        case '\0': *o++ = '\\'; *o++ = '0'; break;
        default: *o++ = ch;
        }
    }
    m->len = (size_t)(o - m->buf);
    return 0;
}

/* One value checked against its column: its text in *txt (a malloc'd copy
 * or a pointer into buf), or *isnull. */
static int check_value(const col *c, json_t *v, bool text, char *buf, size_t buflen, const char **txt,
                       size_t *txtlen, char **owned, bool *isnull, char *why, size_t whylen)
{
    *isnull = false;
    *owned = NULL;
    if (!v) {
        opkit_fmt(why, whylen, "column '%s': missing", c->name);
        return -1;
    }
    /* CSV has no null: an empty field is one, except in a text column */
    bool empty_text = text && json_is_string(v) && json_string_length(v) == 0;
    if (json_is_null(v) || (empty_text && c->k != K_CHARS && c->k != K_BYTES && c->k != K_ENUM && c->k != K_OTHER)) {
        if (!c->nullable) {
            opkit_fmt(why, whylen, "column '%s': null, but the column is NOT NULL", c->name);
            return -1;
        }
        *isnull = true;
        return 0;
    }
    int rc = 0;
    switch (c->k) {
    case K_INT: rc = check_int(c, v, text, buf, buflen, why, whylen); break;
    case K_DECIMAL: rc = check_decimal(c, v, text, buf, buflen, why, whylen); break;
    case K_FLOAT: rc = check_float(c, v, text, buf, buflen, why, whylen); break;
    case K_DATE:
    case K_DATETIME: rc = check_time(c, v, text, buf, buflen, why, whylen); break;
    case K_JSON: {
        /* any JSON value, serialized; CSV holds the JSON text itself */
        json_t *parsed = NULL;
        if (text && json_is_string(v)) {
            json_error_t je;
            parsed = json_loads(json_string_value(v), JSON_DECODE_ANY, &je);
            if (!parsed) {
                opkit_fmt(why, whylen, "column '%s': not JSON (%s)", c->name, je.text);
                return -1;
            }
        }
        *owned = mysqlload_json_text(parsed ? parsed : v);
        json_decref(parsed);
        if (!*owned) {
            opkit_fmt(why, whylen, "column '%s': out of memory", c->name);
            return -1;
        }
        *txt = *owned;
        *txtlen = strlen(*owned);
        return 0;
    }
    default: {
        /* text-like: strings as they are, other JSON values serialized */
        if (json_is_string(v)) {
            *txt = json_string_value(v);
            *txtlen = json_string_length(v);
        } else if (json_is_integer(v) || json_is_real(v)) {
            number_text(c, v, false, buf, NULL, 0);
            *txt = buf;
            *txtlen = strlen(buf);
        } else if (json_is_boolean(v)) {
            *txt = json_is_true(v) ? "true" : "false";
            *txtlen = strlen(*txt);
        } else {
            *owned = mysqlload_json_text(v);
            if (!*owned) {
                opkit_fmt(why, whylen, "column '%s': out of memory", c->name);
                return -1;
            }
            *txt = *owned;
            *txtlen = strlen(*owned);
        }
        size_t nchars = 0;
        if (!flux_utf8_valid(*txt, *txtlen, &nchars)) {
            opkit_fmt(why, whylen, "column '%s': not valid UTF-8 text", c->name);
            goto fail;
        }
        int64_t chars = (int64_t)nchars;
        if (c->k == K_CHARS && c->maxlen >= 0 && chars > c->maxlen) {
            opkit_fmt(why, whylen, "column '%s': %" PRId64 " characters, longer than %s", c->name, chars, c->type);
            goto fail;
        }
        if (c->k == K_BYTES && c->maxlen >= 0 && (int64_t)*txtlen > c->maxlen) {
            opkit_fmt(why, whylen, "column '%s': %zu bytes, longer than %s holds", c->name, *txtlen, c->type);
            goto fail;
        }
        if (c->k == K_ENUM && c->nenums) {
            size_t i;
            for (i = 0; i < c->nenums; i++)
                if (strlen(c->enums[i]) == *txtlen && !strncasecmp(c->enums[i], *txt, *txtlen))
                    break;
            if (i == c->nenums) {
                opkit_fmt(why, whylen, "column '%s': '%.60s' is not one of %s", c->name, *txt, c->type);
                goto fail;
            }
            /* the member's own spelling: LOAD DATA does not fold case */
            free(*owned);
            *owned = NULL;
            *txt = c->enums[i];
        }
        return 0;
    fail:
        free(*owned);
        *owned = NULL;
        return -1;
    }
    }
    if (rc)
        return -1;
    *txt = buf;
    *txtlen = strlen(buf);
    return 0;
}

int mysqlload_add(mysqlload *m, json_t *const *vals, bool text, char *why, size_t whylen)
{
    size_t start = m->len;
    for (size_t i = 0; i < m->ncols; i++) {
        char buf[400];
        const char *txt = NULL;
        size_t tl = 0;
        char *owned = NULL;
        bool isnull;
        if (check_value(&m->cols[i], vals[i], text, buf, sizeof buf, &txt, &tl, &owned, &isnull, why, whylen)) {
            m->len = start;
            return -1;
        }
        int rc = 0;
        if (i && (rc = grow(m, 1)) == 0)
            m->buf[m->len++] = '\t';
        if (!rc && isnull) {
            if ((rc = grow(m, 2)) == 0) {
                memcpy(m->buf + m->len, "\\N", 2);
                m->len += 2;
            }
        } else if (!rc)
            rc = put_escaped(m, txt, tl);
        free(owned);
        if (rc) {
            m->len = start;
            opkit_fmt(why, whylen, "out of memory");
            return -1;
        }
    }
    if (grow(m, 1)) {
        m->len = start;
        opkit_fmt(why, whylen, "out of memory");
        return -1;
    }
    m->buf[m->len++] = '\n';
    m->rows++;
    return 0;
}
