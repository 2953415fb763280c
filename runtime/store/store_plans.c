/* store_plans — pipelines and what they run: plan versions, numbered
 * deployments with their commit, the source files a deploy compiled (with
 * the diagnostics of a broken one), and the paused and removed flags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

/* Inserts the pipeline's row unless it exists. A concurrent insert by
 * another writer is the duplicate the INSERT is allowed to meet. */
int store_ensure_pipeline(flux_store *s, const char *pipeline, int64_t now_ms)
{
    flux_db_stmt *st = store_use(s, ST_PIPELINE_EXISTS);
    if (!st || store_bind(s, st, "s", pipeline))
        return -1;
    int rc = s->drv->step(st);
    s->drv->reset(st);
    if (rc == FLUX_DB_ROW)
        return FLUX_DB_OK;
    if (rc != FLUX_DB_DONE)
        return store_dbfail(s, rc, "looking up the pipeline");
    if (!(st = store_use(s, ST_PIPELINE_INSERT)) || store_bind(s, st, "sii", pipeline, now_ms, now_ms))
        return -1;
    rc = s->drv->step(st);
    s->drv->reset(st);
    if (rc == FLUX_DB_DONE || rc == FLUX_DB_DUP)
        return FLUX_DB_OK;
    return store_dbfail(s, rc, "recording the pipeline");
}

/* The pipeline a stored plan belongs to: 0 found, 1 not found. */
int store_plan_pipeline(flux_store *s, const char *plan_id, char *pipeline, size_t cap)
{
    flux_db_stmt *st = store_use(s, ST_PLAN_PIPELINE);
    if (!st || store_bind(s, st, "s", plan_id))
        return -1;
    int rc = s->drv->step(st);
    if (rc == FLUX_DB_ROW)
        store_col_copy(s, st, 0, pipeline, cap);
    s->drv->reset(st);
    if (rc == FLUX_DB_ROW)
        return 0;
    if (rc == FLUX_DB_DONE)
        return 1;
    return store_dbfail(s, rc, "looking up the plan");
}

typedef struct {
    const char *pipeline, *plan_id, *yaml, *path, *sha;
    int64_t now;
    bool created;
} put_plan_ctx;

static int put_plan_body(flux_store *s, void *vctx)
{
    put_plan_ctx *c = vctx;
    int rc = store_ensure_pipeline(s, c->pipeline, c->now);
    if (rc)
        return rc;
    flux_db_stmt *st = store_use(s, ST_PLAN_INSERT);
    if (!st || store_bind(s, st, "sssssi", c->plan_id, c->pipeline, c->yaml, c->path, c->sha, c->now))
        return -1;
    rc = s->drv->step(st);
    s->drv->reset(st);
    c->created = rc == FLUX_DB_DONE;
    if (rc == FLUX_DB_DUP) {
        /* the same plan again (a redeploy or a rerun); it must be this pipeline's */
        char owner[MAX_PIPELINE + 1];
        if ((rc = store_plan_pipeline(s, c->plan_id, owner, sizeof owner)) < 0)
            return rc;
        if (rc == 1)
            return store_fail(s, "plan %s vanished while being recorded", c->plan_id);
        if (strcmp(owner, c->pipeline) != 0)
            return store_fail(s, "plan %s is recorded for pipeline '%s', not '%s'", c->plan_id, owner, c->pipeline);
    } else if (rc != FLUX_DB_DONE)
        return store_dbfail(s, rc, "recording the plan");
    if (!(st = store_use(s, ST_PIPELINE_SET_CURRENT)) || store_bind(s, st, "sis", c->plan_id, c->now, c->pipeline))
        return -1;
    return store_run_stmt(s, st, "making the plan current");
}

int flux_store_put_plan(flux_store *s, const char *pipeline, const char *plan_id, const char *plan_yaml,
                        const char *source_path, const char *source_sha256, int64_t now_ms, bool *created)
{
    if (store_check_name(s, "pipeline name", pipeline, MAX_PIPELINE) || store_check_name(s, "plan id", plan_id, MAX_PLAN_ID))
        return -1;
    if (!plan_yaml)
        return store_fail(s, "plan %s has no text", plan_id), -1;
    if (store_check_len(s, "source sha256", source_sha256, 64))
        return -1;
    bool oom = false;
    char *yaml = store_utf8_fixed(plan_yaml, &oom), *path = store_utf8_fixed(source_path, &oom);
    if (oom) {
        free(yaml);
        free(path);
        return store_fail(s, "out of memory"), -1;
    }
    put_plan_ctx c = {pipeline, plan_id, yaml ? yaml : plan_yaml, store_opt(path ? path : source_path),
                      store_opt(source_sha256), now_ms, false};
    int rc = store_transact(s, put_plan_body, &c, MANY_STATEMENTS);
    free(yaml);
    free(path);
    if (created)
        *created = c.created;
    return rc;
}

