/* store_sqlite — the embedded driver of the state store: one SQLite file in
 * WAL mode.
 *
 * Durability: synchronous=NORMAL by default. In WAL mode that makes every
 * committed transaction survive a crash of the process (kill -9 included):
 * the commit is in the WAL file when COMMIT returns, and the OS keeps it. A
 * power loss may lose the last transactions (never corrupt the file);
 * FLUX_SQLITE_SYNC=full makes each commit wait for fsync and so survive that
 * too, at the cost of one fsync per state change.
 *
 * Writers take the lock at BEGIN (BEGIN IMMEDIATE), so two processes never
 * both read and then both try to upgrade to writing, which SQLite can only
 * settle by failing one of them; a waiting writer retries for up to 5 s
 * (busy_timeout).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store_driver.h"

struct flux_db {
    sqlite3 *db;
    /* the three statements every transaction runs, prepared once */
    sqlite3_stmt *begin, *commit, *rollback;
    char err[512];
};

struct flux_db_stmt {
    flux_db *owner;
    sqlite3_stmt *st;
};

/* ---- schema: steps[v] takes version v to v + 1 ----
 * STRICT tables make SQLite check column types the way MySQL does, so a bug
 * that stores text in an integer column fails here too, not only in
 * production. */

static const char *const step_0_to_1[] = {
    "CREATE TABLE flux_schema ("
    " version INTEGER NOT NULL,"
    " migrated_at INTEGER NOT NULL) STRICT",

    "CREATE TABLE pipelines ("
    " name TEXT NOT NULL PRIMARY KEY,"
    " current_plan TEXT,"
    " paused INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL) STRICT",

    "CREATE TABLE plan_versions ("
    " id TEXT NOT NULL PRIMARY KEY,"
    " pipeline TEXT NOT NULL REFERENCES pipelines(name),"
    " plan_yaml TEXT NOT NULL,"
    " source_path TEXT,"
    " source_sha256 TEXT,"
    " deployed_at INTEGER NOT NULL) STRICT",
    "CREATE INDEX plan_versions_by_pipeline ON plan_versions(pipeline, deployed_at)",

    /* AUTOINCREMENT: ids are never reused, even after the newest row is
     * deleted, because log paths and external references carry them */
    "CREATE TABLE runs ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " pipeline TEXT NOT NULL REFERENCES pipelines(name),"
    " run_id TEXT NOT NULL,"
    " plan_id TEXT REFERENCES plan_versions(id),"
    " trigger_kind TEXT NOT NULL,"
    " state TEXT NOT NULL,"
    " interval_start INTEGER NOT NULL,"
    " interval_end INTEGER NOT NULL,"
    " logical_date INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " started_at INTEGER,"
    " ended_at INTEGER,"
    " UNIQUE (pipeline, run_id)) STRICT",
    "CREATE INDEX runs_by_date ON runs(logical_date, id)",
    "CREATE INDEX runs_by_pipeline_date ON runs(pipeline, logical_date, id)",

    "CREATE TABLE task_instances ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " run INTEGER NOT NULL REFERENCES runs(id),"
    " task TEXT NOT NULL,"
    " try_number INTEGER NOT NULL,"
    " state TEXT NOT NULL,"
    " queued_at INTEGER,"
    " started_at INTEGER,"
    " ended_at INTEGER,"
    " exit_status INTEGER,"
    " pid INTEGER,"
    " host TEXT,"
    " log_path TEXT,"
    " rendered TEXT,"
    " outputs TEXT,"
    " note TEXT,"
    " UNIQUE (run, task, try_number)) STRICT",

    "CREATE TABLE transfer_counts ("
    " ti INTEGER NOT NULL PRIMARY KEY REFERENCES task_instances(id),"
    " records_read INTEGER NOT NULL,"
    " records_written INTEGER NOT NULL,"
    " records_rejected INTEGER NOT NULL,"
    " bytes INTEGER NOT NULL) STRICT",

    "CREATE TABLE lineage ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " ti INTEGER NOT NULL REFERENCES task_instances(id),"
    " direction TEXT NOT NULL CHECK (direction IN ('read', 'write')),"
    " kind TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " detail TEXT) STRICT",
    "CREATE INDEX lineage_by_ti ON lineage(ti)",
    "CREATE INDEX lineage_by_name ON lineage(kind, name)",
    NULL,
};

