/* mysql_to_file — the rows of a MySQL query into a CSV or JSON Lines file.
 * Rows are streamed (mysql_use_result: a large result is never held in
 * memory) into a file written aside and renamed, so the target holds the
 * whole result of one run or is left as it was. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mysqlload.h"
#include "operators.h"
#include "opkit.h"
#include "plan.h"
#include "records.h"

int op_run_mysql_to_file(const opkit_task *t)
{
    const char *sql = opkit_need(t, "sql");
    const char *path = sql ? opkit_need(t, "path") : NULL;
    if (!path)
        return OPKIT_BAD_TASK;
    char err[1024];
    records_format fmt;
    if (records_task_format(t, path, &fmt))
        return OPKIT_BAD_TASK;
    const char *d = opkit_str(t, "delimiter");
    const flux_conn *c = opkit_conn(t, "source", "mysql");
    if (!c)
        return OPKIT_BAD_TASK;
    MYSQL *db = opkit_mysql_connect(c, false);
    if (!db)
        return OPKIT_FAILED;
    if (mysql_query(db, sql)) {
        fprintf(stderr, "flux: mysql_to_file: the query failed on '%s': %s\n", c->name, mysql_error(db));
        mysql_close(db);
        return OPKIT_FAILED;
    }
    MYSQL_RES *res = mysql_use_result(db);
    if (!res) {
        fprintf(stderr, "flux: mysql_to_file: the SQL returns no rows%s%s (it must be a query such as SELECT)\n",
                mysql_errno(db) ? ": " : "", mysql_errno(db) ? mysql_error(db) : "");
        mysql_close(db);
        return OPKIT_FAILED;
    }
    unsigned nf = mysql_num_fields(res);
    MYSQL_FIELD *fields = mysql_fetch_fields(res);
    const char **cols = calloc(nf ? nf : 1, sizeof *cols);
    json_t **vals = calloc(nf ? nf : 1, sizeof *vals);
    records_writer *w = NULL;
    int status = OPKIT_FAILED;
    int64_t rows = 0;
    if (!cols || !vals) {
        fprintf(stderr, "flux: out of memory\n");
        goto out;
    }
    for (unsigned i = 0; i < nf; i++)
        cols[i] = fields[i].name;
    w = records_create(path, fmt, opkit_bool(t, "header", true), d && *d ? d[0] : ',', cols, nf, err, sizeof err);
    if (!w) {
        fprintf(stderr, "flux: %s\n", err);
        goto out;
    }
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res))) {
        unsigned long *len = mysql_fetch_lengths(res);
        mysqlload_row_json(fields, nf, row, len, vals);
        int rc = records_write(w, vals, err, sizeof err);
        for (unsigned i = 0; i < nf; i++)
            json_decref(vals[i]);
        if (rc) {
            fprintf(stderr, "flux: %s\n", err);
            goto out;
        }
        rows++;
    }
    /* the end of rows or a lost connection look alike: ask */
    if (mysql_errno(db)) {
        fprintf(stderr, "flux: mysql_to_file: reading the rows from '%s' failed after %" PRId64 " rows: %s\n",
                c->name, rows, mysql_error(db));
        goto out;
    }
    int64_t written = 0, size = 0;
    char sha[65];
    int rc = records_commit(w, &written, &size, sha, err, sizeof err);
    w = NULL;
    if (rc) {
        fprintf(stderr, "flux: %s\n", err);
        goto out;
    }
    if (opkit_counts(rows, written, 0, size))
        goto out;
    char qsha[65], abs[PATH_MAX];
    flux_sha256_hex(sql, strlen(sql), qsha);
    opkit_lineage("read", "query", c->name, json_pack("{s:s, s:I}", "sql_sha256", qsha, "rows", (json_int_t)rows));
    if (!realpath(path, abs))
        snprintf(abs, sizeof abs, "%s", path);
    opkit_lineage("write", "file", abs,
                  json_pack("{s:I, s:s, s:I}", "size", (json_int_t)size, "sha256", sha, "records", (json_int_t)written));
    opkit_output("rows", "%" PRId64, rows);
    opkit_output("path", "%s", abs);
    status = OPKIT_OK;
out:
    records_abort(w);
    mysql_free_result(res);
    mysql_close(db);
    free(cols);
    free(vals);
    return status;
}