char *flux_store_get_plan(flux_store *s, const char *plan_id)
{
    flux_db_stmt *st = store_use(s, ST_PLAN_GET);
    if (!st || store_bind(s, st, "s", plan_id ? plan_id : ""))
        return NULL;
    int rc = s->drv->step(st);
    char *text = NULL;
    bool oom = false;
    if (rc == FLUX_DB_ROW)
        text = store_col_dup(s, st, 0, &oom);
    s->drv->reset(st);
    if (rc == FLUX_DB_DONE)
        store_fail(s, "no plan %s in the store", plan_id ? plan_id : "(null)");
    else if (rc != FLUX_DB_ROW)
        store_dbfail(s, rc, "reading the plan");
    else if (oom || !text)
        store_fail(s, "out of memory");
    return text;
}

int flux_store_put_plan_meta(flux_store *s, const char *plan_id, const flux_plan_meta *m)
{
    if (store_check_name(s, "plan id", plan_id, MAX_PLAN_ID))
        return -1;
    flux_db_stmt *st = store_use(s, ST_PLAN_META_INSERT);
    if (!st || store_bind(s, st, "ssssssi", plan_id, m->description, m->owner, m->tags ? m->tags : "[]",
                          m->schedule, m->timezone, m->tasks))
        return -1;
    int rc = s->drv->step(st);
    s->drv->reset(st);
    if (rc == FLUX_DB_DONE || rc == FLUX_DB_DUP) /* DUP: recorded by an earlier run of the same plan */
        return 0;
    return store_dbfail(s, rc, "recording the plan's facts");
}

int flux_store_get_plan_meta(flux_store *s, const char *plan_id, flux_plan_meta *m)
{
    *m = (flux_plan_meta){0};
    flux_db_stmt *st = store_use(s, ST_PLAN_META_GET);
    if (!st || store_bind(s, st, "s", plan_id ? plan_id : ""))
        return -1;
    int rc = s->drv->step(st);
    bool oom = false;
    if (rc == FLUX_DB_ROW) {
        char **cols[] = {&m->description, &m->owner, &m->tags, &m->schedule, &m->timezone};
        for (int i = 0; i < 5; i++)
            *cols[i] = store_col_dup(s, st, i, &oom);
        m->tasks = store_col_int(s, st, 5, 0);
    }
    s->drv->reset(st);
    if (rc == FLUX_DB_DONE)
        return 1;
    if (rc != FLUX_DB_ROW)
        return store_dbfail(s, rc, "reading the plan's facts");
    if (oom) {
        flux_plan_meta_free(m);
        return store_fail(s, "out of memory"), -1;
    }
    return 0;
}

void flux_plan_meta_free(flux_plan_meta *m)
{
    free(m->description);
    free(m->owner);
    free(m->tags);
    free(m->schedule);
    free(m->timezone);
    *m = (flux_plan_meta){0};
}

/* An UPDATE that found no row, then the INSERT; both statements take the
 * same parameters in the same order (bindf). A concurrent INSERT makes the
 * transaction run again. */
static int upsert(flux_store *s, int upd, int ins, int (*bindf)(flux_store *, flux_db_stmt *, void *), void *ctx,
                  const char *what)
{
    flux_db_stmt *st = store_use(s, upd);
    if (!st || bindf(s, st, ctx))
        return -1;
    int rc = s->drv->step(st);
    int64_t changed = rc == FLUX_DB_DONE ? s->drv->changes(st) : 0;
    s->drv->reset(st);
    if (rc != FLUX_DB_DONE)
        return store_dbfail(s, rc, what);
    if (changed > 0)
        return FLUX_DB_OK;
    if (!(st = store_use(s, ins)) || bindf(s, st, ctx))
        return -1;
    rc = s->drv->step(st);
    s->drv->reset(st);
    if (rc == FLUX_DB_DONE)
        return FLUX_DB_OK;
    return rc == FLUX_DB_DUP ? FLUX_DB_RETRY : store_dbfail(s, rc, what);
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
    return store_bind(s, st, "sis", c->path, c->now, c->pipeline);
}

