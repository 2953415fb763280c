/* mysqlload_json — JSON written from SQL: result rows as JSON values
 * (numbers as numbers, times as ISO 8601 UTC, binary as text or base64) and
 * compact JSON text whose real numbers are the shortest text that reads
 * back exactly, for mysql_to_file and mysql_to_kafka. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "mysqlload_int.h"
#include "text.h"
#include "opkit.h"
#include "utf8.h"

/* ---- JSON text with the shortest exact numbers ------------------------------ */

typedef struct sbuf {
    char *s;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *t = realloc(b->s, cap);
        if (!t) {
            b->oom = true;
            return;
        }
        b->s = t;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void sb_scalar(sbuf *b, json_t *v)
{
    char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!d) {
        b->oom = true;
        return;
    }
    sb_put(b, d, strlen(d));
    free(d);
}

static void sb_json(sbuf *b, json_t *v)
{
    if (json_is_object(v)) {
        sb_put(b, "{", 1);
        const char *k;
        json_t *x;
        bool first = true;
        json_object_foreach(v, k, x) {
            if (!first)
                sb_put(b, ",", 1);
            first = false;
            json_t *ks = json_string(k);
            if (!ks) {
                b->oom = true;
                return;
            }
            sb_scalar(b, ks);
            json_decref(ks);
            sb_put(b, ":", 1);
            sb_json(b, x);
        }
        sb_put(b, "}", 1);
    } else if (json_is_array(v)) {
        sb_put(b, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                sb_put(b, ",", 1);
            sb_json(b, json_array_get(v, i));
        }
        sb_put(b, "]", 1);
    } else if (json_is_real(v)) {
        char t[FLUX_DOUBLE_TEXT];
        flux_text_double_g(json_real_value(v), t);
        /* still a real when read back: 2.0, not 2 */
        if (!strpbrk(t, ".eEni"))
            strcat(t, ".0");
        sb_put(b, t, strlen(t));
    } else
        sb_scalar(b, v);
}

char *mysqlload_json_text(json_t *v)
{
    sbuf b = {0};
    sb_json(&b, v);
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* ---- result rows as JSON ---------------------------------------------------- */

static bool is_int_type(enum enum_field_types t)
{
    return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_LONG || t == MYSQL_TYPE_INT24 ||
           t == MYSQL_TYPE_LONGLONG || t == MYSQL_TYPE_YEAR;
}

/* a DECIMAL as a JSON number when a double holds it exactly (as text), else
 * as a string: a load never changes a value */
static json_t *decimal_json(const char *s, size_t n)
{
    char t[80];
    if (n >= sizeof t)
        return json_stringn(s, n);
    memcpy(t, s, n);
    t[n] = 0;
    double d = strtod(t, NULL);
    char sh[FLUX_DOUBLE_TEXT];
    flux_text_double_g(d, sh);
    /* compare without insignificant trailing zeros of the fraction */
    char u[80];
    snprintf(u, sizeof u, "%s", t);
    if (strchr(u, '.')) {
        size_t k = strlen(u);
        while (k && u[k - 1] == '0')
            u[--k] = 0;
        if (k && u[k - 1] == '.')
            u[--k] = 0;
    }
    if (!strcmp(u, "-0"))
        snprintf(u, sizeof u, "0");
    if (!strcmp(sh, "-0"))
        snprintf(sh, sizeof sh, "0");
    if (!strcmp(u, sh))
        return strchr(t, '.') ? json_real(d) : json_integer((json_int_t)strtoll(t, NULL, 10));
    return json_stringn(s, n);
}

static json_t *base64_json(const char *s, size_t n)
{
    size_t outlen = 4 * ((n + 2) / 3) + 1;
    unsigned char *o = malloc(outlen);
    if (!o)
        return json_null();
    int k = EVP_EncodeBlock(o, (const unsigned char *)s, (int)n);
    json_t *j = json_stringn((const char *)o, k > 0 ? (size_t)k : 0);
    free(o);
    return j;
}

void mysqlload_row_json(MYSQL_FIELD *fields, unsigned nfields, MYSQL_ROW row, unsigned long *lengths,
                        json_t **vals)
{
    for (unsigned i = 0; i < nfields; i++) {
        const char *s = row[i];
        size_t n = lengths[i];
        MYSQL_FIELD *f = &fields[i];
        json_t *v = NULL;
        if (!s) {
            vals[i] = json_null();
            continue;
        }
        char t[80];
        bool small = n < sizeof t;
        if (small) {
            memcpy(t, s, n);
            t[n] = 0;
        }
        if (is_int_type(f->type) && small) {
            bool neg;
            uint64_t mag;
            if (mysqlload_parse_int(t, &neg, &mag) == 0 && (neg ? mag <= (uint64_t)INT64_MAX + 1 : mag <= INT64_MAX))
                v = json_integer(neg ? (json_int_t)(0 - mag) : (json_int_t)mag);
            else
                v = json_stringn(s, n); /* an unsigned BIGINT past int64 stays exact as text */
        } else if ((f->type == MYSQL_TYPE_DECIMAL || f->type == MYSQL_TYPE_NEWDECIMAL)) {
            v = decimal_json(s, n);
        } else if ((f->type == MYSQL_TYPE_FLOAT || f->type == MYSQL_TYPE_DOUBLE) && small) {
            double d = strtod(t, NULL);
            v = isfinite(d) ? json_real(d) : json_stringn(s, n);
        } else if (f->type == MYSQL_TYPE_BIT) {
            uint64_t b = 0;
            for (size_t k = 0; k < n && k < 8; k++)
                b = b << 8 | (unsigned char)s[k];
            v = json_integer((json_int_t)b);
        } else if ((f->type == MYSQL_TYPE_DATETIME || f->type == MYSQL_TYPE_TIMESTAMP) && small && n >= 19) {
            t[10] = 'T';
            char iso[90];
            snprintf(iso, sizeof iso, "%sZ", t);
            v = json_string(iso);
        } else if (f->charsetnr == 63 && !(f->flags & NUM_FLAG) && f->type != MYSQL_TYPE_DATE &&
                   f->type != MYSQL_TYPE_TIME && f->type != MYSQL_TYPE_DATETIME) {
            v = flux_utf8_valid(s, n, NULL) && !memchr(s, 0, n) ? json_stringn(s, n) : base64_json(s, n);
        } else {
            v = json_stringn(s, n);
            if (!v)
                v = base64_json(s, n);
        }
        vals[i] = v ? v : json_null();
    }
}
