/* mysql_to_kafka — the rows of a MySQL query to a Kafka topic, each row as
 * one JSON object {column: value} (typed by mysqlload_row_json: numbers as
 * numbers, DATETIME as ISO 8601 UTC, NULL as null), keyed by a column when
 * asked. Rows are streamed (mysql_use_result): a large result never sits in
 * memory. A row whose key column is NULL is rejected (counted and logged),
 * since sending it unkeyed would silently change its partition. A row
 * counts as written only once its delivery report arrived; read = written +
 * rejected or the task fails. A failed try may have delivered part of the
 * rows, and its retry sends them again (at least once). */
#include <stdlib.h>
#include <string.h>

#include "mysqlload.h"
#include "operators.h"
#include "opkit.h"
#include "plan.h"
#include "suggest.h"

/* A key's bytes: a string as it is, any other value as compact JSON; NULL for
 * SQL NULL. Free with free(). */
static char *key_text(json_t *v, size_t *len)
{
    if (!v || json_is_null(v))
        return NULL;
    char *s = json_is_string(v) ? strndup(json_string_value(v), json_string_length(v))
                                : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s)
        *len = json_is_string(v) ? json_string_length(v) : strlen(s);
    return s;
}

/* The index of the key column, or -1 after saying it is not in the result. */
static int key_index(MYSQL_FIELD *fields, unsigned nf, const char *key)
{
    for (unsigned i = 0; i < nf; i++)
        if (strcmp(fields[i].name, key) == 0)
            return (int)i;
    const char **names = calloc(nf ? nf : 1, sizeof *names);
    for (unsigned i = 0; names && i < nf; i++)
        names[i] = fields[i].name;
    const char *best = names ? flux_suggest(key, names, nf) : NULL;
    fprintf(stderr, "flux: key = \"%s\": the query's result has no column '%s'%s%s%s\n", key, key,
            best ? "; did you mean '" : "", best ? best : "", best ? "'?" : "");
    free(names);
    return -1;
}

/* Streams the rows into the producer. 0, or -1 after saying why. */
static int send_rows(MYSQL *db, const flux_conn *src, const char *key, opkit_producer *prod, opkit_rejects *rej,
                     int64_t *read, int64_t *bytes, bool *bad_task)
{
    MYSQL_RES *res = mysql_use_result(db);
    if (!res) {
        if (mysql_field_count(db) == 0) {
            fprintf(stderr, "flux: sql returned no rows: mysql_to_kafka needs a query (SELECT ...)\n");
            *bad_task = true;
        } else {
            fprintf(stderr, "flux: reading the result from '%s': %s\n", src->name, mysql_error(db));
        }
        return -1;
    }
    unsigned nf = mysql_num_fields(res);
    MYSQL_FIELD *fields = mysql_fetch_fields(res);
    /* one JSON object per row: a second column of the same name would
     * overwrite the first without a word */
    for (unsigned i = 0; i < nf; i++)
        for (unsigned j = 0; j < i; j++)
            if (strcmp(fields[i].name, fields[j].name) == 0) {
                fprintf(stderr, "flux: the query's result has two columns named '%s' (columns %u and %u): give "
                                "one another name with AS\n",
                        fields[i].name, j + 1, i + 1);
                *bad_task = true;
                mysql_free_result(res);
                return -1;
            }
    int k = -1;
    if (key && (k = key_index(fields, nf, key)) < 0) {
        *bad_task = true;
        mysql_free_result(res);
        return -1;
    }
    json_t **vals = calloc(nf ? nf : 1, sizeof *vals);
    if (!vals) {
        fputs("flux: out of memory\n", stderr);
        mysql_free_result(res);
        return -1;
    }
    int rc = 0;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res))) {
        unsigned long *len = mysql_fetch_lengths(res);
        (*read)++;
        for (unsigned i = 0; i < nf; i++)
            *bytes += (int64_t)len[i];
        mysqlload_row_json(fields, nf, row, len, vals);
        json_t *obj = json_object();
        for (unsigned i = 0; i < nf; i++)
            json_object_set(obj, fields[i].name, vals[i]);
        char *kt = NULL;
        size_t klen = 0;
        if (k >= 0 && !(kt = key_text(vals[k], &klen))) {
            char *text = json_dumps(obj, JSON_COMPACT), why[300];
            snprintf(why, sizeof why, "row %lld: the key column '%s' is NULL", (long long)*read, key);
            rc = opkit_reject(rej, why, json_pack("{s:I}", "row", (json_int_t)*read), text, text ? strlen(text) : 0);
            free(text);
        } else {
            char *value = json_dumps(obj, JSON_COMPACT);
            rc = value ? opkit_produce(prod, kt, klen, value, strlen(value), NULL) : -1;
            if (!value)
                fputs("flux: out of memory encoding a row\n", stderr);
            free(value);
        }
        free(kt);
        json_decref(obj);
        for (unsigned i = 0; i < nf; i++)
            json_decref(vals[i]);
        if (rc)
            break;
    }
    /* NULL from mysql_fetch_row is the end or a lost connection: only errno tells */
    if (!rc && mysql_errno(db)) {
        fprintf(stderr, "flux: reading row %lld from '%s': %s\n", (long long)*read + 1, src->name, mysql_error(db));
        rc = -1;
    }
    free(vals);
    mysql_free_result(res);
    return rc;
}