static int deploy_body(flux_store *s, void *vctx)
{
    deploy_ctx *c = vctx;
    put_plan_ctx pc = {c->pipeline, c->plan_id, c->yaml, c->path, c->sha, c->now, false};
    int rc = put_plan_body(s, &pc); /* the text, once per id; the pipeline's current plan */
    if (rc)
        return rc;
    flux_db_stmt *st = store_use(s, ST_DEPLOY_LAST);
    if (!st || store_bind(s, st, "s", c->pipeline))
        return -1;
    rc = s->drv->step(st);
    int last = 0;
    char last_plan[MAX_PLAN_ID + 1] = "";
    if (rc == FLUX_DB_ROW) {
        last = (int)store_col_int(s, st, 0, 0);
        store_col_copy(s, st, 1, last_plan, sizeof last_plan);
    }
    s->drv->reset(st);
    if (rc != FLUX_DB_ROW && rc != FLUX_DB_DONE)
        return store_dbfail(s, rc, "reading the last deployment");
    c->created = strcmp(last_plan, c->plan_id) != 0;
    c->version = c->created ? last + 1 : last;
    if (c->created) {
        if (!(st = store_use(s, ST_DEPLOY_INSERT)) ||
            store_bind(s, st, "sissssi", c->pipeline, (int64_t)c->version, c->plan_id, c->path, c->sha, c->commit, c->now))
            return -1;
        rc = s->drv->step(st);
        s->drv->reset(st);
        if (rc == FLUX_DB_DUP) /* another deployer took this number: run again */
            return FLUX_DB_RETRY;
        if (rc != FLUX_DB_DONE)
            return store_dbfail(s, rc, "recording the deployment");
    }
    if (!c->path)
        return FLUX_DB_OK;
    return upsert(s, ST_PSRC_UPDATE, ST_PSRC_INSERT, bind_psrc, c, "recording the pipeline's source");
}

int flux_store_deploy(flux_store *s, const char *pipeline, const char *plan_id, const char *plan_yaml,
                      const char *source_path, const char *source_sha256, const char *commit, int64_t now_ms,
                      int *version, bool *created)
{
    if (store_check_name(s, "pipeline name", pipeline, MAX_PIPELINE) || store_check_name(s, "plan id", plan_id, MAX_PLAN_ID) ||
        store_check_len(s, "source sha256", source_sha256, 64) || store_check_len(s, "commit", commit, 64) ||
        store_check_len(s, "source path", source_path, 700))
        return -1;
    if (!plan_yaml)
        return store_fail(s, "plan %s has no text", plan_id), -1;
    deploy_ctx c = {pipeline, plan_id, plan_yaml, store_opt(source_path), store_opt(source_sha256), store_opt(commit), now_ms, 0,
                    false};
    int rc = store_transact(s, deploy_body, &c, MANY_STATEMENTS);
    if (version)
        *version = c.version;
    if (created)
        *created = c.created;
    return rc;
}

static int read_deployment(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_deployment *d = row;
    d->id = store_col_int(s, st, 0, 0);
    store_col_copy(s, st, 1, d->pipeline, sizeof d->pipeline);
    d->version = (int)store_col_int(s, st, 2, 0);
    store_col_copy(s, st, 3, d->plan_id, sizeof d->plan_id);
    store_col_copy(s, st, 4, d->source_path, sizeof d->source_path);
    store_col_copy(s, st, 5, d->source_sha256, sizeof d->source_sha256);
    store_col_copy(s, st, 6, d->commit, sizeof d->commit);
    d->deployed_at = store_col_int(s, st, 7, 0);
    return 0;
}

int flux_store_list_deployments(flux_store *s, const char *pipeline, flux_deployment **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = store_use(s, ST_DEPLOY_LIST);
    if (!st || store_bind(s, st, "s", pipeline ? pipeline : ""))
        return -1;
    return store_collect(s, st, sizeof **rows, read_deployment, NULL, (void **)rows, n, "listing deployments");
}

int flux_store_get_deployment(flux_store *s, const char *pipeline, int version, flux_deployment *row)
{
    flux_db_stmt *st = store_use(s, ST_DEPLOY_GET);
    if (!st || store_bind(s, st, "si", pipeline ? pipeline : "", (int64_t)version))
        return -1;
    memset(row, 0, sizeof *row);
    int rc = s->drv->step(st);
    if (rc == FLUX_DB_ROW)
        read_deployment(s, st, row);
    s->drv->reset(st);
    if (rc == FLUX_DB_ROW)
        return 0;
    if (rc == FLUX_DB_DONE)
        return store_fail(s, "pipeline '%s' has no version %d", pipeline ? pipeline : "", version), 1;
    return store_dbfail(s, rc, "reading a deployment"), -1;
}

typedef struct {
    const char *path, *sha, *commit, *errors;
    int64_t now;
} source_ctx;

static int bind_source(flux_store *s, flux_db_stmt *st, void *vctx)
{
    source_ctx *c = vctx;
    return store_bind(s, st, "sssis", c->sha, c->commit, c->errors, c->now, c->path);
}

