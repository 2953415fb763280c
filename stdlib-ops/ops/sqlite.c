/* sqlite — the sqlite operator: SQL text run against a SQLite database,
 * several statements in one transaction unless autocommit = true, rows
 * affected becoming the output rows_affected; with `params`, one prepared
 * statement whose `?` are bound to the values (never spliced into the
 * text), its rows in the log. */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators.h"
#include "opkit.h"
#include "sqlkit.h"

static void sqlite_print_row(sqlite3_stmt *st, bool header)
{
    int n = sqlite3_column_count(st);
    sqlkit_row_start();
    for (int i = 0; i < n; i++) {
        if (i)
            putchar('\t');
        if (header) {
            const char *name = sqlite3_column_name(st, i);
            sqlkit_put_value(name, strlen(name));
        } else if (sqlite3_column_type(st, i) == SQLITE_NULL) {
            fputs("NULL", stdout);
        } else {
            const char *v = (const char *)sqlite3_column_text(st, i);
            sqlkit_put_value(v ? v : "", (size_t)sqlite3_column_bytes(st, i));
        }
    }
    putchar('\n');
}

/* One prepared statement, params bound. *bad_task when the task itself is
 * wrong (several statements, a count of '?' unlike that of params). */
static int sqlite_bound(sqlite3 *db, const char *sql, json_t *params, bool *bad_task)
{
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK)
        return -1;
    if (!st || sqlkit_sqlite_more(db, tail)) {
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
        if (rows++ < SQLKIT_ROWS_SHOWN)
            sqlite_print_row(st, false);
    }
    bool select = sqlite3_column_count(st) > 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return -1;
    if (select) {
        sqlkit_rows_summary(rows);
        opkit_output("rows", "%lld", rows);
    }
    return 0;
}

int op_run_sqlite(const opkit_task *t)
{
    const char *sql;
    bool autocommit, bad;
    const flux_conn *c = sqlkit_task(t, "sqlite", &sql, &autocommit);
    if (!c)
        return OPKIT_BAD_TASK;
    json_t *params = sqlkit_params(t, &bad);
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
