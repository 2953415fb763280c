/* mysqlload — typed rows into a MySQL table (see mysqlload.h). Values are
 * checked here, before the server sees them, because LOAD DATA LOCAL turns
 * every error into a warning and a truncated or zeroed value into a row: the
 * only way to reject a record with its reason is to know the column's type. */
#include "mysqlload.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "opkit.h"
#include "suggest.h"
#include "utf8.h"

typedef enum {
    K_INT,     /* tinyint ... bigint, year, bit */
    K_DECIMAL, /* decimal(p,s) */
    K_FLOAT,   /* float, double */
    K_CHARS,   /* char, varchar: length in characters */
    K_BYTES,   /* text, blob, binary types: length in bytes */
    K_ENUM,
    K_JSON, /* json (MySQL), or MariaDB's longtext CHECK (json_valid(col)) */
    K_DATE,
    K_DATETIME, /* datetime, timestamp */
    K_OTHER     /* time, set, geometry...: text passed through */
} kind;

typedef struct col {
    char *name;
    char *type;  /* COLUMN_TYPE, for messages */
    kind k;
    bool nullable;
    bool timestamp; /* TIMESTAMP: 1970..2038 */
    int64_t lo;     /* K_INT signed range */
    int64_t hi;
    uint64_t uhi; /* K_INT unsigned maximum */
    bool unsig;
    int prec, scale; /* K_DECIMAL; K_DATETIME: scale = fractional digits */
    int64_t maxlen;  /* K_CHARS characters, K_BYTES bytes; <0 unknown */
    char **enums;
    size_t nenums;
} col;

struct mysqlload {
    MYSQL *db;
    sqlite3 *lite;          /* a SQLite database standing in for MySQL */
    sqlite3_stmt *insert;   /* its INSERT of one row */
    char qtable[300];
    char *collist; /* "(`a`,`b`)" */
    col *cols;
    size_t ncols;
    char *buf; /* pending rows as LOAD DATA text */
    size_t len, cap;
    size_t rows;
    size_t sent; /* read position during a flush */
};

/* ---- small helpers -------------------------------------------------------- */

static void fmt(char *out, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *out, size_t n, const char *f, ...)
{
    if (!out || !n)
        return;
    va_list ap;
    va_start(ap, f);
    vsnprintf(out, n, f, ap);
    va_end(ap);
}

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

/* A plain identifier: what a table or column name may be without quoting
 * rules of our own (no backquote can reach the SQL). */
static bool plain_name(const char *s, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalnum(c) || c == '_' || c == '$' || c >= 0x80))
            return false;
    }
    return true;
}

