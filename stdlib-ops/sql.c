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
#include "ops.h"

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* the connection, SQL text and autocommit of an SQL task; NULL after saying
 * why it cannot run */
static const flux_conn *sql_task(json_t *fields, const flux_conns *conns, const char *type, const char **sql,
                                 bool *autocommit)
{
    const char *name = jstr(fields, "conn");
    *sql = jstr(fields, "sql");
    *autocommit = json_is_true(json_object_get(fields, "autocommit"));
    if (!name || !*sql) {
        fprintf(stderr, "flux: %s task needs conn and sql\n", type);
        return NULL;
    }
    const flux_conn *c = flux_conns_find(conns, name);
    if (!c) {
        char env[256];
        flux_conn_env_name(name, env, sizeof env);
        fprintf(stderr, "flux: connection '%s' is not defined: add it to flux.yaml or set %s\n", name, env);
        return NULL;
    }
    if (!c->type || strcmp(c->type, type) != 0 || (!strcmp(type, "sqlite") && !c->database)) {
        fprintf(stderr, "flux: connection '%s' is not a%s %s connection\n", name, strcmp(type, "sqlite") ? "" : "n",
                type);
        return NULL;
    }
    return c;
}

static int run_sqlite(json_t *fields, const flux_conns *conns)
{
    const char *sql;
    bool autocommit;
    const flux_conn *c = sql_task(fields, conns, "sqlite", &sql, &autocommit);
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
static int run_mysql(json_t *fields, const flux_conns *conns)
{
    const char *sql;
    bool autocommit;
    const flux_conn *c = sql_task(fields, conns, "mysql", &sql, &autocommit);
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

int flux_op_main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: flux __op OPERATOR FIELDS_JSON\n", stderr);
        return 2;
    }
    json_error_t je;
    json_t *fields = json_load_file(argv[1], 0, &je);
    if (!fields) {
        fprintf(stderr, "flux: cannot read the task's fields %s: %s\n", argv[1], je.text);
        return 2;
    }
    flux_arena *a = flux_arena_new();
    flux_conns conns;
    char err[512] = "";
    const char *path = getenv("FLUX_CONNECTIONS");
    int rc;
    if (flux_conns_load(a, &conns, path ? path : "flux.yaml", path != NULL, err, sizeof err) != 0) {
        fprintf(stderr, "flux: %s\n", err);
        rc = 2;
    } else if (strcmp(argv[0], "sqlite") == 0) {
        rc = run_sqlite(fields, &conns);
    } else if (strcmp(argv[0], "mysql") == 0) {
        rc = run_mysql(fields, &conns);
    } else {
        fprintf(stderr, "flux: operator '%s' is not implemented in this build of flux yet\n", argv[0]);
        rc = 2;
    }
    fflush(stdout);
    json_decref(fields);
    flux_arena_free(a);
    return rc;
}
