/* store_search — the runs search of the web UI and `flux runs`: one SQL
 * query whose WHERE holds only the filters given and whose LIMIT is the
 * page, ordered newest first by (logical_date, id) and resumed after a
 * cursor of that pair (a text filter looks in a window of runs when the
 * caller gives one); and a try found by its id alone. Texts match in
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

enum { MAX_ARGS = 20 };
typedef struct query {
    char sql[2400];
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

/* a try of the run (of the task when given) whose column holds text. A
 * count, not EXISTS: MariaDB makes an EXISTS a semi-join and may read
 * every try of the store into a table to join a window's runs with; a
 * count is looked up run by run, through the tries' (run, ...) index */
static void add_ti_text(query *q, const char *column, const char *text, const char *task)
{
    char clause[256];
    snprintf(clause, sizeof clause, "(SELECT COUNT(*) FROM task_instances t WHERE t.run = runs.id AND INSTR(t.%s, ?) > 0%s) > 0",
             column, task ? " AND t.task = ?" : "");
    add(q, clause, text, 0);
    if (task) /* the second '?' of the clause took text too: put the task there */
        q->text[q->nargs - 1] = task;
}

static void free_query(query *q)
{
    for (int i = 0; i < q->nowned; i++)
        free(q->owned[i]);
    q->nowned = 0;
}

static bool has_text(const flux_run_filter *f)
{
    return f->field || f->output;
}

/* select, then the filters that indexes answer (not the texts), and the
 * cursor: the runs the search walks, newest first */
static void build_walk(query *q, const flux_run_filter *f, const char *select)
{
    memset(q, 0, sizeof *q);
    snprintf(q->sql, sizeof q->sql, "%s FROM runs", select);
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
    if (f->task && !has_text(f))
        add(q, "EXISTS (SELECT 1 FROM task_instances t WHERE t.run = runs.id AND t.task = ?)", f->task, 0);
    if (f->after_id) {
        add(q, "(logical_date < ? OR (logical_date = ? AND id < ?))", NULL, f->after_date);
        q->num[q->nargs - 1] = f->after_id;
    }
}

static void order_limit(query *q, int64_t limit, int64_t offset)
{
    size_t len = strlen(q->sql);
    snprintf(q->sql + len, sizeof q->sql - len, " ORDER BY logical_date DESC, id DESC LIMIT ?%s",
             offset ? " OFFSET ?" : "");
    q->text[q->nargs] = NULL;
    q->num[q->nargs++] = limit;
    if (offset) {
        q->text[q->nargs] = NULL;
        q->num[q->nargs++] = offset;
    }
}

static flux_db_stmt *prepared(flux_store *s, const query *q)
{
    flux_db_stmt *st = s->drv->prepare(s->db, q->sql);
    if (!st) {
        store_dbfail(s, FLUX_DB_ERROR, "preparing the runs search");
        return NULL;
    }
    int rc = FLUX_DB_OK;
    for (int i = 0; i < q->nargs && rc == FLUX_DB_OK; i++)
        rc = q->text[i] ? s->drv->bind_text(st, i + 1, q->text[i]) : s->drv->bind_int(st, i + 1, q->num[i]);
    if (rc != FLUX_DB_OK) {
        store_dbfail(s, rc, "binding the runs search");
        s->drv->finalize(st);
        return NULL;
    }
    return st;
}

/* the last run of the window: the window-th the walk meets; 0 and
 * bound->id 0 when the walk ends before */
static int window_end(flux_store *s, const flux_run_filter *f, flux_run_key *bound)
{
    query q;
    build_walk(&q, f, "SELECT logical_date, id");
    order_limit(&q, 1, (int64_t)f->window - 1);
    flux_db_stmt *st = prepared(s, &q); /* binds q's texts: they live until finalize */
    memset(bound, 0, sizeof *bound);
    int rc = st ? s->drv->step(st) : FLUX_DB_ERROR;
    if (rc == FLUX_DB_ROW) {
        bound->logical_date = s->drv->column_int(st, 0);
        bound->id = s->drv->column_int(st, 1);
    }
    if (st)
        s->drv->finalize(st);
    free_query(&q);
    if (!st)
        return -1;
    return rc == FLUX_DB_ROW || rc == FLUX_DB_DONE ? 0 : store_dbfail(s, rc, "searching runs");
}

/* One query: the runs themselves, not their ids to read one by one. With a
 * text filter and a window, the texts are looked for in the window's runs
 * only (an index finds where it ends), so a text no run has costs one
 * window's tries, not the store's: the caller goes on from *more. */
int flux_store_search_runs(flux_store *s, const flux_run_filter *f, size_t limit, flux_run_row **rows, size_t *n,
                           flux_run_key *more)
{
    *rows = NULL;
    *n = 0;
    memset(more, 0, sizeof *more);
    if (!s->in_txn && s->drv->gone(s->db) && store_reopen(s) != 0)
        return -1;
    if (!limit)
        limit = 50;
    flux_run_key bound = {0};
    if (has_text(f) && f->window && window_end(s, f, &bound) != 0)
        return -1;
    query q;
    build_walk(&q, f, "SELECT " STORE_RUN_COLS);
    if (bound.id) { /* a range of dates, which the date indexes walk, less the window's last date's runs past it */
        add(&q, "logical_date >= ? AND NOT (logical_date = ? AND id < ?)", NULL, bound.logical_date);
        q.num[q.nargs - 1] = bound.id;
    }
    if (f->field)
        add_ti_text(&q, "rendered", f->field, f->task);
    if (f->output)
        add_ti_text(&q, "outputs", f->output, f->task);
    order_limit(&q, (int64_t)limit, 0);
    flux_db_stmt *st = prepared(s, &q); /* binds q's texts: they live until finalize */
    if (!st) {
        free_query(&q);
        return -1;
    }
    flux_run_row *out = calloc(limit, sizeof *out);
    if (!out)
        abort();
    size_t got = 0;
    int rc = FLUX_DB_ROW, r = 0;
    while (!r && got < limit && (rc = s->drv->step(st)) == FLUX_DB_ROW)
        r = store_read_run(s, st, &out[got++]);
    if (!r && rc != FLUX_DB_ROW && rc != FLUX_DB_DONE)
        r = store_dbfail(s, rc, "searching runs");
    s->drv->finalize(st);
    free_query(&q);
    if (r) {
        free(out);
        return -1;
    }
    if (bound.id && got < limit)
        *more = bound;
    *rows = out;
    *n = got;
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
