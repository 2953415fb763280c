/* store — the state store's rules, written once for both drivers: URL
 * parsing, schema versions and migrations, the queries (in SQL that SQLite
 * and MySQL both accept), input checks, and one transaction per state
 * change. The drivers (store_sqlite.c, store_mysql.c) only connect, run
 * statements and speak their dialect's DDL; see store_driver.h.
 *
 * Conventions of the stored rows: times are BIGINT epoch milliseconds (the
 * same in both databases, no time zone to get wrong), SQL NULL for "not
 * yet" / "none"; states are stored by name ("up_for_retry") so the tables
 * read well from a SQL prompt or the web UI.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"
#include "store_driver.h"
#include "utf8.h"

/* The schema version this build writes; each driver has as many steps. */
#define SCHEMA_VERSION 2

/* Longest values, in bytes: the fixed buffers of the row structs, and MySQL's
 * column sizes (VARCHAR(n) counts characters, so n bytes always fit). */
enum {
    MAX_PIPELINE = 255,
    MAX_RUN_ID = 127,
    MAX_PLAN_ID = 64,
    MAX_TASK = 255,
    MAX_HOST = 127,
    MAX_LOG_PATH = 1023,
    MAX_KIND = 32,
    MAX_LINEAGE_NAME = 4096,
};

/* ---- the queries ---- */

enum {
    ST_TABLE_EXISTS, /* the driver's own SQL */
    ST_GET_VERSION,
    ST_DEL_VERSION,
    ST_PUT_VERSION,
    ST_PIPELINE_EXISTS,
    ST_PIPELINE_INSERT,
    ST_PIPELINE_SET_CURRENT,
    ST_PLAN_INSERT,
    ST_PLAN_PIPELINE,
    ST_PLAN_GET,
    ST_RUN_INSERT,
    ST_RUN_BY_ID,
    ST_RUN_BY_NAME,
    ST_RUN_SET_STATE,
    ST_RUNS_ALL,
    ST_RUNS_PIPELINE,
    ST_TI_INSERT,
    ST_TI_UPDATE,
    ST_TI_LIST,
    ST_TI_LATEST,
    ST_TI_LATEST_AT,
    ST_COUNTS_UPDATE,
    ST_COUNTS_INSERT,
    ST_COUNTS_GET,
    ST_LINEAGE_INSERT,
    ST_LINEAGE_LIST,
    ST_LINEAGE_FIND,
    ST_DEPLOY_LAST,
    ST_DEPLOY_INSERT,
    ST_DEPLOY_LIST,
    ST_DEPLOY_GET,
    ST_PSRC_UPDATE,
    ST_PSRC_INSERT,
    ST_PSRC_REMOVED,
    ST_SOURCE_UPDATE,
    ST_SOURCE_INSERT,
    ST_SOURCES_LIST,
    ST_SOURCE_DELETE,
    ST_PIPELINE_SET_PAUSED,
    ST_PIPELINES_LIST,
    ST_SCHED_UPDATE,
    ST_SCHED_INSERT,
    ST_SCHED_LIST,
    ST_RC_GET,
    ST_RC_INSERT,
    ST_RC_CLAIM,
    ST_RC_PARAMS,
    ST_RUNS_UNFINISHED,
    ST_RUN_LAST_SCHEDULED,
    ST_RUNS_ACTIVE,
    ST__COUNT
};

#define RUN_COLS                                                                                          \
    "id, pipeline, run_id, plan_id, trigger_kind, state, interval_start, interval_end, logical_date, " \
    "created_at, started_at, ended_at"
#define TI_COLS(p)                                                                                           \
    p "id, " p "run, " p "task, " p "try_number, " p "state, " p "queued_at, " p "started_at, " p "ended_at, " \
    p "exit_status, " p "pid, " p "host, " p "log_path, " p "rendered, " p "outputs, " p "note"

static const char *const SQL[ST__COUNT] = {
    [ST_GET_VERSION] = "SELECT version FROM flux_schema",
    [ST_DEL_VERSION] = "DELETE FROM flux_schema",
    [ST_PUT_VERSION] = "INSERT INTO flux_schema (version, migrated_at) VALUES (?, ?)",
    [ST_PIPELINE_EXISTS] = "SELECT 1 FROM pipelines WHERE name = ?",
    [ST_PIPELINE_INSERT] = "INSERT INTO pipelines (name, current_plan, paused, created_at, updated_at) "
                           "VALUES (?, NULL, 0, ?, ?)",
    [ST_PIPELINE_SET_CURRENT] = "UPDATE pipelines SET current_plan = ?, updated_at = ? WHERE name = ?",
    [ST_PLAN_INSERT] = "INSERT INTO plan_versions (id, pipeline, plan_yaml, source_path, source_sha256, deployed_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
    [ST_PLAN_PIPELINE] = "SELECT pipeline FROM plan_versions WHERE id = ?",
    [ST_PLAN_GET] = "SELECT plan_yaml FROM plan_versions WHERE id = ?",
    [ST_RUN_INSERT] = "INSERT INTO runs (pipeline, run_id, plan_id, trigger_kind, state, interval_start, "
                      "interval_end, logical_date, created_at, started_at, ended_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_RUN_BY_ID] = "SELECT " RUN_COLS " FROM runs WHERE id = ?",
    [ST_RUN_BY_NAME] = "SELECT " RUN_COLS " FROM runs WHERE pipeline = ? AND run_id = ?",
    /* (state, clear_started, now, ended, id): see flux_store_set_run_state */
    [ST_RUN_SET_STATE] = "UPDATE runs SET state = ?, "
                         "started_at = CASE WHEN ? = 1 THEN NULL ELSE COALESCE(started_at, ?) END, "
                         "ended_at = ? WHERE id = ?",
    [ST_RUNS_ALL] = "SELECT " RUN_COLS " FROM runs ORDER BY logical_date DESC, id DESC LIMIT ?",
    [ST_RUNS_PIPELINE] = "SELECT " RUN_COLS " FROM runs WHERE pipeline = ? "
                         "ORDER BY logical_date DESC, id DESC LIMIT ?",
    [ST_TI_INSERT] = "INSERT INTO task_instances (run, task, try_number, state, queued_at) VALUES (?, ?, ?, ?, ?)",
    /* each number comes as (keep, value): keep = 1 leaves the column as it is */
    [ST_TI_UPDATE] = "UPDATE task_instances SET state = ?, "
                     "started_at = CASE WHEN ? = 1 THEN started_at ELSE ? END, "
                     "ended_at = CASE WHEN ? = 1 THEN ended_at ELSE ? END, "
                     "pid = CASE WHEN ? = 1 THEN pid ELSE ? END, "
                     "exit_status = CASE WHEN ? = 1 THEN exit_status ELSE ? END, "
                     "host = COALESCE(?, host), log_path = COALESCE(?, log_path), "
                     "rendered = COALESCE(?, rendered), outputs = COALESCE(?, outputs), note = COALESCE(?, note) "
                     "WHERE id = ?",
    [ST_TI_LIST] = "SELECT " TI_COLS("") " FROM task_instances WHERE run = ? ORDER BY task, try_number",
    /* the same interval, whatever triggered the run: the newest run's latest try */
    [ST_TI_LATEST_AT] = "SELECT " TI_COLS("t.") " FROM task_instances t JOIN runs r ON r.id = t.run "
                        "WHERE r.pipeline = ? AND r.logical_date = ? AND t.task = ? "
                        "ORDER BY r.id DESC, t.try_number DESC LIMIT 1",
    [ST_TI_LATEST] = "SELECT " TI_COLS("t.") " FROM task_instances t JOIN runs r ON r.id = t.run "
                     "WHERE r.pipeline = ? AND r.run_id = ? AND t.task = ? ORDER BY t.try_number DESC LIMIT 1",
    [ST_COUNTS_UPDATE] = "UPDATE transfer_counts SET records_read = ?, records_written = ?, records_rejected = ?, "
                         "bytes = ? WHERE ti = ?",
    [ST_COUNTS_INSERT] = "INSERT INTO transfer_counts (records_read, records_written, records_rejected, bytes, ti) "
                         "VALUES (?, ?, ?, ?, ?)",
    [ST_COUNTS_GET] = "SELECT records_read, records_written, records_rejected, bytes FROM transfer_counts "
                      "WHERE ti = ?",
    [ST_LINEAGE_INSERT] = "INSERT INTO lineage (ti, direction, kind, name, detail) VALUES (?, ?, ?, ?, ?)",
    [ST_LINEAGE_LIST] = "SELECT id, ti, direction, kind, name, detail FROM lineage WHERE ti = ? ORDER BY id",
    /* by what was moved; LIKE '%.t' finds a table named without its database
     * (the caller keeps exact suffix matches only: '_' is a LIKE wildcard) */
    [ST_LINEAGE_FIND] = "SELECT l.id, l.ti, l.direction, l.kind, l.name, l.detail, r.id, r.pipeline, r.run_id, "
                        "t.task, t.try_number, t.state FROM lineage l JOIN task_instances t ON t.id = l.ti "
                        "JOIN runs r ON r.id = t.run WHERE l.kind = ? AND (l.name = ? OR l.name LIKE ?) "
                        "ORDER BY l.id",
#define DEPLOY_COLS "id, pipeline, version, plan_id, source_path, source_sha256, commit_id, deployed_at"
    [ST_DEPLOY_LAST] = "SELECT version, plan_id FROM deployments WHERE pipeline = ? ORDER BY version DESC LIMIT 1",
    [ST_DEPLOY_INSERT] = "INSERT INTO deployments (pipeline, version, plan_id, source_path, source_sha256, commit_id, "
                         "deployed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [ST_DEPLOY_LIST] = "SELECT " DEPLOY_COLS " FROM deployments WHERE pipeline = ? ORDER BY version DESC",
    [ST_DEPLOY_GET] = "SELECT " DEPLOY_COLS " FROM deployments WHERE pipeline = ? AND version = ?",
    [ST_PSRC_UPDATE] = "UPDATE pipeline_sources SET source_path = ?, removed_at = NULL, updated_at = ? "
                       "WHERE pipeline = ?",
    [ST_PSRC_INSERT] = "INSERT INTO pipeline_sources (source_path, removed_at, updated_at, pipeline) "
                       "VALUES (?, NULL, ?, ?)",
    /* (removed_at or NULL, now, pipeline) */
    [ST_PSRC_REMOVED] = "UPDATE pipeline_sources SET removed_at = ?, updated_at = ? WHERE pipeline = ?",
    [ST_SOURCE_UPDATE] = "UPDATE sources SET sha256 = ?, commit_id = ?, errors = ?, checked_at = ? WHERE path = ?",
    [ST_SOURCE_INSERT] = "INSERT INTO sources (sha256, commit_id, errors, checked_at, path) VALUES (?, ?, ?, ?, ?)",
    [ST_SOURCES_LIST] = "SELECT path, sha256, commit_id, errors, checked_at FROM sources ORDER BY path",
    [ST_SOURCE_DELETE] = "DELETE FROM sources WHERE path = ?",
    [ST_PIPELINE_SET_PAUSED] = "UPDATE pipelines SET paused = ?, updated_at = ? WHERE name = ?",
    [ST_PIPELINES_LIST] = "SELECT p.name, p.paused, ps.source_path, ps.removed_at, d.version, d.plan_id, src.errors "
                          "FROM pipelines p LEFT JOIN pipeline_sources ps ON ps.pipeline = p.name "
                          "LEFT JOIN deployments d ON d.pipeline = p.name AND d.version = "
                          "(SELECT MAX(version) FROM deployments x WHERE x.pipeline = p.name) "
                          "LEFT JOIN sources src ON src.path = ps.source_path ORDER BY p.name",
    [ST_SCHED_UPDATE] = "UPDATE schedulers SET heartbeat_at = ?, stopped_at = ? WHERE id = ?",
    [ST_SCHED_INSERT] = "INSERT INTO schedulers (host, pid, started_at, heartbeat_at, stopped_at, id) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
    [ST_SCHED_LIST] = "SELECT id, host, pid, started_at, heartbeat_at, stopped_at FROM schedulers "
                      "ORDER BY heartbeat_at DESC, id",
    [ST_RC_GET] = "SELECT owner, params FROM run_control WHERE run = ?",
    [ST_RC_INSERT] = "INSERT INTO run_control (run, owner, claimed_at, params) VALUES (?, ?, ?, ?)",
    /* a conditional UPDATE takes the row lock: of two claimants, one changes the row */
    [ST_RC_CLAIM] = "UPDATE run_control SET owner = ?, claimed_at = ? WHERE run = ? AND (owner IS NULL OR owner = ?)",
    [ST_RC_PARAMS] = "UPDATE run_control SET params = ? WHERE run = ?",
    [ST_RUNS_UNFINISHED] = "SELECT " RUN_COLS " FROM runs WHERE state IN ('queued', 'running') "
                           "ORDER BY logical_date, id",
    [ST_RUN_LAST_SCHEDULED] = "SELECT MAX(interval_start) FROM runs WHERE pipeline = ? AND trigger_kind = 'scheduled'",
    [ST_RUNS_ACTIVE] = "SELECT COUNT(*) FROM runs WHERE pipeline = ? AND state IN ('queued', 'running')",
};

