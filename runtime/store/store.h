/* store — the state store: one schema, two drivers (SQLite, the embedded
 * default; MySQL/MariaDB for production).
 *
 * Every call that changes state is one transaction, committed before it
 * returns: a runner killed at any moment leaves the store at the last
 * transition it reported, never between two. Times are UTC epoch
 * milliseconds. Strings handed back live until the next call on the store
 * unless said otherwise.
 */
#ifndef FLUX_STORE_H
#define FLUX_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct flux_store flux_store;

/* url: "sqlite:///abs/path/flux.db", "sqlite://rel/path.db", a plain path
 * (SQLite), or "mysql://user[:password]@host[:port]/database". A MySQL
 * password may also come from FLUX_DB_PASSWORD or FLUX_DB_PASSWORD_FILE.
 * Creates the schema or migrates it to the current version. -1 with err. */
int flux_store_open(const char *url, flux_store **out, char *err, size_t errlen);
/* A reader's open: creates nothing, migrates nothing (a store of another
 * schema version is an error saying so), never changes SQLite's journal
 * mode, and works on a read-only file and directory. 1 (with err) when the
 * database holds no store yet. */
int flux_store_open_readonly(const char *url, flux_store **out, char *err, size_t errlen);
void flux_store_close(flux_store *s);
const char *flux_store_error(flux_store *s); /* message of the last failed call */
const char *flux_store_kind(const flux_store *s); /* "sqlite" or "mysql" */
int flux_store_schema_version(flux_store *s);
/* Migration steps the open applied: 0 when the store was current already. */
int flux_store_migrations_applied(const flux_store *s);
/* True while the connection to a MySQL server is lost: the call that found
 * it out failed; the next call outside a transaction opens a new connection
 * (and fails the same way while the server is still away). */
bool flux_store_lost(const flux_store *s);
/* How many times a lost connection was opened again. */
int flux_store_reopened(const flux_store *s);

/* Grouped writes, for a runner's loop: while on, every write joins one
 * transaction, opened by the first and each in a savepoint of its own (a
 * write that fails undoes only itself), until flux_store_flush commits
 * them together. A commit's cost (the write-ahead log's pages, the locks)
 * is then paid once per loop iteration instead of once per transition;
 * the caller flushes before anything outside the store may depend on what
 * it wrote (a process started, a notification sent, the loop waiting).
 * Only where one transaction cannot be chosen as a deadlock's victim
 * halfway (SQLite, whose BEGIN IMMEDIATE takes the one writer's lock):
 * false, and nothing changes, on MySQL, where each write stays its own
 * transaction and is run again after a deadlock. */
bool flux_store_group(flux_store *s, bool on);
/* Commits the grouped writes, if any: 0, or -1 with the error (all of them
 * are rolled back: none took effect). */
int flux_store_flush(flux_store *s);
/* Whether grouped writes wait for a flush. */
bool flux_store_unflushed(const flux_store *s);

/* ---- pipelines and plan versions ---- */

/* Records a plan version (id = plan hash); *created tells whether it is new.
 * Makes it the pipeline's current version. */
int flux_store_put_plan(flux_store *s, const char *pipeline, const char *plan_id, const char *plan_yaml,
                        const char *source_path, const char *source_sha256, int64_t now_ms, bool *created);
/* malloc'd plan text, or NULL (not found or error). */
char *flux_store_get_plan(flux_store *s, const char *plan_id);

/* What views show of a plan without reading its text: the pipeline's
 * description, owner and tags (a JSON array of strings), schedule and zone
 * (NULL when not set), and its number of tasks. */
typedef struct flux_plan_meta {
    char *description, *owner, *tags, *schedule, *timezone;
    int64_t tasks;
} flux_plan_meta;
/* Records a plan's facts beside its text, once (a second call for the same
 * plan keeps the first). */
