/* sql — the sqlite and mysql operators and sql_sensor. The operators run SQL
 * text, several statements in one transaction unless autocommit = true, rows
 * affected becoming the output rows_affected; with `params`, one prepared
 * statement whose `?` are bound to the values (never spliced into the text).
 * sql_sensor is one poke per process: a query whose first value decides.
 * Connections are resolved in the task's process, from flux.yaml or
 * FLUX_CONN_<NAME>: no password ever travels in arguments. */
#include <errmsg.h>
#include <jansson.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "operators.h"
#include "opkit.h"

/* Result rows shown in the log; the rest are only counted. */
#define ROWS_SHOWN 100

/* the connection, SQL text and autocommit of an SQL task; NULL after saying
 * why it cannot run */
static const flux_conn *sql_task(const opkit_task *t, const char *type, const char **sql, bool *autocommit)
{
    *sql = opkit_need(t, "sql");
    *autocommit = opkit_bool(t, "autocommit", false);
    const flux_conn *c = *sql ? opkit_conn(t, "conn", type) : NULL;
    if (c && !strcmp(type, "sqlite") && !c->database) {
        fprintf(stderr, "flux: connection '%s' names no database file\n", c->name);
        return NULL;
    }
    return c;
}

/* The values of `params`: NULL when the task gives none, else an array of
 * scalars. *bad after printing why the field cannot be bound. */
static json_t *task_params(const opkit_task *t, bool *bad)
{
    *bad = false;
    json_t *p = opkit_field(t, "params");
    if (!p || json_is_null(p))
        return NULL;
    if (!json_is_array(p)) {
        fprintf(stderr, "flux: params must be a list of values, one per '?' of the SQL\n");
        *bad = true;
        return NULL;
    }
    size_t i;
    json_t *v;
    json_array_foreach(p, i, v)
    {
        if (json_is_object(v) || json_is_array(v)) {
            fprintf(stderr, "flux: params[%zu] is a %s: give strings, numbers, booleans or null\n", i,
                    json_is_object(v) ? "map" : "list");
            *bad = true;
            return NULL;
        }
    }
    return p;
}

/* One value of a result row on one line of the log: tabs, line breaks,
 * other control bytes and backslashes escaped, so a value can neither break the table nor start a
 * report line (::output ...). */
static void put_value(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '\t': fputs("\\t", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        default:
            if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                printf("\\x%02x", (unsigned char)s[i]);
            else
                putchar(s[i]);
        }
    }
}

/* "| " before every line of a result, for the same reason */
static void put_row_start(void)
{
    fputs("| ", stdout);
}

static void rows_summary(long long rows)
{
    if (rows > ROWS_SHOWN)
        printf("flux: %lld rows (the first %d shown)\n", rows, ROWS_SHOWN);
    else
        printf("flux: %lld row%s\n", rows, rows == 1 ? "" : "s");
}

/* ---- sqlite -------------------------------------------------------------- */

static void sqlite_print_row(sqlite3_stmt *st, bool header)
{
    int n = sqlite3_column_count(st);
    put_row_start();
    for (int i = 0; i < n; i++) {
        if (i)
            putchar('\t');
        if (header) {
            const char *name = sqlite3_column_name(st, i);
            put_value(name, strlen(name));
        } else if (sqlite3_column_type(st, i) == SQLITE_NULL) {
            fputs("NULL", stdout);
        } else {
            const char *v = (const char *)sqlite3_column_text(st, i);
            put_value(v ? v : "", (size_t)sqlite3_column_bytes(st, i));
        }
    }
    putchar('\n');
}

/* Is there a statement after the first? sqlite's own parser decides: the
 * tail holds one when preparing it yields a statement. */
static bool sqlite_more(sqlite3 *db, const char *tail)
{
    sqlite3_stmt *next = NULL;
    bool more = sqlite3_prepare_v2(db, tail, -1, &next, NULL) != SQLITE_OK || next != NULL;
    sqlite3_finalize(next);
    return more;
}

/* One prepared statement, params bound. *bad_task when the task itself is
 * wrong (several statements, a count of '?' unlike that of params). */