struct flux_store {
    const flux_store_driver *drv;
    flux_db *db;
    flux_db_stmt *stmts[ST__COUNT]; /* prepared on first use, kept until close */
    int version;
    int migrated; /* migration steps applied by this open */
    char err[1024];
};

/* ---- errors ---- */

static int fail(flux_store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets the message and returns FLUX_DB_ERROR, for checks of our own. */
static int fail(flux_store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    return FLUX_DB_ERROR;
}

/* A driver failure: "what: driver message". Returns the driver's code so a
 * transaction can tell a deadlock (run it again) from an error. */
static int dbfail(flux_store *s, int rc, const char *what)
{
    snprintf(s->err, sizeof s->err, "%s: %s", what, s->drv->errmsg(s->db));
    return rc < 0 ? rc : FLUX_DB_ERROR;
}

const char *flux_store_error(flux_store *s)
{
    return s ? s->err : "no store";
}

/* ---- statements ---- */

static flux_db_stmt *use(flux_store *s, int which)
{
    if (!s->stmts[which]) {
        const char *sql = which == ST_TABLE_EXISTS ? s->drv->table_exists_sql : SQL[which];
        s->stmts[which] = s->drv->prepare(s->db, sql);
        if (!s->stmts[which])
            dbfail(s, FLUX_DB_ERROR, "preparing a query");
    }
    return s->stmts[which];
}

/* Binds a list of parameters in order: 'i' int64_t, 's' string (NULL binds
 * NULL), 'n' NULL. One place for the binding loop keeps the callers to one
 * line per statement. */
static int bind(flux_store *s, flux_db_stmt *st, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = FLUX_DB_OK;
    for (int i = 0; types[i] && rc == FLUX_DB_OK; i++) {
        if (types[i] == 'i')
            rc = s->drv->bind_int(st, i + 1, va_arg(ap, int64_t));
        else if (types[i] == 's')
            rc = s->drv->bind_text(st, i + 1, va_arg(ap, const char *));
        else
            rc = s->drv->bind_null(st, i + 1);
    }
    va_end(ap);
    if (rc != FLUX_DB_OK) {
        s->drv->reset(st);
        return dbfail(s, rc, "binding a query parameter");
    }
    return FLUX_DB_OK;
}

/* Runs a statement that returns no rows, then resets it. */
static int run_stmt(flux_store *s, flux_db_stmt *st, const char *what)
{
    int rc = s->drv->step(st);
    int r = rc == FLUX_DB_DONE || rc == FLUX_DB_ROW ? FLUX_DB_OK : dbfail(s, rc, what);
    s->drv->reset(st);
    return r;
}

/* Times and ids: 0 means "none" in the API, NULL in the table. */
static int64_t col_int(flux_store *s, flux_db_stmt *st, int col, int64_t if_null)
{
    return s->drv->column_null(st, col) ? if_null : s->drv->column_int(st, col);
}

static void col_copy(flux_store *s, flux_db_stmt *st, int col, char *dst, size_t cap)
{
    const char *v = s->drv->column_text(st, col);
    snprintf(dst, cap, "%s", v ? v : "");
}

/* malloc'd copy of a text column, NULL for NULL. *oom set when malloc fails. */
static char *col_dup(flux_store *s, flux_db_stmt *st, int col, bool *oom)
{
    const char *v = s->drv->column_text(st, col);
    if (!v)
        return NULL;
    char *d = strdup(v);
    if (!d)
        *oom = true;
    return d;
}

/* ---- transactions ---- */

typedef int (*txn_body)(flux_store *s, void *ctx);

enum { MANY_STATEMENTS, ONE_STATEMENT };

/* Runs body in one write transaction. A deadlock or lock timeout rolls back
 * and runs the whole body again (a few times), which is why bodies only
 * write their results through ctx and never keep state between attempts.
 * A body that writes with ONE_STATEMENT (and reads nothing it depends on)
 * runs without BEGIN/COMMIT where the driver allows: that statement is the
 * transaction. */
static int transact(flux_store *s, txn_body body, void *ctx, int statements)
{
    bool explicit_txn = statements == MANY_STATEMENTS || !s->drv->autocommit_single;
    for (int attempt = 1;; attempt++) {
        int rc = explicit_txn ? s->drv->begin(s->db) : FLUX_DB_OK;
        if (rc != FLUX_DB_OK)
            rc = dbfail(s, rc, "starting a transaction");
        else {
            rc = body(s, ctx);
            if (rc == FLUX_DB_OK) {
                rc = explicit_txn ? s->drv->commit(s->db) : FLUX_DB_OK;
                if (rc == FLUX_DB_OK)
                    return 0;
                rc = dbfail(s, rc, "committing");
            }
        }
        if (explicit_txn)
            s->drv->rollback(s->db); /* also after a failed COMMIT: the transaction may still be open */
        if (rc != FLUX_DB_RETRY || attempt >= 5)
            return -1;
        /* the other transaction needs a moment to finish; back off a little more each time */
        struct timespec ts = {0, 5000000L * attempt};
        nanosleep(&ts, NULL);
    }
}

/* ---- input checks ---- */

/* Free text (notes, rendered fields, log paths) is kept even when it is not
 * valid UTF-8, which MySQL would refuse and SQLite would store as is: each
 * bad byte becomes U+FFFD in both. Failing a task's state change over a
 * stray byte in its note would be worse than the replacement. Returns NULL
 * when s is fine as it is (or NULL), else a malloc'd copy; *oom on failure. */
static char *utf8_fixed(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    size_t len = strlen(s);
    if (flux_utf8_valid(s, len, NULL))
        return NULL;
    flux_buf b = {0};
    flux_utf8_sanitize(s, len, &b);
    flux_buf_putc(&b, '\0');
    (void)oom; /* the buffer aborts on OOM, the allocation policy of lang */
    return b.data;
}

/* A name: present, not empty, short enough, valid UTF-8. */
static int check_name(flux_store *s, const char *what, const char *v, size_t max)
{
    if (!v || !*v)
        return fail(s, "%s is empty", what);
    size_t len = strlen(v);
    if (len > max)
        return fail(s, "%s is %zu bytes long; at most %zu are stored", what, len, max);
    if (!flux_utf8_valid(v, len, NULL))
        return fail(s, "%s is not valid UTF-8", what);
    return FLUX_DB_OK;
}

static int check_len(flux_store *s, const char *what, const char *v, size_t max)
{
    size_t len = v ? strlen(v) : 0;
    if (len > max)
        return fail(s, "%s is %zu bytes long; at most %zu are stored", what, len, max);
    return FLUX_DB_OK;
}

/* "" and NULL both mean "none" for optional text. */
static const char *opt(const char *v)
{
    return v && *v ? v : NULL;
}

/* ---- states ---- */

static const char *const RUN_STATES[] = {"queued", "running", "success", "failed"};
static const char *const TI_STATES[] = {"none", "scheduled", "queued", "running", "success", "failed",
                                        "up_for_retry", "up_for_reschedule", "upstream_failed", "skipped"};

const char *flux_run_state_name(flux_run_state st)
{
    return (unsigned)st < sizeof RUN_STATES / sizeof RUN_STATES[0] ? RUN_STATES[st] : "?";
}

static int run_state_parse(const char *name, flux_run_state *st)
{
    for (size_t i = 0; name && i < sizeof RUN_STATES / sizeof RUN_STATES[0]; i++)
        if (strcmp(name, RUN_STATES[i]) == 0) {
            *st = (flux_run_state)i;
            return 0;
        }
    return -1;
}

const char *flux_ti_state_name(flux_ti_state st)
{
    return (unsigned)st < sizeof TI_STATES / sizeof TI_STATES[0] ? TI_STATES[st] : "?";
}

int flux_ti_state_parse(const char *name, flux_ti_state *st)
{
    for (size_t i = 0; name && i < sizeof TI_STATES / sizeof TI_STATES[0]; i++)
        if (strcmp(name, TI_STATES[i]) == 0) {
            *st = (flux_ti_state)i;
            return 0;
        }
    return -1;
}

static bool run_state_ok(flux_run_state st)
{
    return (unsigned)st < sizeof RUN_STATES / sizeof RUN_STATES[0];
}

static bool ti_state_ok(flux_ti_state st)
{
    return (unsigned)st < sizeof TI_STATES / sizeof TI_STATES[0];
}

/* ---- opening and migrations ---- */

/* 0 when the table is missing (a new store). */
static int read_version(flux_store *s, int *version)
{
    *version = 0;
    flux_db_stmt *st = use(s, ST_TABLE_EXISTS);
    if (!st || bind(s, st, "s", "flux_schema"))
        return -1;
    int rc = s->drv->step(st);
    s->drv->reset(st);
    if (rc == FLUX_DB_DONE)
        return 0;
    if (rc != FLUX_DB_ROW)
        return dbfail(s, rc, "reading the schema version");
    if (!(st = use(s, ST_GET_VERSION)))
        return -1;
    rc = s->drv->step(st);
    if (rc == FLUX_DB_ROW)
        *version = (int)s->drv->column_int(st, 0);
    s->drv->reset(st);
    if (rc != FLUX_DB_ROW && rc != FLUX_DB_DONE)
        return dbfail(s, rc, "reading the schema version");
    return 0;
}

static int too_new(flux_store *s, int version)
{
    return fail(s,
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
        return fail(s, "the %s driver has %d migration steps for schema version %d", s->drv->kind, s->drv->nsteps,
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
                return dbfail(s, rc, what);
            }
        }
    if (c->from == SCHEMA_VERSION)
        return FLUX_DB_OK;
    flux_db_stmt *st = use(s, ST_DEL_VERSION);
    if (!st || (rc = run_stmt(s, st, "recording the schema version")))
        return st ? rc : -1;
    if (!(st = use(s, ST_PUT_VERSION)) || bind(s, st, "ii", (int64_t)SCHEMA_VERSION, (int64_t)time(NULL) * 1000))
        return -1;
    return run_stmt(s, st, "recording the schema version");
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
        return dbfail(s, FLUX_DB_ERROR, "waiting for another process migrating the schema");
    migrate_ctx c = {0};
    int rc = transact(s, migrate_body, &c, MANY_STATEMENTS);
    s->drv->migrate_unlock(s->db);
    if (rc)
        return -1;
    s->migrated = SCHEMA_VERSION - c.from;
    s->version = SCHEMA_VERSION;
    return 0;
}

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

int flux_store_open(const char *url, flux_store **out, char *err, size_t errlen)
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
    if (drv->open(target, &s->db, err, errlen)) {
        free(s);
        return -1;
    }
    if (migrate(s)) {
        snprintf(err, errlen, "%s", s->err);
        flux_store_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

void flux_store_close(flux_store *s)
{
    if (!s)
        return;
    for (int i = 0; i < ST__COUNT; i++)
        s->drv->finalize(s->stmts[i]);
    s->drv->close(s->db);
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

int flux_store_exec_raw(flux_store *s, const char *sql)
{
    int rc = s->drv->exec(s->db, sql);
    return rc ? (dbfail(s, rc, "running SQL"), -1) : 0;
}

/* ---- pipelines and plan versions ---- */

/* Inserts the pipeline's row unless it exists. A concurrent insert by
 * another writer is the duplicate the INSERT is allowed to meet. */
static int ensure_pipeline(flux_store *s, const char *pipeline, int64_t now_ms)
{
    flux_db_stmt *st = use(s, ST_PIPELINE_EXISTS);
    if (!st || bind(s, st, "s", pipeline))
        return -1;
    int rc = s->drv->step(st);
    s->drv->reset(st);
    if (rc == FLUX_DB_ROW)
        return FLUX_DB_OK;
    if (rc != FLUX_DB_DONE)
        return dbfail(s, rc, "looking up the pipeline");
    if (!(st = use(s, ST_PIPELINE_INSERT)) || bind(s, st, "sii", pipeline, now_ms, now_ms))
        return -1;
    rc = s->drv->step(st);
    s->drv->reset(st);
    if (rc == FLUX_DB_DONE || rc == FLUX_DB_DUP)
        return FLUX_DB_OK;
    return dbfail(s, rc, "recording the pipeline");
}

/* The pipeline a stored plan belongs to: 0 found, 1 not found. */
static int plan_pipeline(flux_store *s, const char *plan_id, char *pipeline, size_t cap)
{
    flux_db_stmt *st = use(s, ST_PLAN_PIPELINE);
    if (!st || bind(s, st, "s", plan_id))
        return -1;
    int rc = s->drv->step(st);
    if (rc == FLUX_DB_ROW)
        col_copy(s, st, 0, pipeline, cap);
    s->drv->reset(st);
    if (rc == FLUX_DB_ROW)
        return 0;
    if (rc == FLUX_DB_DONE)
        return 1;
    return dbfail(s, rc, "looking up the plan");
}

typedef struct {
    const char *pipeline, *plan_id, *yaml, *path, *sha;
    int64_t now;
    bool created;
} put_plan_ctx;

static int put_plan_body(flux_store *s, void *vctx)
{
    put_plan_ctx *c = vctx;
    int rc = ensure_pipeline(s, c->pipeline, c->now);
    if (rc)
        return rc;
    flux_db_stmt *st = use(s, ST_PLAN_INSERT);
    if (!st || bind(s, st, "sssssi", c->plan_id, c->pipeline, c->yaml, c->path, c->sha, c->now))
        return -1;
    rc = s->drv->step(st);
    s->drv->reset(st);
    c->created = rc == FLUX_DB_DONE;
    if (rc == FLUX_DB_DUP) {
        /* the same plan again (a redeploy or a rerun); it must be this pipeline's */
        char owner[MAX_PIPELINE + 1];
        if ((rc = plan_pipeline(s, c->plan_id, owner, sizeof owner)) < 0)
            return rc;
        if (rc == 1)
            return fail(s, "plan %s vanished while being recorded", c->plan_id);
        if (strcmp(owner, c->pipeline) != 0)
            return fail(s, "plan %s is recorded for pipeline '%s', not '%s'", c->plan_id, owner, c->pipeline);
    } else if (rc != FLUX_DB_DONE)
        return dbfail(s, rc, "recording the plan");
    if (!(st = use(s, ST_PIPELINE_SET_CURRENT)) || bind(s, st, "sis", c->plan_id, c->now, c->pipeline))
        return -1;
    return run_stmt(s, st, "making the plan current");
}

int flux_store_put_plan(flux_store *s, const char *pipeline, const char *plan_id, const char *plan_yaml,
                        const char *source_path, const char *source_sha256, int64_t now_ms, bool *created)
{
    if (check_name(s, "pipeline name", pipeline, MAX_PIPELINE) || check_name(s, "plan id", plan_id, MAX_PLAN_ID))
        return -1;
    if (!plan_yaml)
        return fail(s, "plan %s has no text", plan_id), -1;
    if (check_len(s, "source sha256", source_sha256, 64))
        return -1;
    bool oom = false;
    char *yaml = utf8_fixed(plan_yaml, &oom), *path = utf8_fixed(source_path, &oom);
    if (oom) {
        free(yaml);
        free(path);
        return fail(s, "out of memory"), -1;
    }
    put_plan_ctx c = {pipeline, plan_id, yaml ? yaml : plan_yaml, opt(path ? path : source_path),
                      opt(source_sha256), now_ms, false};
    int rc = transact(s, put_plan_body, &c, MANY_STATEMENTS);
    free(yaml);
    free(path);
    if (created)
        *created = c.created;
    return rc;
}

char *flux_store_get_plan(flux_store *s, const char *plan_id)
{
    flux_db_stmt *st = use(s, ST_PLAN_GET);
    if (!st || bind(s, st, "s", plan_id ? plan_id : ""))
        return NULL;
    int rc = s->drv->step(st);
    char *text = NULL;
    bool oom = false;
    if (rc == FLUX_DB_ROW)
        text = col_dup(s, st, 0, &oom);
    s->drv->reset(st);
    if (rc == FLUX_DB_DONE)
        fail(s, "no plan %s in the store", plan_id ? plan_id : "(null)");
    else if (rc != FLUX_DB_ROW)
        dbfail(s, rc, "reading the plan");
    else if (oom || !text)
        fail(s, "out of memory");
    return text;
}

/* ---- runs ---- */

static int read_run(flux_store *s, flux_db_stmt *st, flux_run_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = col_int(s, st, 0, 0);
    col_copy(s, st, 1, r->pipeline, sizeof r->pipeline);
    col_copy(s, st, 2, r->run_id, sizeof r->run_id);
    col_copy(s, st, 3, r->plan_id, sizeof r->plan_id);
    col_copy(s, st, 4, r->trigger, sizeof r->trigger);
    const char *state = s->drv->column_text(st, 5);
    if (run_state_parse(state, &r->state))
        return fail(s, "run %lld has an unknown state '%s'", (long long)r->id, state ? state : "NULL");
    r->interval_start = col_int(s, st, 6, 0);
    r->interval_end = col_int(s, st, 7, 0);
    r->logical_date = col_int(s, st, 8, 0);
    r->created = col_int(s, st, 9, 0);
    r->started = col_int(s, st, 10, 0);
    r->ended = col_int(s, st, 11, 0);
    return 0;
}

/* Runs a statement that returns at most one run: 0 found, 1 none. */
static int one_run(flux_store *s, flux_db_stmt *st, flux_run_row *row)
{
    int rc = s->drv->step(st), r;
    if (rc == FLUX_DB_ROW)
        r = read_run(s, st, row);
    else if (rc == FLUX_DB_DONE)
        r = 1;
    else
        r = dbfail(s, rc, "reading a run");
    s->drv->reset(st);
    return r;
}

static bool trigger_ok(const char *t)
{
    return strcmp(t, "scheduled") == 0 || strcmp(t, "manual") == 0 || strcmp(t, "backfill") == 0;
}

typedef struct {
    const flux_run_row *in;
    int64_t now;
    flux_run_row *row;
    bool created;
} create_run_ctx;

/* A plain INSERT whose duplicate-key failure means "another writer created
 * it first": both databases make the second of two concurrent inserts wait
 * for the first to commit and then fail with the duplicate, after which
 * the SELECT sees the winner's row. Any other failure (a foreign key, a bad
 * value) stays an error, which INSERT IGNORE would have hidden. */
static int create_run_body(flux_store *s, void *vctx)
{
    create_run_ctx *c = vctx;
    const flux_run_row *in = c->in;
    int rc = ensure_pipeline(s, in->pipeline, c->now);
    if (rc)
        return rc;
    if (*in->plan_id) {
        char owner[MAX_PIPELINE + 1];
        if ((rc = plan_pipeline(s, in->plan_id, owner, sizeof owner)) < 0)
            return rc;
        if (rc == 1)
            return fail(s, "plan %s is not in the store (record it with put_plan before creating runs)",
                        in->plan_id);
        if (strcmp(owner, in->pipeline) != 0)
            return fail(s, "plan %s belongs to pipeline '%s', not '%s'", in->plan_id, owner, in->pipeline);
    }
    flux_db_stmt *st = use(s, ST_RUN_INSERT);
    if (!st)
        return -1;
    int64_t started = in->started > 0 ? in->started : 0, ended = in->ended > 0 ? in->ended : 0;
    if (bind(s, st, "sssssiiiiii", in->pipeline, in->run_id, opt(in->plan_id), in->trigger,
             flux_run_state_name(in->state), in->interval_start, in->interval_end, in->logical_date, c->now,
             started, ended))
        return -1;
    if (!started && (rc = s->drv->bind_null(st, 10)) != FLUX_DB_OK)
        return s->drv->reset(st), dbfail(s, rc, "binding a query parameter");
    if (!ended && (rc = s->drv->bind_null(st, 11)) != FLUX_DB_OK)
        return s->drv->reset(st), dbfail(s, rc, "binding a query parameter");
    rc = s->drv->step(st);
    s->drv->reset(st);
    if (rc != FLUX_DB_DONE && rc != FLUX_DB_DUP)
        return dbfail(s, rc, "creating the run");
    c->created = rc == FLUX_DB_DONE;
    if (!(st = use(s, ST_RUN_BY_NAME)) || bind(s, st, "ss", in->pipeline, in->run_id))
        return -1;
    rc = one_run(s, st, c->row);
    if (rc == 1)
        return fail(s, "run %s of %s vanished while being created", in->run_id, in->pipeline);
    return rc;
}

int flux_store_create_run(flux_store *s, const flux_run_row *in, int64_t now_ms, flux_run_row *row, bool *created)
{
    /* the row's arrays may lack their terminator when filled by memcpy: check within bounds */
    if (!memchr(in->pipeline, 0, sizeof in->pipeline) || !memchr(in->run_id, 0, sizeof in->run_id) ||
        !memchr(in->plan_id, 0, sizeof in->plan_id) || !memchr(in->trigger, 0, sizeof in->trigger))
        return fail(s, "run row has an unterminated string"), -1;
    if (check_name(s, "pipeline name", in->pipeline, MAX_PIPELINE) ||
        check_name(s, "run id", in->run_id, MAX_RUN_ID) || check_len(s, "plan id", in->plan_id, MAX_PLAN_ID))
        return -1;
    if (!trigger_ok(in->trigger))
        return fail(s, "run trigger '%s' is not scheduled, manual or backfill", in->trigger), -1;
    if (!run_state_ok(in->state))
        return fail(s, "run state %d is not a run state", (int)in->state), -1;
    flux_run_row tmp;
    create_run_ctx c = {in, now_ms, row ? row : &tmp, false};
    int rc = transact(s, create_run_body, &c, MANY_STATEMENTS);
    if (created)
        *created = c.created;
    return rc;
}

int flux_store_get_run(flux_store *s, int64_t id, flux_run_row *row)
{
    flux_db_stmt *st = use(s, ST_RUN_BY_ID);
    if (!st || bind(s, st, "i", id))
        return -1;
    int rc = one_run(s, st, row);
    if (rc == 1)
        fail(s, "no run %lld", (long long)id);
    return rc < 0 ? -1 : rc;
}

int flux_store_find_run(flux_store *s, const char *pipeline, const char *run_id, flux_run_row *row)
{
    flux_db_stmt *st = use(s, ST_RUN_BY_NAME);
    if (!st || bind(s, st, "ss", pipeline ? pipeline : "", run_id ? run_id : ""))
        return -1;
    int rc = one_run(s, st, row);
    if (rc == 1)
        fail(s, "no run %s of %s", run_id ? run_id : "", pipeline ? pipeline : "");
    return rc < 0 ? -1 : rc;
}

typedef struct {
    int64_t id, now;
    flux_run_state st;
} run_state_ctx;

static int set_run_state_body(flux_store *s, void *vctx)
{
    run_state_ctx *c = vctx;
    flux_db_stmt *st = use(s, ST_RUN_SET_STATE);
    if (!st)
        return -1;
    bool ended = c->st == FLUX_RUN_SUCCESS || c->st == FLUX_RUN_FAILED;
    if (bind(s, st, "siiii", flux_run_state_name(c->st), (int64_t)(c->st == FLUX_RUN_QUEUED), c->now,
             ended ? c->now : 0, c->id))
        return -1;
    int rc;
    if (!ended && (rc = s->drv->bind_null(st, 4)) != FLUX_DB_OK)
        return s->drv->reset(st), dbfail(s, rc, "binding a query parameter");
    rc = s->drv->step(st);
    int64_t n = rc == FLUX_DB_DONE ? s->drv->changes(st) : 0;
    s->drv->reset(st);
    if (rc != FLUX_DB_DONE)
        return dbfail(s, rc, "changing the run's state");
    if (n == 0)
        return fail(s, "no run %lld", (long long)c->id);
    return FLUX_DB_OK;
}

/* queued (again, after a clear): started and ended are reset; running: started
 * is set unless it already was, ended is reset; success/failed: ended is now
 * (and started, if the run never ran). */
int flux_store_set_run_state(flux_store *s, int64_t id, flux_run_state st, int64_t now_ms)
{
    if (!run_state_ok(st))
        return fail(s, "run state %d is not a run state", (int)st), -1;
    run_state_ctx c = {id, now_ms, st};
    return transact(s, set_run_state_body, &c, ONE_STATEMENT);
}

int flux_store_list_runs(flux_store *s, const char *pipeline, size_t limit, flux_run_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = use(s, pipeline ? ST_RUNS_PIPELINE : ST_RUNS_ALL);
    if (!st)
        return -1;
    int64_t lim = limit ? (int64_t)limit : INT64_MAX;
    if (pipeline ? bind(s, st, "si", pipeline, lim) : bind(s, st, "i", lim))
        return -1;
    flux_run_row *out = NULL;
    size_t len = 0, cap = 0;
    int rc, r = 0;
    while ((rc = s->drv->step(st)) == FLUX_DB_ROW) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            flux_run_row *g = realloc(out, ncap * sizeof *out);
            if (!g) {
                r = fail(s, "out of memory");
                break;
            }
            out = g;
            cap = ncap;
        }
        if ((r = read_run(s, st, &out[len])))
            break;
        len++;
    }
    if (!r && rc != FLUX_DB_DONE)
        r = dbfail(s, rc, "listing runs");
    s->drv->reset(st);
    if (r) {
        free(out);
        return -1;
    }
    *rows = out;
    *n = len;
    return 0;
}

/* ---- task instances ---- */

void flux_ti_row_free(flux_ti_row *r)
{
    if (!r)
        return;
    free(r->rendered);
    free(r->outputs);
    free(r->note);
    r->rendered = r->outputs = r->note = NULL;
}

void flux_ti_rows_free(flux_ti_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        flux_ti_row_free(&rows[i]);
    free(rows);
}

static int read_ti(flux_store *s, flux_db_stmt *st, flux_ti_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = col_int(s, st, 0, 0);
    r->run = col_int(s, st, 1, 0);
    col_copy(s, st, 2, r->task, sizeof r->task);
    r->try_number = (int)col_int(s, st, 3, 0);
    const char *state = s->drv->column_text(st, 4);
    if (flux_ti_state_parse(state, &r->state))
        return fail(s, "task instance %lld has an unknown state '%s'", (long long)r->id, state ? state : "NULL");
    r->queued = col_int(s, st, 5, 0);
    r->started = col_int(s, st, 6, 0);
    r->ended = col_int(s, st, 7, 0);
    r->exit_status = (int)col_int(s, st, 8, -1);
    r->pid = (int)col_int(s, st, 9, 0);
    col_copy(s, st, 10, r->host, sizeof r->host);
    col_copy(s, st, 11, r->log_path, sizeof r->log_path);
    bool oom = false;
    r->rendered = col_dup(s, st, 12, &oom);
    r->outputs = col_dup(s, st, 13, &oom);
    r->note = col_dup(s, st, 14, &oom);
    if (oom) {
        flux_ti_row_free(r);
        return fail(s, "out of memory");
    }
    return 0;
}

typedef struct {
    int64_t run, now;
    const char *task;
    int try_number;
    flux_ti_state st;
    int64_t id;
} ti_insert_ctx;

static int ti_insert_body(flux_store *s, void *vctx)
{
    ti_insert_ctx *c = vctx;
    flux_db_stmt *st = use(s, ST_TI_INSERT);
    if (!st || bind(s, st, "isisi", c->run, c->task, (int64_t)c->try_number, flux_ti_state_name(c->st), c->now))
        return -1;
    int rc = s->drv->step(st);
    c->id = rc == FLUX_DB_DONE ? s->drv->last_id(st) : 0;
    s->drv->reset(st);
    if (rc == FLUX_DB_DUP)
        return fail(s, "try %d of task %s of run %lld is already recorded", c->try_number, c->task,
                    (long long)c->run);
    if (rc != FLUX_DB_DONE) {
        char what[400];
        snprintf(what, sizeof what, "recording try %d of task %s of run %lld", c->try_number, c->task,
                 (long long)c->run);
        return dbfail(s, rc, what);
    }
    return FLUX_DB_OK;
}

/* queued_at is now_ms: the moment the try was recorded, whatever its state. */
int flux_store_ti_insert(flux_store *s, int64_t run, const char *task, int try_number, flux_ti_state st,
                         int64_t now_ms, int64_t *id)
{
    if (check_name(s, "task id", task, MAX_TASK))
        return -1;
    if (try_number < 1)
        return fail(s, "try number %d of task %s is not 1 or more", try_number, task), -1;
    if (!ti_state_ok(st))
        return fail(s, "task instance state %d is not a state", (int)st), -1;
    ti_insert_ctx c = {run, now_ms, task, try_number, st, 0};
    int rc = transact(s, ti_insert_body, &c, ONE_STATEMENT);
    if (id)
        *id = rc ? 0 : c.id;
    return rc;
}

typedef struct {
    int64_t id;
    flux_ti_state st;
    int64_t started, ended;
    int pid, exit_status;
    const char *host, *log_path, *rendered, *outputs, *note;
} ti_update_ctx;

static int ti_update_body(flux_store *s, void *vctx)
{
    ti_update_ctx *c = vctx;
    flux_db_stmt *st = use(s, ST_TI_UPDATE);
    if (!st)
        return -1;
    /* (keep, value) pairs; "none" values (0 times and pid, exit -1) are bound as NULL below */
    if (bind(s, st, "siiiiiiiisssssi", flux_ti_state_name(c->st), (int64_t)(c->started < 0), c->started,
             (int64_t)(c->ended < 0), c->ended, (int64_t)(c->pid < 0), (int64_t)c->pid,
             (int64_t)(c->exit_status < -1), (int64_t)c->exit_status, c->host, c->log_path, c->rendered,
             c->outputs, c->note, c->id))
        return -1;
    int rc = FLUX_DB_OK;
    if (c->started <= 0)
        rc = s->drv->bind_null(st, 3);
    if (rc == FLUX_DB_OK && c->ended <= 0)
        rc = s->drv->bind_null(st, 5);
    if (rc == FLUX_DB_OK && c->pid <= 0)
        rc = s->drv->bind_null(st, 7);
    if (rc == FLUX_DB_OK && c->exit_status <= -1)
        rc = s->drv->bind_null(st, 9);
    if (rc != FLUX_DB_OK)
        return s->drv->reset(st), dbfail(s, rc, "binding a query parameter");
    rc = s->drv->step(st);
    int64_t n = rc == FLUX_DB_DONE ? s->drv->changes(st) : 0;
    s->drv->reset(st);
    if (rc != FLUX_DB_DONE)
        return dbfail(s, rc, "updating the task instance");
    if (n == 0)
        return fail(s, "no task instance %lld", (long long)c->id);
    return FLUX_DB_OK;
}

int flux_store_ti_update(flux_store *s, int64_t id, const flux_ti_patch *p)
{
    const char *host = p->host, *log_path = p->log_path, *rendered = p->rendered, *outputs = p->outputs,
               *note = p->note;
    flux_ti_state st = p->state;
    /* the body's encoding: < 0 unchanged, 0 none (NULL); exit < -1 unchanged, -1 none */
    int64_t started_ms = p->started_ms == 0 ? -1 : p->started_ms < 0 ? 0 : p->started_ms;
    int64_t ended_ms = p->ended_ms == 0 ? -1 : p->ended_ms < 0 ? 0 : p->ended_ms;
    int pid = p->pid == 0 ? -1 : p->pid < 0 ? 0 : p->pid;
    int exit_status = !p->set_exit ? -2 : p->exit_status < -1 ? -1 : p->exit_status;
    if (!ti_state_ok(st))
        return fail(s, "task instance state %d is not a state", (int)st), -1;
    if (check_len(s, "host", host, MAX_HOST) || check_len(s, "log path", log_path, MAX_LOG_PATH))
        return -1;
    bool oom = false;
    char *fixed[5] = {utf8_fixed(host, &oom), utf8_fixed(log_path, &oom), utf8_fixed(rendered, &oom),
                      utf8_fixed(outputs, &oom), utf8_fixed(note, &oom)};
    int rc = -1;
    if (oom)
        fail(s, "out of memory");
    else {
        ti_update_ctx c = {id,
                           st,
                           started_ms,
                           ended_ms,
                           pid,
                           exit_status,
                           fixed[0] ? fixed[0] : host,
                           fixed[1] ? fixed[1] : log_path,
                           fixed[2] ? fixed[2] : rendered,
                           fixed[3] ? fixed[3] : outputs,
                           fixed[4] ? fixed[4] : note};
        /* a replacement can push a name past its column; check again */
        if (!check_len(s, "host", c.host, MAX_HOST) && !check_len(s, "log path", c.log_path, MAX_LOG_PATH))
            rc = transact(s, ti_update_body, &c, ONE_STATEMENT);
    }
    for (int i = 0; i < 5; i++)
        free(fixed[i]);
    return rc;
}

/* Reads all rows of a statement returning TI_COLS. */
static int ti_rows(flux_store *s, flux_db_stmt *st, flux_ti_row **rows, size_t *n)
{
    flux_ti_row *out = NULL;
    size_t len = 0, cap = 0;
    int rc, r = 0;
    while ((rc = s->drv->step(st)) == FLUX_DB_ROW) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            flux_ti_row *g = realloc(out, ncap * sizeof *out);
            if (!g) {
                r = fail(s, "out of memory");
                break;
            }
            out = g;
            cap = ncap;
        }
        if ((r = read_ti(s, st, &out[len])))
            break;
        len++;
    }
    if (!r && rc != FLUX_DB_DONE)
        r = dbfail(s, rc, "listing task instances");
    s->drv->reset(st);
    if (r) {
        flux_ti_rows_free(out, len);
        return -1;
    }
    *rows = out;
    *n = len;
    return 0;
}

