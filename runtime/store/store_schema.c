/* store_schema — opening a store by URL, its schema version and the
 * migrations that bring an older store to this build's version (the steps
 * themselves are each driver's DDL). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_private.h"

/* 0 when the table is missing (a new store). */
static int read_version(flux_store *s, int *version)
{
    *version = 0;
    flux_db_stmt *st = store_use(s, ST_TABLE_EXISTS);
    if (!st || store_bind(s, st, "s", "flux_schema"))
        return -1;
    int rc = s->drv->step(st);
    s->drv->reset(st);
    if (rc == FLUX_DB_DONE)
        return 0;
    if (rc != FLUX_DB_ROW)
        return store_dbfail(s, rc, "reading the schema version");
    if (!(st = store_use(s, ST_GET_VERSION)))
        return -1;
    rc = s->drv->step(st);
    if (rc == FLUX_DB_ROW)
        *version = (int)s->drv->column_int(st, 0);
    s->drv->reset(st);
    if (rc != FLUX_DB_ROW && rc != FLUX_DB_DONE)
        return store_dbfail(s, rc, "reading the schema version");
    return 0;
}

static int too_new(flux_store *s, int version)
{
    return store_fail(s,
                "the store's schema is version %d, newer than the version %d this flux knows; "
                "use a newer flux (stores are never downgraded)",
                version, SCHEMA_VERSION);
}

typedef struct {
    int from;
} migrate_ctx;

/* Inside the transaction (and, on MySQL, the migration lock): reads the
 * version again, since another process may have migrated meanwhile, then
 * applies the missing steps and records the new version. SQLite runs all of
 * it atomically; MySQL commits each CREATE TABLE on its own (DDL is not
 * transactional there), so its steps are written to be run again after an
 * interruption (CREATE TABLE IF NOT EXISTS), and the version is written
 * last. */
static int migrate_body(flux_store *s, void *vctx)
{
    migrate_ctx *c = vctx;
    if (s->drv->nsteps != SCHEMA_VERSION) /* a driver missing a step would skip part of the schema */
        return store_fail(s, "the %s driver has %d migration steps for schema version %d", s->drv->kind, s->drv->nsteps,
                    SCHEMA_VERSION);
    int rc = read_version(s, &c->from);
    if (rc)
        return rc;
    if (c->from > SCHEMA_VERSION)
        return too_new(s, c->from);
    for (int v = c->from; v < SCHEMA_VERSION; v++)
        for (const char *const *sql = s->drv->steps[v]; *sql; sql++) {
            rc = s->drv->exec(s->db, *sql);
            if (rc) {
                char what[64];
                snprintf(what, sizeof what, "migrating the schema from version %d to %d", v, v + 1);
                return store_dbfail(s, rc, what);
            }
        }
    if (c->from == SCHEMA_VERSION)
        return FLUX_DB_OK;
    flux_db_stmt *st = store_use(s, ST_DEL_VERSION);
    if (!st || (rc = store_run_stmt(s, st, "recording the schema version")))
        return st ? rc : -1;
    if (!(st = store_use(s, ST_PUT_VERSION)) || store_bind(s, st, "ii", (int64_t)SCHEMA_VERSION, (int64_t)time(NULL) * 1000))
        return -1;
    return store_run_stmt(s, st, "recording the schema version");
}

static int migrate(flux_store *s)
{
    int version;
    if (read_version(s, &version))
        return -1;
    if (version > SCHEMA_VERSION)
        return too_new(s, version);
    if (version == SCHEMA_VERSION) {
        s->version = version;
        return 0; /* the usual case: nothing written, no lock taken */
    }
    if (s->drv->migrate_lock(s->db))
        return store_dbfail(s, FLUX_DB_ERROR, "waiting for another process migrating the schema");
    migrate_ctx c = {0};
    int rc = store_transact(s, migrate_body, &c, MANY_STATEMENTS);
    s->drv->migrate_unlock(s->db);
    if (rc)
        return -1;
    s->migrated = SCHEMA_VERSION - c.from;
    s->version = SCHEMA_VERSION;
    return 0;
}

/* A reader takes the store as it is: one of another version is reported,
 * never migrated (a command that writes does that). */
static int check_version(flux_store *s)
{
    int version;
    if (read_version(s, &version))
        return -1;
    if (version > SCHEMA_VERSION)
        return too_new(s, version);
    if (version == 0) {
        store_fail(s, "the database holds no flux state store yet");
        return 1;
    }
    if (version < SCHEMA_VERSION)
        return store_fail(s,
                          "the store's schema is version %d, older than the version %d of this flux; a command "
                          "that writes (flux run, deploy, scheduler) migrates it",
                          version, SCHEMA_VERSION);
    s->version = version;
    return 0;
}

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static int store_open(const char *url, bool readonly, flux_store **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!url || !*url) {
        snprintf(err, errlen, "no store URL");
        return -1;
    }
    const flux_store_driver *drv;
    const char *target;
    if (has_prefix(url, "sqlite://")) {
        drv = &flux_store_sqlite_driver;
        target = url + strlen("sqlite://"); /* sqlite:///abs -> /abs, sqlite://rel -> rel */
    } else if (has_prefix(url, "mysql://")) {
        drv = &flux_store_mysql_driver;
        target = url + strlen("mysql://");
    } else if (has_prefix(url, "mariadb://")) {
        drv = &flux_store_mysql_driver;
        target = url + strlen("mariadb://");
    } else if (strstr(url, "://")) {
        /* only the scheme: the rest may hold a password */
        snprintf(err, errlen, "unknown store URL scheme '%.*s://' (expected sqlite:// or mysql://)",
                 (int)(strstr(url, "://") - url), url);
        return -1;
    } else {
        drv = &flux_store_sqlite_driver;
        target = url;
    }

    flux_store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->drv = drv;
    s->target = strdup(target);
    s->readonly = readonly;
    if (!s->target || drv->open(target, readonly, &s->db, err, errlen)) {
        if (!s->target)
            snprintf(err, errlen, "out of memory");
        free(s->target);
        free(s);
        return -1;
    }
    int rc = readonly ? check_version(s) : migrate(s);
    if (rc) {
        snprintf(err, errlen, "%s", s->err);
        flux_store_close(s);
        return rc == 1 ? 1 : -1;
    }
    *out = s;
    return 0;
}

int flux_store_open(const char *url, flux_store **out, char *err, size_t errlen)
{
    return store_open(url, false, out, err, errlen);
}

int flux_store_open_readonly(const char *url, flux_store **out, char *err, size_t errlen)
{
    return store_open(url, true, out, err, errlen);
}

void flux_store_close(flux_store *s)
{
    if (!s)
        return;
    flux_store_flush(s); /* what a runner grouped last (it flushes before it returns) */
    for (int i = 0; i < ST__COUNT; i++)
        s->drv->finalize(s->stmts[i]);
    s->drv->close(s->db);
    if (s->target) /* it may hold a password */
        explicit_bzero(s->target, strlen(s->target));
    free(s->target);
    free(s);
}

const char *flux_store_kind(const flux_store *s)
{
    return s->drv->kind;
}

int flux_store_schema_version(flux_store *s)
{
    return s->version;
}

int flux_store_migrations_applied(const flux_store *s)
{
    return s->migrated;
}

bool flux_store_lost(const flux_store *s)
{
    return s->drv->gone(s->db);
}

int flux_store_reopened(const flux_store *s)
{
    return s->reopened;
}

int flux_store_exec_raw(flux_store *s, const char *sql)
{
    int rc = s->drv->exec(s->db, sql);
    return rc ? (store_dbfail(s, rc, "running SQL"), -1) : 0;
}
