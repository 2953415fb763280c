/* store — the state store's rules, written once for both drivers: the
 * queries (in SQL that SQLite and MySQL both accept), statements and their
 * columns, input checks, and one transaction per state change. The queries
 * of each aggregate live in their own file (store_schema.c, store_plans.c,
 * store_runs.c, store_tis.c, store_lineage.c); the drivers (store_sqlite.c,
 * store_mysql.c) only connect, run statements and speak their dialect's DDL;
 * see store_driver.h.
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

#include "utf8.h"

#include "store_private.h"

#define RUN_COLS STORE_RUN_COLS
#define TI_COLS(p)                                                                                           \
    p "id, " p "run, " p "task, " p "try_number, " p "state, " p "queued_at, " p "started_at, " p "ended_at, " \
    p "exit_status, " p "pid, " p "host, " p "log_path, " p "rendered, " p "outputs, " p "note, " p "ready_at"

static const char *const SQL[ST__COUNT] = {
    [ST_GET_VERSION] = "SELECT version FROM flux_schema",
    [ST_SAVEPOINT] = "SAVEPOINT flux_write",
    [ST_RELEASE] = "RELEASE flux_write",
    [ST_ROLLBACK_TO] = "ROLLBACK TO flux_write",
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
    [ST_PLAN_META_INSERT] = "INSERT INTO plan_meta (plan_id, description, owner, tags, schedule, timezone, tasks) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
    [ST_PLAN_META_GET] = "SELECT description, owner, tags, schedule, timezone, tasks FROM plan_meta WHERE plan_id = ?",
    [ST_RUN_INSERT] = "INSERT INTO runs (pipeline, run_id, plan_id, trigger_kind, state, interval_start, "
                      "interval_end, logical_date, created_at, started_at, ended_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_RUN_BY_ID] = "SELECT " RUN_COLS " FROM runs WHERE id = ?",
    [ST_RUN_BY_NAME] = "SELECT " RUN_COLS " FROM runs WHERE pipeline = ? AND run_id = ?",
    /* depends_on_past's previous run: any trigger; of two at one date, the later created */
    [ST_RUN_PREVIOUS] = "SELECT " RUN_COLS " FROM runs WHERE pipeline = ? AND logical_date < ? "
                        "ORDER BY logical_date DESC, id DESC LIMIT 1",
    /* (state, clear_started, now, ended, id): see flux_store_set_run_state */
    [ST_RUN_SET_STATE] = "UPDATE runs SET state = ?, "
                         "started_at = CASE WHEN ? = 1 THEN NULL ELSE COALESCE(started_at, ?) END, "
                         "ended_at = ? WHERE id = ?",
    [ST_RUNS_ALL] = "SELECT " RUN_COLS " FROM runs ORDER BY logical_date DESC, id DESC LIMIT ?",
    [ST_RUNS_PIPELINE] = "SELECT " RUN_COLS " FROM runs WHERE pipeline = ? "
                         "ORDER BY logical_date DESC, id DESC LIMIT ?",
    [ST_TI_INSERT] = "INSERT INTO task_instances (run, task, try_number, state, queued_at, ready_at, note) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
    [ST_TI_LAST_TRY] = "SELECT MAX(try_number) FROM task_instances WHERE run = ? AND task = ?",
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
    [ST_LOGCUT_UPDATE] = "UPDATE log_truncations SET dropped_bytes = ?, max_log_size = ? WHERE ti = ?",
    [ST_LOGCUT_INSERT] = "INSERT INTO log_truncations (dropped_bytes, max_log_size, ti) VALUES (?, ?, ?)",
    [ST_LOGCUT_GET] = "SELECT dropped_bytes, max_log_size FROM log_truncations WHERE ti = ?",
    /* a run's counts and log cuts in one read (a view of 10,000 tries asks once, not 20,000 times) */
    [ST_RUN_EXTRAS] = "SELECT c.ti, 0, c.records_read, c.records_written, c.records_rejected, c.bytes "
                      "FROM transfer_counts c JOIN task_instances t ON t.id = c.ti WHERE t.run = ? "
                      "UNION ALL SELECT l.ti, 1, l.dropped_bytes, l.max_log_size, 0, 0 "
                      "FROM log_truncations l JOIN task_instances t ON t.id = l.ti WHERE t.run = ? ORDER BY 1, 2",
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
    [ST_PIPELINES_LIST] = "SELECT p.name, p.paused, ps.source_path, ps.removed_at, d.version, COALESCE(d.plan_id, p.current_plan), "
                          "src.errors "
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
    [ST_RUNS_UNFINISHED] = "SELECT " RUN_COLS " FROM runs WHERE state IN ('queued', 'running') "
                           "ORDER BY logical_date, id",
    [ST_RUNS_OWNED] = "SELECT c.run FROM run_control c JOIN runs r ON r.id = c.run "
                      "WHERE c.owner = ? AND r.state IN ('queued', 'running') ORDER BY c.run",
    [ST_RUN_LAST_SCHEDULED] = "SELECT MAX(interval_start) FROM runs WHERE pipeline = ? AND trigger_kind = 'scheduled'",
    [ST_RUNS_ACTIVE] = "SELECT COUNT(*) FROM runs WHERE pipeline = ? AND state IN ('queued', 'running')",
    /* (at, new state, id, state it must differ from): written before the
     * change, so a transition that changes nothing writes no event */
    [ST_EVENT_RUN] = "INSERT INTO events (at, kind, run, ti, pipeline, task, state) "
                     "SELECT ?, 'run', id, NULL, pipeline, NULL, ? FROM runs WHERE id = ? AND state <> ?",
    [ST_EVENT_TI] = "INSERT INTO events (at, kind, run, ti, pipeline, task, state) "
                    "SELECT ?, 'ti', t.run, t.id, r.pipeline, t.task, ? FROM task_instances t "
                    "JOIN runs r ON r.id = t.run WHERE t.id = ? AND t.state <> ?",
    [ST_EVENTS_SINCE] = "SELECT id, at, kind, run, ti, pipeline, task, state FROM events WHERE id > ? "
                        "ORDER BY id LIMIT ?",
    [ST_EVENTS_PRUNE] = "DELETE FROM events WHERE at < ?",
    [ST_EVENTS_HEAD] = "SELECT COALESCE(MAX(id), 0) FROM events",
    /* the web UI's history (store_history.c). Grid: the latest try of each
     * task of the pipeline's newest runs (a derived table: MySQL takes no
     * LIMIT inside IN) */
    [ST_GRID_CELLS] = "SELECT t.run, t.id, t.task, t.try_number, t.state, t.started_at, t.ended_at "
                      "FROM (SELECT id FROM runs WHERE pipeline = ? ORDER BY logical_date DESC, id DESC LIMIT ?) r "
                      "JOIN task_instances t ON t.run = r.id WHERE t.try_number = "
                      "(SELECT MAX(x.try_number) FROM task_instances x WHERE x.run = t.run AND x.task = t.task)",
    /* runs per UTC day of their logical date and state; % is MOD in both */