int flux_store_list_tis(flux_store *s, int64_t run, flux_ti_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = use(s, ST_TI_LIST);
    if (!st || bind(s, st, "i", run))
        return -1;
    return ti_rows(s, st, rows, n);
}

int flux_store_latest_ti_at(flux_store *s, const char *pipeline, int64_t logical_date, const char *task,
                            flux_ti_row *row)
{
    memset(row, 0, sizeof *row);
    flux_db_stmt *st = use(s, ST_TI_LATEST_AT);
    if (!st || bind(s, st, "sis", pipeline ? pipeline : "", logical_date, task ? task : ""))
        return -1;
    flux_ti_row *rows;
    size_t n;
    if (ti_rows(s, st, &rows, &n))
        return -1;
    if (n == 0) {
        free(rows);
        fail(s, "no try of task %s of %s for that interval", task ? task : "", pipeline ? pipeline : "");
        return 1;
    }
    *row = rows[0];
    free(rows);
    return 0;
}

int flux_store_latest_ti(flux_store *s, const char *pipeline, const char *run_id, const char *task,
                         flux_ti_row *row)
{
    memset(row, 0, sizeof *row);
    flux_db_stmt *st = use(s, ST_TI_LATEST);
    if (!st || bind(s, st, "sss", pipeline ? pipeline : "", run_id ? run_id : "", task ? task : ""))
        return -1;
    flux_ti_row *rows;
    size_t n;
    if (ti_rows(s, st, &rows, &n))
        return -1;
    if (n == 0) {
        free(rows);
        fail(s, "no try of task %s in run %s of %s", task ? task : "", run_id ? run_id : "",
             pipeline ? pipeline : "");
        return 1;
    }
    *row = rows[0]; /* takes over the malloc'd strings */
    free(rows);
    return 0;
}