static int source_body(flux_store *s, void *vctx)
{
    return upsert(s, ST_SOURCE_UPDATE, ST_SOURCE_INSERT, bind_source, vctx, "recording a source");
}

int flux_store_put_source(flux_store *s, const char *path, const char *sha256, const char *commit,
                          const char *errors, int64_t now_ms)
{
    if (store_check_name(s, "source path", path, 700) || store_check_len(s, "source sha256", sha256, 64) ||
        store_check_len(s, "commit", commit, 64))
        return -1;
    bool oom = false;
    char *e = store_utf8_fixed(errors, &oom);
    if (oom)
        return store_fail(s, "out of memory"), -1;
    source_ctx c = {path, store_opt(sha256), store_opt(commit), e ? e : errors, now_ms};
    int rc = store_transact(s, source_body, &c, MANY_STATEMENTS);
    free(e);
    return rc;
}

static int drop_source_body(flux_store *s, void *vctx)
{
    flux_db_stmt *st = store_use(s, ST_SOURCE_DELETE);
    if (!st || store_bind(s, st, "s", (const char *)vctx))
        return -1;
    return store_run_stmt(s, st, "forgetting a source");
}

int flux_store_drop_source(flux_store *s, const char *path)
{
    return store_transact(s, drop_source_body, (void *)path, ONE_STATEMENT);
}

static int read_source(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_source_row *r = row;
    bool oom = false;
    r->path = store_col_dup(s, st, 0, &oom);
    store_col_copy(s, st, 1, r->sha256, sizeof r->sha256);
    store_col_copy(s, st, 2, r->commit, sizeof r->commit);
    r->errors = store_col_dup(s, st, 3, &oom);
    r->checked_at = store_col_int(s, st, 4, 0);
    return oom || !r->path ? store_fail(s, "out of memory") : 0;
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
    flux_db_stmt *st = store_use(s, ST_SOURCES_LIST);
    if (!st)
        return -1;
    return store_collect(s, st, sizeof **rows, read_source, free_sources, (void **)rows, n, "listing sources");
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
    flux_db_stmt *st = store_use(s, c->which);
    if (!st)
        return -1;
    int rc;
    if (c->which == ST_PSRC_REMOVED && c->value == 0) { /* 'n' binds NULL and takes no argument */
        if ((rc = store_bind(s, st, "nis", c->now, c->pipeline)))
            return -1;
    } else if ((rc = store_bind(s, st, "iis", c->value, c->now, c->pipeline)))
        return -1;
    rc = s->drv->step(st);
    c->found = rc == FLUX_DB_DONE && s->drv->changes(st) > 0;
    s->drv->reset(st);
    return rc == FLUX_DB_DONE ? FLUX_DB_OK : store_dbfail(s, rc, "updating a pipeline");
}

int flux_store_set_paused(flux_store *s, const char *pipeline, bool paused, int64_t now_ms)
{
    flag_ctx c = {ST_PIPELINE_SET_PAUSED, pipeline ? pipeline : "", paused ? 1 : 0, now_ms, false};
    if (store_transact(s, flag_body, &c, ONE_STATEMENT))
        return -1;
    return c.found ? 0 : (store_fail(s, "no pipeline '%s' in the store", pipeline ? pipeline : ""), 1);
}

int flux_store_set_removed(flux_store *s, const char *pipeline, bool removed, int64_t now_ms)
{
    flag_ctx c = {ST_PSRC_REMOVED, pipeline ? pipeline : "", removed ? now_ms : 0, now_ms, false};
    if (store_transact(s, flag_body, &c, ONE_STATEMENT))
        return -1;
    return c.found ? 0 : (store_fail(s, "no source recorded for pipeline '%s'", pipeline ? pipeline : ""), 1);
}

static int read_pipeline(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_pipeline_row *r = row;
    bool oom = false;
    store_col_copy(s, st, 0, r->name, sizeof r->name);
    r->paused = store_col_int(s, st, 1, 0) != 0;
    r->source_path = store_col_dup(s, st, 2, &oom);
    r->removed = !s->drv->column_null(st, 3);
    r->version = (int)store_col_int(s, st, 4, 0);
    store_col_copy(s, st, 5, r->plan_id, sizeof r->plan_id);
    r->errors = store_col_dup(s, st, 6, &oom);
    return oom ? store_fail(s, "out of memory") : 0;
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
    flux_db_stmt *st = store_use(s, ST_PIPELINES_LIST);
    if (!st)
        return -1;
    return store_collect(s, st, sizeof **rows, read_pipeline, free_pipelines, (void **)rows, n, "listing pipelines");
}
