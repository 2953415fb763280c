/* file_to_mysql — CSV or JSON Lines files (a path or a glob) into a MySQL
 * table. Every record is loaded or rejected with its reason and place; all
 * files go in ONE transaction (with the interval's DELETE in replace_interval
 * mode), so a failed try leaves nothing behind and its retry neither
 * duplicates nor loses a row. */
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mysqlload.h"
#include "operators.h"
#include "mysqltls.h"
#include "opkit.h"
#include "records.h"

typedef struct colmap {
    const char *col;
    const char *field; /* CSV field name, JSON field name or JSONPath */
    bool path;         /* field is a JSONPath (jsonl with columns given) */
} colmap;

typedef struct load {
    const opkit_task *t;
    MYSQL *db;
    sqlite3 *lite; /* a SQLite target standing in for MySQL (the embedded default) */
    mysqlload *ml;
    opkit_rejects *rej;
    records_format fmt;
    colmap *map;
    size_t nmap;
    char **owned; /* column names taken from a header or a first record */
    size_t nowned;
    int64_t batch;
    int64_t read, written;
    const char *table;
} load;

static bool lost_connection(MYSQL *db)
{
    unsigned e = mysql_errno(db);
    return e == 2006 || e == 2013 || e == 2055;
}

static int add_owned(load *L, const char *name)
{
    char **o = realloc(L->owned, (L->nowned + 1) * sizeof *o);
    if (!o)
        return -1;
    L->owned = o;
    L->owned[L->nowned] = strdup(name);
    if (!L->owned[L->nowned])
        return -1;
    return (int)L->nowned++;
}

/* The columns when the task names none: the CSV header's names, or the
 * fields of the first JSON object. 0, or -1 after saying why. */