/* ---- transfers and lineage ---- */

typedef struct {
    int64_t ti, read, written, rejected, bytes;
} counts_ctx;

/* Counts are per task instance: a second call replaces the first. UPDATE
 * first since rows are written once and rewritten rarely; the INSERT's
 * duplicate (a concurrent writer) falls back to the UPDATE. */
static int put_counts_body(flux_store *s, void *vctx)
{
    counts_ctx *c = vctx;
    for (int pass = 0; pass < 2; pass++) {
        flux_db_stmt *st = use(s, ST_COUNTS_UPDATE);
        if (!st || bind(s, st, "iiiii", c->read, c->written, c->rejected, c->bytes, c->ti))
            return -1;
        int rc = s->drv->step(st);
        int64_t n = rc == FLUX_DB_DONE ? s->drv->changes(st) : 0;
        s->drv->reset(st);
        if (rc != FLUX_DB_DONE)
            return dbfail(s, rc, "recording transfer counts");
        if (n > 0)
            return FLUX_DB_OK;
        if (!(st = use(s, ST_COUNTS_INSERT)) ||
            bind(s, st, "iiiii", c->read, c->written, c->rejected, c->bytes, c->ti))
            return -1;
        rc = s->drv->step(st);
        s->drv->reset(st);
        if (rc == FLUX_DB_DONE)
            return FLUX_DB_OK;
        if (rc != FLUX_DB_DUP)
            return dbfail(s, rc, "recording transfer counts");
    }
    return fail(s, "recording transfer counts of task instance %lld: another writer keeps changing them",
                (long long)c->ti);
}

