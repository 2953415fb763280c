/* sql_sensor — one poke per process: a query against MySQL or SQLite whose
 * first value decides (NULL, empty and 0 are false); a database that cannot
 * be reached means "poke again later", not a failure. */
#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators.h"
#include "mysqltls.h"
#include "opkit.h"
#include "sqlkit.h"

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
        sqlkit_put_value(s, n > 200 ? 200 : n);
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
    if (rc == SQLITE_OK && (!st || sqlkit_sqlite_more(db, tail))) {
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
    char why[600];
    mysqltls_stage got = mysqltls_connect(db, c, 0, why, sizeof why);
    if (got != MYSQLTLS_OK) {
        /* only a server that is not there yet may come back: a setting or a
         * refused session fails the poke for good */
        bool later = got == MYSQLTLS_SERVER;
        fprintf(stderr, "flux: sql_sensor: cannot connect to '%s' (%s:%d): %s%s\n", c->name, host, port, why,
                later ? " (poking again later)" : "");
        mysql_close(db);
        return later ? OPKIT_NOT_YET_ERROR : OPKIT_FAILED;
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