int mysqlload_quote_table(const char *table, char *out, size_t outlen)
{
    if (!table)
        return -1;
    const char *dot = strchr(table, '.');
    if (dot && strchr(dot + 1, '.'))
        return -1;
    if (dot) {
        if (!plain_name(table, (size_t)(dot - table)) || !plain_name(dot + 1, strlen(dot + 1)))
            return -1;
        int n = snprintf(out, outlen, "`%.*s`.`%s`", (int)(dot - table), table, dot + 1);
        return n < 0 || (size_t)n >= outlen ? -1 : 0;
    }
    if (!plain_name(table, strlen(table)))
        return -1;
    int n = snprintf(out, outlen, "`%s`", table);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* ---- opening: the columns' types from information_schema ------------------ */

static void col_free(col *c)
{
    free(c->name);
    free(c->type);
    for (size_t i = 0; i < c->nenums; i++)
        free(c->enums[i]);
    free(c->enums);
}

/* enum('a','b''c') -> a, b'c */
static void parse_enum(col *c, const char *t)
{
    const char *p = strchr(t, '(');
    if (!p)
        return;
    p++;
    while (*p == '\'') {
        p++;
        char *v = malloc(strlen(p) + 1);
        if (!v)
            return;
        size_t n = 0;
        while (*p) {
            if (*p == '\'' && p[1] == '\'') {
                v[n++] = '\'';
                p += 2;
            } else if (*p == '\'') {
                p++;
                break;
            } else if (*p == '\\' && p[1]) {
                v[n++] = p[1];
                p += 2;
            } else
                v[n++] = *p++;
        }
        v[n] = 0;
        char **e = realloc(c->enums, (c->nenums + 1) * sizeof *e);
        if (!e) {
            free(v);
            return;
        }
        c->enums = e;
        c->enums[c->nenums++] = v;
        if (*p == ',')
            p++;
    }
}

static void set_kind(col *c, const char *dt, const char *ctype, const char *charlen, const char *octlen,
                     const char *prec, const char *scale, const char *dtprec)
{
    c->unsig = strstr(ctype, "unsigned") != NULL;
    c->maxlen = -1;
    struct {
        const char *name;
        int64_t lo, hi;
        uint64_t uhi;
    } ints[] = {
        {"tinyint", INT8_MIN, INT8_MAX, UINT8_MAX},       {"smallint", INT16_MIN, INT16_MAX, UINT16_MAX},
        {"mediumint", -8388608, 8388607, 16777215},       {"int", INT32_MIN, INT32_MAX, UINT32_MAX},
        {"integer", INT32_MIN, INT32_MAX, UINT32_MAX},    {"bigint", INT64_MIN, INT64_MAX, UINT64_MAX},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (!strcmp(dt, ints[i].name)) {
            c->k = K_INT;
            c->lo = c->unsig ? 0 : ints[i].lo;
            c->hi = c->unsig ? INT64_MAX : ints[i].hi;
            c->uhi = c->unsig ? ints[i].uhi : (uint64_t)ints[i].hi;
            return;
        }
    if (!strcmp(dt, "year")) {
        c->k = K_INT;
        c->lo = 0;
        c->hi = c->uhi = 2155;
        return;
    }
    if (!strcmp(dt, "bit")) {
        int bits = prec ? atoi(prec) : 1;
        c->k = K_INT;
        c->unsig = true;
        c->lo = 0;
        c->uhi = bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
        c->hi = c->uhi > INT64_MAX ? INT64_MAX : (int64_t)c->uhi;
        return;
    }
    if (!strcmp(dt, "decimal") || !strcmp(dt, "numeric")) {
        c->k = K_DECIMAL;
        c->prec = prec ? atoi(prec) : 10;
        c->scale = scale ? atoi(scale) : 0;
        return;
    }
    if (!strcmp(dt, "float") || !strcmp(dt, "double") || !strcmp(dt, "real")) {
        c->k = K_FLOAT;
        c->prec = !strcmp(dt, "float") ? 24 : 53;
        return;
    }
    if (!strcmp(dt, "char") || !strcmp(dt, "varchar")) {
        c->k = K_CHARS;
        c->maxlen = charlen ? strtoll(charlen, NULL, 10) : -1;
        return;
    }
    if (!strcmp(dt, "json")) {
        c->k = K_JSON;
        return;
    }
    if (strstr(dt, "text") || strstr(dt, "blob") || strstr(dt, "binary")) {
        c->k = K_BYTES;
        c->maxlen = octlen ? strtoll(octlen, NULL, 10) : -1;
        return;
    }
    if (!strcmp(dt, "enum")) {
        c->k = K_ENUM;
        parse_enum(c, ctype);
        return;
    }
    if (!strcmp(dt, "date")) {
        c->k = K_DATE;
        return;
    }
    if (!strcmp(dt, "datetime") || !strcmp(dt, "timestamp")) {
        c->k = K_DATETIME;
        c->timestamp = !strcmp(dt, "timestamp");
        c->scale = dtprec ? atoi(dtprec) : 0;
        return;
    }
    c->k = K_OTHER;
}

static void esc_lit(MYSQL *db, char *out, const char *s, size_t n)
{
    mysql_real_escape_string(db, out, s, (unsigned long)n);
}

/* "did you mean" over the rows of a one-column query */
static const char *suggest_from(MYSQL *db, const char *sql, const char *word, char *best, size_t bestlen)
{
    if (mysql_query(db, sql))
        return NULL;
    MYSQL_RES *res = mysql_store_result(db);
    if (!res)
        return NULL;
    flux_suggester s;
    flux_suggest_init(&s, word);
    char **names = NULL;
    size_t n = 0;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res))) {
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn)
            break;
        names = nn;
        names[n] = strdup(row[0] ? row[0] : "");
        flux_suggest_feed(&s, names[n]);
        n++;
    }
    const char *b = flux_suggest_best(&s);
    if (b)
        fmt(best, bestlen, "%s", b);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    mysql_free_result(res);
    return b ? best : NULL;
}