int flux_store_put_plan_meta(flux_store *s, const char *plan_id, const flux_plan_meta *m);
/* 0, 1 when the plan has none (recorded by an older flux), -1 on error.
 * The strings are malloc'd: flux_plan_meta_free. */
int flux_store_get_plan_meta(flux_store *s, const char *plan_id, flux_plan_meta *m);
void flux_plan_meta_free(flux_plan_meta *m);

/* ---- runs ---- */

typedef enum { FLUX_RUN_QUEUED, FLUX_RUN_RUNNING, FLUX_RUN_SUCCESS, FLUX_RUN_FAILED } flux_run_state;

typedef struct flux_run_row {
    int64_t id;
    char pipeline[256];
    char run_id[128];
    char plan_id[65];
    char trigger[16];        /* scheduled, manual, backfill */
    flux_run_state state;
    int64_t interval_start, interval_end, logical_date;
    int64_t created, started, ended; /* 0 when not yet */
} flux_run_row;

/* Creates the run unless (pipeline, run_id) exists; either way fills *row.
 * *created tells which. Unique per (pipeline, run_id) even with two writers.
 * A run created here has its control row from the same transaction: owner
 * (the process that executes it, which has then claimed it) or NULL (queued
 * for a scheduler to claim), and params_json (a trigger's overrides) or
 * NULL. A run that existed keeps its owner: claim it with
 * flux_store_claim_run. */
int flux_store_create_run(flux_store *s, const flux_run_row *in, const char *owner, const char *params_json,
                          int64_t now_ms, flux_run_row *row, bool *created);
int flux_store_get_run(flux_store *s, int64_t id, flux_run_row *row);          /* 1 when not found */
int flux_store_find_run(flux_store *s, const char *pipeline, const char *run_id, flux_run_row *row); /* 1: none */
/* The run of pipeline with the greatest logical date before logical_date,
 * whatever triggered it (of two at that date, the later created): what
 * depends_on_past waits for. 0 found, 1 none, -1 error. */
int flux_store_previous_run(flux_store *s, const char *pipeline, int64_t logical_date, flux_run_row *row);
int flux_store_set_run_state(flux_store *s, int64_t id, flux_run_state st, int64_t now_ms);
/* Runs newest first; pipeline NULL for all; limit 0 for no limit. Caller frees *rows. */
int flux_store_list_runs(flux_store *s, const char *pipeline, size_t limit, flux_run_row **rows, size_t *n);

const char *flux_run_state_name(flux_run_state st);

/* A runs search (store_search.c): every filter given (NULL or 0: not
 * filtered) in one query, newest first by (logical_date, id); after_id
 * non-0: only the runs after (after_date, after_id) in that order, the
 * cursor of the previous page. */
typedef struct flux_run_filter {
    const char *pipeline, *state, *trigger;
    const char *run_id_prefix;
    int64_t from, to;       /* interval start within [from, to] */
    const char *task;       /* a run with a try of this task */
    const char *field;      /* ... whose rendered fields (masked) hold this text (in its case) */
    const char *output;     /* ... whose outputs hold this text (in its case) */
    int64_t after_date, after_id;
    /* with field or output: the texts are looked for in at most this many
     * runs (those the other filters pass, newest first), so that a page of
     * a text few runs hold costs a bounded time; 0: in all */
    size_t window;
} flux_run_filter;
/* where a search can go on from: a run's (logical_date, id); id 0: none */
typedef struct flux_run_key {
    int64_t logical_date, id;
} flux_run_key;
/* At most limit runs (0: 50). Caller frees *rows. When a window ended the
 * search before limit runs were found, *more is the window's last run (go
 * on after it); else more->id is 0. */
int flux_store_search_runs(flux_store *s, const flux_run_filter *f, size_t limit, flux_run_row **rows, size_t *n,
                           flux_run_key *more);

/* ---- task instances: one row per try ---- */