/* version 2: what the scheduler and `flux deploy` keep. New tables only, no
 * ALTER, so both dialects migrate the same way and an interrupted MySQL
 * migration can run again. */
static const char *const step_1_to_2[] = {
    /* every deployment of a pipeline, numbered; plan_versions stays the
     * content-addressed store of plan texts (a revert deploys an old plan
     * again as a new version) */
    "CREATE TABLE deployments ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " pipeline TEXT NOT NULL REFERENCES pipelines(name),"
    " version INTEGER NOT NULL,"
    " plan_id TEXT NOT NULL REFERENCES plan_versions(id),"
    " source_path TEXT,"
    " source_sha256 TEXT,"
    " commit_id TEXT,"
    " deployed_at INTEGER NOT NULL,"
    " UNIQUE (pipeline, version)) STRICT",
    /* each source file the scheduler or deploy compiled: the diagnostics
     * of its last failed compile (NULL when it compiled) */
    "CREATE TABLE sources ("
    " path TEXT NOT NULL PRIMARY KEY,"
    " sha256 TEXT,"
    " commit_id TEXT,"
    " errors TEXT,"
    " checked_at INTEGER NOT NULL) STRICT",
    /* where a pipeline comes from, and whether its file is gone */
    "CREATE TABLE pipeline_sources ("
    " pipeline TEXT NOT NULL PRIMARY KEY REFERENCES pipelines(name),"
    " source_path TEXT NOT NULL,"
    " removed_at INTEGER,"
    " updated_at INTEGER NOT NULL) STRICT",
    /* which scheduler executes a run, and a manual run's params */
    "CREATE TABLE run_control ("
    " run INTEGER NOT NULL PRIMARY KEY REFERENCES runs(id),"
    " owner TEXT,"
    " claimed_at INTEGER,"
    " params TEXT) STRICT",
    "CREATE TABLE schedulers ("
    " id TEXT NOT NULL PRIMARY KEY,"
    " host TEXT NOT NULL,"
    " pid INTEGER NOT NULL,"
    " started_at INTEGER NOT NULL,"
    " heartbeat_at INTEGER NOT NULL,"
    " stopped_at INTEGER) STRICT",
    "CREATE INDEX runs_by_state ON runs(state, pipeline)",
    NULL,
};

/* version 3: how much of a try's log flux-wrap dropped to keep it under
 * max_log_size (a try whose log was not cut has no row) */
static const char *const step_2_to_3[] = {
    "CREATE TABLE log_truncations ("
    " ti INTEGER NOT NULL PRIMARY KEY REFERENCES task_instances(id),"
    " dropped_bytes INTEGER NOT NULL,"
    " max_log_size INTEGER NOT NULL) STRICT",
    NULL,
};

/* version 4: what views show of a plan without reading its text (a plan
 * recorded before it has no row: its text is read instead) */
static const char *const step_3_to_4[] = {
    "CREATE TABLE plan_meta ("
    " plan_id TEXT NOT NULL PRIMARY KEY REFERENCES plan_versions(id),"
    " description TEXT,"
    " owner TEXT,"
    " tags TEXT NOT NULL,"
    " schedule TEXT,"
    " timezone TEXT,"
    " tasks INTEGER NOT NULL) STRICT",
    NULL,
};

/* version 5: what the web UI reads. events: the change feed, one row per
 * run or try transition written in the transition's transaction (live
 * pages follow it by id; pruned by age). ready_at: when a try became ready
 * to run, before it waited for a slot or a pool. The indexes serve the
 * UI's queries at 10,000 runs of 100 tasks: runs of a pipeline by state
 * and date, finished runs by end, tries by state. */
static const char *const step_4_to_5[] = {
    "CREATE TABLE events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " at INTEGER NOT NULL,"
    " kind TEXT NOT NULL CHECK (kind IN ('run', 'ti')),"
    " run INTEGER NOT NULL,"
    " ti INTEGER,"
    " pipeline TEXT NOT NULL,"
    " task TEXT,"
    " state TEXT NOT NULL) STRICT",
    "CREATE INDEX events_by_at ON events(at)",
    "ALTER TABLE task_instances ADD COLUMN ready_at INTEGER",
    "CREATE INDEX runs_by_pipeline_state_date ON runs(pipeline, state, logical_date, id)",
    "CREATE INDEX runs_by_state_ended ON runs(state, ended_at)",
    "CREATE INDEX task_instances_by_state ON task_instances(state, run)",
    NULL,
};

