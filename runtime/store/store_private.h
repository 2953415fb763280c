/* store_private — what the store's files share and nothing else includes:
 * the connection struct, the statement numbers, the input limits and the
 * helpers every aggregate's queries are written with (binding, columns,
 * one transaction per call, input checks). The contract is store.h; the
 * drivers' side is store_driver.h.
 */
#ifndef FLUX_STORE_PRIVATE_H
#define FLUX_STORE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_driver.h"

/* The schema version this build writes; each driver has as many steps. */
#define SCHEMA_VERSION 7

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
    ST_PLAN_META_INSERT,
    ST_PLAN_META_GET,
    ST_RUN_INSERT,
    ST_RUN_BY_ID,
    ST_RUN_BY_NAME,
    ST_RUN_PREVIOUS,
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
    ST_LOGCUT_UPDATE,
    ST_LOGCUT_INSERT,
    ST_LOGCUT_GET,
    ST_RUN_EXTRAS,
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
    ST_RUNS_UNFINISHED,
    ST_RUNS_OWNED,
    ST_RUN_LAST_SCHEDULED,
    ST_RUNS_ACTIVE,
    ST_EVENT_RUN,
    ST_EVENT_TI,
    ST_EVENTS_SINCE,
    ST_EVENTS_HEAD,
    ST_EVENTS_PRUNE,
    ST_TI_LAST_TRY,
    ST_GRID_CELLS,
    ST_DAILY_ALL,
    ST_DAILY_PIPELINE,
    ST_XFER_ALL,
    ST_XFER_PIPELINE,
    ST_XFER_TASK,
    ST_XFER_PIPELINE_TASK,
    ST_XFER_WINDOW_ALL,
    ST_XFER_WINDOW_PIPELINE,
    ST_NOTICE_INSERT,
    ST_NOTICE_LIST,
    ST_NOTICE_DUE,
    ST_NOTICE_DUE_OWNER,
    ST_NOTICE_CLAIM,
    ST_NOTICE_SENT,
    ST_NOTICE_FAILED,
    ST_DEADLINE_INSERT,
    ST_DEADLINE_LIST,
    /* store_slurm.c */
    ST_SLURM_UPDATE_SUBMITTING,
    ST_SLURM_INSERT_SUBMITTING,
    ST_SLURM_SUBMITTED,
    ST_SLURM_CLAIM,
    ST_SLURM_OUTCOME,
    ST_SLURM_LOSE,
    ST_SLURM_SEEN,
    ST_SLURM_GET,
    ST_SLURM_LIST,
    ST_SAVEPOINT, /* grouped writes (store.c): prepared once, not parsed per write */
    ST_RELEASE,
    ST_ROLLBACK_TO,
    ST__COUNT
};

struct flux_store {
    const flux_store_driver *drv;
    flux_db *db;
    flux_db_stmt *stmts[ST__COUNT]; /* prepared on first use, kept until close */
    int version;
    int migrated; /* migration steps applied by this open */
    char *target;  /* what the driver opened, kept to open it again after a lost connection */
    bool in_txn;   /* inside store_transact: a lost connection is not reopened mid-transaction */
    bool grouping; /* flux_store_group: writes join one transaction until flux_store_flush */
    bool group_open; /* that transaction is open */
    bool readonly; /* opened by flux_store_open_readonly */
    int reopened;  /* connections reopened since the store was opened */
    int64_t events_pruned_at; /* wall ms of this connection's last pruning of old events, 0: never */
    char err[1024];
};

/* ---- errors (store.c): both return FLUX_DB_ERROR (dbfail: the driver's
 * code, so a transaction can tell a deadlock from an error) ---- */