typedef enum {
    FLUX_TI_NONE, /* cleared: to be run again */
    FLUX_TI_SCHEDULED, FLUX_TI_QUEUED, FLUX_TI_RUNNING, FLUX_TI_SUCCESS, FLUX_TI_FAILED,
    FLUX_TI_UP_FOR_RETRY, FLUX_TI_UP_FOR_RESCHEDULE, FLUX_TI_UPSTREAM_FAILED, FLUX_TI_SKIPPED
} flux_ti_state;

typedef struct flux_ti_row {
    int64_t id;
    int64_t run;             /* flux_run_row.id */
    char task[256];
    int try_number;          /* 1, 2, ... */
    flux_ti_state state;
    int64_t queued, started, ended; /* 0 when not yet */
    int64_t ready;           /* when it became ready to run, before waiting for a slot or pool; 0: not known */
    int exit_status;         /* -1 when none */
    int pid;                 /* 0 when none */
    char host[128];
    char log_path[1024];
    char *rendered;          /* JSON of rendered fields, secrets masked; malloc'd or NULL */
    char *outputs;           /* JSON object of ::output values; malloc'd or NULL */
    char *note;              /* why it ended this way ("timed out after 1h", "process gone"); malloc'd or NULL */
} flux_ti_row;

void flux_ti_row_free(flux_ti_row *r); /* frees the malloc'd fields */

/* New try: inserts (run, task, try_number) with state, returns its id.
 * queued_at is now_ms (the try left the runner's queue for a slot); ready_ms
 * (0: none) when it became ready to run, before it waited for the slot. */
int flux_store_ti_insert(flux_store *s, int64_t run, const char *task, int try_number, flux_ti_state st,
                         int64_t now_ms, int64_t *id);
int flux_store_ti_insert_ready(flux_store *s, int64_t run, const char *task, int try_number, flux_ti_state st,
                               int64_t ready_ms, int64_t now_ms, int64_t *id);
/* flux clear: for each task a new try in state none noted "cleared" (the
 * tries before it are kept as they ended: history is never rewritten),
 * numbered after the task's last, and the run queued again, in one
 * transaction. A runner gives the task its next try, counting retries
 * from that mark. */
int flux_store_clear_tries(flux_store *s, int64_t run, const char *const *tasks, size_t ntasks, int64_t now_ms);
/* A change to one try, written with designated initializers:
 *   flux_store_ti_update(s, id, &(flux_ti_patch){.state = FLUX_TI_RUNNING, .started_ms = t, .pid = pid});
 * The state is always written. Every other field left out (0, NULL, false)
 * is unchanged; FLUX_TI_CLEAR sets a time or the pid back to "none" (NULL);
 * the exit status is written only with .set_exit (-1: none; 0 is a status). */
#define FLUX_TI_CLEAR (-1)
/* A notification to send (the outbox), written in the transaction of the
 * state change that causes it: a crash after that change cannot lose it.
 * key: its idempotency key, unique in the store (a second write of the
 * same key is no second notification). task: for a notice of no try (a
 * task's deadline), else NULL. */
typedef struct flux_notice {
    const char *notifier, *event, *key, *note, *task;
} flux_notice;

typedef struct flux_ti_patch {
    flux_ti_state state;
    int64_t started_ms, ended_ms;
    int pid;
    bool set_exit;
    int exit_status;
    const char *host, *log_path, *rendered, *outputs, *note;
    /* notifications of this transition, in its transaction */
    const flux_notice *notices;
    size_t nnotices;
} flux_ti_patch;

int flux_store_ti_update(flux_store *s, int64_t id, const flux_ti_patch *p);
/* Every try of every task of a run, ordered by task then try. Caller frees
 * with flux_ti_rows_free. */