#define DAILY(where) \
    "SELECT logical_date - logical_date % 86400000, pipeline, state, COUNT(*) FROM runs " \
    "WHERE " where "logical_date >= ? GROUP BY logical_date - logical_date % 86400000, pipeline, state"
    [ST_DAILY_ALL] = DAILY(""),
    [ST_DAILY_PIPELINE] = DAILY("pipeline = ? AND "),
    /* counted tries of one window of runs, newest run first: the runs
     * before a cursor (date, id) and from the window's last one on, as
     * ranges of logical_date (an index of runs walks them; a range of
     * pairs as ORs would not use it), then each run's tries by its index */
#define XFER(where) \
    "SELECT r.id, r.run_id, r.pipeline, r.logical_date, t.task, t.id, t.try_number, c.records_read, " \
    "c.records_written, c.records_rejected, c.bytes FROM runs r JOIN task_instances t ON t.run = r.id " \
    "JOIN transfer_counts c ON c.ti = t.id WHERE " where \
    "r.logical_date <= ? AND NOT (r.logical_date = ? AND r.id >= ?) " \
    "AND r.logical_date >= ? AND NOT (r.logical_date = ? AND r.id < ?) " \
    "ORDER BY r.logical_date DESC, r.id DESC, t.task, t.try_number LIMIT ?"
    [ST_XFER_ALL] = XFER(""),
    [ST_XFER_PIPELINE] = XFER("r.pipeline = ? AND "),
    [ST_XFER_TASK] = XFER("t.task = ? AND "),
    [ST_XFER_PIPELINE_TASK] = XFER("r.pipeline = ? AND t.task = ? AND "),
    /* the last run of a window: the N-th before the cursor */