/* version 6: the outbox of notifications, each row written in the
 * transaction of the state change that causes it, and the deadlines missed
 * (task '' for a run's own deadline), one row each so a miss is told once */
static const char *const step_5_to_6[] = {
    "CREATE TABLE notifications ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " idem_key TEXT NOT NULL UNIQUE,"
    " run INTEGER NOT NULL REFERENCES runs(id),"
    " ti INTEGER REFERENCES task_instances(id),"
    " task TEXT,"
    " try_number INTEGER NOT NULL,"
    " event TEXT NOT NULL,"
    " notifier TEXT NOT NULL,"
    " note TEXT,"
    " state TEXT NOT NULL,"
    " attempts INTEGER NOT NULL,"
    " last_error TEXT,"
    " next_at INTEGER NOT NULL,"
    " claim TEXT,"
    " claimed_at INTEGER,"
    " created_at INTEGER NOT NULL,"
    " sent_at INTEGER) STRICT",
    "CREATE INDEX notifications_due ON notifications (state, next_at)",
    "CREATE TABLE deadline_misses ("
    " run INTEGER NOT NULL REFERENCES runs(id),"
    " task TEXT NOT NULL,"
    " deadline_at INTEGER NOT NULL,"
    " missed_at INTEGER NOT NULL,"
    " PRIMARY KEY (run, task)) STRICT",
    NULL,
};

/* version 7: a try run as a Slurm job (runtime/exec/backend_slurm.c): the
 * token its job claims it with, the phase (submitting, submitted, claimed,
 * done, lost), the job id once sbatch gave it, what squeue last said, and
 * the outcome the job recorded itself (its exit status and report). One
 * row per try; renumbered with its neighbours when steps merge. */
static const char *const step_6_to_7[] = {
    "CREATE TABLE IF NOT EXISTS slurm_tries ("
    " ti INTEGER NOT NULL PRIMARY KEY REFERENCES task_instances(id),"
    " run INTEGER NOT NULL,"
    " token TEXT NOT NULL,"
    " phase TEXT NOT NULL,"
    " job_id INTEGER,"
    " node TEXT,"
    " slurm_state TEXT,"
    " exit_status INTEGER,"
    " report TEXT,"
    " updated_at INTEGER NOT NULL) STRICT",
    "CREATE INDEX IF NOT EXISTS slurm_tries_by_run ON slurm_tries(run)",
    NULL,
};

static const char *const *const steps[] = {step_0_to_1, step_1_to_2, step_2_to_3, step_3_to_4, step_4_to_5,
                                            step_5_to_6, step_6_to_7};

/* ---- errors ---- */

static int classify(flux_db *d, int rc)
{
    snprintf(d->err, sizeof d->err, "%s", sqlite3_errmsg(d->db));
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return FLUX_DB_RETRY;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return FLUX_DB_DUP;
        return FLUX_DB_ERROR;
    default:
        return FLUX_DB_ERROR;
    }
}

static const char *sq_errmsg(flux_db *d)
{
    return d->err;
}

static bool sq_gone(flux_db *d)
{
    (void)d; /* a file is never disconnected */
    return false;
}

/* ---- connection ---- */

