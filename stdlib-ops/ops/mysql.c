/* mysql — the mysql operator (MariaDB Connector/C): SQL text, several
 * statements in one transaction unless autocommit = true (MySQL commits DDL
 * by itself), rows of a SELECT in the log, rows affected becoming the
 * output rows_affected; with `params`, one prepared statement whose `?` are
 * bound by type. A SQLite connection stands in for MySQL (the embedded
 * default). Connections are resolved in the task's process, from flux.yaml
 * or FLUX_CONN_<NAME>: no password ever travels in arguments. */
#include <jansson.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "operators.h"
#include "opkit.h"
#include "sqlkit.h"

/* The length of the one statement of sql, trailing ';' and blanks dropped;
 * -1 when another statement follows. Quotes, backquotes and comments are
 * skipped so a ';' inside them does not count. */
static long mysql_one_statement(const char *sql)
{
    size_t n = strlen(sql), end = 0, i = 0;
    bool after_semi = false;
    while (i < n) {
        char ch = sql[i];
        if (ch == '\'' || ch == '"' || ch == '`') {
            if (after_semi)
                return -1;
            size_t j = i + 1;
            while (j < n) {
                if (sql[j] == '\\' && ch != '`' && j + 1 < n)
                    j += 2;
                else if (sql[j] == ch && j + 1 < n && sql[j + 1] == ch)
                    j += 2; /* a doubled quote is the quote itself */
                else if (sql[j] == ch)
                    break;
                else
                    j++;
            }
            i = j < n ? j + 1 : n;
            end = i;
        } else if (ch == '#' || (ch == '-' && i + 2 <= n && sql[i + 1] == '-' &&
                                 (i + 2 == n || strchr(" \t\r\n", sql[i + 2])))) {
            while (i < n && sql[i] != '\n')
                i++;
        } else if (ch == '/' && i + 1 < n && sql[i + 1] == '*') {
            const char *close = strstr(sql + i + 2, "*/");
            i = close ? (size_t)(close - sql) + 2 : n;
        } else if (ch == ';') {
            after_semi = true;
            i++;
        } else if (strchr(" \t\r\n", ch)) {
            i++;
        } else {
            if (after_semi)
                return -1;
            end = ++i;
        }
    }
    return (long)end;
}

static void mysql_print_header(MYSQL_FIELD *f, unsigned int n)
{
    sqlkit_row_start();
    for (unsigned int i = 0; i < n; i++) {
        if (i)
            putchar('\t');
        sqlkit_put_value(f[i].name, strlen(f[i].name));
    }
    putchar('\n');
}

/* The rows of an executed prepared statement, each column fetched as text. */
static int mysql_stmt_rows(MYSQL_STMT *st, MYSQL_RES *meta, long long *rows)
{
    my_bool on = 1;
    mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
    if (mysql_stmt_store_result(st))
        return -1;
    unsigned int n = mysql_num_fields(meta);
    MYSQL_FIELD *f = mysql_fetch_fields(meta);
    MYSQL_BIND *out = calloc(n ? n : 1, sizeof *out);
    unsigned long *len = calloc(n ? n : 1, sizeof *len);
    my_bool *isnull = calloc(n ? n : 1, sizeof *isnull);
    int rc = out && len && isnull ? 0 : -1;
    for (unsigned int i = 0; !rc && i < n; i++) {
        size_t size = (f[i].max_length > 64 ? f[i].max_length : 64) + 1;
        out[i].buffer_type = MYSQL_TYPE_STRING;
        out[i].buffer = malloc(size);
        out[i].buffer_length = size;
        out[i].length = &len[i];
        out[i].is_null = &isnull[i];
        if (!out[i].buffer)
            rc = -1;
    }
    if (!rc && mysql_stmt_bind_result(st, out))
        rc = -1;
    *rows = 0;
    while (!rc) {
        int fr = mysql_stmt_fetch(st);
        if (fr == MYSQL_NO_DATA)
            break;
        if (fr == 1) {
            rc = -1;
            break;
        }
        if (*rows == 0)
            mysql_print_header(f, n);
        if ((*rows)++ >= SQLKIT_ROWS_SHOWN)
            continue;
        sqlkit_row_start();
        for (unsigned int i = 0; i < n; i++) {
            if (i)
                putchar('\t');
            if (isnull[i]) {
                fputs("NULL", stdout);
            } else {
                size_t shown = len[i] < out[i].buffer_length ? len[i] : out[i].buffer_length;
                sqlkit_put_value(out[i].buffer, shown);
                if (shown < len[i])
                    fputs("...", stdout);
            }
        }
        putchar('\n');
    }
    for (unsigned int i = 0; out && i < n; i++)
        free(out[i].buffer);
    free(out);
    free(len);
    free(isnull);
    return rc;
}