#define XFER_WINDOW(where) \
    "SELECT logical_date, id FROM runs WHERE " where "logical_date <= ? AND NOT (logical_date = ? AND id >= ?) " \
    "ORDER BY logical_date DESC, id DESC LIMIT 1 OFFSET ?"
    [ST_XFER_WINDOW_ALL] = XFER_WINDOW(""),
    [ST_XFER_WINDOW_PIPELINE] = XFER_WINDOW("pipeline = ? AND "),
    /* a try's notices take its run, task and try from its row; a run's (ti NULL) name none */
    [ST_NOTICE_INSERT] = "INSERT INTO notifications (idem_key, run, ti, task, try_number, event, notifier, note, "
                         "state, attempts, next_at, created_at) "
                         "SELECT ?, r.id, t.id, COALESCE(t.task, ?), COALESCE(t.try_number, 0), ?, ?, ?, 'pending', 0, ?, ? "
                         "FROM runs r LEFT JOIN task_instances t ON t.id = ? "
                         "WHERE r.id = ? OR r.id = (SELECT x.run FROM task_instances x WHERE x.id = ?)",
#define NOTICE_COLS "n.id, n.idem_key, n.run, n.ti, n.task, n.try_number, n.event, n.notifier, n.note, n.state, " \
                    "n.attempts, n.last_error, n.next_at, n.claim, n.claimed_at, n.created_at, n.sent_at, " \
                    "r.pipeline, r.run_id, r.logical_date"
    [ST_NOTICE_LIST] = "SELECT " NOTICE_COLS " FROM notifications n JOIN runs r ON r.id = n.run "
                       "WHERE (? = '' OR n.state = ?) ORDER BY n.id",
    [ST_NOTICE_DUE] = "SELECT " NOTICE_COLS " FROM notifications n JOIN runs r ON r.id = n.run "
                      "WHERE n.state = 'pending' AND n.next_at <= ? ORDER BY n.next_at, n.id",
    [ST_NOTICE_DUE_OWNER] = "SELECT " NOTICE_COLS " FROM notifications n JOIN runs r ON r.id = n.run "
                            "JOIN run_control c ON c.run = n.run "
                            "WHERE n.state = 'pending' AND n.next_at <= ? AND c.owner = ? ORDER BY n.next_at, n.id",
    /* a claim taken, or a stale one taken over: whoever changes the row sends */
    [ST_NOTICE_CLAIM] = "UPDATE notifications SET claim = ?, claimed_at = ?, attempts = attempts + 1 "
                        "WHERE id = ? AND state = 'pending' AND (claim IS NULL OR claimed_at <= ?)",
    [ST_NOTICE_SENT] = "UPDATE notifications SET state = 'sent', sent_at = ?, claim = NULL, last_error = NULL "
                       "WHERE id = ? AND claim = ?",
    [ST_NOTICE_FAILED] = "UPDATE notifications SET state = ?, last_error = ?, next_at = ?, claim = NULL "
                         "WHERE id = ? AND claim = ?",
    [ST_DEADLINE_INSERT] = "INSERT INTO deadline_misses (run, task, deadline_at, missed_at) VALUES (?, ?, ?, ?)",
    [ST_DEADLINE_LIST] = "SELECT task, deadline_at, missed_at FROM deadline_misses WHERE run = ? ORDER BY task",
    /* a try as a Slurm job (store_slurm.c): every change but the first is
     * conditional on the try's token, so a job of an older submission
     * changes nothing */
    [ST_SLURM_UPDATE_SUBMITTING] = "UPDATE slurm_tries SET run = ?, token = ?, phase = 'submitting', job_id = NULL, "
                                   "node = NULL, slurm_state = NULL, exit_status = NULL, report = NULL, updated_at = ? "
                                   "WHERE ti = ?",
    [ST_SLURM_INSERT_SUBMITTING] = "INSERT INTO slurm_tries (run, token, phase, updated_at, ti) "
                                   "VALUES (?, ?, 'submitting', ?, ?)",
    [ST_SLURM_SUBMITTED] = "UPDATE slurm_tries SET job_id = ?, updated_at = ?, phase = CASE WHEN phase = 'submitting' "
                           "THEN 'submitted' ELSE phase END WHERE ti = ? AND token = ?",
    [ST_SLURM_CLAIM] = "UPDATE slurm_tries SET phase = 'claimed', node = ?, updated_at = ? "
                       "WHERE ti = ? AND token = ? AND phase IN ('submitting', 'submitted')",
    [ST_SLURM_OUTCOME] = "UPDATE slurm_tries SET phase = 'done', exit_status = ?, report = ?, updated_at = ? "
                         "WHERE ti = ? AND token = ? AND phase = 'claimed'",
    [ST_SLURM_LOSE] = "UPDATE slurm_tries SET phase = 'lost', updated_at = ? "
                      "WHERE ti = ? AND token = ? AND phase IN ('submitting', 'submitted', 'claimed')",
    [ST_SLURM_SEEN] = "UPDATE slurm_tries SET slurm_state = ?, node = COALESCE(?, node) WHERE ti = ? AND token = ?",
    [ST_SLURM_GET] = "SELECT ti, run, token, phase, job_id, node, slurm_state, exit_status, report, updated_at "
                     "FROM slurm_tries WHERE ti = ?",
    [ST_SLURM_LIST] = "SELECT ti, run, token, phase, job_id, node, slurm_state, exit_status, report, updated_at "
                      "FROM slurm_tries WHERE run = ? ORDER BY ti",
};