int flux_store_put_counts(flux_store *s, int64_t ti, int64_t read, int64_t written, int64_t rejected,
                          int64_t bytes)
{
    if (read < 0 || written < 0 || rejected < 0 || bytes < 0)
        return fail(s, "transfer counts of task instance %lld are negative", (long long)ti), -1;
    counts_ctx c = {ti, read, written, rejected, bytes};
    return transact(s, put_counts_body, &c, MANY_STATEMENTS);
}

int flux_store_get_counts(flux_store *s, int64_t ti, int64_t *read, int64_t *written, int64_t *rejected,
                          int64_t *bytes)
{
    flux_db_stmt *st = use(s, ST_COUNTS_GET);
    if (!st || bind(s, st, "i", ti))
        return -1;
    int rc = s->drv->step(st);
    if (rc == FLUX_DB_ROW) {
        *read = col_int(s, st, 0, 0);
        *written = col_int(s, st, 1, 0);
        *rejected = col_int(s, st, 2, 0);
        *bytes = col_int(s, st, 3, 0);
    }
    s->drv->reset(st);
    if (rc == FLUX_DB_ROW)
        return 0;
    if (rc == FLUX_DB_DONE)
        return fail(s, "no transfer counts for task instance %lld", (long long)ti), 1;
    return dbfail(s, rc, "reading transfer counts"), -1;
}

