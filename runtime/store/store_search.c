/* store_search — the runs search of the web UI and `flux runs`: one SQL
 * query whose WHERE holds only the filters given and whose LIMIT is the
 * page, ordered newest first by (logical_date, id) and resumed after a
 * cursor of that pair; and a try found by its id alone. Texts match in
 * their case on both databases: SQLite's LIKE ignores the case of ASCII
 * letters where MySQL's (utf8mb4_bin) does not, so a containment is
 * INSTR, which both compare byte for byte here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

/* the LIKE pattern of a literal prefix ('!' escapes): pre% */
static char *like(const char *text)
{
    size_t n = strlen(text);
    char *p = malloc(2 * n + 2), *o = p;
    if (!p)
        abort();
    for (const char *c = text; *c; c++) {
        if (*c == '%' || *c == '_' || *c == '!')
            *o++ = '!';
        *o++ = *c;
    }
    *o++ = '%';
    *o = '\0';
    return p;
}

enum { MAX_ARGS = 16 };
typedef struct query {
    char sql[2048];
    const char *text[MAX_ARGS]; /* NULL: the int */
    int64_t num[MAX_ARGS];
    char *owned[1];
    int nargs, nowned;
} query;

static void add(query *q, const char *clause, const char *text, int64_t num)
{
    size_t len = strlen(q->sql);
    snprintf(q->sql + len, sizeof q->sql - len, "%s%s", strstr(q->sql, " WHERE ") ? " AND " : " WHERE ", clause);
    for (const char *c = clause; *c; c++)
        if (*c == '?' && q->nargs < MAX_ARGS) {
            q->text[q->nargs] = text;
            q->num[q->nargs++] = num;
        }
}

/* a try of the run (of the task when given) whose column holds text */
static void add_ti_text(query *q, const char *column, const char *text, const char *task)
{
    char clause[256];
    snprintf(clause, sizeof clause, "EXISTS (SELECT 1 FROM task_instances t WHERE t.run = runs.id AND INSTR(t.%s, ?) > 0%s)",
             column, task ? " AND t.task = ?" : "");
    add(q, clause, text, 0);
    if (task) /* the second '?' of the clause took text too: put the task there */
        q->text[q->nargs - 1] = task;
}

static void build(query *q, const flux_run_filter *f, size_t limit)
{
    memset(q, 0, sizeof *q);
    snprintf(q->sql, sizeof q->sql, "SELECT id FROM runs");
    if (f->pipeline)
        add(q, "pipeline = ?", f->pipeline, 0);
    if (f->state)
        add(q, "state = ?", f->state, 0);
    if (f->trigger)
        add(q, "trigger_kind = ?", f->trigger, 0);
    if (f->run_id_prefix) {
        /* LIKE lets MySQL read the (pipeline, run_id) index by range; INSTR
         * keeps the prefix's case on SQLite too */
        q->owned[q->nowned++] = like(f->run_id_prefix);
        add(q, "run_id LIKE ? ESCAPE '!' AND INSTR(run_id, ?) = 1", q->owned[q->nowned - 1], 0);
        q->text[q->nargs - 1] = f->run_id_prefix;
    }
    if (f->from)
        add(q, "interval_start >= ?", NULL, f->from);
    if (f->to)
        add(q, "interval_start <= ?", NULL, f->to);
    if (f->task && !f->field && !f->output)
        add(q, "EXISTS (SELECT 1 FROM task_instances t WHERE t.run = runs.id AND t.task = ?)", f->task, 0);
    if (f->field)
        add_ti_text(q, "rendered", f->field, f->task);
    if (f->output)
        add_ti_text(q, "outputs", f->output, f->task);
    if (f->after_id) {
        add(q, "(logical_date < ? OR (logical_date = ? AND id < ?))", NULL, f->after_date);
        q->num[q->nargs - 1] = f->after_id;
    }
    size_t len = strlen(q->sql);
    snprintf(q->sql + len, sizeof q->sql - len, " ORDER BY logical_date DESC, id DESC LIMIT ?");
    q->text[q->nargs] = NULL;
    q->num[q->nargs++] = (int64_t)limit;
}

/* the ids of one page of runs */
static int page_ids(flux_store *s, query *q, int64_t **ids, size_t *n)
{
    flux_db_stmt *st = s->drv->prepare(s->db, q->sql);
    if (!st)
        return store_dbfail(s, FLUX_DB_ERROR, "preparing the runs search");
    int rc = FLUX_DB_OK;
    for (int i = 0; i < q->nargs && rc == FLUX_DB_OK; i++)
        rc = q->text[i] ? s->drv->bind_text(st, i + 1, q->text[i]) : s->drv->bind_int(st, i + 1, q->num[i]);
    size_t cap = (size_t)q->num[q->nargs - 1];
    *ids = malloc((cap ? cap : 1) * sizeof **ids);
    *n = 0;
    if (!*ids)
        abort();
    while (rc == FLUX_DB_OK && (rc = s->drv->step(st)) == FLUX_DB_ROW) {
        if (*n < cap)
            (*ids)[(*n)++] = s->drv->column_int(st, 0);
        rc = FLUX_DB_OK;
    }
    int r = rc == FLUX_DB_DONE ? 0 : store_dbfail(s, rc, "searching runs");
    s->drv->finalize(st);
    return r;
}

int flux_store_search_runs(flux_store *s, const flux_run_filter *f, size_t limit, flux_run_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    if (!s->in_txn && s->drv->gone(s->db) && store_reopen(s) != 0)
        return -1;
    query q;
    build(&q, f, limit ? limit : 50);
    int64_t *ids = NULL;
    size_t nids = 0;
    int r = page_ids(s, &q, &ids, &nids);
    for (int i = 0; i < q.nowned; i++)
        free(q.owned[i]);
    if (r) {
        free(ids);
        return -1;
    }
    flux_run_row *out = calloc(nids ? nids : 1, sizeof *out);
    if (!out)
        abort();
    for (size_t i = 0; i < nids && !r; i++)
        r = flux_store_get_run(s, ids[i], &out[i]) == 0 ? 0 : -1;
    free(ids);
    if (r) {
        free(out);
        return -1;
    }
    *rows = out;
    *n = nids;
    return 0;
}

int flux_store_get_ti(flux_store *s, int64_t ti, flux_ti_row *row)
{
    if (!s->in_txn && s->drv->gone(s->db) && store_reopen(s) != 0)
        return -1;
    flux_db_stmt *st = s->drv->prepare(s->db, "SELECT run FROM task_instances WHERE id = ?");
    if (!st)
        return store_dbfail(s, FLUX_DB_ERROR, "preparing a query");
    int64_t run = 0;
    int rc = s->drv->bind_int(st, 1, ti);
    if (rc == FLUX_DB_OK && (rc = s->drv->step(st)) == FLUX_DB_ROW)
        run = s->drv->column_int(st, 0);
    s->drv->finalize(st);
    if (rc != FLUX_DB_ROW && rc != FLUX_DB_DONE)
        return store_dbfail(s, rc, "reading a task instance");
    if (!run) {
        store_fail(s, "no task instance %lld", (long long)ti);
        return 1;
    }
    flux_ti_row *rows;
    size_t n;
    if (flux_store_list_tis(s, run, &rows, &n) != 0)
        return -1;
    int found = 1;
    for (size_t i = 0; i < n; i++)
        if (rows[i].id == ti) {
            *row = rows[i];
            memset(&rows[i], 0, sizeof rows[i]); /* its strings are now row's */
            found = 0;
        }
    flux_ti_rows_free(rows, n);
    return found;
}