/* ---- errors ---- */

/* Sets the message and returns FLUX_DB_ERROR, for checks of our own. */
int store_fail(flux_store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    return FLUX_DB_ERROR;
}

/* A driver failure: "what: driver message". Returns the driver's code so a
 * transaction can tell a deadlock (run it again) from an error. */
int store_dbfail(flux_store *s, int rc, const char *what)
{
    snprintf(s->err, sizeof s->err, "%s: %s", what, s->drv->errmsg(s->db));
    return rc < 0 ? rc : FLUX_DB_ERROR;
}

const char *flux_store_error(flux_store *s)
{
    return s ? s->err : "no store";
}

/* ---- statements ---- */

int store_reopen(flux_store *s)
{
    if (!s->drv->gone(s->db))
        return 0;
    for (int i = 0; i < ST__COUNT; i++) {
        s->drv->finalize(s->stmts[i]);
        s->stmts[i] = NULL;
    }
    flux_db *db;
    char err[512];
    if (s->drv->open(s->target, s->readonly, &db, err, sizeof err) != 0) {
        /* the old connection stays, still gone: the next call tries again */
        return store_fail(s, "the connection to the store was lost and cannot be opened again: %s", err);
    }
    s->drv->close(s->db);
    s->db = db;
    s->reopened++;
    return 0;
}