int store_fail(flux_store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int store_dbfail(flux_store *s, int rc, const char *what);

/* ---- statements (store.c) ---- */
/* A lost connection opened again (outside a transaction): every prepared
 * statement is dropped with the old one. -1 with the reason. */
int store_reopen(flux_store *s);
/* the statement, prepared on first use; NULL after store_dbfail */
flux_db_stmt *store_use(flux_store *s, int which);
/* binds parameters in order: 'i' int64_t, 's' string (NULL binds NULL), 'n' NULL */
int store_bind(flux_store *s, flux_db_stmt *st, const char *types, ...);
/* runs a statement that returns no rows, then resets it */
int store_run_stmt(flux_store *s, flux_db_stmt *st, const char *what);
/* times and ids: 0 means "none" in the API, NULL in the table */
int64_t store_col_int(flux_store *s, flux_db_stmt *st, int col, int64_t if_null);
void store_col_copy(flux_store *s, flux_db_stmt *st, int col, char *dst, size_t cap);
/* malloc'd copy of a text column, NULL for NULL; *oom set when malloc fails */
char *store_col_dup(flux_store *s, flux_db_stmt *st, int col, bool *oom);
/* rows of a statement through read(), into a growing array of elem-sized rows */
int store_collect(flux_store *s, flux_db_stmt *st, size_t elem, int (*read)(flux_store *, flux_db_stmt *, void *),
                  void (*free_rows)(void *rows, size_t n), void **rows, size_t *n, const char *what);

/* ---- transactions (store.c) ---- */
typedef int (*store_txn_body)(flux_store *s, void *ctx);
enum { MANY_STATEMENTS, ONE_STATEMENT };
/* body in one write transaction, run again after a deadlock; -1 on failure */
int store_transact(flux_store *s, store_txn_body body, void *ctx, int statements);
/* A row written, or replaced when it exists: the UPDATE upd, and when it
 * changed no row the INSERT ins (a duplicate: another writer inserted it
 * meanwhile, so round once more). bind binds either statement's
 * parameters. Inside a transaction's body; the messages say what failed. */
typedef struct store_upsert_spec {
    int upd, ins;
    int (*bind)(flux_store *s, flux_db_stmt *st, bool insert, void *ctx);
    const char *updating, *inserting, *gave_up;
} store_upsert_spec;
int store_upsert(flux_store *s, const store_upsert_spec *u, void *ctx);
/* One row of integers per task instance (transfer counts, a log's cut),
 * written or replaced in one transaction: the UPDATE statement upd, else
 * the INSERT ins, both binding v[0..n-1] with the try's id last. */
int store_put_ti_ints(flux_store *s, int upd, int ins, const int64_t *v, int n, const char *what);
/* the first row of a one-row query of a try's integers into v[0..n-1]:
 * 0, 1 when there is none (err says so), -1 on failure */
int store_get_ti_ints(flux_store *s, int which, int64_t ti, int64_t *v, int n, const char *what);

/* ---- input checks and states (store.c) ---- */
char *store_utf8_fixed(const char *s, bool *oom);
int store_check_name(flux_store *s, const char *what, const char *v, size_t max);
int store_check_len(flux_store *s, const char *what, const char *v, size_t max);
const char *store_opt(const char *v);
int store_run_state_parse(const char *name, flux_run_state *st);
bool store_run_state_ok(flux_run_state st);
bool store_ti_state_ok(flux_ti_state st);

/* ---- the change feed (store_events.c) ---- */
/* Inside a transition's transaction, before it is written: an events row
 * for the run (or try) id when its state is about to change to state. A
 * new row passes was "" (any state differs from it). */
int store_event_run(flux_store *s, int64_t run, const char *state, const char *was);
int store_event_ti(flux_store *s, int64_t ti, const char *state, const char *was);
/* After a transition committed: old events pruned now and then (the first
 * time, then once an hour per connection), never failing the caller. */
void store_events_tidy(flux_store *s);
int64_t store_now_ms(void);

/* ---- runs (store_runs.c), shared with tries: a run's state changed
 * inside the caller's transaction (flux clear's) ---- */
int store_set_run_state_in(flux_store *s, int64_t id, flux_run_state state, int64_t now);
/* a run's columns, in the order store_read_run reads them from a row */
#define STORE_RUN_COLS                                                                                    \
    "id, pipeline, run_id, plan_id, trigger_kind, state, interval_start, interval_end, logical_date, " \
    "created_at, started_at, ended_at"
int store_read_run(flux_store *s, flux_db_stmt *st, flux_run_row *r);
/* ---- notifications (store_notify.c), written by the transitions ---- */
/* the notices of a try's transition, inside its transaction */
int store_put_notices(flux_store *s, int64_t run, int64_t ti, const flux_notice *v, size_t n, int64_t now_ms);

/* ---- pipelines (store_plans.c), shared with runs ---- */
int store_ensure_pipeline(flux_store *s, const char *pipeline, int64_t now_ms);
int store_plan_pipeline(flux_store *s, const char *plan_id, char *pipeline, size_t cap);

#endif
