/* sql — the sqlite and mysql operators (and the entry `flux __op` of operators that run
 * in a process of their own): SQL text, several statements, one transaction
 * unless autocommit = true; rows affected become the output rows_affected.
 * The connection is resolved here, in the task's process, from flux.yaml or
 * FLUX_CONN_<NAME>: no password ever travels in arguments. */
#include <jansson.h>
#include <mysql.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "opkit.h"

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

int opkit_run_sqlite(const opkit_task *t)
{
    const char *sql;
    bool autocommit;
    const flux_conn *c = sql_task(t, "sqlite", &sql, &autocommit);
    if (!c)
        return 2;
    sqlite3 *db;
    if (sqlite3_open_v2(c->database, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        fprintf(stderr, "flux: cannot open sqlite database %s: %s\n", c->database, sqlite3_errmsg(db));
        sqlite3_close(db);
        return 1;
    }
    sqlite3_busy_timeout(db, 10000);
    char *err = NULL;
    int before = sqlite3_total_changes(db);
    /* one transaction: a failing statement leaves nothing half done */
    int rc = autocommit ? SQLITE_OK : sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &err);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc == SQLITE_OK && !autocommit)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "flux: sqlite: %s%s\n", err ? err : sqlite3_errmsg(db),
                autocommit ? "" : " (rolled back: nothing of this task was kept)");
        sqlite3_free(err);
        if (!autocommit)
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(db);
        return 1;
    }
    int changed = sqlite3_total_changes(db) - before;
    printf("::output rows_affected=%d\n", changed);
    sqlite3_close(db);
    return 0;
}

/* MySQL/MariaDB: the statements in one transaction (autocommit off, one
 * COMMIT at the end), rows affected summed over the statements */
int opkit_run_mysql(const opkit_task *t)
{
    const char *sql;
    bool autocommit;
    const flux_conn *c = sql_task(t, "mysql", &sql, &autocommit);
    if (!c)
        return 2;
    MYSQL *db = mysql_init(NULL);
    unsigned int timeout = 10;
    mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(db, c->host ? c->host : "127.0.0.1", c->user, c->password, c->database,
                            (unsigned)(c->port ? c->port : 3306), NULL, CLIENT_MULTI_STATEMENTS)) {
        /* the server's message names the user and host, never the password */
        fprintf(stderr, "flux: cannot connect to '%s' (%s:%d): %s\n", c->name, c->host ? c->host : "127.0.0.1",
                c->port ? c->port : 3306, mysql_error(db));
        mysql_close(db);
        return 1;
    }
    int rc = 0;
    if (!autocommit && mysql_query(db, "SET autocommit = 0") != 0)
        rc = 1;
    unsigned long long affected = 0;
    if (!rc && mysql_query(db, sql) != 0)
        rc = 1;
    /* every statement's result, in order: the first error stops it */
    while (!rc) {
        MYSQL_RES *res = mysql_store_result(db);
        if (res)
            mysql_free_result(res);
        else if (mysql_field_count(db) == 0)
            affected += mysql_affected_rows(db) == (my_ulonglong)-1 ? 0 : mysql_affected_rows(db);
        int next = mysql_next_result(db);
        if (next > 0)
            rc = 1;
        if (next != 0)
            break;
    }
    if (!rc && !autocommit && mysql_commit(db) != 0)
        rc = 1;
    if (rc) {
        fprintf(stderr, "flux: mysql: %s%s\n", mysql_error(db),
                autocommit ? "" : " (rolled back: nothing of this task was kept)");
        if (!autocommit)
            mysql_rollback(db);
        mysql_close(db);
        return 1;
    }
    printf("::output rows_affected=%llu\n", affected);
    mysql_close(db);
    return 0;
}
