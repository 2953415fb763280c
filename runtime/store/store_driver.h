/* store_driver — the small interface between the state store (store.c,
 * which owns the schema's queries and the transaction rules) and the two
 * database drivers (store_sqlite.c, store_mysql.c, which own connecting,
 * their dialect's DDL and the client library's quirks).
 *
 * The queries in store.c are written once, in the SQL both dialects share:
 * `?` parameters, no upserts, no dialect functions. A duplicate key is
 * reported as FLUX_DB_DUP by both drivers so that "insert unless it exists"
 * is a plain INSERT whose duplicate error is expected, and never swallows any
 * other error the way INSERT IGNORE would.
 *
 * Internal: not part of the store's contract (store.h). Tests include it for
 * flux_store_exec_raw.
 */
#ifndef FLUX_STORE_DRIVER_H
#define FLUX_STORE_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct flux_db flux_db;           /* one connection, driver-defined */
typedef struct flux_db_stmt flux_db_stmt; /* one prepared statement, driver-defined */

/* Results of the driver calls. Negative values are failures; the driver's
 * errmsg() then says why. */
enum {
    FLUX_DB_OK = 0,
    FLUX_DB_ROW = 1,     /* step: a row is available through column_*() */
    FLUX_DB_DONE = 2,    /* step: no (more) rows */
    FLUX_DB_ERROR = -1,  /* anything else */
    FLUX_DB_DUP = -2,    /* a unique or primary key already holds the value */
    FLUX_DB_RETRY = -3,  /* deadlock or lock timeout: roll back and run the transaction again */
    FLUX_DB_GONE = -4,   /* the connection is lost; nothing more will work on it */
};

typedef struct flux_store_driver {
    const char *kind; /* "sqlite" or "mysql" */

    /* Schema migrations: steps[v] holds the statements (NULL-terminated)
     * that take the schema from version v to v + 1. Both drivers have the
     * same number of steps: one schema, two dialects. */
    const char *const *const *steps;
    int nsteps;
    /* One `?` parameter, the table name; returns a row when the table exists. */
    const char *table_exists_sql;
    /* A lone INSERT or UPDATE outside BEGIN/COMMIT is its own transaction
     * and may run that way: saves two round trips to a server. SQLite says
     * no: its autocommit writer can fail at once on a stale WAL snapshot,
     * where BEGIN IMMEDIATE waits for the lock. */
    bool autocommit_single;
    /* Writes may be grouped into one transaction with a savepoint each
     * (flux_store_group): only where BEGIN takes the single writer's lock,
     * so no statement after it can be a deadlock's victim (SQLite). */
    bool group_writes;

    /* target: what follows "sqlite://" or "mysql://" (or a plain path).
     * readonly: a reader that must not create, change the journal mode of
     * or write to the database (a read-only FLUX_HOME, `flux runs`). */
    int (*open)(const char *target, bool readonly, flux_db **db, char *err, size_t errlen);
    void (*close)(flux_db *db);
    const char *(*errmsg)(flux_db *db); /* of the last failed call on db or its statements */
    bool (*gone)(flux_db *db);          /* the connection is lost for good */

    int (*exec)(flux_db *db, const char *sql);  /* one statement without parameters or rows */
    int (*begin)(flux_db *db);                  /* a write transaction */
    int (*commit)(flux_db *db);
    int (*rollback)(flux_db *db);
    /* Serialise schema migrations between processes; a no-op where begin()
     * already does (SQLite's BEGIN IMMEDIATE). */
    int (*migrate_lock)(flux_db *db);
    void (*migrate_unlock)(flux_db *db);

    flux_db_stmt *(*prepare)(flux_db *db, const char *sql); /* NULL on error */
    void (*finalize)(flux_db_stmt *st);
    /* Parameters count from 1. Text is not copied: it must stay valid until
     * reset(). NULL text binds SQL NULL. */
    int (*bind_int)(flux_db_stmt *st, int idx, int64_t v);
    int (*bind_text)(flux_db_stmt *st, int idx, const char *s);
    int (*bind_null)(flux_db_stmt *st, int idx);
    int (*step)(flux_db_stmt *st); /* FLUX_DB_ROW, FLUX_DB_DONE or a failure */
    /* Columns count from 0; valid until the next step() or reset(). */
    bool (*column_null)(flux_db_stmt *st, int col);
    int64_t (*column_int)(flux_db_stmt *st, int col);
    const char *(*column_text)(flux_db_stmt *st, int col); /* NULL for SQL NULL */
    void (*reset)(flux_db_stmt *st); /* ready to bind and run again; clears bindings */
    int64_t (*changes)(flux_db_stmt *st); /* rows matched by the last INSERT/UPDATE/DELETE */
    int64_t (*last_id)(flux_db_stmt *st); /* auto-increment id of the last INSERT */
} flux_store_driver;

extern const flux_store_driver flux_store_sqlite_driver;
extern const flux_store_driver flux_store_mysql_driver;

/* Runs one SQL statement without parameters or rows on the store's
 * connection, outside the store's rules. For tests (making a store look
 * newer, wiping a MySQL test database). -1 with flux_store_error. */
int flux_store_exec_raw(flux_store *s, const char *sql);

#endif