flux_db_stmt *store_use(flux_store *s, int which)
{
    /* a call after a lost connection (a restarted server) opens it again,
     * unless it is part of a transaction the loss already ended */
    if (!s->in_txn && s->drv->gone(s->db) && store_reopen(s) != 0)
        return NULL;
    if (!s->stmts[which]) {
        const char *sql = which == ST_TABLE_EXISTS ? s->drv->table_exists_sql : SQL[which];
        s->stmts[which] = s->drv->prepare(s->db, sql);
        if (!s->stmts[which])
            store_dbfail(s, FLUX_DB_ERROR, "preparing a query");
    }
    return s->stmts[which];
}

/* Binds a list of parameters in order: 'i' int64_t, 's' string (NULL binds
 * NULL), 'n' NULL. One place for the binding loop keeps the callers to one
 * line per statement. */
int store_bind(flux_store *s, flux_db_stmt *st, const char *types, ...)
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
        return store_dbfail(s, rc, "binding a query parameter");
    }
    return FLUX_DB_OK;
}

/* Runs a statement that returns no rows, then resets it. */
int store_run_stmt(flux_store *s, flux_db_stmt *st, const char *what)
{
    int rc = s->drv->step(st);
    int r = rc == FLUX_DB_DONE || rc == FLUX_DB_ROW ? FLUX_DB_OK : store_dbfail(s, rc, what);
    s->drv->reset(st);
    return r;
}

/* Times and ids: 0 means "none" in the API, NULL in the table. */
int64_t store_col_int(flux_store *s, flux_db_stmt *st, int col, int64_t if_null)
{
    return s->drv->column_null(st, col) ? if_null : s->drv->column_int(st, col);
}

void store_col_copy(flux_store *s, flux_db_stmt *st, int col, char *dst, size_t cap)
{
    const char *v = s->drv->column_text(st, col);
    snprintf(dst, cap, "%s", v ? v : "");
}

/* malloc'd copy of a text column, NULL for NULL. *oom set when malloc fails. */
char *store_col_dup(flux_store *s, flux_db_stmt *st, int col, bool *oom)
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

/* One attempt: FLUX_DB_OK committed, else the failure's code (rolled back). */
static int txn_once(flux_store *s, store_txn_body body, void *ctx, bool explicit_txn)
{
    int rc = explicit_txn ? s->drv->begin(s->db) : FLUX_DB_OK;
    if (rc != FLUX_DB_OK)
        return store_dbfail(s, rc, "starting a transaction");
    rc = body(s, ctx);
    if (rc == FLUX_DB_OK) {
        rc = explicit_txn ? s->drv->commit(s->db) : FLUX_DB_OK;
        if (rc == FLUX_DB_OK)
            return FLUX_DB_OK;
        rc = store_dbfail(s, rc, "committing");
    }
    if (explicit_txn)
        s->drv->rollback(s->db); /* also after a failed COMMIT: the transaction may still be open */
    return rc;
}

/* ---- grouped writes (store.h) ---- */

bool flux_store_group(flux_store *s, bool on)
{
    if (!s->drv->group_writes || s->readonly)
        return false;
    if (!on && s->group_open)
        flux_store_flush(s);
    s->grouping = on;
    return true;
}

bool flux_store_unflushed(const flux_store *s)
{
    return s->group_open;
}

int flux_store_flush(flux_store *s)
{
    if (!s->group_open)
        return 0;
    s->group_open = false;
    int rc = s->drv->commit(s->db);
    if (rc == FLUX_DB_OK)
        return 0;
    store_dbfail(s, rc, "committing");
    s->drv->rollback(s->db);
    return -1;
}

/* body as one savepoint of the group's transaction (opened first when it
 * is not): FLUX_DB_OK, or the failure's code with the body's writes undone
 * and the others kept */