int flux_store_list_tis(flux_store *s, int64_t run, flux_ti_row **rows, size_t *n);
void flux_ti_rows_free(flux_ti_row *rows, size_t n);
/* One try by its id (free with flux_ti_row_free). 1 when there is none. */
int flux_store_get_ti(flux_store *s, int64_t ti, flux_ti_row *row);
/* Latest try of a task of the run of (pipeline, run_id): for external_task_sensor. 1 when none. */
int flux_store_latest_ti(flux_store *s, const char *pipeline, const char *run_id, const char *task,
                         flux_ti_row *row);

/* Latest try of a task of the pipeline's newest run for the interval
 * starting at logical_date (scheduled, manual or backfill). 1 when none. */
int flux_store_latest_ti_at(flux_store *s, const char *pipeline, int64_t logical_date, const char *task,
                            flux_ti_row *row);

/* A try's log cut to max_log_size (flux-wrap kept its head and tail):
 * the bytes dropped between them, one row per task instance (a second put
 * replaces it). get: 1 when its log was not cut. */
int flux_store_put_log_cut(flux_store *s, int64_t ti, int64_t dropped, int64_t max_log_size);
int flux_store_get_log_cut(flux_store *s, int64_t ti, int64_t *dropped, int64_t *max_log_size);

/* What flux_store_get_counts and flux_store_get_log_cut say of one try, for
 * every try of a run that has either, in one read: sorted by ti. */
typedef struct flux_ti_extras {
    int64_t ti;
    bool has_counts, has_cut;
    int64_t read, written, rejected, bytes; /* the counts */
    int64_t dropped, max_log_size;          /* the log's cut */
} flux_ti_extras;
int flux_store_run_extras(flux_store *s, int64_t run, flux_ti_extras **rows, size_t *n);
/* the row of ti in rows (sorted by ti), NULL when it has none */
const flux_ti_extras *flux_ti_extras_find(const flux_ti_extras *rows, size_t n, int64_t ti);

const char *flux_ti_state_name(flux_ti_state st);
int flux_ti_state_parse(const char *name, flux_ti_state *st);

/* ---- the change feed: one row per run or try transition ---- */

/* Written in the transition's own transaction (a reader never sees a state
 * without its event, nor the reverse); ids grow with each row. On MySQL,
 * two transactions may commit their rows out of id order: a reader that
 * saw id n may later find a smaller one, so a follower keeps a short
 * window behind its last id. Rows older than a day are deleted now and
 * then by the writers. */
typedef struct flux_event_row {
    int64_t id, at;        /* at: wall ms when it was written */
    char kind[8];          /* "run" or "ti" */
    int64_t run, ti;       /* ti 0 for a run's event */
    char pipeline[256];
    char task[256];        /* "" for a run's event */
    char state[24];        /* the state it changed to */
} flux_event_row;
/* The events after last_id (0: from the oldest kept), oldest first, at most
 * limit. Caller frees *rows. */
int flux_store_events_since(flux_store *s, int64_t last_id, size_t limit, flux_event_row **rows, size_t *n);
/* The newest event's id (0 when there is none): where a follower that
 * wants only what happens from now on starts. */
int flux_store_events_head(flux_store *s, int64_t *id);
/* Deletes the events written before before_ms; *deleted how many (may be NULL). */
int flux_store_prune_events(flux_store *s, int64_t before_ms, int64_t *deleted);
#define FLUX_EVENTS_KEEP_MS (24 * 3600 * 1000LL)

/* ---- history for the web UI: each one query, bounded by its limit ---- */

/* The latest try of each task of the pipeline's newest nruns runs (the
 * runs flux_store_list_runs(pipeline, nruns) returns), in no order. */
typedef struct flux_grid_cell {
    int64_t run, ti;
    char task[256];
    int try_number;
    flux_ti_state state;
    int64_t started, ended; /* 0 when not yet */
} flux_grid_cell;
int flux_store_grid_cells(flux_store *s, const char *pipeline, size_t nruns, flux_grid_cell **cells, size_t *n);

/* Runs per UTC day of their logical date from since_ms on, per pipeline
 * (NULL: all), oldest day first, then by pipeline. */