typedef struct {
    int64_t ti;
    const char *direction, *kind, *name, *detail;
} lineage_ctx;

static int put_lineage_body(flux_store *s, void *vctx)
{
    lineage_ctx *c = vctx;
    flux_db_stmt *st = use(s, ST_LINEAGE_INSERT);
    if (!st || bind(s, st, "issss", c->ti, c->direction, c->kind, c->name, c->detail))
        return -1;
    return run_stmt(s, st, "recording lineage");
}

int flux_store_put_lineage(flux_store *s, int64_t ti, const char *direction, const char *kind, const char *name,
                           const char *detail_json)
{
    if (!direction || (strcmp(direction, "read") != 0 && strcmp(direction, "write") != 0))
        return fail(s, "lineage direction '%s' is not read or write", direction ? direction : "(null)"), -1;
    if (check_name(s, "lineage kind", kind, MAX_KIND) || check_len(s, "lineage name", name, MAX_LINEAGE_NAME))
        return -1;
    if (!name || !*name)
        return fail(s, "lineage name is empty"), -1;
    bool oom = false;
    char *fname = utf8_fixed(name, &oom), *fdetail = utf8_fixed(detail_json, &oom);
    int rc = -1;
    if (oom)
        fail(s, "out of memory");
    else {
        lineage_ctx c = {ti, direction, kind, fname ? fname : name, fdetail ? fdetail : detail_json};
        rc = transact(s, put_lineage_body, &c, ONE_STATEMENT);
    }
    free(fname);
    free(fdetail);
    return rc;
}

void flux_lineage_rows_free(flux_lineage_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].name);
        free(rows[i].detail);
    }
    free(rows);
}

/* Rows of a statement through read(), into a growing array of elem-sized
 * rows. On failure the rows read so far are freed (free_rows, or free()
 * for rows that own no memory) and *rows is NULL. */
static int collect(flux_store *s, flux_db_stmt *st, size_t elem, int (*read)(flux_store *, flux_db_stmt *, void *),
                   void (*free_rows)(void *rows, size_t n), void **rows, size_t *n, const char *what)
{
    char *out = NULL;
    size_t len = 0, cap = 0;
    int rc, r = 0;
    *rows = NULL;
    *n = 0;
    while ((rc = s->drv->step(st)) == FLUX_DB_ROW) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char *g = realloc(out, ncap * elem);
            if (!g) {
                r = fail(s, "out of memory");
                break;
            }
            out = g;
            cap = ncap;
        }
        memset(out + len * elem, 0, elem);
        r = read(s, st, out + len * elem);
        len++; /* a failed read may hold part of its row: freed with the rest */
        if (r)
            break;
    }
    if (!r && rc != FLUX_DB_DONE)
        r = dbfail(s, rc, what);
    s->drv->reset(st);
    if (r) {
        if (free_rows)
            free_rows(out, len);
        else
            free(out);
        return -1;
    }
    *rows = out;
    *n = len;
    return 0;
}

/* a lineage row; read_lineage_hit: with the task instance and run after it */
static int read_lineage(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_lineage_row *l = row;
    bool oom = false;
    l->id = col_int(s, st, 0, 0);
    l->ti = col_int(s, st, 1, 0);
    col_copy(s, st, 2, l->direction, sizeof l->direction);
    col_copy(s, st, 3, l->kind, sizeof l->kind);
    l->name = col_dup(s, st, 4, &oom);
    l->detail = col_dup(s, st, 5, &oom);
    return oom || !l->name ? fail(s, "out of memory") : 0;
}

static int read_lineage_hit(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_lineage_row *l = row;
    char state[32];
    l->run = col_int(s, st, 6, 0);
    col_copy(s, st, 7, l->pipeline, sizeof l->pipeline);
    col_copy(s, st, 8, l->run_id, sizeof l->run_id);
    col_copy(s, st, 9, l->task, sizeof l->task);
    l->try_number = (int)col_int(s, st, 10, 0);
    col_copy(s, st, 11, state, sizeof state);
    if (flux_ti_state_parse(state, &l->state))
        l->state = FLUX_TI_NONE;
    return read_lineage(s, st, row);
}

static void free_lineage(void *rows, size_t n)
{
    flux_lineage_rows_free(rows, n);
}

int flux_store_list_lineage(flux_store *s, int64_t ti, flux_lineage_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = use(s, ST_LINEAGE_LIST);
    if (!st || bind(s, st, "i", ti))
        return -1;
    return collect(s, st, sizeof **rows, read_lineage, free_lineage, (void **)rows, n, "listing lineage");
}

int flux_store_find_lineage(flux_store *s, const char *kind, const char *name, bool suffix,
                            flux_lineage_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    char *like = malloc(strlen(name) + 3);
    if (!like)
        return fail(s, "out of memory"), -1;
    /* without suffix the LIKE arm must match nothing a name can hold */
    sprintf(like, suffix ? "%%.%s" : "", name);
    flux_db_stmt *st = use(s, ST_LINEAGE_FIND);
    int rc = !st || bind(s, st, "sss", kind, name, like)
                 ? -1
                 : collect(s, st, sizeof **rows, read_lineage_hit, free_lineage, (void **)rows, n, "listing lineage");
    free(like);
    if (rc || !suffix)
        return rc;
    /* exact: the whole name, or ".name" at its end */
    size_t k = 0, nl = strlen(name);
    for (size_t i = 0; i < *n; i++) {
        const char *nm = (*rows)[i].name;
        size_t ml = strlen(nm);
        bool keep = !strcmp(nm, name) || (ml > nl && nm[ml - nl - 1] == '.' && !strcmp(nm + ml - nl, name));
        if (keep)
            (*rows)[k++] = (*rows)[i];
        else {
            free((*rows)[i].name);
            free((*rows)[i].detail);
        }
    }
    *n = k;
    return 0;
}