int op_run_mysql_to_kafka(const opkit_task *t)
{
    const char *sql = opkit_need(t, "sql");
    const char *topic = sql ? opkit_need_text(t, "topic") : NULL;
    if (!topic)
        return OPKIT_BAD_TASK;
    const char *key = opkit_str(t, "key");
    if (key && !*key)
        key = NULL;
    const flux_conn *src = opkit_conn(t, "source", "mysql");
    const flux_conn *dst = src ? opkit_conn(t, "target", "kafka") : NULL;
    if (!dst)
        return OPKIT_BAD_TASK;
    MYSQL *db = opkit_mysql_connect(src, false);
    if (!db)
        return OPKIT_FAILED;
    int status = OPKIT_FAILED;
    opkit_rejects *rej = opkit_rejects_open(NULL, 0);
    opkit_producer *prod = rej ? opkit_producer_new(dst, topic) : NULL;
    if (!prod)
        goto out;
    if (mysql_real_query(db, sql, strlen(sql))) {
        fprintf(stderr, "flux: the query failed on '%s': %s\n", src->name, mysql_error(db));
        int64_t ignored;
        opkit_producer_finish(prod, 1000, &ignored);
        goto out;
    }
    int64_t read = 0, bytes = 0, written = 0;
    bool bad_task = false;
    int failed = send_rows(db, src, key, prod, rej, &read, &bytes, &bad_task);
    /* a little past message.timeout.ms, so each failure is reported with its reason */
    int fin = opkit_producer_finish(prod, 60000, &written);
    int64_t rejected = opkit_rejects_count(rej);
    if (failed || fin) {
        if (bad_task && read == 0) {
            status = OPKIT_BAD_TASK;
            goto out;
        }
        opkit_counts(read, written, rejected, bytes);
        fprintf(stderr, "flux: mysql_to_kafka to topic '%s' failed after %lld of %lld row(s) were delivered; a "
                        "retry sends them again\n",
                topic, (long long)written, (long long)read);
        goto out;
    }
    if (opkit_counts(read, written, rejected, bytes))
        goto out;
    char sha[65];
    flux_sha256_hex(sql, strlen(sql), sha);
    opkit_lineage("read", "query", src->name, json_pack("{s:s, s:I}", "sql_sha256", sha, "rows", (json_int_t)read));
    opkit_output("messages", "%lld", (long long)written);
    opkit_output("rejected", "%lld", (long long)rejected);
    printf("flux: %lld row(s) sent to topic '%s', %lld rejected\n", (long long)written, topic, (long long)rejected);
    status = OPKIT_OK;
out:
    if (rej)
        opkit_rejects_close(rej);
    mysql_close(db);
    return status;
}