typedef struct flux_day_stat {
    int64_t day; /* midnight UTC, ms */
    char pipeline[256];
    int64_t queued, running, succeeded, failed;
} flux_day_stat;
int flux_store_daily_stats(flux_store *s, const char *pipeline, int64_t since_ms, flux_day_stat **rows, size_t *n);

/* The transfer counts of tries, newest run first (then task and try);
 * pipeline and task NULL for any; at most limit (0: no limit). */
typedef struct flux_transfer_row {
    int64_t run, logical_date, ti;
    char run_id[128], pipeline[256], task[256];
    int try_number;
    int64_t read, written, rejected, bytes;
} flux_transfer_row;
int flux_store_transfers(flux_store *s, const char *pipeline, const char *task, size_t limit,
                         flux_transfer_row **rows, size_t *n);

/* ---- transfers and lineage (written by transfer operators) ---- */

int flux_store_put_counts(flux_store *s, int64_t ti, int64_t read, int64_t written, int64_t rejected,
                          int64_t bytes);
int flux_store_put_lineage(flux_store *s, int64_t ti, const char *direction /* "read"|"write" */,
                           const char *kind /* topic, file, table */, const char *name, const char *detail_json);

/* Counts are one row per task instance (a second put replaces them).
 * 1 when none were recorded. */
int flux_store_get_counts(flux_store *s, int64_t ti, int64_t *read, int64_t *written, int64_t *rejected,
                          int64_t *bytes);

typedef struct flux_lineage_row {
    int64_t id, ti;
    char direction[8];  /* read, write */
    char kind[33];
    char *name;         /* malloc'd */
    char *detail;       /* malloc'd JSON or NULL */
    /* filled by flux_store_find_lineage: who moved it */
    int64_t run;
    char pipeline[256], run_id[256], task[256];
    int try_number;
    flux_ti_state state;
} flux_lineage_row;

/* A task instance's lineage in the order recorded. Caller frees with
 * flux_lineage_rows_free. */
int flux_store_list_lineage(flux_store *s, int64_t ti, flux_lineage_row **rows, size_t *n);
void flux_lineage_rows_free(flux_lineage_row *rows, size_t n);
/* Every record of moving (kind, name): a topic, a file, a table; suffix:
 * a table named without its database matches "db.name" too. With the run
 * and task instance of each, oldest first. */
int flux_store_find_lineage(flux_store *s, const char *kind, const char *name, bool suffix,
                            flux_lineage_row **rows, size_t *n);

/* ---- notifications (the outbox) and deadlines ---- */

typedef struct flux_notice_row {
    int64_t id, run, ti;          /* ti 0: a notice of the run, or of a task's deadline */
    char key[81];
    char task[256];               /* "" for the run */
    int try_number;               /* 0 when none */
    char event[17], notifier[256], state[17]; /* pending, sent, failed */
    int attempts;
    char *note, *last_error;      /* malloc'd or NULL */
    int64_t next_at, claimed_at, created_at, sent_at; /* 0 when none */
    char claim[256];              /* "" when unclaimed */
    char pipeline[256], run_id[128];
    int64_t logical_date;
} flux_notice_row;
void flux_notice_rows_free(flux_notice_row *rows, size_t n);

/* state: "" for all, else pending, sent or failed; oldest first. */
int flux_store_list_notices(flux_store *s, const char *state, flux_notice_row **rows, size_t *n);
/* Pending notices due at now_ms: of the runs owner holds, or of every run
 * (owner NULL). */
int flux_store_due_notices(flux_store *s, const char *owner, int64_t now_ms, flux_notice_row **rows, size_t *n);
/* Takes a notice to send it: only one claimant gets it, and a claim is
 * taken over only when it was made at or before stale_ms (its sender died
 * while sending, or sends no more). Counts an attempt. */
int flux_store_claim_notice(flux_store *s, int64_t id, const char *token, int64_t now_ms, int64_t stale_ms,
                            bool *claimed);