/* ---- deployments, sources and the scheduler ---- */


/* An UPDATE that found no row, then the INSERT; both statements take the
 * same parameters in the same order (bindf). A concurrent INSERT makes the
 * transaction run again. */
static int upsert(flux_store *s, int upd, int ins, int (*bindf)(flux_store *, flux_db_stmt *, void *), void *ctx,
                  const char *what)
{
    flux_db_stmt *st = use(s, upd);
    if (!st || bindf(s, st, ctx))
        return -1;
    int rc = s->drv->step(st);
    int64_t changed = rc == FLUX_DB_DONE ? s->drv->changes(st) : 0;
    s->drv->reset(st);
    if (rc != FLUX_DB_DONE)
        return dbfail(s, rc, what);
    if (changed > 0)
        return FLUX_DB_OK;
    if (!(st = use(s, ins)) || bindf(s, st, ctx))
        return -1;
    rc = s->drv->step(st);
    s->drv->reset(st);
    if (rc == FLUX_DB_DONE)
        return FLUX_DB_OK;
    return rc == FLUX_DB_DUP ? FLUX_DB_RETRY : dbfail(s, rc, what);
}

typedef struct {
    const char *pipeline, *plan_id, *yaml, *path, *sha, *commit;
    int64_t now;
    int version;
    bool created;
} deploy_ctx;

static int bind_psrc(flux_store *s, flux_db_stmt *st, void *vctx)
{
    deploy_ctx *c = vctx;
    return bind(s, st, "sis", c->path, c->now, c->pipeline);
}

static int deploy_body(flux_store *s, void *vctx)
{
    deploy_ctx *c = vctx;
    put_plan_ctx pc = {c->pipeline, c->plan_id, c->yaml, c->path, c->sha, c->now, false};
    int rc = put_plan_body(s, &pc); /* the text, once per id; the pipeline's current plan */
    if (rc)
        return rc;
    flux_db_stmt *st = use(s, ST_DEPLOY_LAST);
    if (!st || bind(s, st, "s", c->pipeline))
        return -1;
    rc = s->drv->step(st);
    int last = 0;
    char last_plan[MAX_PLAN_ID + 1] = "";
    if (rc == FLUX_DB_ROW) {
        last = (int)col_int(s, st, 0, 0);
        col_copy(s, st, 1, last_plan, sizeof last_plan);
    }
    s->drv->reset(st);
    if (rc != FLUX_DB_ROW && rc != FLUX_DB_DONE)
        return dbfail(s, rc, "reading the last deployment");
    c->created = strcmp(last_plan, c->plan_id) != 0;
    c->version = c->created ? last + 1 : last;
    if (c->created) {
        if (!(st = use(s, ST_DEPLOY_INSERT)) ||
            bind(s, st, "sissssi", c->pipeline, (int64_t)c->version, c->plan_id, c->path, c->sha, c->commit, c->now))
            return -1;
        rc = s->drv->step(st);
        s->drv->reset(st);
        if (rc == FLUX_DB_DUP) /* another deployer took this number: run again */
            return FLUX_DB_RETRY;
        if (rc != FLUX_DB_DONE)
            return dbfail(s, rc, "recording the deployment");
    }
    if (!c->path)
        return FLUX_DB_OK;
    return upsert(s, ST_PSRC_UPDATE, ST_PSRC_INSERT, bind_psrc, c, "recording the pipeline's source");
}

int flux_store_deploy(flux_store *s, const char *pipeline, const char *plan_id, const char *plan_yaml,
                      const char *source_path, const char *source_sha256, const char *commit, int64_t now_ms,
                      int *version, bool *created)
{
    if (check_name(s, "pipeline name", pipeline, MAX_PIPELINE) || check_name(s, "plan id", plan_id, MAX_PLAN_ID) ||
        check_len(s, "source sha256", source_sha256, 64) || check_len(s, "commit", commit, 64) ||
        check_len(s, "source path", source_path, 700))
        return -1;
    if (!plan_yaml)
        return fail(s, "plan %s has no text", plan_id), -1;
    deploy_ctx c = {pipeline, plan_id, plan_yaml, opt(source_path), opt(source_sha256), opt(commit), now_ms, 0,
                    false};
    int rc = transact(s, deploy_body, &c, MANY_STATEMENTS);
    if (version)
        *version = c.version;
    if (created)
        *created = c.created;
    return rc;
}

static int read_deployment(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_deployment *d = row;
    d->id = col_int(s, st, 0, 0);
    col_copy(s, st, 1, d->pipeline, sizeof d->pipeline);
    d->version = (int)col_int(s, st, 2, 0);
    col_copy(s, st, 3, d->plan_id, sizeof d->plan_id);
    col_copy(s, st, 4, d->source_path, sizeof d->source_path);
    col_copy(s, st, 5, d->source_sha256, sizeof d->source_sha256);
    col_copy(s, st, 6, d->commit, sizeof d->commit);
    d->deployed_at = col_int(s, st, 7, 0);
    return 0;
}

int flux_store_list_deployments(flux_store *s, const char *pipeline, flux_deployment **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = use(s, ST_DEPLOY_LIST);
    if (!st || bind(s, st, "s", pipeline ? pipeline : ""))
        return -1;
    return collect(s, st, sizeof **rows, read_deployment, NULL, (void **)rows, n, "listing deployments");
}

int flux_store_get_deployment(flux_store *s, const char *pipeline, int version, flux_deployment *row)
{
    flux_db_stmt *st = use(s, ST_DEPLOY_GET);
    if (!st || bind(s, st, "si", pipeline ? pipeline : "", (int64_t)version))
        return -1;
    memset(row, 0, sizeof *row);
    int rc = s->drv->step(st);
    if (rc == FLUX_DB_ROW)
        read_deployment(s, st, row);
    s->drv->reset(st);
    if (rc == FLUX_DB_ROW)
        return 0;
    if (rc == FLUX_DB_DONE)
        return fail(s, "pipeline '%s' has no version %d", pipeline ? pipeline : "", version), 1;
    return dbfail(s, rc, "reading a deployment"), -1;
}

typedef struct {
    const char *path, *sha, *commit, *errors;
    int64_t now;
} source_ctx;

static int bind_source(flux_store *s, flux_db_stmt *st, void *vctx)
{
    source_ctx *c = vctx;
    return bind(s, st, "sssis", c->sha, c->commit, c->errors, c->now, c->path);
}

static int source_body(flux_store *s, void *vctx)
{
    return upsert(s, ST_SOURCE_UPDATE, ST_SOURCE_INSERT, bind_source, vctx, "recording a source");
}

int flux_store_put_source(flux_store *s, const char *path, const char *sha256, const char *commit,
                          const char *errors, int64_t now_ms)
{
    if (check_name(s, "source path", path, 700) || check_len(s, "source sha256", sha256, 64) ||
        check_len(s, "commit", commit, 64))
        return -1;
    bool oom = false;
    char *e = utf8_fixed(errors, &oom);
    if (oom)
        return fail(s, "out of memory"), -1;
    source_ctx c = {path, opt(sha256), opt(commit), e ? e : errors, now_ms};
    int rc = transact(s, source_body, &c, MANY_STATEMENTS);
    free(e);
    return rc;
}

static int drop_source_body(flux_store *s, void *vctx)
{
    flux_db_stmt *st = use(s, ST_SOURCE_DELETE);
    if (!st || bind(s, st, "s", (const char *)vctx))
        return -1;
    return run_stmt(s, st, "forgetting a source");
}

int flux_store_drop_source(flux_store *s, const char *path)
{
    return transact(s, drop_source_body, (void *)path, ONE_STATEMENT);
}

static int read_source(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_source_row *r = row;
    bool oom = false;
    r->path = col_dup(s, st, 0, &oom);
    col_copy(s, st, 1, r->sha256, sizeof r->sha256);
    col_copy(s, st, 2, r->commit, sizeof r->commit);
    r->errors = col_dup(s, st, 3, &oom);
    r->checked_at = col_int(s, st, 4, 0);
    return oom || !r->path ? fail(s, "out of memory") : 0;
}

void flux_source_rows_free(flux_source_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].path);
        free(rows[i].errors);
    }
    free(rows);
}

static void free_sources(void *rows, size_t n)
{
    flux_source_rows_free(rows, n);
}

int flux_store_list_sources(flux_store *s, flux_source_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = use(s, ST_SOURCES_LIST);
    if (!st)
        return -1;
    return collect(s, st, sizeof **rows, read_source, free_sources, (void **)rows, n, "listing sources");
}

typedef struct {
    int which;
    const char *pipeline;
    int64_t value, now;
    bool found;
} flag_ctx;

static int flag_body(flux_store *s, void *vctx)
{
    flag_ctx *c = vctx;
    flux_db_stmt *st = use(s, c->which);
    if (!st)
        return -1;
    int rc;
    if (c->which == ST_PSRC_REMOVED && c->value == 0) { /* 'n' binds NULL and takes no argument */
        if ((rc = bind(s, st, "nis", c->now, c->pipeline)))
            return -1;
    } else if ((rc = bind(s, st, "iis", c->value, c->now, c->pipeline)))
        return -1;
    rc = s->drv->step(st);
    c->found = rc == FLUX_DB_DONE && s->drv->changes(st) > 0;
    s->drv->reset(st);
    return rc == FLUX_DB_DONE ? FLUX_DB_OK : dbfail(s, rc, "updating a pipeline");
}