static int sqlite_bound(sqlite3 *db, const char *sql, json_t *params, bool *bad_task)
{
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK)
        return -1;
    if (!st || sqlite_more(db, tail)) {
        fprintf(stderr, "flux: sqlite: with params the SQL must be exactly one statement (it holds %s)\n",
                st ? "several" : "none");
        sqlite3_finalize(st);
        *bad_task = true;
        return -1;
    }
    int want = sqlite3_bind_parameter_count(st);
    if ((size_t)want != json_array_size(params)) {
        fprintf(stderr, "flux: sqlite: the SQL has %d placeholder%s but params gives %zu value%s\n", want,
                want == 1 ? "" : "s", json_array_size(params), json_array_size(params) == 1 ? "" : "s");
        sqlite3_finalize(st);
        *bad_task = true;
        return -1;
    }
    size_t i;
    json_t *v;
    int rc = SQLITE_OK;
    json_array_foreach(params, i, v)
    {
        int at = (int)i + 1;
        if (json_is_string(v))
            rc = sqlite3_bind_text(st, at, json_string_value(v), (int)json_string_length(v), SQLITE_TRANSIENT);
        else if (json_is_integer(v))
            rc = sqlite3_bind_int64(st, at, json_integer_value(v));
        else if (json_is_real(v))
            rc = sqlite3_bind_double(st, at, json_real_value(v));
        else if (json_is_boolean(v))
            rc = sqlite3_bind_int(st, at, json_is_true(v));
        else
            rc = sqlite3_bind_null(st, at);
        if (rc != SQLITE_OK)
            break;
    }
    long long rows = 0;
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
            break;
        if (rows == 0)
            sqlite_print_row(st, true);
        if (rows++ < ROWS_SHOWN)
            sqlite_print_row(st, false);
    }
    bool select = sqlite3_column_count(st) > 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return -1;
    if (select) {
        rows_summary(rows);
        opkit_output("rows", "%lld", rows);
    }
    return 0;
}

int op_run_sqlite(const opkit_task *t)
{
    const char *sql;
    bool autocommit, bad;
    const flux_conn *c = sql_task(t, "sqlite", &sql, &autocommit);
    if (!c)
        return OPKIT_BAD_TASK;
    json_t *params = task_params(t, &bad);
    if (bad)
        return OPKIT_BAD_TASK;
    sqlite3 *db;
    if (sqlite3_open_v2(c->database, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        fprintf(stderr, "flux: cannot open sqlite database %s: %s\n", c->database, sqlite3_errmsg(db));
        sqlite3_close(db);
        return OPKIT_FAILED;
    }
    sqlite3_busy_timeout(db, 10000);
    char *err = NULL;
    int before = sqlite3_total_changes(db);
    bool bad_task = false;
    /* one transaction: a failing statement leaves nothing half done */
    int rc = autocommit ? SQLITE_OK : sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &err);
    if (rc == SQLITE_OK) {
        if (params)
            rc = sqlite_bound(db, sql, params, &bad_task) ? SQLITE_ERROR : SQLITE_OK;
        else
            rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    }
    if (rc == SQLITE_OK && !autocommit)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        if (!bad_task)
            fprintf(stderr, "flux: sqlite: %s%s\n", err ? err : sqlite3_errmsg(db),
                    autocommit ? "" : " (rolled back: nothing of this task was kept)");
        sqlite3_free(err);
        if (!autocommit)
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(db);
        return bad_task ? OPKIT_BAD_TASK : OPKIT_FAILED;
    }
    int changed = sqlite3_total_changes(db) - before;
    opkit_output("rows_affected", "%d", changed);
    sqlite3_close(db);
    return OPKIT_OK;
}