static int group_once(flux_store *s, store_txn_body body, void *ctx)
{
    if (!s->group_open) {
        int rc = FLUX_DB_RETRY;
        /* BEGIN IMMEDIATE waits out another writer (the busy timeout), a
         * few times over */
        for (int attempt = 1; rc == FLUX_DB_RETRY && attempt <= 5; attempt++)
            rc = s->drv->begin(s->db);
        if (rc != FLUX_DB_OK)
            return store_dbfail(s, rc, "starting a transaction");
        s->group_open = true;
    }
    flux_db_stmt *sp = store_use(s, ST_SAVEPOINT);
    if (!sp || store_run_stmt(s, sp, "starting a savepoint") != FLUX_DB_OK)
        return FLUX_DB_ERROR;
    s->in_txn = true;
    int rc = body(s, ctx);
    s->in_txn = false;
    flux_db_stmt *undo = rc != FLUX_DB_OK ? store_use(s, ST_ROLLBACK_TO) : NULL;
    if (undo)
        s->drv->step(undo), s->drv->reset(undo);
    flux_db_stmt *rel = store_use(s, ST_RELEASE);
    if (!rel) /* the savepoint cannot be ended: neither can the group */
        return FLUX_DB_ERROR;
    int r = store_run_stmt(s, rel, "ending a savepoint");
    return rc != FLUX_DB_OK ? rc : r;
}

/* Runs body in one write transaction. A deadlock or lock timeout rolls back
 * and runs the whole body again (a few times), which is why bodies only
 * write their results through ctx and never keep state between attempts.
 * A body that writes with ONE_STATEMENT (and reads nothing it depends on)
 * runs without BEGIN/COMMIT where the driver allows: that statement is the
 * transaction. A connection lost earlier is opened again first; one lost
 * during the body fails this call (whether a lost COMMIT took effect is
 * unknown, so the caller decides what to run again) and the next call
 * reconnects. */
int store_transact(flux_store *s, store_txn_body body, void *ctx, int statements)
{
    if (s->grouping)
        return group_once(s, body, ctx) == FLUX_DB_OK ? 0 : -1;
    bool explicit_txn = statements == MANY_STATEMENTS || !s->drv->autocommit_single;
    for (int attempt = 1;; attempt++) {
        if (store_reopen(s) != 0)
            return -1;
        s->in_txn = true;
        int rc = txn_once(s, body, ctx, explicit_txn);
        s->in_txn = false;
        if (rc == FLUX_DB_OK)
            return 0;
        if (rc != FLUX_DB_RETRY || attempt >= 5)
            return -1;
        /* the other transaction needs a moment to finish; back off a little more each time */
        struct timespec ts = {0, 5000000L * attempt};
        nanosleep(&ts, NULL);
    }
}

/* ---- rows of integers per task instance ---- */

typedef struct {
    int upd, ins, n;
    const int64_t *v;
    const char *what;
} ti_ints;

static int bind_ints(flux_store *s, flux_db_stmt *st, const int64_t *v, int n)
{
    for (int i = 0; i < n; i++) {
        int rc = s->drv->bind_int(st, i + 1, v[i]);
        if (rc != FLUX_DB_OK) {
            s->drv->reset(st);
            return store_dbfail(s, rc, "binding a query parameter");
        }
    }
    return FLUX_DB_OK;
}

/* UPDATE first since rows are written once and rewritten rarely; the
 * INSERT's duplicate (a concurrent writer) falls back to the UPDATE. */
int store_upsert(flux_store *s, const store_upsert_spec *u, void *ctx)
{
    for (int pass = 0; pass < 2; pass++) {
        flux_db_stmt *st = store_use(s, u->upd);
        if (!st || u->bind(s, st, false, ctx))
            return -1;
        int rc = s->drv->step(st);
        int64_t changed = rc == FLUX_DB_DONE ? s->drv->changes(st) : 0;
        s->drv->reset(st);
        if (rc != FLUX_DB_DONE)
            return store_dbfail(s, rc, u->updating);
        if (changed > 0)
            return FLUX_DB_OK;
        if (!(st = store_use(s, u->ins)) || u->bind(s, st, true, ctx))
            return -1;
        rc = s->drv->step(st);
        s->drv->reset(st);
        if (rc == FLUX_DB_DONE)
            return FLUX_DB_OK;
        if (rc != FLUX_DB_DUP)
            return store_dbfail(s, rc, u->inserting);
    }
    return store_fail(s, "%s", u->gave_up);
}