int flux_store_set_paused(flux_store *s, const char *pipeline, bool paused, int64_t now_ms)
{
    flag_ctx c = {ST_PIPELINE_SET_PAUSED, pipeline ? pipeline : "", paused ? 1 : 0, now_ms, false};
    if (transact(s, flag_body, &c, ONE_STATEMENT))
        return -1;
    return c.found ? 0 : (fail(s, "no pipeline '%s' in the store", pipeline ? pipeline : ""), 1);
}

int flux_store_set_removed(flux_store *s, const char *pipeline, bool removed, int64_t now_ms)
{
    flag_ctx c = {ST_PSRC_REMOVED, pipeline ? pipeline : "", removed ? now_ms : 0, now_ms, false};
    if (transact(s, flag_body, &c, ONE_STATEMENT))
        return -1;
    return c.found ? 0 : (fail(s, "no source recorded for pipeline '%s'", pipeline ? pipeline : ""), 1);
}

static int read_pipeline(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_pipeline_row *r = row;
    bool oom = false;
    col_copy(s, st, 0, r->name, sizeof r->name);
    r->paused = col_int(s, st, 1, 0) != 0;
    r->source_path = col_dup(s, st, 2, &oom);
    r->removed = !s->drv->column_null(st, 3);
    r->version = (int)col_int(s, st, 4, 0);
    col_copy(s, st, 5, r->plan_id, sizeof r->plan_id);
    r->errors = col_dup(s, st, 6, &oom);
    return oom ? fail(s, "out of memory") : 0;
}

void flux_pipeline_rows_free(flux_pipeline_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].source_path);
        free(rows[i].errors);
    }
    free(rows);
}

static void free_pipelines(void *rows, size_t n)
{
    flux_pipeline_rows_free(rows, n);
}

int flux_store_list_pipelines(flux_store *s, flux_pipeline_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = use(s, ST_PIPELINES_LIST);
    if (!st)
        return -1;
    return collect(s, st, sizeof **rows, read_pipeline, free_pipelines, (void **)rows, n, "listing pipelines");
}

typedef struct {
    const char *id, *host;
    int64_t pid, started, now;
    bool stopped;
} beat_ctx;

static int beat_body(flux_store *s, void *vctx)
{
    beat_ctx *c = vctx;
    for (int pass = 0; pass < 2; pass++) {
        flux_db_stmt *st = use(s, ST_SCHED_UPDATE);
        if (!st || (c->stopped ? bind(s, st, "iis", c->now, c->now, c->id) : bind(s, st, "ins", c->now, c->id)))
            return -1;
        int rc = s->drv->step(st);
        int64_t changed = rc == FLUX_DB_DONE ? s->drv->changes(st) : 0;
        s->drv->reset(st);
        if (rc != FLUX_DB_DONE)
            return dbfail(s, rc, "recording a heartbeat");
        if (changed > 0)
            return FLUX_DB_OK;
        if (!(st = use(s, ST_SCHED_INSERT)) ||
            (c->stopped ? bind(s, st, "siiiis", c->host, c->pid, c->started, c->now, c->now, c->id)
                        : bind(s, st, "siiins", c->host, c->pid, c->started, c->now, c->id)))
            return -1;
        rc = s->drv->step(st);
        s->drv->reset(st);
        if (rc == FLUX_DB_DONE)
            return FLUX_DB_OK;
        if (rc != FLUX_DB_DUP)
            return dbfail(s, rc, "registering the scheduler");
    }
    return fail(s, "scheduler %s: its row keeps changing", c->id);
}

int flux_store_heartbeat(flux_store *s, const char *id, const char *host, int pid, int64_t started_ms,
                         int64_t now_ms, bool stopped)
{
    if (check_name(s, "scheduler id", id, 255) || check_name(s, "host", host, 255))
        return -1;
    beat_ctx c = {id, host, pid, started_ms, now_ms, stopped};
    return transact(s, beat_body, &c, MANY_STATEMENTS);
}

static int read_scheduler(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_scheduler_row *r = row;
    col_copy(s, st, 0, r->id, sizeof r->id);
    col_copy(s, st, 1, r->host, sizeof r->host);
    r->pid = (int)col_int(s, st, 2, 0);
    r->started = col_int(s, st, 3, 0);
    r->heartbeat = col_int(s, st, 4, 0);
    r->stopped = col_int(s, st, 5, 0);
    return 0;
}

int flux_store_list_schedulers(flux_store *s, flux_scheduler_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = use(s, ST_SCHED_LIST);
    if (!st)
        return -1;
    return collect(s, st, sizeof **rows, read_scheduler, NULL, (void **)rows, n, "listing schedulers");
}

typedef struct {
    int64_t run, now;
    const char *owner, *steal_from, *params;
    bool claimed;
} claim_ctx;

/* the run's control row, created when missing (runs created before the
 * scheduler, or by flux run, have none) */
static int ensure_control(flux_store *s, int64_t run, const char *params)
{
    flux_db_stmt *st = use(s, ST_RC_INSERT);
    if (!st || bind(s, st, "inns", run, params))
        return -1;
    int rc = s->drv->step(st);
    s->drv->reset(st);
    if (rc == FLUX_DB_DONE || rc == FLUX_DB_DUP)
        return FLUX_DB_OK;
    return dbfail(s, rc, "recording the run's control row");
}

static int claim_body(flux_store *s, void *vctx)
{
    claim_ctx *c = vctx;
    int rc = ensure_control(s, c->run, NULL);
    if (rc)
        return rc;
    flux_db_stmt *st = use(s, ST_RC_CLAIM);
    if (!st || bind(s, st, "siis", c->owner, c->now, c->run, c->steal_from ? c->steal_from : c->owner))
        return -1;
    rc = s->drv->step(st);
    c->claimed = rc == FLUX_DB_DONE && s->drv->changes(st) > 0;
    s->drv->reset(st);
    return rc == FLUX_DB_DONE ? FLUX_DB_OK : dbfail(s, rc, "claiming a run");
}

int flux_store_claim_run(flux_store *s, int64_t run, const char *owner, const char *steal_from, int64_t now_ms,
                         bool *claimed)
{
    if (check_name(s, "owner", owner, 255))
        return -1;
    claim_ctx c = {run, now_ms, owner, steal_from, NULL, false};
    int rc = transact(s, claim_body, &c, MANY_STATEMENTS);
    *claimed = c.claimed;
    return rc;
}

static int params_body(flux_store *s, void *vctx)
{
    claim_ctx *c = vctx;
    int rc = ensure_control(s, c->run, c->params);
    if (rc)
        return rc;
    flux_db_stmt *st = use(s, ST_RC_PARAMS);
    if (!st || bind(s, st, "si", c->params, c->run))
        return -1;
    return run_stmt(s, st, "recording the run's params");
}

int flux_store_set_run_params(flux_store *s, int64_t run, const char *params_json)
{
    claim_ctx c = {run, 0, NULL, NULL, params_json, false};
    return transact(s, params_body, &c, MANY_STATEMENTS);
}

int flux_store_run_control(flux_store *s, int64_t run, char *owner, size_t ownerlen, char **params)
{
    if (owner && ownerlen)
        owner[0] = '\0';
    if (params)
        *params = NULL;
    flux_db_stmt *st = use(s, ST_RC_GET);
    if (!st || bind(s, st, "i", run))
        return -1;
    int rc = s->drv->step(st);
    bool oom = false;
    if (rc == FLUX_DB_ROW) {
        if (owner && ownerlen)
            col_copy(s, st, 0, owner, ownerlen);
        if (params)
            *params = col_dup(s, st, 1, &oom);
    }
    s->drv->reset(st);
    if (oom)
        return fail(s, "out of memory"), -1;
    if (rc == FLUX_DB_ROW)
        return 0;
    return rc == FLUX_DB_DONE ? 1 : (dbfail(s, rc, "reading the run's control row"), -1);
}

static int read_run_row(flux_store *s, flux_db_stmt *st, void *row)
{
    return read_run(s, st, row);
}

int flux_store_unfinished_runs(flux_store *s, flux_run_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = use(s, ST_RUNS_UNFINISHED);
    if (!st)
        return -1;
    return collect(s, st, sizeof **rows, read_run_row, NULL, (void **)rows, n, "listing unfinished runs");
}

int flux_store_last_scheduled(flux_store *s, const char *pipeline, int64_t *interval_start)
{
    flux_db_stmt *st = use(s, ST_RUN_LAST_SCHEDULED);
    if (!st || bind(s, st, "s", pipeline ? pipeline : ""))
        return -1;
    int rc = s->drv->step(st);
    bool none = rc != FLUX_DB_ROW || s->drv->column_null(st, 0);
    if (rc == FLUX_DB_ROW && !none)
        *interval_start = col_int(s, st, 0, 0);
    s->drv->reset(st);
    if (rc != FLUX_DB_ROW && rc != FLUX_DB_DONE)
        return dbfail(s, rc, "reading the last scheduled run"), -1;
    return none ? 1 : 0;
}

int flux_store_active_runs(flux_store *s, const char *pipeline, int *n)
{
    flux_db_stmt *st = use(s, ST_RUNS_ACTIVE);
    if (!st || bind(s, st, "s", pipeline ? pipeline : ""))
        return -1;
    int rc = s->drv->step(st);
    *n = rc == FLUX_DB_ROW ? (int)col_int(s, st, 0, 0) : 0;
    s->drv->reset(st);
    return rc == FLUX_DB_ROW ? 0 : (dbfail(s, rc, "counting active runs"), -1);
}