mysqlload *mysqlload_open(MYSQL *db, const char *table, const char *const *cols, size_t ncols, char *err,
                          size_t errlen)
{
    char qt[300];
    if (mysqlload_quote_table(table, qt, sizeof qt)) {
        fmt(err, errlen, "table '%s' is not a plain name (name or database.name)", table ? table : "");
        return NULL;
    }
    if (ncols == 0) {
        fmt(err, errlen, "no column to load into table '%s'", table);
        return NULL;
    }
    const char *dot = strchr(table, '.');
    char schema[140], name[140];
    if (dot) {
        char tmp[70];
        snprintf(tmp, sizeof tmp, "%.*s", (int)(dot - table), table);
        esc_lit(db, schema, tmp, strlen(tmp));
        esc_lit(db, name, dot + 1, strlen(dot + 1));
    } else {
        MYSQL_RES *r = NULL;
        MYSQL_ROW row = NULL;
        if (mysql_query(db, "SELECT DATABASE()") || !(r = mysql_store_result(db)) || !(row = mysql_fetch_row(r)) ||
            !row[0]) {
            fmt(err, errlen, "table '%s': the connection names no database (write database.%s, or set database)",
                table, table);
            if (r)
                mysql_free_result(r);
            return NULL;
        }
        esc_lit(db, schema, row[0], strlen(row[0]));
        mysql_free_result(r);
        esc_lit(db, name, table, strlen(table));
    }
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, CHARACTER_MAXIMUM_LENGTH, "
             "CHARACTER_OCTET_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION "
             "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '%s' AND TABLE_NAME = '%s' "
             "ORDER BY ORDINAL_POSITION",
             schema, name);
    if (mysql_query(db, sql)) {
        fmt(err, errlen, "reading the columns of table '%s': %s", table, mysql_error(db));
        return NULL;
    }
    MYSQL_RES *res = mysql_store_result(db);
    if (!res) {
        fmt(err, errlen, "reading the columns of table '%s': %s", table, mysql_error(db));
        return NULL;
    }
    size_t nall = (size_t)mysql_num_rows(res);
    if (nall == 0) {
        mysql_free_result(res);
        char q[600], best[128];
        snprintf(q, sizeof q,
                 "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '%s' ORDER BY TABLE_NAME",
                 schema);
        const char *b = suggest_from(db, q, dot ? dot + 1 : table, best, sizeof best);
        if (b)
            fmt(err, errlen, "table '%s' does not exist (did you mean '%s'?)", table, b);
        else
            fmt(err, errlen, "table '%s' does not exist", table);
        return NULL;
    }
    col *all = calloc(nall, sizeof *all);
    mysqlload *m = calloc(1, sizeof *m);
    if (!all || !m) {
        free(all);
        free(m);
        mysql_free_result(res);
        fmt(err, errlen, "out of memory");
        return NULL;
    }
    MYSQL_ROW row;
    size_t i = 0;
    while ((row = mysql_fetch_row(res)) && i < nall) {
        col *c = &all[i++];
        c->name = strdup(row[0]);
        c->type = strdup(row[2] ? row[2] : row[1]);
        c->nullable = row[3] && !strcmp(row[3], "YES");
        set_kind(c, row[1] ? row[1] : "", row[2] ? row[2] : "", row[4], row[5], row[6], row[7], row[8]);
    }
    mysql_free_result(res);
    /* MariaDB's JSON is a LONGTEXT with a CHECK (json_valid(col)) named
     * after the column */
    snprintf(sql, sizeof sql,
             "SELECT CONSTRAINT_NAME FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = '%s' "
             "AND TABLE_NAME = '%s' AND CHECK_CLAUSE LIKE 'json\\_valid(%%'",
             schema, name);
    if (!mysql_query(db, sql) && (res = mysql_store_result(db))) {
        while ((row = mysql_fetch_row(res)))
            for (size_t k = 0; k < nall; k++)
                if (row[0] && all[k].name && !strcmp(all[k].name, row[0]) && all[k].k == K_BYTES)
                    all[k].k = K_JSON;
        mysql_free_result(res);
    }
    m->db = db;
    snprintf(m->qtable, sizeof m->qtable, "%s", qt);
    m->cols = calloc(ncols, sizeof *m->cols);
    m->ncols = ncols;
    size_t cl = 3;
    for (size_t j = 0; j < ncols; j++)
        cl += strlen(cols[j]) + 3;
    m->collist = malloc(cl);
    int bad = !m->cols || !m->collist;
    if (!bad)
        strcpy(m->collist, "(");
    for (size_t j = 0; j < ncols && !bad; j++) {
        size_t k;
        for (size_t p = 0; p < j; p++)
            if (!strcasecmp(m->cols[p].name, cols[j])) {
                fmt(err, errlen, "column '%s' of table '%s' is given twice", cols[j], table);
                bad = 1;
            }
        if (bad)
            break;
        for (k = 0; k < nall; k++)
            if (all[k].name && !strcasecmp(all[k].name, cols[j]))
                break;
        if (k == nall) {
            flux_suggester s;
            flux_suggest_init(&s, cols[j]);
            for (k = 0; k < nall; k++)
                if (all[k].name)
                    flux_suggest_feed(&s, all[k].name);
            const char *b = flux_suggest_best(&s);
            if (b)
                fmt(err, errlen, "table '%s' has no column '%s' (did you mean '%s'?)", table, cols[j], b);
            else
                fmt(err, errlen, "table '%s' has no column '%s'", table, cols[j]);
            bad = 1;
            break;
        }
        m->cols[j] = all[k];
        all[k].name = NULL; /* moved */
        all[k].type = NULL;
        all[k].enums = NULL;
        all[k].nenums = 0;
        strcat(m->collist, j ? ",`" : "`");
        strcat(m->collist, m->cols[j].name);
        strcat(m->collist, "`");
    }
    for (size_t k = 0; k < nall; k++)
        col_free(&all[k]);
    free(all);
    if (bad) {
        if (!m->cols)
            m->ncols = 0;
        mysqlload_close(m);
        return NULL;
    }
    strcat(m->collist, ")");
    return m;
}