/* One prepared statement, params bound by type. -1 after an error: *bad_task
 * when the task is wrong, else mysql_stmt_error/mysql_error say why (printed
 * here). */
static int mysql_bound(MYSQL *db, const char *sql, json_t *params, unsigned long long *affected, bool *bad_task)
{
    long len = mysql_one_statement(sql);
    if (len <= 0) {
        fprintf(stderr, "flux: mysql: with params the SQL must be exactly one statement (it holds %s)\n",
                len < 0 ? "several" : "none");
        *bad_task = true;
        return -1;
    }
    MYSQL_STMT *st = mysql_stmt_init(db);
    if (!st) {
        fprintf(stderr, "flux: mysql: %s\n", mysql_error(db));
        return -1;
    }
    int rc = -1;
    size_t n = json_array_size(params);
    MYSQL_BIND *in = calloc(n ? n : 1, sizeof *in);
    long long *ints = calloc(n ? n : 1, sizeof *ints);
    double *reals = calloc(n ? n : 1, sizeof *reals);
    unsigned long *lens = calloc(n ? n : 1, sizeof *lens);
    if (!in || !ints || !reals || !lens) {
        fputs("flux: mysql: out of memory\n", stderr);
        goto done;
    }
    if (mysql_stmt_prepare(st, sql, (unsigned long)len)) {
        fprintf(stderr, "flux: mysql: %s\n", mysql_stmt_error(st));
        goto done;
    }
    unsigned long want = mysql_stmt_param_count(st);
    if (want != n) {
        fprintf(stderr, "flux: mysql: the SQL has %lu placeholder%s but params gives %zu value%s\n", want,
                want == 1 ? "" : "s", n, n == 1 ? "" : "s");
        *bad_task = true;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(params, i);
        if (json_is_string(v)) {
            in[i].buffer_type = MYSQL_TYPE_STRING;
            in[i].buffer = (void *)json_string_value(v);
            lens[i] = (unsigned long)json_string_length(v);
            in[i].buffer_length = lens[i];
            in[i].length = &lens[i];
        } else if (json_is_integer(v) || json_is_boolean(v)) {
            ints[i] = json_is_integer(v) ? (long long)json_integer_value(v) : json_is_true(v);
            in[i].buffer_type = MYSQL_TYPE_LONGLONG;
            in[i].buffer = &ints[i];
        } else if (json_is_real(v)) {
            reals[i] = json_real_value(v);
            in[i].buffer_type = MYSQL_TYPE_DOUBLE;
            in[i].buffer = &reals[i];
        } else {
            in[i].buffer_type = MYSQL_TYPE_NULL;
        }
    }
    if ((n && mysql_stmt_bind_param(st, in)) || mysql_stmt_execute(st)) {
        fprintf(stderr, "flux: mysql: %s\n", mysql_stmt_error(st));
        goto done;
    }
    MYSQL_RES *meta = mysql_stmt_result_metadata(st);
    if (meta) {
        long long rows;
        int r = mysql_stmt_rows(st, meta, &rows);
        mysql_free_result(meta);
        if (r) {
            fprintf(stderr, "flux: mysql: reading the result: %s\n", mysql_stmt_error(st));
            goto done;
        }
        sqlkit_rows_summary(rows);
        opkit_output("rows", "%lld", rows);
        *affected = 0;
    } else {
        my_ulonglong a = mysql_stmt_affected_rows(st);
        *affected = a == (my_ulonglong)-1 ? 0 : a;
    }
    rc = 0;
done:
    mysql_stmt_close(st);
    free(in);
    free(ints);
    free(reals);
    free(lens);
    return rc;
}

