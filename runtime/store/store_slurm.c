/* store_slurm — a try run as a Slurm job (runtime/exec/backend_slurm.c):
 * its token, its phase, its job id, what squeue last said of it, and the
 * outcome its job recorded itself. The store is the truth of a Slurm try,
 * Slurm only advisory, so every step is one conditional statement:
 *
 *   submitting (token written before sbatch) → submitted (job id known)
 *     → claimed (by the job, once: a duplicate or requeued job finds it
 *       taken) → done (exit status and report, by the job)
 *   any of the first three → lost (by the scheduler, when the job is gone
 *     without an outcome: a late job can then neither claim nor finish it)
 *
 * A change made with another token than the row's changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

void flux_slurm_row_free(flux_slurm_row *r)
{
    if (!r)
        return;
    free(r->report);
    r->report = NULL;
}

void flux_slurm_rows_free(flux_slurm_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        flux_slurm_row_free(&rows[i]);
    free(rows);
}

/* ---- one conditional statement: its changed rows ---- */

typedef struct {
    int which;
    const char *types; /* store_bind's, up to 6 values */
    int64_t i[6];
    const char *s[6];
    int64_t changed;
    const char *what;
} cond_ctx;

static int cond_body(flux_store *s, void *vctx)
{
    cond_ctx *c = vctx;
    flux_db_stmt *st = store_use(s, c->which);
    if (!st)
        return -1;
    /* bind in order from the two arrays: 'i' from i[], 's' from s[] */
    for (int k = 0; c->types[k]; k++) {
        int rc = c->types[k] == 'i' ? s->drv->bind_int(st, k + 1, c->i[k])
                                    : c->s[k] ? s->drv->bind_text(st, k + 1, c->s[k]) : s->drv->bind_null(st, k + 1);
        if (rc != FLUX_DB_OK) {
            s->drv->reset(st);
            return store_dbfail(s, rc, "binding a query parameter");
        }
    }
    int rc = s->drv->step(st);
    c->changed = rc == FLUX_DB_DONE ? s->drv->changes(st) : 0;
    s->drv->reset(st);
    return rc == FLUX_DB_DONE ? FLUX_DB_OK : store_dbfail(s, rc, c->what);
}

/* the rows changed (0 or 1), or -1 */
static int cond(flux_store *s, cond_ctx *c)
{
    if (store_transact(s, cond_body, c, ONE_STATEMENT) != 0)
        return -1;
    return c->changed > 0 ? 1 : 0;
}

/* ---- the steps ---- */

static int submitting_bind(flux_store *s, flux_db_stmt *st, bool insert, void *vctx)
{
    (void)insert;
    const flux_slurm_row *r = vctx;
    return store_bind(s, st, "isii", r->run, r->token, r->updated, r->ti);
}

static int submitting_body(flux_store *s, void *ctx)
{
    store_upsert_spec u = {ST_SLURM_UPDATE_SUBMITTING, ST_SLURM_INSERT_SUBMITTING, submitting_bind,
                           "recording a Slurm submission", "recording a Slurm submission",
                           "recording a Slurm submission: another writer keeps changing it"};
    return store_upsert(s, &u, ctx);
}

int flux_store_slurm_submitting(flux_store *s, int64_t ti, int64_t run, const char *token, int64_t now_ms)
{
    if (store_check_len(s, "a Slurm token", token, 64))
        return -1;
    flux_slurm_row r = {.ti = ti, .run = run, .updated = now_ms};
    snprintf(r.token, sizeof r.token, "%s", token);
    return store_transact(s, submitting_body, &r, MANY_STATEMENTS);
}

int flux_store_slurm_submitted(flux_store *s, int64_t ti, const char *token, int64_t job_id, int64_t now_ms)
{
    cond_ctx c = {ST_SLURM_SUBMITTED, "iiis", {job_id, now_ms, ti}, {NULL, NULL, NULL, token}, 0,
                  "recording a Slurm job id"};
    return cond(s, &c);
}

int flux_store_slurm_claim(flux_store *s, int64_t ti, const char *token, const char *node, int64_t now_ms)
{
    cond_ctx c = {ST_SLURM_CLAIM, "siis", {0, now_ms, ti}, {node, NULL, NULL, token}, 0, "claiming a Slurm try"};
    return cond(s, &c);
}

int flux_store_slurm_outcome(flux_store *s, int64_t ti, const char *token, int exit_status, const char *report,
                             int64_t now_ms)
{
    cond_ctx c = {ST_SLURM_OUTCOME, "isiis", {exit_status, 0, now_ms, ti}, {NULL, report, NULL, NULL, token}, 0,
                  "recording a Slurm try's outcome"};
    return cond(s, &c);
}

int flux_store_slurm_lose(flux_store *s, int64_t ti, const char *token, int64_t now_ms)
{
    cond_ctx c = {ST_SLURM_LOSE, "iis", {now_ms, ti}, {NULL, NULL, token}, 0, "marking a Slurm try lost"};
    return cond(s, &c);
}

int flux_store_slurm_seen(flux_store *s, int64_t ti, const char *token, const char *slurm_state, const char *node)
{
    cond_ctx c = {ST_SLURM_SEEN, "ssis", {0, 0, ti}, {slurm_state, node, NULL, token}, 0,
                  "recording what Slurm says of a try"};
    return cond(s, &c);
}

/* ---- reading ---- */

static int read_row(flux_store *s, flux_db_stmt *st, void *vrow)
{
    flux_slurm_row *r = vrow;
    memset(r, 0, sizeof *r);
    r->ti = store_col_int(s, st, 0, 0);
    r->run = store_col_int(s, st, 1, 0);
    store_col_copy(s, st, 2, r->token, sizeof r->token);
    store_col_copy(s, st, 3, r->phase, sizeof r->phase);
    r->job_id = store_col_int(s, st, 4, 0);
    store_col_copy(s, st, 5, r->node, sizeof r->node);
    store_col_copy(s, st, 6, r->slurm_state, sizeof r->slurm_state);
    r->exit_status = (int)store_col_int(s, st, 7, -1);
    r->has_exit = !s->drv->column_null(st, 7);
    bool oom = false;
    r->report = store_col_dup(s, st, 8, &oom);
    r->updated = store_col_int(s, st, 9, 0);
    return oom ? store_fail(s, "out of memory") : 0;
}

static void free_rows(void *rows, size_t n)
{
    flux_slurm_rows_free(rows, n);
}

int flux_store_slurm_get(flux_store *s, int64_t ti, flux_slurm_row *row)
{
    memset(row, 0, sizeof *row);
    flux_db_stmt *st = store_use(s, ST_SLURM_GET);
    if (!st || store_bind(s, st, "i", ti))
        return -1;
    int rc = s->drv->step(st);
    int out = rc == FLUX_DB_ROW ? read_row(s, st, row) : rc == FLUX_DB_DONE ? 1 : store_dbfail(s, rc, "reading a Slurm try");
    s->drv->reset(st);
    return out;
}

int flux_store_slurm_list(flux_store *s, int64_t run, flux_slurm_row **rows, size_t *n)
{
    flux_db_stmt *st = store_use(s, ST_SLURM_LIST);
    if (!st || store_bind(s, st, "i", run))
        return -1;
    return store_collect(s, st, sizeof **rows, read_row, free_rows, (void **)rows, n, "listing a run's Slurm tries");
}