void mysqlload_close(mysqlload *m)
{
    if (!m)
        return;
    sqlite3_finalize(m->insert);
    for (size_t i = 0; i < m->ncols && m->cols; i++)
        col_free(&m->cols[i]);
    free(m->cols);
    free(m->collist);
    free(m->buf);
    free(m);
}

size_t mysqlload_pending(const mysqlload *m)
{
    return m->rows;
}

int64_t mysqlload_pending_bytes(const mysqlload *m)
{
    return (int64_t)m->len;
}

/* ---- value checks ---------------------------------------------------------- */

/* The shortest text that reads back as the same double. */
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

static void shortest_double(double d, char out[40])
{
    for (int p = 15; p <= 17; p++) {
        snprintf(out, 40, "%.*g", p, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

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
        char t[40];
        shortest_double(json_real_value(v), t);
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

/* strict integer text: [+-]digits */
static int parse_int_text(const char *s, bool *neg, uint64_t *mag)
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
static const char *number_text(const col *c, json_t *v, bool text, char buf[40], char *why, size_t whylen)
{
    if (json_is_integer(v)) {
        snprintf(buf, 40, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        shortest_double(json_real_value(v), buf);
        return buf;
    }
    /* a number written as a string ("12.30", common for money) is still
     * that number: the text is checked as strictly as a number */
    (void)text;
    if (json_is_string(v))
        return json_string_value(v);
    fmt(why, whylen, "column '%s': %s where %s expects a number", c->name, json_kind(v), c->type);
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
            char b[40];
            shortest_double(d, b);
            fmt(why, whylen, "column '%s': %s is not an integer (%s)", c->name, b, c->type);
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
        fmt(why, whylen, "column '%s': %s where %s expects an integer", c->name, json_kind(v), c->type);
        return -1;
    }
    bool neg;
    uint64_t mag;
    int rc = parse_int_text(out, &neg, &mag);
    if (rc == -1) {
        fmt(why, whylen, "column '%s': '%.60s' is not an integer (%s)", c->name, out, c->type);
        return -1;
    }
    bool ok = rc == 0;
    if (ok && neg)
        ok = mag <= (uint64_t)INT64_MAX + 1 && (mag == 0 || (c->lo < 0 && (int64_t)(0 - mag) >= c->lo));
    else if (ok)
        ok = mag <= c->uhi;
    if (!ok) {
        fmt(why, whylen, "column '%s': %.60s is out of the range of %s", c->name, out, c->type);
        return -1;
    }
    /* normalized: no '+', no leading zeros */
    if (outlen < 22) {
        fmt(why, whylen, "column '%s': internal: no room for an integer", c->name);
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
    char nb[40];
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
        fmt(why, whylen, "column '%s': %.60s has more than %d decimal places (%s)", c->name, s, c->scale, c->type);
        return -1;
    }
    if ((long)(ni - lead) > c->prec - c->scale) {
        fmt(why, whylen, "column '%s': %.60s is out of the range of %s", c->name, s, c->type);
        return -1;
    }
    bool zero = ni == lead && nf == 0;
    snprintf(out, outlen, "%s%s%s%s", neg && !zero ? "-" : "", ni == lead ? "0" : ip + lead, nf ? "." : "", fp);
    return 0;
bad:
    fmt(why, whylen, "column '%s': '%.60s' is not a number (%s)", c->name, s, c->type);
    return -1;
}

static int check_float(const col *c, json_t *v, bool text, char *out, size_t outlen, char *why, size_t whylen)
{
    char nb[40];
    if (json_is_real(v)) {
        /* the common case, without a round trip through text: 17 significant
         * digits give the server exactly this double back */
        double d = json_real_value(v);
        if (!isfinite(d) || (c->prec == 24 && fabs(d) > 3.402823466e38)) {
            fmt(why, whylen, "column '%s': %.17g is not a number %s can hold", c->name, d, c->type);
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
        fmt(why, whylen, "column '%s': '%.60s' is not a number %s can hold", c->name, s, c->type);
        return -1;
    }
    shortest_double(d, nb);
    snprintf(out, outlen, "%s", nb);
    return 0;
}

/* days since 1970-01-01 of a civil date (proleptic Gregorian) */
static int64_t days_from_civil(int64_t y, unsigned mo, unsigned d)
{
    y -= mo <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *mo, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*mo <= 2));
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
    int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400LL * 1000000LL;
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
    char nb[40];
    if (json_is_string(v)) {
        shown = json_string_value(v);
        if (parse_iso(shown, &us, &date_only)) {
            /* CSV: a number of seconds written as text */
            char *end;
            double d = text ? strtod(shown, &end) : 0;
            if (!text || end == shown || *end || !isfinite(d) || fabs(d) > 3e11) {
                fmt(why, whylen, "column '%s': '%.60s' is not an ISO 8601 date-time (%s)", c->name, shown,
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
            fmt(why, whylen, "column '%s': %s seconds is out of the range of %s", c->name, nb, c->type);
            return -1;
        }
        us = json_is_integer(v) ? (int64_t)json_integer_value(v) * 1000000LL : llround(d * 1e6);
    } else {
        fmt(why, whylen, "column '%s': %s where %s expects a date-time", c->name, json_kind(v), c->type);
        return -1;
    }
    int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    int64_t frac = us - secs * 1000000;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t sod = secs - days * 86400;
    int y, mo, d;
    civil_from_days(days, &y, &mo, &d);
    if (c->k == K_DATE) {
        if (sod || frac) {
            fmt(why, whylen, "column '%s': '%.60s' has a time of day (UTC) but %s holds a date only", c->name, shown,
                c->type);
            return -1;
        }
        if (y < 1000 || y > 9999) {
            fmt(why, whylen, "column '%s': '%.60s' is out of the range of %s", c->name, shown, c->type);
            return -1;
        }
        snprintf(out, outlen, "%04d-%02d-%02d", y, mo, d);
        return 0;
    }
    bool range = c->timestamp ? (secs >= 1 && secs <= 2147483647LL) : (y >= 1000 && y <= 9999);
    if (!range) {
        fmt(why, whylen, "column '%s': '%.60s' is out of the range of %s", c->name, shown, c->type);
        return -1;
    }
    (void)date_only;
    if (outlen < 32) {
        fmt(why, whylen, "column '%s': internal: no room for a time", c->name);
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
        fmt(why, whylen, "column '%s': missing", c->name);
        return -1;
    }
    /* CSV has no null: an empty field is one, except in a text column */
    bool empty_text = text && json_is_string(v) && json_string_length(v) == 0;
    if (json_is_null(v) || (empty_text && c->k != K_CHARS && c->k != K_BYTES && c->k != K_ENUM && c->k != K_OTHER)) {
        if (!c->nullable) {
            fmt(why, whylen, "column '%s': null, but the column is NOT NULL", c->name);
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
                fmt(why, whylen, "column '%s': not JSON (%s)", c->name, je.text);
                return -1;
            }
        }
        *owned = mysqlload_json_text(parsed ? parsed : v);
        json_decref(parsed);
        if (!*owned) {
            fmt(why, whylen, "column '%s': out of memory", c->name);
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
                fmt(why, whylen, "column '%s': out of memory", c->name);
                return -1;
            }
            *txt = *owned;
            *txtlen = strlen(*owned);
        }
        size_t nchars = 0;
        if (!flux_utf8_valid(*txt, *txtlen, &nchars)) {
            fmt(why, whylen, "column '%s': not valid UTF-8 text", c->name);
            goto fail;
        }
        int64_t chars = (int64_t)nchars;
        if (c->k == K_CHARS && c->maxlen >= 0 && chars > c->maxlen) {
            fmt(why, whylen, "column '%s': %" PRId64 " characters, longer than %s", c->name, chars, c->type);
            goto fail;
        }
        if (c->k == K_BYTES && c->maxlen >= 0 && (int64_t)*txtlen > c->maxlen) {
            fmt(why, whylen, "column '%s': %zu bytes, longer than %s holds", c->name, *txtlen, c->type);
            goto fail;
        }
        if (c->k == K_ENUM && c->nenums) {
            size_t i;
            for (i = 0; i < c->nenums; i++)
                if (strlen(c->enums[i]) == *txtlen && !strncasecmp(c->enums[i], *txt, *txtlen))
                    break;
            if (i == c->nenums) {
                fmt(why, whylen, "column '%s': '%.60s' is not one of %s", c->name, *txt, c->type);
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
            fmt(why, whylen, "out of memory");
            return -1;
        }
    }
    if (grow(m, 1)) {
        m->len = start;
        fmt(why, whylen, "out of memory");
        return -1;
    }
    m->buf[m->len++] = '\n';
    m->rows++;
    return 0;
}

/* ---- flush: LOAD DATA LOCAL from memory ------------------------------------ */

static int infile_init(void **ptr, const char *filename, void *userdata)
{
    (void)filename;
    mysqlload *m = userdata;
    m->sent = 0;
    *ptr = m;
    return 0;
}

static int infile_read(void *ptr, char *buf, unsigned int buflen)
{
    mysqlload *m = ptr;
    size_t n = m->len - m->sent;
    if (n > buflen)
        n = buflen;
    memcpy(buf, m->buf + m->sent, n);
    m->sent += n;
    return (int)n;
}

static void infile_end(void *ptr)
{
    (void)ptr;
}

static int infile_error(void *ptr, char *msg, unsigned int msglen)
{
    (void)ptr;
    snprintf(msg, msglen, "reading the rows in memory failed");
    return 1;
}

static int flush_sqlite(mysqlload *m, int64_t *written, char *err, size_t errlen);

int mysqlload_flush(mysqlload *m, int64_t *written, char *err, size_t errlen)
{
    *written = 0;
    if (m->rows == 0)
        return 0;
    if (m->lite)
        return flush_sqlite(m, written, err, errlen);
    mysql_set_local_infile_handler(m->db, infile_init, infile_read, infile_end, infile_error, m);
    size_t ql = strlen(m->qtable) + strlen(m->collist) + 256;
    char *q = malloc(ql);
    if (!q) {
        fmt(err, errlen, "out of memory");
        return -1;
    }
    snprintf(q, ql,
             "LOAD DATA LOCAL INFILE 'flux-batch' INTO TABLE %s CHARACTER SET utf8mb4 "
             "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' %s",
             m->qtable, m->collist);
    int rc = mysql_query(m->db, q);
    free(q);
    mysql_set_local_infile_default(m->db);
    if (rc) {
        fmt(err, errlen, "loading %zu rows into %s: %s", m->rows, m->qtable, mysql_error(m->db));
        return -1;
    }
    my_ulonglong took = mysql_affected_rows(m->db);
    unsigned warnings = mysql_warning_count(m->db);
    if (warnings) {
        /* LOCAL turns errors into warnings: any warning means some value was
         * not stored as sent */
        char first[600] = "";
        if (!mysql_query(m->db, "SHOW WARNINGS LIMIT 3")) {
            MYSQL_RES *res = mysql_store_result(m->db);
            MYSQL_ROW row;
            size_t used = 0;
            while (res && (row = mysql_fetch_row(res)) && used < sizeof first - 1) {
                int n = snprintf(first + used, sizeof first - used, "%s%s", used ? "; " : "", row[2] ? row[2] : "");
                if (n > 0)
                    used += (size_t)n;
                if (used >= sizeof first)
                    used = sizeof first - 1;
            }
            if (res)
                mysql_free_result(res);
        }
        fmt(err, errlen, "loading %zu rows into %s: the server warned %u time%s: %s", m->rows, m->qtable, warnings,
            warnings == 1 ? "" : "s", first);
        return -1;
    }
    if (took != (my_ulonglong)m->rows) {
        fmt(err, errlen, "loading into %s: the server took %llu rows of %zu sent", m->qtable,
            (unsigned long long)took, m->rows);
        return -1;
    }
    *written = (int64_t)took;
    m->len = 0;
    m->rows = 0;
    return 0;
}

/* ---- delete of an interval ------------------------------------------------- */

int mysqlload_delete_interval(MYSQL *db, const char *table, const char *col, int64_t start_ms, int64_t end_ms,
                              int64_t *deleted, char *err, size_t errlen)
{
    char qt[300];
    *deleted = 0;
    if (mysqlload_quote_table(table, qt, sizeof qt)) {
        fmt(err, errlen, "table '%s' is not a plain name (name or database.name)", table ? table : "");
        return -1;
    }
    if (!col || !plain_name(col, strlen(col))) {
        fmt(err, errlen, "time column '%s' is not a plain column name", col ? col : "");
        return -1;
    }
    char a[32], b[32], q[512];
    opkit_sqltime(start_ms, a);
    opkit_sqltime(end_ms, b);
    snprintf(q, sizeof q, "DELETE FROM %s WHERE `%s` >= '%s' AND `%s` < '%s'", qt, col, a, col, b);
    if (mysql_query(db, q)) {
        fmt(err, errlen, "deleting the interval's rows of %s: %s", qt, mysql_error(db));
        return -1;
    }
    *deleted = (int64_t)mysql_affected_rows(db);
    return 0;
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
    char sh[40];
    shortest_double(d, sh);
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
            if (parse_int_text(t, &neg, &mag) == 0 && (neg ? mag <= (uint64_t)INT64_MAX + 1 : mag <= INT64_MAX))
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
            v = flux_utf8_valid(s, n, NULL) && !memchr(s, 0, n) ? json_stringn(s, n)
                                                                                     : base64_json(s, n);
        } else {
            v = json_stringn(s, n);
            if (!v)
                v = base64_json(s, n);
        }
        vals[i] = v ? v : json_null();
    }
}

/* ---- SQLite standing in for MySQL -------------------------------------------
 * The embedded default (./build.sh run) has no server: a SQLite file plays the
 * warehouse. Its declared column types (VARCHAR(16), DECIMAL(12,4),
 * TIMESTAMP...) are read as MySQL's, so a value is checked exactly as it
 * would be against MySQL; rows go in through one prepared INSERT each,
 * inside the caller's transaction. */

/* "VARCHAR(16)" -> "varchar", "16", NULL; "DECIMAL(12, 4)" -> "decimal", "12", "4" */
static void split_decl(const char *decl, char *dt, size_t dtlen, char *a1, char *a2)
{
    size_t n = 0;
    a1[0] = a2[0] = '\0';
    while (*decl == ' ')
        decl++;
    while (*decl && *decl != '(' && *decl != ' ' && n + 1 < dtlen)
        dt[n++] = (char)tolower((unsigned char)*decl++);
    dt[n] = '\0';
    const char *p = strchr(decl, '(');
    if (p)
        sscanf(p, "(%15[0-9] , %15[0-9]", a1, a2);
}

mysqlload *mysqlload_open_sqlite(sqlite3 *db, const char *table, const char *const *cols, size_t ncols, char *err,
                                 size_t errlen)
{
    if (!table || !plain_name(table, strlen(table)) || strchr(table, '.')) {
        fmt(err, errlen, "table '%s' is not a plain name", table ? table : "");
        return NULL;
    }
    if (ncols == 0) {
        fmt(err, errlen, "no column to load into table '%s'", table);
        return NULL;
    }
    char q[600];
    snprintf(q, sizeof q, "PRAGMA table_info(\"%s\")", table);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
        fmt(err, errlen, "reading the columns of table '%s': %s", table, sqlite3_errmsg(db));
        return NULL;
    }
    mysqlload *m = calloc(1, sizeof *m);
    col *all = NULL;
    size_t nall = 0, cap = 0;
    while (m && sqlite3_step(st) == SQLITE_ROW) {
        if (nall == cap) {
            cap = cap ? 2 * cap : 16;
            col *g = realloc(all, cap * sizeof *all);
            if (!g)
                break;
            all = g;
        }
        col *c = &all[nall++];
        memset(c, 0, sizeof *c);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *decl = (const char *)sqlite3_column_text(st, 2);
        c->name = strdup(name ? name : "");
        c->type = strdup(decl && *decl ? decl : "ANY");
        /* a PRIMARY KEY INTEGER column takes NULL as "next rowid" */
        c->nullable = !sqlite3_column_int(st, 3);
        char dt[32], a1[16], a2[16], lower[128];
        split_decl(decl ? decl : "", dt, sizeof dt, a1, a2);
        snprintf(lower, sizeof lower, "%s", decl ? decl : "");
        for (char *x = lower; *x; x++)
            *x = (char)tolower((unsigned char)*x);
        if (!strcmp(dt, "integer") || !strcmp(dt, "int"))
            snprintf(dt, sizeof dt, "bigint"); /* SQLite integers are 64-bit */
        set_kind(c, dt, lower, a1[0] ? a1 : NULL, NULL, a1[0] ? a1 : NULL, a2[0] ? a2 : NULL,
                 a1[0] ? a1 : NULL);
    }
    sqlite3_finalize(st);
    if (!m) {
        free(all);
        fmt(err, errlen, "out of memory");
        return NULL;
    }
    if (nall == 0) {
        free(all);
        free(m);
        fmt(err, errlen, "table '%s' does not exist in the SQLite database", table);
        return NULL;
    }
    m->lite = db;
    snprintf(m->qtable, sizeof m->qtable, "\"%s\"", table);
    m->cols = calloc(ncols, sizeof *m->cols);
    m->ncols = ncols;
    int bad = !m->cols;
    flux_buf ins = {0};
    flux_buf_printf(&ins, "INSERT INTO \"%s\" (", table);
    for (size_t j = 0; j < ncols && !bad; j++) {
        size_t k;
        for (k = 0; k < nall; k++)
            if (all[k].name && !strcasecmp(all[k].name, cols[j]))
                break;
        if (k == nall) {
            flux_suggester sg;
            flux_suggest_init(&sg, cols[j]);
            for (size_t x = 0; x < nall; x++)
                if (all[x].name)
                    flux_suggest_feed(&sg, all[x].name);
            const char *b = flux_suggest_best(&sg);
            if (b)
                fmt(err, errlen, "table '%s' has no column '%s' (did you mean '%s'?)", table, cols[j], b);
            else
                fmt(err, errlen, "table '%s' has no column '%s'", table, cols[j]);
            bad = 1;
            break;
        }
        m->cols[j] = all[k];
        all[k].name = all[k].type = NULL;
        all[k].enums = NULL;
        all[k].nenums = 0;
        flux_buf_printf(&ins, "%s\"%s\"", j ? ", " : "", m->cols[j].name);
    }
    flux_buf_puts(&ins, ") VALUES (");
    for (size_t j = 0; j < ncols; j++)
        flux_buf_puts(&ins, j ? ", ?" : "?");
    flux_buf_puts(&ins, ")");
    for (size_t k = 0; k < nall; k++)
        col_free(&all[k]);
    free(all);
    if (!bad && sqlite3_prepare_v2(db, flux_buf_cstr(&ins), -1, &m->insert, NULL) != SQLITE_OK) {
        fmt(err, errlen, "preparing the insert into '%s': %s", table, sqlite3_errmsg(db));
        bad = 1;
    }
    flux_buf_free(&ins);
    if (bad) {
        if (!m->cols)
            m->ncols = 0;
        mysqlload_close(m);
        return NULL;
    }
    return m;
}