static int default_columns(load *L, const char *file, records_reader *r, json_t *first)
{
    size_t n = 0;
    const char *const *h = records_header(r, &n);
    if (L->fmt == RECORDS_CSV) {
        if (!h) {
            fprintf(stderr, "flux: %s: header = false, so the task must name its columns (columns = { col = \"1\" })\n",
                    file);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            if (add_owned(L, h[i]) < 0)
                return -1;
    } else {
        if (!json_is_object(first)) {
            fprintf(stderr,
                    "flux: %s, line %" PRId64 ": the first record is not a JSON object, so the columns cannot be "
                    "taken from its fields: name them with columns = { col = \"$.path\" }\n",
                    file, records_line(r));
            return -1;
        }
        const char *k;
        json_t *v;
        json_object_foreach(first, k, v) {
            if (add_owned(L, k) < 0)
                return -1;
        }
    }
    if (L->nowned == 0) {
        fprintf(stderr, "flux: %s: no field to load\n", file);
        return -1;
    }
    L->map = calloc(L->nowned, sizeof *L->map);
    if (!L->map)
        return -1;
    L->nmap = L->nowned;
    for (size_t i = 0; i < L->nowned; i++)
        L->map[i] = (colmap){L->owned[i], L->owned[i], false};
    return 0;
}

static int open_loader(load *L)
{
    const char **cols = calloc(L->nmap, sizeof *cols);
    if (!cols)
        return -1;
    for (size_t i = 0; i < L->nmap; i++)
        cols[i] = L->map[i].col;
    char err[1024];
    L->ml = L->lite ? mysqlload_open_sqlite(L->lite, L->table, cols, L->nmap, err, sizeof err)
                    : mysqlload_open(L->db, L->table, cols, L->nmap, err, sizeof err);
    free(cols);
    if (!L->ml) {
        fprintf(stderr, "flux: %s\n", err);
        return -1;
    }
    return 0;
}

static int flush(load *L)
{
    int64_t w = 0;
    char err[1024];
    if (mysqlload_flush(L->ml, &w, err, sizeof err)) {
        fprintf(stderr, "flux: %s%s\n", err,
                L->db && lost_connection(L->db)
                    ? " (the connection to MySQL was lost; a retry of the task reloads everything)"
                    : "");
        return -1;
    }
    L->written += w;
    return 0;
}

static int reject(load *L, const char *file, int64_t line, const char *why, const char *raw, size_t rawlen)
{
    json_t *where = json_pack("{s:s, s:I}", "file", file, "line", (json_int_t)line);
    if (opkit_reject(L->rej, why, where, raw, rawlen)) {
        fprintf(stderr, "flux: writing the reject file: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

/* One file. 0, or -1 (the task fails: I/O, server) after saying why. */
static int load_file(load *L, const char *file, int64_t *records, int64_t *bytes)
{
    char err[1024];
    bool header = opkit_bool(L->t, "header", true);
    const char *d = opkit_str(L->t, "delimiter");
    records_reader *r = records_open(file, L->fmt, header, d && *d ? d[0] : ',', err, sizeof err);
    if (!r) {
        fprintf(stderr, "flux: %s\n", err);
        return -1;
    }
    char miss[600], what[300];
    for (size_t i = 0; L->map && L->fmt == RECORDS_CSV && i < L->nmap; i++) {
        snprintf(what, sizeof what, "for column '%s'", L->map[i].col);
        if (!records_has_field(r, L->map[i].field, what, miss, sizeof miss)) {
            /* every record would lack it: a mistake in the task, not in the data */
            fprintf(stderr, "flux: %s: %s\n", file, miss);
            records_close(r);
            return -1;
        }
    }
    int64_t before = L->read;
    int rc = 0;
    for (;;) {
        json_t *rec;
        const char *raw;
        size_t rawlen;
        char why[1024];
        int n = records_next(r, &rec, &raw, &rawlen, why, sizeof why);
        if (n == 0)
            break;
        if (n == -2) {
            fprintf(stderr, "flux: %s\n", why);
            rc = -1;
            break;
        }
        L->read++;
        if (n < 0) {
            if (reject(L, file, records_line(r), why, raw, rawlen)) {
                rc = -1;
                break;
            }
            continue;
        }
        if (!L->map && default_columns(L, file, r, rec)) {
            json_decref(rec);
            rc = -1;
            break;
        }
        if (!L->ml && open_loader(L)) {
            json_decref(rec);
            rc = -1;
            break;
        }
        json_t *vals[L->nmap];
        const char *missing = NULL;
        for (size_t i = 0; i < L->nmap; i++) {
            if (L->map[i].path)
                vals[i] = opkit_jsonpath(rec, L->map[i].field);
            else
                vals[i] = json_is_object(rec) ? json_object_get(rec, L->map[i].field) : NULL;
            if (!vals[i] && !missing) {
                missing = L->map[i].field;
                if (L->fmt == RECORDS_CSV)
                    snprintf(why, sizeof why, "missing field '%s' (column '%s')", missing, L->map[i].col);
                else if (L->map[i].path)
                    snprintf(why, sizeof why, "missing %s (column '%s')", missing, L->map[i].col);
                else
                    snprintf(why, sizeof why, "missing $.%s (column '%s')", missing, L->map[i].col);
            }
        }
        int bad = missing ? -1 : mysqlload_add(L->ml, vals, L->fmt == RECORDS_CSV, why, sizeof why);
        json_decref(rec);
        if (bad) {
            if (reject(L, file, records_line(r), why, raw, rawlen)) {
                rc = -1;
                break;
            }
            continue;
        }
        if ((int64_t)mysqlload_pending(L->ml) >= L->batch && flush(L)) {
            rc = -1;
            break;
        }
    }
    *records = L->read - before;
    *bytes = records_bytes(r);
    records_close(r);
    return rc;
}

/* The connection, waiting up to 30 s while the server refuses connections:
 * a retry that comes right after a server restart (crash recovery takes
 * seconds) should find it back, not spend its try. Other errors (a wrong
 * password, an unknown database) fail at once. */
static MYSQL *connect_waiting(const flux_conn *c)
{
    for (int waited = 0;; waited++) {
        MYSQL *db = opkit_mysql_connect(c, true);
        if (db || waited >= 60)
            return db;
        MYSQL *probe = mysql_init(NULL);
        if (!probe)
            return NULL;
        unsigned int timeout = 5;
        mysql_options(probe, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
        char why[600];
        mysqltls_stage got = mysqltls_connect(probe, c, 0, why, sizeof why);
        bool up = got == MYSQLTLS_OK || got == MYSQLTLS_REFUSED;
        unsigned e = mysql_errno(probe);
        mysql_close(probe);
        /* 2002/2003: nothing listens yet; 1040: too many connections; 2013:
         * the server went away while we connected */
        if (up || (e != 2002 && e != 2003 && e != 2013 && e != 1040))
            return NULL;
        if (waited == 0)
            fprintf(stderr, "flux: waiting up to 30 s for '%s' to accept connections\n", c->name);
        struct timespec ts = {0, 500 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* The SQLite stand-in, in one write transaction like MySQL's. */
static sqlite3 *open_sqlite(const flux_conn *c)
{
    sqlite3 *db = NULL;
    if (!c->database) {
        fprintf(stderr, "flux: connection '%s' names no database file\n", c->name);
        return NULL;
    }
    if (sqlite3_open_v2(c->database, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(db, 10000) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "flux: cannot open the SQLite database %s: %s\n", c->database,
                db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* `columns`: each column's field name (CSV) or JSONPath (JSON Lines). */
static int read_columns(load *L, const opkit_task *t, char *err, size_t errlen)
{
    json_t *cols = opkit_field(t, "columns");
    if (json_is_object(cols) && json_object_size(cols)) {
        L->nmap = json_object_size(cols);
        L->map = calloc(L->nmap, sizeof *L->map);
        if (!L->map)
            return OPKIT_FAILED;
        size_t i = 0;
        const char *k;
        json_t *v;
        json_object_foreach(cols, k, v) {
            const char *f = json_string_value(v);
            if (!f) {
                fprintf(stderr, "flux: columns: the value of '%s' must be a string (a field name or JSONPath)\n", k);
                free(L->map);
                return OPKIT_BAD_TASK;
            }
            bool path = L->fmt == RECORDS_JSONL;
            if (path && opkit_jsonpath_check(f, err, errlen)) {
                fprintf(stderr, "flux: columns: '%s' = \"%s\": %s\n", k, f, err);
                free(L->map);
                return OPKIT_BAD_TASK;
            }
            L->map[i++] = (colmap){k, f, path};
        }
    }
    return OPKIT_OK;
}

/* The end of a load, whatever happened: a failed one rolled back, every
 * handle closed. */
static void load_end(load *L, const char *table, bool ok)
{
    if (!ok && L->lite) {
        sqlite3_exec(L->lite, "ROLLBACK", NULL, NULL, NULL);
        fprintf(stderr, "flux: file_to_mysql into %s failed: rolled back, no row of this try was kept\n", table);
    }
    /* the loader's statement first: a SQLite handle with a live statement does not close */
    mysqlload_close(L->ml);
    L->ml = NULL;
    if (L->lite)
        sqlite3_close(L->lite);
    if (!ok && L->db) {
        mysql_rollback(L->db);
        fprintf(stderr, "flux: file_to_mysql into %s failed: rolled back, no row of this try was kept\n", table);
    }
    if (L->rej)
        opkit_rejects_close(L->rej);
    if (L->db)
        mysql_close(L->db);
    mysqlload_close(L->ml);
    free(L->map);
    for (size_t i = 0; i < L->nowned; i++)
        free(L->owned[i]);
    free(L->owned);
}

/* The lineage of a committed load: each file read (size, sha256, records)
 * and the table written. */
static void load_lineage(const load *L, const flux_conn *c, const char *table, const glob_t *g,
                         const int64_t *frecords)
{
    for (size_t i = 0; i < g->gl_pathc; i++) {
        char abs[PATH_MAX], sha[65];
        int64_t size = 0;
        if (!realpath(g->gl_pathv[i], abs))
            snprintf(abs, sizeof abs, "%s", g->gl_pathv[i]);
        if (opkit_file_sha256(g->gl_pathv[i], sha, &size))
            snprintf(sha, sizeof sha, "unknown");
        opkit_lineage("read", "file", abs,
                      json_pack("{s:I, s:s, s:I}", "size", (json_int_t)size, "sha256", sha, "records",
                                (json_int_t)frecords[i]));
    }
    char name[300];
    if (strchr(table, '.'))
        snprintf(name, sizeof name, "%s", table);
    else if (L->lite) { /* the database file's name stands for the database */
        const char *base = strrchr(c->database, '/') ? strrchr(c->database, '/') + 1 : c->database;
        const char *dot = strrchr(base, '.');
        snprintf(name, sizeof name, "%.*s.%s", (int)(dot ? (size_t)(dot - base) : strlen(base)), base, table);
    } else
        snprintf(name, sizeof name, "%s.%s", c->database ? c->database : "", table);
    opkit_lineage("write", "table", name,
                  json_pack("{s:I, s:s}", "rows", (json_int_t)L->written, "conn", c->name));
}

/* replace_interval: the rows of the run's interval deleted first, in the
 * load's transaction. -1 after printing why. */
static int delete_interval(load *L, const opkit_task *t, const char *table, const char *time_col, int64_t *deleted,
                           char *err, size_t errlen)
{
    if (L->lite ? mysqlload_delete_interval_sqlite(L->lite, table, time_col, t->interval_start_ms,
                                                   t->interval_end_ms, deleted, err, errlen)
                : mysqlload_delete_interval(L->db, table, time_col, t->interval_start_ms, t->interval_end_ms,
                                            deleted, err, errlen)) {
        fprintf(stderr, "flux: %s\n", err);
        return -1;
    }
    char a[32], b[32];
    opkit_iso(t->interval_start_ms, a);
    opkit_iso(t->interval_end_ms, b);
    printf("flux: replace_interval: %" PRId64 " rows of [%s, %s) deleted before loading (same transaction)\n",
           *deleted, a, b);
    return 0;
}

int op_run_file_to_mysql(const opkit_task *t)
{
    const char *pattern = opkit_need(t, "path");
    const char *table = pattern ? opkit_need(t, "table") : NULL;
    if (!table)
        return OPKIT_BAD_TASK;
    load L = {.t = t, .table = table};
    char err[1024];
    if (records_task_format(t, pattern, &L.fmt))
        return OPKIT_BAD_TASK;
    char qt[300];
    if (mysqlload_quote_table(table, qt, sizeof qt)) {
        fprintf(stderr, "flux: table '%s' is not a plain name (name or database.name)\n", table);
        return OPKIT_BAD_TASK;
    }
    const char *mode = opkit_str(t, "mode");
    bool replace = mode && !strcmp(mode, "replace_interval");
    const char *time_col = opkit_str(t, "time_column");
    if (replace && !time_col) {
        fprintf(stderr, "flux: mode = \"replace_interval\" needs time_column: the column holding each row's time\n");
        return OPKIT_BAD_TASK;
    }
    L.batch = opkit_int(t, "batch_size", 1000);
    if (L.batch < 1) {
        fprintf(stderr, "flux: batch_size must be at least 1\n");
        return OPKIT_BAD_TASK;
    }
    int crc = read_columns(&L, t, err, sizeof err);
    if (crc != OPKIT_OK)
        return crc;
    glob_t g;
    int grc = glob(pattern, 0, NULL, &g);
    if (grc != 0 || g.gl_pathc == 0) {
        fprintf(stderr, "flux: no file matches '%s'%s\n", pattern,
                grc == GLOB_NOMATCH || grc == 0 ? "" : " (the pattern could not be read)");
        if (grc == 0)
            globfree(&g);
        free(L.map);
        return OPKIT_FAILED;
    }
    qsort(g.gl_pathv, g.gl_pathc, sizeof *g.gl_pathv, cmp_str);
    const flux_conn *c = opkit_conn(t, "target", NULL);
    if (c && (!c->type || (strcmp(c->type, "mysql") && strcmp(c->type, "sqlite")))) {
        fprintf(stderr, "flux: target = \"%s\" is a %s connection; file_to_mysql needs mysql (or sqlite standing in)\n",
                c->name, c->type ? c->type : "typeless");
        c = NULL;
    }
    if (!c) {
        globfree(&g);
        free(L.map);
        return OPKIT_BAD_TASK;
    }
    int status = OPKIT_FAILED;
    int64_t bytes = 0, deleted = 0;
    int64_t *frecords = calloc(g.gl_pathc, sizeof *frecords);
    L.rej = opkit_rejects_open(opkit_str(t, "reject_file"), 0);
    if (!strcmp(c->type, "sqlite"))
        L.lite = L.rej && frecords ? open_sqlite(c) : NULL;
    else
        L.db = L.rej && frecords ? connect_waiting(c) : NULL;
    if (!L.db && !L.lite)
        goto out;
    if (replace && delete_interval(&L, t, table, time_col, &deleted, err, sizeof err))
        goto out;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        int64_t fb = 0;
        if (load_file(&L, g.gl_pathv[i], &frecords[i], &fb))
            goto out;
        bytes += fb;
    }
    if (!L.ml && L.read > opkit_rejects_count(L.rej)) {
        fprintf(stderr, "flux: internal error: records read but no loader opened\n");
        goto out;
    }
    if (L.ml && flush(&L))
        goto out;
    int64_t rejected = opkit_rejects_count(L.rej);
    int rclose = opkit_rejects_close(L.rej);
    L.rej = NULL;
    if (rclose)
        goto out;
    /* reconciled before the commit: a load that lost a record keeps nothing */
    if (L.read != L.written + rejected) {
        opkit_counts(L.read, L.written, rejected, bytes);
        fprintf(stderr, "flux: rolled back: nothing of this task was kept\n");
        goto out;
    }
    if (L.lite && sqlite3_exec(L.lite, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "flux: committing the load into %s: %s\n", table, sqlite3_errmsg(L.lite));
        goto out;
    }
    if (L.db && mysql_commit(L.db)) {
        fprintf(stderr, "flux: committing the load into %s: %s%s\n", table, mysql_error(L.db),
                lost_connection(L.db) ? " (the connection to MySQL was lost; a retry reloads everything)" : "");
        goto out;
    }
    opkit_counts(L.read, L.written, rejected, bytes);
    load_lineage(&L, c, table, &g, frecords);
    opkit_output("rows_loaded", "%" PRId64, L.written);
    if (replace)
        opkit_output("rows_deleted", "%" PRId64, deleted);
    status = OPKIT_OK;
out:
    load_end(&L, table, status == OPKIT_OK);
    free(frecords);
    globfree(&g);
    return status;
}