/* The end of an attempt, by the claim's holder: sent, or not (error) and
 * tried again at next_at, or failed for good (give_up). */
int flux_store_notice_sent(flux_store *s, int64_t id, const char *token, int64_t now_ms);
int flux_store_notice_failed(flux_store *s, int64_t id, const char *token, const char *error, int64_t next_at,
                             bool give_up);

/* A deadline missed: recorded once per (run, task; "" for the run's own),
 * with its notices in the same transaction. *recorded: false when it was
 * already. */
int flux_store_deadline_miss(flux_store *s, int64_t run, const char *task, int64_t deadline_at, int64_t now_ms,
                             const flux_notice *notices, size_t n, bool *recorded);
typedef struct flux_deadline_row {
    char task[256]; /* "" for the run */
    int64_t deadline_at, missed_at;
} flux_deadline_row;
/* Caller frees *rows. */
int flux_store_deadline_misses(flux_store *s, int64_t run, flux_deadline_row **rows, size_t *n);
/* ---- tries run as Slurm jobs (store_slurm.c: the phases and why) ---- */

typedef struct flux_slurm_row {
    int64_t ti, run;
    char token[65];
    char phase[16];        /* submitting, submitted, claimed, done, lost */
    int64_t job_id;        /* 0 until sbatch gave one */
    char node[128];        /* "" until known */
    char slurm_state[33];  /* what squeue last said ("RUNNING", "TIMEOUT"), "" when nothing yet */
    bool has_exit;
    int exit_status;       /* the job's outcome (phase done) */
    char *report;          /* the try's report as its job read it (opreport.h's file form); malloc'd or NULL */
    int64_t updated;
} flux_slurm_row;

void flux_slurm_row_free(flux_slurm_row *r);
void flux_slurm_rows_free(flux_slurm_row *rows, size_t n);
/* Before sbatch: the try is submitting with token (a new token replaces an
 * older submission's, whose job then finds nothing to claim). */
int flux_store_slurm_submitting(flux_store *s, int64_t ti, int64_t run, const char *token, int64_t now_ms);
/* The following return 1 when the row changed, 0 when the token or phase did
 * not match (another submission's job, a claimed or lost try), -1 on error. */
int flux_store_slurm_submitted(flux_store *s, int64_t ti, const char *token, int64_t job_id, int64_t now_ms);
int flux_store_slurm_claim(flux_store *s, int64_t ti, const char *token, const char *node, int64_t now_ms);
int flux_store_slurm_outcome(flux_store *s, int64_t ti, const char *token, int exit_status, const char *report,
                             int64_t now_ms);
int flux_store_slurm_lose(flux_store *s, int64_t ti, const char *token, int64_t now_ms);
/* what squeue said of the job (node NULL: unchanged), for the views */
int flux_store_slurm_seen(flux_store *s, int64_t ti, const char *token, const char *slurm_state, const char *node);
/* 1 when the try has no row */
int flux_store_slurm_get(flux_store *s, int64_t ti, flux_slurm_row *row);
/* a run's rows by try id; caller frees with flux_slurm_rows_free */
int flux_store_slurm_list(flux_store *s, int64_t run, flux_slurm_row **rows, size_t *n);

/* ---- deployments, sources and the scheduler (flux deploy, flux scheduler) ---- */

typedef struct flux_deployment {
    int64_t id;
    char pipeline[256];
    int version;              /* 1, 2, ... per pipeline */
    char plan_id[65];
    char source_path[701];    /* "" when none */
    char source_sha256[65];
    char commit[65];          /* git commit, "" when not deployed from git */
    int64_t deployed_at;
} flux_deployment;

/* Publishes a plan as the pipeline's current one: records its text (once per
 * plan id) and, when it differs from the latest deployment, a new deployment
 * numbered one above it; records where the pipeline comes from (and that it
 * is no longer removed). *version: the deployment now current; *created:
 * whether this call made it. Safe with concurrent deployers. */
