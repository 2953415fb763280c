/* kafka_to_file — the messages of the run's interval from a Kafka topic to a
 * JSON-lines file, one message value per line. The file is written aside and
 * renamed over the path, so a rerun replaces it whole and a reader never sees
 * half of it; a value that is not JSON is rejected, never written. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kafka_read.h"
#include "operators.h"
#include "opkit.h"

/* an unnamed file in the target's directory (same filesystem, no /tmp
 * size limit): created, then unlinked at once */
static FILE *tmpfile_beside(const char *tmp, size_t i)
{
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s.p%zu", tmp, i);
    FILE *f = fopen(p, "w+");
    if (f)
        unlink(p);
    return f;
}

typedef struct tally {
    int64_t read, written, bytes, unmatched;
} tally;

/* The interval's messages, each to its partition's file pf[part]; a value
 * that is not JSON goes to the rejects. */
static int copy_messages(kafka_read *r, FILE **pf, json_t *match, opkit_rejects *rej, const char *reject_path,
                         tally *n)
{
    char err[1024];
    kafka_read_msg m;
    int got;
    while ((got = kafka_read_next(r, &m, err, sizeof err)) == 1) {
        FILE *o = pf[m.part];
        json_error_t je;
        json_t *doc = json_loadb(m.value, m.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        if (doc && match && !kafka_match(match, doc)) {
            n->unmatched++;
            json_decref(doc);
            continue;
        }
        n->read++;
        n->bytes += (int64_t)m.len;
        kafka_read_count(r, &m);
        if (!doc) {
            char why[300];
            snprintf(why, sizeof why, "malformed JSON at byte %d: %s", je.position, je.text);
            if (opkit_reject(rej, why, kafka_read_where(r, &m), m.value, m.len) != 0) {
                fprintf(stderr, "flux: writing the reject file %s: %s\n", reject_path, strerror(errno));
                return OPKIT_FAILED;
            }
            continue;
        }
        /* one value per line: a value spread over lines is written compact */
        if (memchr(m.value, '\n', m.len) || memchr(m.value, '\r', m.len)) {
            char *s = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
            if (s)
                fputs(s, o);
            free(s);
        } else {
            fwrite(m.value, 1, m.len, o);
        }
        putc('\n', o);
        json_decref(doc);
        n->written++;
    }
    if (got < 0) {
        fprintf(stderr, "flux: %s\n", err);
        return OPKIT_FAILED;
    }
    return OPKIT_OK;
}

/* The partitions' files into out, in partition order (the same messages
 * always make the same bytes); every file closed whatever rc is. */
static int join_parts(FILE **pf, const kafka_read_part *parts, size_t nparts, FILE *out, const char *tmp, int rc)
{
    for (size_t done = 0; done < nparts; done++) {
        size_t best = nparts;
        for (size_t i = 0; i < nparts; i++)
            if (pf[i] && (best == nparts || parts[i].partition < parts[best].partition))
                best = i;
        if (best == nparts)
            break;
        if (rc == OPKIT_OK && (fflush(pf[best]) != 0 || fseek(pf[best], 0, SEEK_SET) != 0)) {
            fprintf(stderr, "flux: writing beside %s: %s\n", tmp, strerror(errno));
            rc = OPKIT_FAILED;
        }
        char buf[65536];
        size_t k;
        while (rc == OPKIT_OK && (k = fread(buf, 1, sizeof buf, pf[best])) > 0)
            if (fwrite(buf, 1, k, out) != k)
                rc = OPKIT_FAILED;
        fclose(pf[best]);
        pf[best] = NULL;
    }
    for (size_t i = 0; i < nparts; i++)
        if (pf[i])
            fclose(pf[i]);
    return rc;
}

/* The written file's lineage (size, sha256), outputs and counts. */
static int report_file(const char *path, const tally *n)
{
    char sha[65];
    int64_t size = 0;
    char abs[PATH_MAX];
    if (opkit_file_sha256(path, sha, &size) != 0) {
        fprintf(stderr, "flux: cannot read back %s: %s\n", path, strerror(errno));
        return OPKIT_FAILED;
    }
    opkit_lineage("write", "file", realpath(path, abs) ? abs : path,
                  json_pack("{s:I, s:s, s:I}", "size", (json_int_t)size, "sha256", sha, "records",
                            (json_int_t)n->written));
    opkit_output("records", "%lld", (long long)n->written);
    opkit_output("path", "%s", path);
    if (opkit_counts(n->read, n->written, n->read - n->written, n->bytes) != 0)
        return OPKIT_FAILED;
    return OPKIT_OK;
}

int op_run_kafka_to_file(const opkit_task *t)
{
    const char *topic = opkit_need(t, "topic");
    const char *path = opkit_need(t, "path");
    const char *format = opkit_str(t, "format");
    const char *reject_path = opkit_str(t, "reject_file");
    json_t *match = opkit_field(t, "match");
    if (!topic || !path)
        return OPKIT_BAD_TASK;
    if (format && strcmp(format, "jsonl") != 0) {
        fprintf(stderr, "flux: kafka_to_file task '%s': format '%s' is not supported: only jsonl\n", t->task,
                format);
        return OPKIT_BAD_TASK;
    }
    char err[1024];
    if (kafka_match_check(match, err, sizeof err) != 0) {
        fprintf(stderr, "flux: kafka_to_file task '%s': %s\n", t->task, err);
        return OPKIT_BAD_TASK;
    }
    if (json_object_size(match) == 0)
        match = NULL;
    const flux_conn *kc = opkit_conn(t, "source", "kafka");
    if (!kc)
        return OPKIT_BAD_TASK;

    char tmp[PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
        fprintf(stderr, "flux: path too long: %s\n", path);
        return OPKIT_BAD_TASK;
    }
    if (kafka_mkparent(path) != 0) {
        fprintf(stderr, "flux: cannot create the directory of %s: %s\n", path, strerror(errno));
        return OPKIT_FAILED;
    }
    kafka_read *r = kafka_read_open(kc, topic, t->interval_start_ms, t->interval_end_ms, err, sizeof err);
    if (!r) {
        fprintf(stderr, "flux: %s\n", err);
        return OPKIT_FAILED;
    }
    if (kafka_read_start(r, err, sizeof err) != 0) {
        fprintf(stderr, "flux: %s\n", err);
        kafka_read_close(r);
        return OPKIT_FAILED;
    }
    FILE *out = fopen(tmp, "w");
    if (!out) {
        fprintf(stderr, "flux: cannot write %s: %s\n", tmp, strerror(errno));
        kafka_read_close(r);
        return OPKIT_FAILED;
    }
    setvbuf(out, NULL, _IOFBF, 1 << 20);
    opkit_rejects *rej = NULL;
    if (reject_path && kafka_mkparent(reject_path) != 0)
        fprintf(stderr, "flux: cannot create the directory of the reject file %s: %s\n", reject_path, strerror(errno));
    else
        rej = opkit_rejects_open(reject_path, 0);
    if (!rej) {
        fclose(out);
        unlink(tmp);
        kafka_read_close(r);
        return OPKIT_FAILED;
    }

    /* partitions arrive interleaved as the broker answers: each goes to a
     * file of its own, joined in partition order at the end, so the same
     * messages always make the same bytes (and the same sha256 in lineage) */
    size_t nparts = 0;
    kafka_read_part *parts = kafka_read_parts(r, &nparts);
    FILE **pf = calloc(nparts ? nparts : 1, sizeof *pf);
    tally n = {0};
    int rc = pf ? OPKIT_OK : OPKIT_FAILED;
    for (size_t i = 0; i < nparts && rc == OPKIT_OK; i++)
        if (!(pf[i] = tmpfile_beside(tmp, i))) {
            fprintf(stderr, "flux: cannot write beside %s: %s\n", tmp, strerror(errno));
            rc = OPKIT_FAILED;
        }
    if (rc == OPKIT_OK)
        rc = copy_messages(r, pf, match, rej, reject_path, &n);
    rc = join_parts(pf, parts, nparts, out, tmp, rc);
    free(pf);
    if (rc == OPKIT_OK && (fflush(out) != 0 || fsync(fileno(out)) != 0 || ferror(out))) {
        fprintf(stderr, "flux: writing %s: %s\n", tmp, strerror(errno));
        rc = OPKIT_FAILED;
    }
    if (fclose(out) != 0 && rc == OPKIT_OK) {
        fprintf(stderr, "flux: writing %s: %s\n", tmp, strerror(errno));
        rc = OPKIT_FAILED;
    }
    if (opkit_rejects_close(rej) != 0)
        rc = OPKIT_FAILED;
    if (rc == OPKIT_OK && rename(tmp, path) != 0) {
        fprintf(stderr, "flux: cannot rename %s to %s: %s\n", tmp, path, strerror(errno));
        rc = OPKIT_FAILED;
    }
    if (rc != OPKIT_OK) {
        unlink(tmp);
        kafka_read_close(r);
        return rc;
    }
    if (n.unmatched)
        fprintf(stderr, "flux: %lld message(s) of the interval did not match and were skipped\n",
                (long long)n.unmatched);
    if (kafka_read_skipped(r))
        fprintf(stderr, "flux: %lld message(s) outside the interval were passed over\n",
                (long long)kafka_read_skipped(r));
    kafka_read_lineage(r);
    kafka_read_close(r);
    return report_file(path, &n);
}