/* the pending rows are LOAD DATA text: decoded back field by field */
static int flush_sqlite(mysqlload *m, int64_t *written, char *err, size_t errlen)
{
    char *field = malloc(m->len + 1);
    if (!field) {
        fmt(err, errlen, "out of memory");
        return -1;
    }
    size_t i = 0, row = 0;
    int rc = 0;
    while (i < m->len && !rc) {
        for (size_t c = 0; c < m->ncols; c++) {
            size_t n = 0;
            bool isnull = i + 1 < m->len && m->buf[i] == '\\' && m->buf[i + 1] == 'N' &&
                          (i + 2 >= m->len || m->buf[i + 2] == '\t' || m->buf[i + 2] == '\n');
            if (isnull)
                i += 2;
            while (!isnull && i < m->len && m->buf[i] != '\t' && m->buf[i] != '\n') {
                char ch = m->buf[i++];
                if (ch == '\\' && i < m->len) {
                    char e = m->buf[i++];
                    ch = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == '0' ? '\0' : e;
                }
                field[n++] = ch;
            }
            i++; /* the tab or newline */
            if (isnull)
                sqlite3_bind_null(m->insert, (int)c + 1);
            else if (m->cols[c].k == K_INT)
                sqlite3_bind_int64(m->insert, (int)c + 1, strtoll((field[n] = '\0', field), NULL, 10));
            else if (m->cols[c].k == K_FLOAT)
                sqlite3_bind_double(m->insert, (int)c + 1, strtod((field[n] = '\0', field), NULL));
            else
                sqlite3_bind_text(m->insert, (int)c + 1, field, (int)n, SQLITE_TRANSIENT);
        }
        if (sqlite3_step(m->insert) != SQLITE_DONE) {
            fmt(err, errlen, "inserting row %zu of the batch into %s: %s", row + 1, m->qtable,
                sqlite3_errmsg(m->lite));
            rc = -1;
        }
        sqlite3_reset(m->insert);
        sqlite3_clear_bindings(m->insert);
        row++;
    }
    free(field);
    if (rc)
        return -1;
    *written = (int64_t)row;
    m->len = 0;
    m->rows = 0;
    return 0;
}

