/* file_to_kafka — CSV or JSON Lines files (a path or a glob) to a Kafka
 * topic, each record as one JSON message: a CSV row becomes an object of
 * header name -> string, a JSON line is sent re-encoded compactly. A record
 * that does not parse, or lacks its key, is rejected with its reason and
 * place {file, line}; everything else counts as written only once its
 * delivery report arrived, so read = written + rejected or the task fails.
 * Kafka has no transaction here: a failed try may have delivered part of the
 * files, and its retry sends them again (at least once). */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "operators.h"
#include "opkit.h"
#include "records.h"

typedef struct xfer {
    const opkit_task *t;
    records_format fmt;
    const char *key;       /* CSV field name or JSONPath; NULL none */
    opkit_rejects *rej;
    opkit_producer *prod;
    int64_t read, bytes;
} xfer;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A key's bytes: a string as it is, any other value as compact JSON. NULL
 * for a missing or null value. Free with free(). */
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

static int reject(xfer *x, const char *file, int64_t line, const char *why, const char *raw, size_t rawlen)
{
    json_t *where = json_pack("{s:s, s:I}", "file", file, "line", (json_int_t)line);
    if (opkit_reject(x->rej, why, where, raw, rawlen)) {
        fprintf(stderr, "flux: writing the reject file: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

/* One file. 0, or -1 after saying why (the task fails). */
static int send_file(xfer *x, const char *file, int64_t *records)
{
    char err[1024];
    bool header = opkit_bool(x->t, "header", true);
    const char *d = opkit_str(x->t, "delimiter");
    records_reader *r = records_open(file, x->fmt, header, d && *d ? d[0] : ',', err, sizeof err);
    if (!r) {
        fprintf(stderr, "flux: %s\n", err);
        return -1;
    }
    size_t nh = 0;
    const char *const *h = records_header(r, &nh);
    /* a row becomes one JSON object: a name given twice would drop a value
     * of every row without a word */
    for (size_t i = 0; h && i < nh; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(h[i], h[j]) == 0) {
                fprintf(stderr, "flux: %s: the header names field '%s' twice (fields %zu and %zu)\n", file, h[i],
                        j + 1, i + 1);
                records_close(r);
                return -1;
            }
    char miss[600];
    if (x->key && x->fmt == RECORDS_CSV && !records_has_field(r, x->key, "the key", miss, sizeof miss)) {
        /* every record would lack it: a mistake in the task, not in the data */
        fprintf(stderr, "flux: %s: %s\n", file, miss);
        records_close(r);
        return -1;
    }
    int64_t before = x->read;
    int rc = 0;
    for (;;) {
        json_t *rec;
        const char *raw;
        size_t rawlen;
        char why[1024];
        int n = records_next(r, &rec, &raw, &rawlen, why, sizeof why);
        if (n == 0)
            break;
        if (n < -1) { /* reading the file failed: nothing more can be read */
            fprintf(stderr, "flux: %s\n", why);
            rc = -1;
            break;
        }
        x->read++;
        if (n < 0) {
            if (reject(x, file, records_line(r), why, raw, rawlen)) {
                rc = -1;
                break;
            }
            continue;
        }
        char *key = NULL;
        size_t klen = 0;
        if (x->key) {
            json_t *kv = x->fmt == RECORDS_CSV ? (json_is_object(rec) ? json_object_get(rec, x->key) : NULL)
                                               : opkit_jsonpath(rec, x->key);
            key = key_text(kv, &klen);
            if (!key) {
                snprintf(why, sizeof why, "%s key %s%s", kv ? "null" : "no",
                         x->fmt == RECORDS_CSV ? "field " : "", x->key);
                json_decref(rec);
                if (reject(x, file, records_line(r), why, raw, rawlen)) {
                    rc = -1;
                    break;
                }
                continue;
            }
        }
        char *value = json_dumps(rec, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(rec);
        int bad = !value ? -1 : opkit_produce(x->prod, key, klen, value, strlen(value), NULL);
        if (!value)
            fputs("flux: out of memory encoding a record\n", stderr);
        free(value);
        free(key);
        if (bad) {
            rc = -1;
            break;
        }
    }
    *records = x->read - before;
    x->bytes += records_bytes(r);
    records_close(r);
    return rc;
}

int op_run_file_to_kafka(const opkit_task *t)
{
    const char *pattern = opkit_need(t, "path");
    const char *topic = pattern ? opkit_need_text(t, "topic") : NULL;
    if (!topic)
        return OPKIT_BAD_TASK;
    xfer x = {.t = t, .key = opkit_str(t, "key")};
    char err[1024];
    if (records_task_format(t, pattern, &x.fmt))
        return OPKIT_BAD_TASK;
    if (x.key && !*x.key)
        x.key = NULL;
    if (x.key && x.fmt == RECORDS_JSONL && opkit_jsonpath_check(x.key, err, sizeof err)) {
        fprintf(stderr, "flux: key = \"%s\": %s\n", x.key, err);
        return OPKIT_BAD_TASK;
    }
    if (x.key && x.fmt == RECORDS_CSV && !opkit_bool(t, "header", true)) {
        /* without a header the fields are named by position: "1", "2", ... */
        char *end;
        long pos = strtol(x.key, &end, 10);
        if (*end || pos < 1) {
            fprintf(stderr, "flux: key = \"%s\": a CSV file without header names its fields 1, 2, ...\n", x.key);
            return OPKIT_BAD_TASK;
        }
    }
    const flux_conn *c = opkit_conn(t, "target", "kafka");
    if (!c)
        return OPKIT_BAD_TASK;
    glob_t g;
    int grc = glob(pattern, 0, NULL, &g);
    if (grc != 0 || g.gl_pathc == 0) {
        fprintf(stderr, "flux: no file matches '%s'%s\n", pattern,
                grc == GLOB_NOMATCH || grc == 0 ? "" : " (the pattern could not be read)");
        if (grc == 0)
            globfree(&g);
        return OPKIT_FAILED;
    }
    qsort(g.gl_pathv, g.gl_pathc, sizeof *g.gl_pathv, cmp_str);
    int status = OPKIT_FAILED;
    int64_t *frecords = calloc(g.gl_pathc, sizeof *frecords);
    x.rej = frecords ? opkit_rejects_open(opkit_str(t, "reject_file"), 0) : NULL;
    x.prod = x.rej ? opkit_producer_new(c, topic) : NULL;
    if (!x.prod)
        goto out;
    int failed = 0;
    for (size_t i = 0; i < g.gl_pathc && !failed; i++)
        failed = send_file(&x, g.gl_pathv[i], &frecords[i]);
    int64_t written = 0;
    /* a little past message.timeout.ms, so each failure is reported with its reason */
    int fin = opkit_producer_finish(x.prod, 60000, &written);
    x.prod = NULL;
    int64_t rejected = opkit_rejects_count(x.rej);
    int rclose = opkit_rejects_close(x.rej);
    x.rej = NULL;
    if (failed || fin || rclose) {
        opkit_counts(x.read, written, rejected, x.bytes);
        fprintf(stderr, "flux: file_to_kafka to topic '%s' failed after %lld of %lld record(s) were delivered; a "
                        "retry sends them again\n",
                topic, (long long)written, (long long)x.read);
        goto out;
    }
    if (opkit_counts(x.read, written, rejected, x.bytes))
        goto out;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char abs[PATH_MAX], sha[65];
        int64_t size = 0;
        if (!realpath(g.gl_pathv[i], abs))
            snprintf(abs, sizeof abs, "%s", g.gl_pathv[i]);
        if (opkit_file_sha256(g.gl_pathv[i], sha, &size))
            snprintf(sha, sizeof sha, "unknown");
        opkit_lineage("read", "file", abs,
                      json_pack("{s:I, s:s, s:I}", "size", (json_int_t)size, "sha256", sha, "records",
                                (json_int_t)frecords[i]));
    }
    opkit_output("messages", "%lld", (long long)written);
    opkit_output("rejected", "%lld", (long long)rejected);
    printf("flux: %lld record(s) of %zu file(s) sent to topic '%s', %lld rejected\n", (long long)written,
           g.gl_pathc, topic, (long long)rejected);
    status = OPKIT_OK;
out:
    if (x.prod) {
        int64_t ignored;
        opkit_producer_finish(x.prod, 60000, &ignored);
    }
    if (x.rej)
        opkit_rejects_close(x.rej);
    free(frecords);
    globfree(&g);
    return status;
}