/* both statements bind the same integers, the try's id last */
static int bind_ti_ints(flux_store *s, flux_db_stmt *st, bool insert, void *vctx)
{
    (void)insert;
    ti_ints *c = vctx;
    return bind_ints(s, st, c->v, c->n);
}

static int put_ti_ints_body(flux_store *s, void *vctx)
{
    ti_ints *c = vctx;
    char what[64], gave_up[160];
    snprintf(what, sizeof what, "recording %s", c->what);
    snprintf(gave_up, sizeof gave_up, "recording %s of task instance %lld: another writer keeps changing them",
             c->what, (long long)c->v[c->n - 1]);
    store_upsert_spec u = {c->upd, c->ins, bind_ti_ints, what, what, gave_up};
    return store_upsert(s, &u, c);
}

int store_put_ti_ints(flux_store *s, int upd, int ins, const int64_t *v, int n, const char *what)
{
    ti_ints c = {upd, ins, n, v, what};
    return store_transact(s, put_ti_ints_body, &c, MANY_STATEMENTS);
}

int store_get_ti_ints(flux_store *s, int which, int64_t ti, int64_t *v, int n, const char *what)
{
    flux_db_stmt *st = store_use(s, which);
    if (!st || store_bind(s, st, "i", ti))
        return -1;
    int rc = s->drv->step(st);
    for (int i = 0; rc == FLUX_DB_ROW && i < n; i++)
        v[i] = store_col_int(s, st, i, 0);
    s->drv->reset(st);
    if (rc == FLUX_DB_ROW)
        return 0;
    char msg[64];
    snprintf(msg, sizeof msg, "reading %s", what);
    if (rc == FLUX_DB_DONE)
        return store_fail(s, "no %s for task instance %lld", what, (long long)ti), 1;
    return store_dbfail(s, rc, msg), -1;
}

/* ---- input checks ---- */

/* Free text (notes, rendered fields, log paths) is kept even when it is not
 * valid UTF-8, which MySQL would refuse and SQLite would store as is: each
 * bad byte becomes U+FFFD in both. Failing a task's state change over a
 * stray byte in its note would be worse than the replacement. Returns NULL
 * when s is fine as it is (or NULL), else a malloc'd copy; *oom on failure. */
char *store_utf8_fixed(const char *s, bool *oom)
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
int store_check_name(flux_store *s, const char *what, const char *v, size_t max)
{
    if (!v || !*v)
        return store_fail(s, "%s is empty", what);
    size_t len = strlen(v);
    if (len > max)
        return store_fail(s, "%s is %zu bytes long; at most %zu are stored", what, len, max);
    if (!flux_utf8_valid(v, len, NULL))
        return store_fail(s, "%s is not valid UTF-8", what);
    return FLUX_DB_OK;
}

int store_check_len(flux_store *s, const char *what, const char *v, size_t max)
{
    size_t len = v ? strlen(v) : 0;
    if (len > max)
        return store_fail(s, "%s is %zu bytes long; at most %zu are stored", what, len, max);
    return FLUX_DB_OK;
}

/* "" and NULL both mean "none" for optional text. */
const char *store_opt(const char *v)
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

int store_run_state_parse(const char *name, flux_run_state *st)
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

bool store_run_state_ok(flux_run_state st)
{
    return (unsigned)st < sizeof RUN_STATES / sizeof RUN_STATES[0];
}

bool store_ti_state_ok(flux_ti_state st)
{
    return (unsigned)st < sizeof TI_STATES / sizeof TI_STATES[0];
}

/* Rows of a statement through read(), into a growing array of elem-sized
 * rows. On failure the rows read so far are freed (free_rows, or free()
 * for rows that own no memory) and *rows is NULL. */
int store_collect(flux_store *s, flux_db_stmt *st, size_t elem, int (*read)(flux_store *, flux_db_stmt *, void *),
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
                r = store_fail(s, "out of memory");
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
        r = store_dbfail(s, rc, what);
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