static int pragma(flux_db *d, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(d->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "sqlite: %s: %s", sql, msg ? msg : sqlite3_errmsg(d->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int journal_mode_cb(void *out, int n, char **vals, char **names)
{
    (void)names;
    if (n > 0 && vals[0])
        snprintf(out, 16, "%s", vals[0]);
    return 0;
}

/* Switches the file to WAL (a no-op once it is: the mode is kept in the
 * file). Needs the file's exclusive lock for a moment, and SQLite reports a
 * competing opener as "database is locked" at once instead of calling the
 * busy handler, so this waits itself, up to the busy timeout. */
static int wal(flux_db *d, const char *path, char *err, size_t errlen)
{
    char mode[16] = "";
    int rc = SQLITE_OK;
    for (int waited_ms = 0; waited_ms < 5000; waited_ms += 5) {
        rc = sqlite3_exec(d->db, "PRAGMA journal_mode=WAL", journal_mode_cb, mode, NULL);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            break;
        sqlite3_sleep(5);
    }
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "sqlite: %s: switching to WAL: %s", path, sqlite3_errmsg(d->db));
        return -1;
    }
    /* "memory" for in-memory databases, which have no journal file to share */
    if (strcasecmp(mode, "wal") != 0 && strcasecmp(mode, "memory") != 0) {
        snprintf(err, errlen, "sqlite: %s: the file system does not allow WAL mode (journal mode stays '%s')",
                 path, mode);
        return -1;
    }
    return 0;
}

static void sq_close(flux_db *d)
{
    if (!d)
        return;
    sqlite3_finalize(d->begin);
    sqlite3_finalize(d->commit);
    sqlite3_finalize(d->rollback);
    sqlite3_close(d->db); /* every statement is finalized by then, so this closes */
    free(d);
}

/* whether a reader's connection can read the schema */
static bool readable(sqlite3 *db)
{
    return sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) == SQLITE_OK;
}

/* file:PATH?immutable=1, the path %-escaped where a URI needs it */
static char *immutable_uri(const char *path)
{
    size_t n = strlen(path);
    char *u = malloc(3 * n + 32), *w = u;
    if (!u)
        abort();
    w += sprintf(w, "file:");
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '%' || c == '?' || c == '#' || c < 0x20 || c >= 0x7f)
            w += sprintf(w, "%%%02X", c);
        else
            *w++ = (char)c;
    }
    strcpy(w, "?immutable=1");
    return u;
}

static int sq_open(const char *path, bool readonly, flux_db **out, char *err, size_t errlen)
{
    *out = NULL;
    const char *sync = getenv("FLUX_SQLITE_SYNC");
    const char *sync_sql = "PRAGMA synchronous=NORMAL";
    if (sync && *sync) {
        if (strcasecmp(sync, "full") == 0)
            sync_sql = "PRAGMA synchronous=FULL";
        else if (strcasecmp(sync, "extra") == 0)
            sync_sql = "PRAGMA synchronous=EXTRA";
        else if (strcasecmp(sync, "normal") != 0) {
            snprintf(err, errlen, "FLUX_SQLITE_SYNC must be normal, full or extra, not '%s'", sync);
            return -1;
        }
    }
    if (!*path) {
        snprintf(err, errlen, "sqlite: empty database path");
        return -1;
    }

    flux_db *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* NOMUTEX: a store handle belongs to one thread at a time, so SQLite's
     * own per-call locking would only cost time */
    int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &d->db, flags, NULL);
    if (rc == SQLITE_OK && readonly && !readable(d->db)) {
        /* a WAL database whose -shm and -wal files are gone (no writer has it
         * open) in a directory this process cannot write: read it as it
         * stands on disk, which is whole, since the last writer's close
         * checkpointed it */
        sqlite3_close(d->db);
        d->db = NULL;
        char *uri = immutable_uri(path);
        rc = sqlite3_open_v2(uri, &d->db, flags | SQLITE_OPEN_URI, NULL);
        free(uri);
    }
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "sqlite: cannot open %s: %s", path,
                 d->db ? sqlite3_errmsg(d->db) : sqlite3_errstr(rc));
        sq_close(d);
        return -1;
    }
    sqlite3_extended_result_codes(d->db, 1);
    sqlite3_busy_timeout(d->db, 5000);
    /* a reader leaves the journal mode as the writers set it (WAL) */
    if ((!readonly && (wal(d, path, err, errlen) || pragma(d, sync_sql, err, errlen))) ||
        pragma(d, "PRAGMA foreign_keys=ON", err, errlen)) {
        sq_close(d);
        return -1;
    }
    if (sqlite3_prepare_v3(d->db, "BEGIN IMMEDIATE", -1, SQLITE_PREPARE_PERSISTENT, &d->begin, NULL) ||
        sqlite3_prepare_v3(d->db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT, &d->commit, NULL) ||
        sqlite3_prepare_v3(d->db, "ROLLBACK", -1, SQLITE_PREPARE_PERSISTENT, &d->rollback, NULL)) {
        snprintf(err, errlen, "sqlite: %s: %s", path, sqlite3_errmsg(d->db));
        sq_close(d);
        return -1;
    }
    *out = d;
    return 0;
}

