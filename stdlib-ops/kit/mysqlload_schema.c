/* mysqlload_schema — opening a load: the columns' types read from
 * information_schema (range, scale, length in characters, NOT NULL, ENUM
 * members), an unknown table or column named with a did-you-mean; the
 * quoting of table names. */
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
#include "suggest.h"

/* A plain identifier: what a table or column name may be without quoting
 * rules of our own (no backquote can reach the SQL). */
bool mysqlload_plain_name(const char *s, size_t n)
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
        if (!mysqlload_plain_name(table, (size_t)(dot - table)) || !mysqlload_plain_name(dot + 1, strlen(dot + 1)))
            return -1;
        int n = snprintf(out, outlen, "`%.*s`.`%s`", (int)(dot - table), table, dot + 1);
        return n < 0 || (size_t)n >= outlen ? -1 : 0;
    }
    if (!mysqlload_plain_name(table, strlen(table)))
        return -1;
    int n = snprintf(out, outlen, "`%s`", table);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* ---- opening: the columns' types from information_schema ------------------ */

void mysqlload_col_free(col *c)
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

void mysqlload_set_kind(col *c, const char *dt, const char *ctype, const char *charlen, const char *octlen,
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
        opkit_fmt(best, bestlen, "%s", b);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    mysql_free_result(res);
    return b ? best : NULL;
}

/* The table's schema and name as escaped SQL literals: database.name as
 * written, else the connection's current database. -1 with err. */
static int schema_and_name(MYSQL *db, const char *table, char schema[140], char name[140], char *err, size_t errlen)
{
    const char *dot = strchr(table, '.');
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
            opkit_fmt(err, errlen,
                          "table '%s': the connection names no database (write database.%s, or set database)", table,
                          table);
            if (r)
                mysql_free_result(r);
            return -1;
        }
        esc_lit(db, schema, row[0], strlen(row[0]));
        mysql_free_result(r);
        esc_lit(db, name, table, strlen(table));
    }
    return 0;
}

/* MariaDB's JSON is a LONGTEXT with a CHECK (json_valid(col)) named after
 * the column: such columns of all become K_JSON. */
static void mark_json(MYSQL *db, const char *schema, const char *name, col *all, size_t nall)
{
    char sql[1024];
    MYSQL_RES *res;
    MYSQL_ROW row;
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
}

int mysqlload_take_column(col *all, size_t nall, const char *table, const char *want, col *into, char *err,
                          size_t errlen)
{
    size_t k;
    for (k = 0; k < nall; k++)
        if (all[k].name && !strcasecmp(all[k].name, want))
            break;
    if (k == nall) {
        flux_suggester s;
        flux_suggest_init(&s, want);
        for (k = 0; k < nall; k++)
            if (all[k].name)
                flux_suggest_feed(&s, all[k].name);
        const char *b = flux_suggest_best(&s);
        if (b)
            opkit_fmt(err, errlen, "table '%s' has no column '%s' (did you mean '%s'?)", table, want, b);
        else
            opkit_fmt(err, errlen, "table '%s' has no column '%s'", table, want);
        return -1;
    }
    *into = all[k];
    all[k].name = NULL; /* moved */
    all[k].type = NULL;
    all[k].enums = NULL;
    all[k].nenums = 0;
    return 0;
}

mysqlload *mysqlload_open(MYSQL *db, const char *table, const char *const *cols, size_t ncols, char *err,
                          size_t errlen)
{
    char qt[300];
    if (mysqlload_quote_table(table, qt, sizeof qt)) {
        opkit_fmt(err, errlen, "table '%s' is not a plain name (name or database.name)", table ? table : "");
        return NULL;
    }
    if (ncols == 0) {
        opkit_fmt(err, errlen, "no column to load into table '%s'", table);
        return NULL;
    }
    const char *dot = strchr(table, '.');
    char schema[140], name[140];
    if (schema_and_name(db, table, schema, name, err, errlen))
        return NULL;
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, CHARACTER_MAXIMUM_LENGTH, "
             "CHARACTER_OCTET_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION "
             "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '%s' AND TABLE_NAME = '%s' "
             "ORDER BY ORDINAL_POSITION",
             schema, name);
    if (mysql_query(db, sql)) {
        opkit_fmt(err, errlen, "reading the columns of table '%s': %s", table, mysql_error(db));
        return NULL;
    }
    MYSQL_RES *res = mysql_store_result(db);
    if (!res) {
        opkit_fmt(err, errlen, "reading the columns of table '%s': %s", table, mysql_error(db));
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
            opkit_fmt(err, errlen, "table '%s' does not exist (did you mean '%s'?)", table, b);
        else
            opkit_fmt(err, errlen, "table '%s' does not exist", table);
        return NULL;
    }
    col *all = calloc(nall, sizeof *all);
    mysqlload *m = calloc(1, sizeof *m);
    if (!all || !m) {
        free(all);
        free(m);
        mysql_free_result(res);
        opkit_fmt(err, errlen, "out of memory");
        return NULL;
    }
    MYSQL_ROW row;
    size_t i = 0;
    while ((row = mysql_fetch_row(res)) && i < nall) {
        col *c = &all[i++];
        c->name = strdup(row[0]);
        c->type = strdup(row[2] ? row[2] : row[1]);
        c->nullable = row[3] && !strcmp(row[3], "YES");
        mysqlload_set_kind(c, row[1] ? row[1] : "", row[2] ? row[2] : "", row[4], row[5], row[6], row[7], row[8]);
    }
    mysql_free_result(res);
    mark_json(db, schema, name, all, nall);
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
        for (size_t p = 0; p < j; p++)
            if (!strcasecmp(m->cols[p].name, cols[j])) {
                opkit_fmt(err, errlen, "column '%s' of table '%s' is given twice", cols[j], table);
                bad = 1;
            }
        if (bad)
            break;
        if (mysqlload_take_column(all, nall, table, cols[j], &m->cols[j], err, errlen)) {
            bad = 1;
            break;
        }
        strcat(m->collist, j ? ",`" : "`");
        strcat(m->collist, m->cols[j].name);
        strcat(m->collist, "`");
    }
    for (size_t k = 0; k < nall; k++)
        mysqlload_col_free(&all[k]);
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
        mysqlload_col_free(&m->cols[i]);
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