/* The statements of a task's text, in order: the first error stops them. */
static int mysql_text(MYSQL *db, const char *sql, unsigned long long *affected)
{
    if (mysql_query(db, sql) != 0)
        return -1;
    for (;;) {
        MYSQL_RES *res = mysql_store_result(db);
        if (res) {
            /* a SELECT among the statements: its rows in the log, as with params */
            unsigned int n = mysql_num_fields(res);
            MYSQL_FIELD *f = mysql_fetch_fields(res);
            long long rows = 0;
            MYSQL_ROW row;
            mysql_print_header(f, n);
            while ((row = mysql_fetch_row(res))) {
                if (rows++ >= SQLKIT_ROWS_SHOWN)
                    continue;
                unsigned long *len = mysql_fetch_lengths(res);
                sqlkit_row_start();
                for (unsigned int i = 0; i < n; i++) {
                    if (i)
                        putchar('\t');
                    if (!row[i])
                        fputs("NULL", stdout);
                    else
                        sqlkit_put_value(row[i], len[i]);
                }
                putchar('\n');
            }
            sqlkit_rows_summary(rows);
            mysql_free_result(res);
        } else if (mysql_field_count(db) == 0)
            *affected += mysql_affected_rows(db) == (my_ulonglong)-1 ? 0 : mysql_affected_rows(db);
        int next = mysql_next_result(db);
        if (next > 0)
            return -1;
        if (next != 0)
            return 0;
    }
}

/* MySQL/MariaDB: the statements in one transaction (autocommit off, one
 * COMMIT at the end), rows affected summed over the statements */
int op_run_mysql(const opkit_task *t)
{
    const char *sql;
    bool autocommit, bad;
    /* a SQLite database may stand in for MySQL (the embedded default) */
    const char *name = opkit_str(t, "conn");
    const flux_conn *lite = name ? flux_conns_find(t->conns, name) : NULL;
    if (lite && lite->type && !strcmp(lite->type, "sqlite"))
        return op_run_sqlite(t);
    const flux_conn *c = sqlkit_task(t, "mysql", &sql, &autocommit);
    if (!c)
        return OPKIT_BAD_TASK;
    json_t *params = sqlkit_params(t, &bad);
    if (bad)
        return OPKIT_BAD_TASK;
    MYSQL *db = opkit_mysql_connect(c, false);
    if (!db)
        return OPKIT_FAILED;
    unsigned long long affected = 0;
    bool bad_task = false, printed = false;
    int rc = 0;
    if (autocommit && mysql_autocommit(db, 1))
        rc = -1;
    if (!rc && params) {
        rc = mysql_bound(db, sql, params, &affected, &bad_task);
        printed = rc != 0;
    } else if (!rc) {
        rc = mysql_text(db, sql, &affected);
    }
    if (!rc && !autocommit && mysql_commit(db) != 0)
        rc = -1;
    if (rc) {
        if (printed && !autocommit && !bad_task)
            fputs("flux: mysql: rolled back: nothing of this task was kept\n", stderr);
        else if (!printed)
            fprintf(stderr, "flux: mysql: %s%s\n", mysql_error(db),
                    autocommit ? "" : " (rolled back: nothing of this task was kept)");
        if (!autocommit)
            mysql_rollback(db);
        mysql_close(db);
        return bad_task ? OPKIT_BAD_TASK : OPKIT_FAILED;
    }
    opkit_output("rows_affected", "%llu", affected);
    mysql_close(db);
    return OPKIT_OK;
}