int mysqlload_delete_interval_sqlite(sqlite3 *db, const char *table, const char *col, int64_t start_ms,
                                     int64_t end_ms, int64_t *deleted, char *err, size_t errlen)
{
    *deleted = 0;
    if (!table || !plain_name(table, strlen(table)) || !col || !plain_name(col, strlen(col))) {
        fmt(err, errlen, "table '%s' and time column '%s' must be plain names", table ? table : "", col ? col : "");
        return -1;
    }
    char a[32], b[32], q[700];
    opkit_sqltime(start_ms, a);
    opkit_sqltime(end_ms, b);
    /* julianday: stored text may carry fewer fraction digits than the bounds */
    snprintf(q, sizeof q, "DELETE FROM \"%s\" WHERE julianday(\"%s\") >= julianday('%s') AND julianday(\"%s\") < "
             "julianday('%s')", table, col, a, col, b);
    char *e = NULL;
    if (sqlite3_exec(db, q, NULL, NULL, &e) != SQLITE_OK) {
        fmt(err, errlen, "deleting the interval's rows of %s: %s", table, e ? e : sqlite3_errmsg(db));
        sqlite3_free(e);
        return -1;
    }
    *deleted = sqlite3_changes(db);
    return 0;
}

const char *mysqlload_time_column(const mysqlload *m)
{
    const char *found = NULL;
    for (size_t i = 0; i < m->ncols; i++)
        if (m->cols[i].k == K_DATE || m->cols[i].k == K_DATETIME) {
            if (found)
                return NULL;
            found = m->cols[i].name;
        }
    return found;
}