/* ---- mysql --------------------------------------------------------------- */

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
    put_row_start();
    for (unsigned int i = 0; i < n; i++) {
        if (i)
            putchar('\t');
        put_value(f[i].name, strlen(f[i].name));
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
        if ((*rows)++ >= ROWS_SHOWN)
            continue;
        put_row_start();
        for (unsigned int i = 0; i < n; i++) {
            if (i)
                putchar('\t');
            if (isnull[i]) {
                fputs("NULL", stdout);
            } else {
                size_t shown = len[i] < out[i].buffer_length ? len[i] : out[i].buffer_length;
                put_value(out[i].buffer, shown);
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
        rows_summary(rows);
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
                if (rows++ >= ROWS_SHOWN)
                    continue;
                unsigned long *len = mysql_fetch_lengths(res);
                put_row_start();
                for (unsigned int i = 0; i < n; i++) {
                    if (i)
                        putchar('\t');
                    if (!row[i])
                        fputs("NULL", stdout);
                    else
                        put_value(row[i], len[i]);
                }
                putchar('\n');
            }
            rows_summary(rows);
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
    const flux_conn *c = sql_task(t, "mysql", &sql, &autocommit);
    if (!c)
        return OPKIT_BAD_TASK;
    json_t *params = task_params(t, &bad);
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

/* ---- sql_sensor ---------------------------------------------------------- */

/* The truth of the first value: false when NULL, empty, or a number equal
 * to zero ("0", "0.0", "-0", "0e3", BIT zero); anything else is true, text
 * such as "false" included (SQL has 0 for that). */
static bool text_true(const char *s, size_t n)
{
    if (n == 0)
        return false;
    char buf[64];
    if (n >= sizeof buf)
        return true;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    double d = strtod(buf, &end);
    while (end != buf && (*end == ' ' || *end == '\t'))
        end++;
    return end == buf || *end || d != 0;
}

static void say_value(const char *s, size_t n, bool null)
{
    printf("flux: sql_sensor: first value ");
    if (null) {
        fputs("NULL", stdout);
    } else {
        putchar('\'');
        put_value(s, n > 200 ? 200 : n);
        putchar('\'');
    }
}

/* The verdict of a poke once the query ran: row, its first value's truth. */
static int verdict(bool row, bool truth, bool fail_on_empty)
{
    if (!row) {
        if (fail_on_empty) {
            fputs("flux: sql_sensor: the query returned no row, and fail_on_empty is set\n", stderr);
            return OPKIT_FAILED;
        }
        puts("flux: sql_sensor: the query returned no row: not yet");
        return OPKIT_NOT_YET;
    }
    puts(truth ? ": condition met" : ": not yet (NULL, empty and 0 are false)");
    return truth ? OPKIT_OK : OPKIT_NOT_YET;
}

static int sensor_sqlite(const flux_conn *c, const char *sql, bool fail_on_empty)
{
    if (!c->database) {
        fprintf(stderr, "flux: connection '%s' names no database file\n", c->name);
        return OPKIT_BAD_TASK;
    }
    /* read-only: a sensor neither creates the file nor takes a write lock */
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(c->database, &db, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "flux: sql_sensor: cannot open sqlite database %s: %s (poking again later)\n", c->database,
                sqlite3_errmsg(db));
        sqlite3_close(db);
        return OPKIT_NOT_YET_ERROR;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int out;
    rc = sqlite3_prepare_v2(db, sql, -1, &st, &tail);
    if (rc == SQLITE_OK && (!st || sqlite_more(db, tail))) {
        fprintf(stderr, "flux: sql_sensor: the SQL must be exactly one query (it holds %s)\n",
                st ? "several statements" : "none");
        out = OPKIT_BAD_TASK;
    } else if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        bool null = sqlite3_column_type(st, 0) == SQLITE_NULL;
        const char *v = (const char *)sqlite3_column_text(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        bool truth;
        if (null)
            truth = false;
        else if (sqlite3_column_type(st, 0) == SQLITE_BLOB)
            truth = n > 0;
        else if (sqlite3_column_type(st, 0) == SQLITE_TEXT)
            truth = text_true(v, n);
        else
            truth = sqlite3_column_double(st, 0) != 0;
        say_value(v, n, null);
        out = verdict(true, truth, fail_on_empty);
    } else if (rc == SQLITE_DONE) {
        out = verdict(false, false, fail_on_empty);
    } else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        fprintf(stderr, "flux: sql_sensor: %s (poking again later)\n", sqlite3_errmsg(db));
        out = OPKIT_NOT_YET_ERROR;
    } else {
        fprintf(stderr, "flux: sql_sensor: sqlite: %s\n", sqlite3_errmsg(db));
        out = OPKIT_FAILED;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

/* Errors that say the server or the link failed, not the query. */
static bool mysql_transient(unsigned int e)
{
    return (e >= CR_MIN_ERROR && e <= CR_MAX_ERROR) || e == ER_SERVER_SHUTDOWN || e == ER_CON_COUNT_ERROR ||
           e == ER_CONNECTION_KILLED || e == ER_LOCK_WAIT_TIMEOUT || e == ER_LOCK_DEADLOCK;
}

static int sensor_mysql(const flux_conn *c, const char *sql, bool fail_on_empty)
{
    /* not opkit_mysql_connect: a poke must be short (5 s to connect, 60 s
     * to answer), and a failed connection here means "later", not "failed" */
    MYSQL *db = mysql_init(NULL);
    if (!db) {
        fputs("flux: out of memory\n", stderr);
        return OPKIT_FAILED;
    }
    unsigned int ct = 5, rw = 60;
    mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &rw);
    mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT, &rw);
    mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    const char *host = c->host ? c->host : "127.0.0.1";
    int port = c->port ? c->port : 3306;
    if (!mysql_real_connect(db, host, c->user, c->password, c->database, (unsigned)port, NULL, 0)) {
        /* the server's message names the user and host, never the password */
        fprintf(stderr, "flux: sql_sensor: cannot connect to '%s' (%s:%d): %s (poking again later)\n", c->name,
                host, port, mysql_error(db));
        mysql_close(db);
        return OPKIT_NOT_YET_ERROR;
    }
    int out;
    MYSQL_RES *res = NULL;
    /* UTC, as every other flux session: NOW() in a query means the same
     * instant as the run's interval */
    if (mysql_query(db, "SET time_zone = '+00:00'") || mysql_query(db, sql) ||
        (!(res = mysql_store_result(db)) && mysql_field_count(db) != 0)) {
        unsigned int e = mysql_errno(db);
        bool later = mysql_transient(e);
        fprintf(stderr, "flux: sql_sensor: mysql: %s%s\n", mysql_error(db), later ? " (poking again later)" : "");
        out = later ? OPKIT_NOT_YET_ERROR : OPKIT_FAILED;
    } else if (!res) {
        fputs("flux: sql_sensor: the SQL returned no result set: give a query (SELECT ...)\n", stderr);
        out = OPKIT_BAD_TASK;
    } else {
        MYSQL_ROW row = mysql_fetch_row(res);
        if (!row) {
            out = verdict(false, false, fail_on_empty);
        } else {
            unsigned long n = mysql_fetch_lengths(res)[0];
            bool truth;
            if (!row[0]) {
                truth = false;
            } else if (mysql_fetch_field_direct(res, 0)->type == MYSQL_TYPE_BIT) {
                truth = false;
                for (unsigned long i = 0; i < n; i++)
                    truth = truth || row[0][i];
            } else {
                truth = text_true(row[0], n);
            }
            say_value(row[0], n, !row[0]);
            out = verdict(true, truth, fail_on_empty);
        }
    }
    mysql_free_result(res);
    mysql_close(db);
    return out;
}

/* One poke: 0 met, OPKIT_NOT_YET false or no row, OPKIT_NOT_YET_ERROR when
 * the database could not be reached, 1 when the query itself fails. */
int op_run_sql_sensor(const opkit_task *t)
{
    const char *sql = opkit_need(t, "sql");
    const flux_conn *c = sql ? opkit_conn(t, "conn", NULL) : NULL;
    if (!c)
        return OPKIT_BAD_TASK;
    bool fail_on_empty = opkit_bool(t, "fail_on_empty", false);
    if (!strcmp(c->type, "sqlite"))
        return sensor_sqlite(c, sql, fail_on_empty);
    if (!strcmp(c->type, "mysql"))
        return sensor_mysql(c, sql, fail_on_empty);
    fprintf(stderr, "flux: sql_sensor: connection '%s' is of type %s; sql_sensor queries mysql or sqlite\n",
            c->name, c->type);
    return OPKIT_BAD_TASK;
}
