/* mysqlload_sqlite — a SQLite database standing in for MySQL (the
 * embedded default): declared column types read as MySQL's, values checked
 * the same way, rows inserted one by one. */
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
    if (!table || !mysqlload_plain_name(table, strlen(table)) || strchr(table, '.')) {
        opkit_fmt(err, errlen, "table '%s' is not a plain name", table ? table : "");
        return NULL;
    }
    if (ncols == 0) {
        opkit_fmt(err, errlen, "no column to load into table '%s'", table);
        return NULL;
    }
    char q[600];
    snprintf(q, sizeof q, "PRAGMA table_info(\"%s\")", table);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
        opkit_fmt(err, errlen, "reading the columns of table '%s': %s", table, sqlite3_errmsg(db));
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
        mysqlload_set_kind(c, dt, lower, a1[0] ? a1 : NULL, NULL, a1[0] ? a1 : NULL, a2[0] ? a2 : NULL,
                           a1[0] ? a1 : NULL);
    }
    sqlite3_finalize(st);
    if (!m) {
        free(all);
        opkit_fmt(err, errlen, "out of memory");
        return NULL;
    }
    if (nall == 0) {
        free(all);
        free(m);
        opkit_fmt(err, errlen, "table '%s' does not exist in the SQLite database", table);
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
        if (mysqlload_take_column(all, nall, table, cols[j], &m->cols[j], err, errlen)) {
            bad = 1;
            break;
        }
        flux_buf_printf(&ins, "%s\"%s\"", j ? ", " : "", m->cols[j].name);
    }
    flux_buf_puts(&ins, ") VALUES (");
    for (size_t j = 0; j < ncols; j++)
        flux_buf_puts(&ins, j ? ", ?" : "?");
    flux_buf_puts(&ins, ")");
    for (size_t k = 0; k < nall; k++)
        mysqlload_col_free(&all[k]);
    free(all);
    if (!bad && sqlite3_prepare_v2(db, flux_buf_cstr(&ins), -1, &m->insert, NULL) != SQLITE_OK) {
        opkit_fmt(err, errlen, "preparing the insert into '%s': %s", table, sqlite3_errmsg(db));
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
int mysqlload_flush_sqlite(mysqlload *m, int64_t *written, char *err, size_t errlen)
{
    char *field = malloc(m->len + 1);
    if (!field) {
        opkit_fmt(err, errlen, "out of memory");
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
            opkit_fmt(err, errlen, "inserting row %zu of the batch into %s: %s", row + 1, m->qtable,
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
    if (!table || !mysqlload_plain_name(table, strlen(table)) || !col || !mysqlload_plain_name(col, strlen(col))) {
        opkit_fmt(err, errlen, "table '%s' and time column '%s' must be plain names", table ? table : "",
                      col ? col : "");
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
        opkit_fmt(err, errlen, "deleting the interval's rows of %s: %s", table, e ? e : sqlite3_errmsg(db));
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