int flux_store_deploy(flux_store *s, const char *pipeline, const char *plan_id, const char *plan_yaml,
                      const char *source_path, const char *source_sha256, const char *commit, int64_t now_ms,
                      int *version, bool *created);
/* Newest first. Caller frees *rows. */
int flux_store_list_deployments(flux_store *s, const char *pipeline, flux_deployment **rows, size_t *n);
int flux_store_get_deployment(flux_store *s, const char *pipeline, int version, flux_deployment *row); /* 1: none */

/* A source file as last compiled: errors NULL when it compiled, else its
 * diagnostics as printed. */
int flux_store_put_source(flux_store *s, const char *path, const char *sha256, const char *commit,
                          const char *errors, int64_t now_ms);
typedef struct flux_source_row {
    char *path;
    char sha256[65], commit[65];
    char *errors; /* NULL when it compiled */
    int64_t checked_at;
} flux_source_row;
int flux_store_list_sources(flux_store *s, flux_source_row **rows, size_t *n);
/* A source file that is gone. */
int flux_store_drop_source(flux_store *s, const char *path);
void flux_source_rows_free(flux_source_row *rows, size_t n);

/* 1 when the pipeline is unknown. */
int flux_store_set_paused(flux_store *s, const char *pipeline, bool paused, int64_t now_ms);
/* A pipeline whose file (or whose definition in its file) is gone is
 * removed: not scheduled until it comes back. 1 when it has no source. */
int flux_store_set_removed(flux_store *s, const char *pipeline, bool removed, int64_t now_ms);

typedef struct flux_pipeline_row {
    char name[256];
    bool paused, removed;
    int version;           /* latest deployment, 0 when never deployed */
    char plan_id[65];      /* its plan: the latest deployment's, else the one its last `flux run` stored */
    char *source_path;     /* NULL when unknown */
    char *errors;          /* diagnostics of the source's last compile, NULL when it compiled */
} flux_pipeline_row;
int flux_store_list_pipelines(flux_store *s, flux_pipeline_row **rows, size_t *n);
void flux_pipeline_rows_free(flux_pipeline_row *rows, size_t n);

/* The scheduler's row: registered on the first call, its heartbeat
 * refreshed on every call; stopped at a clean exit. */
int flux_store_heartbeat(flux_store *s, const char *id, const char *host, int pid, int64_t started_ms,
                         int64_t now_ms, bool stopped);
typedef struct flux_scheduler_row {
    char id[256], host[128];
    int pid;
    int64_t started, heartbeat, stopped; /* stopped 0 while running */
} flux_scheduler_row;
int flux_store_list_schedulers(flux_store *s, flux_scheduler_row **rows, size_t *n);

/* Who executes a run: a conditional UPDATE of the run's control row, so of
 * two claimants exactly one gets it. steal_from: take it over from that
 * owner (a process known dead); NULL: only an unowned run, or one owner
 * already holds. */
int flux_store_claim_run(flux_store *s, int64_t run, const char *owner, const char *steal_from, int64_t now_ms,
                         bool *claimed);
/* owner "" when unowned; *params malloc'd or NULL. 1 when the run has no control row. */
int flux_store_run_control(flux_store *s, int64_t run, char *owner, size_t ownerlen, char **params);
/* The unfinished runs owner holds, by id. Caller frees *ids. */
int flux_store_runs_owned(flux_store *s, const char *owner, int64_t **ids, size_t *n);
/* Runs queued or running, oldest interval first. Caller frees *rows. */
int flux_store_unfinished_runs(flux_store *s, flux_run_row **rows, size_t *n);
/* The interval start of the pipeline's latest scheduled run; 1 when none. */
int flux_store_last_scheduled(flux_store *s, const char *pipeline, int64_t *interval_start);
int flux_store_active_runs(flux_store *s, const char *pipeline, int *n);

#endif