static int run_once(flux_db *d, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? FLUX_DB_OK : classify(d, rc);
}

static int sq_exec(flux_db *d, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(d->db, sql, NULL, NULL, &msg);
    sqlite3_free(msg);
    return rc == SQLITE_OK ? FLUX_DB_OK : classify(d, rc);
}

static int sq_begin(flux_db *d)
{
    return run_once(d, d->begin);
}

static int sq_commit(flux_db *d)
{
    return run_once(d, d->commit);
}

static int sq_rollback(flux_db *d)
{
    /* nothing to roll back when BEGIN itself failed */
    if (sqlite3_get_autocommit(d->db))
        return FLUX_DB_OK;
    return run_once(d, d->rollback);
}

static int sq_migrate_lock(flux_db *d)
{
    (void)d; /* BEGIN IMMEDIATE of the migration already excludes every other writer */
    return FLUX_DB_OK;
}

static void sq_migrate_unlock(flux_db *d)
{
    (void)d;
}

/* ---- statements ---- */

static flux_db_stmt *sq_prepare(flux_db *d, const char *sql)
{
    flux_db_stmt *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return NULL;
    }
    s->owner = d;
    /* PERSISTENT: these statements live as long as the store */
    if (sqlite3_prepare_v3(d->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) != SQLITE_OK) {
        classify(d, sqlite3_errcode(d->db));
        free(s);
        return NULL;
    }
    return s;
}

static void sq_finalize(flux_db_stmt *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->st);
    free(s);
}

static int bound(flux_db_stmt *s, int rc)
{
    return rc == SQLITE_OK ? FLUX_DB_OK : classify(s->owner, rc);
}

static int sq_bind_int(flux_db_stmt *s, int idx, int64_t v)
{
    return bound(s, sqlite3_bind_int64(s->st, idx, v));
}

static int sq_bind_text(flux_db_stmt *s, int idx, const char *v)
{
    /* SQLITE_STATIC: the driver contract keeps v alive until reset(), which
     * clears the bindings */
    if (!v)
        return bound(s, sqlite3_bind_null(s->st, idx));
    return bound(s, sqlite3_bind_text(s->st, idx, v, -1, SQLITE_STATIC));
}

static int sq_bind_null(flux_db_stmt *s, int idx)
{
    return bound(s, sqlite3_bind_null(s->st, idx));
}

static int sq_step(flux_db_stmt *s)
{
    int rc = sqlite3_step(s->st);
    if (rc == SQLITE_ROW)
        return FLUX_DB_ROW;
    if (rc == SQLITE_DONE)
        return FLUX_DB_DONE;
    return classify(s->owner, rc);
}

static bool sq_column_null(flux_db_stmt *s, int col)
{
    return sqlite3_column_type(s->st, col) == SQLITE_NULL;
}

static int64_t sq_column_int(flux_db_stmt *s, int col)
{
    return sqlite3_column_int64(s->st, col);
}

static const char *sq_column_text(flux_db_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(s->st, col);
}

static void sq_reset(flux_db_stmt *s)
{
    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
}

static int64_t sq_changes(flux_db_stmt *s)
{
    return sqlite3_changes64(s->owner->db);
}

static int64_t sq_last_id(flux_db_stmt *s)
{
    return sqlite3_last_insert_rowid(s->owner->db);
}

const flux_store_driver flux_store_sqlite_driver = {
    .kind = "sqlite",
    .steps = steps,
    .nsteps = (int)(sizeof steps / sizeof steps[0]),
    .table_exists_sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
    .autocommit_single = false,
    .group_writes = true,
    .open = sq_open,
    .close = sq_close,
    .errmsg = sq_errmsg,
    .gone = sq_gone,
    .exec = sq_exec,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .migrate_lock = sq_migrate_lock,
    .migrate_unlock = sq_migrate_unlock,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .bind_int = sq_bind_int,
    .bind_text = sq_bind_text,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .column_null = sq_column_null,
    .column_int = sq_column_int,
    .column_text = sq_column_text,
    .reset = sq_reset,
    .changes = sq_changes,
    .last_id = sq_last_id,
};
