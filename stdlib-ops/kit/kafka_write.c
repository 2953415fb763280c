/* kafka_write — producing to Kafka: the producer every writer shares
 * (kafka_produce, file_to_kafka, mysql_to_kafka).
 *
 * The producer is idempotent with acks=all, so a retried send never
 * duplicates a message and "delivered" means every in-sync replica has it.
 * A message counts as written only when its delivery report says so; what
 * was delivered is reported per partition as lineage. message.timeout.ms is
 * bounded (30 s unless the connection says otherwise) so a dead cluster
 * fails the task with librdkafka's reason instead of hanging it. */
#include <stdlib.h>
#include <string.h>

#include "opkit.h"

/* the first failures are printed one by one, the rest only counted */
#define SHOW_FAILURES 5

typedef struct part_span {
    int32_t partition;
    int64_t first, last, count;
} part_span;

struct opkit_producer {
    rd_kafka_t *rk;
    char *topic;
    int64_t queued, delivered, failed;
    part_span *parts;
    size_t nparts, cap;
    /* the latest delivered message, for kafka_produce's outputs */
    int32_t last_partition;
    int64_t last_offset;
};

static void note_delivery(opkit_producer *p, int32_t partition, int64_t offset)
{
    p->delivered++;
    p->last_partition = partition;
    p->last_offset = offset;
    for (size_t i = 0; i < p->nparts; i++) {
        part_span *s = &p->parts[i];
        if (s->partition == partition) {
            /* reports come in order per partition, but a min/max costs nothing
             * and stays right if that ever changes */
            if (offset < s->first)
                s->first = offset;
            if (offset > s->last)
                s->last = offset;
            s->count++;
            return;
        }
    }
    if (p->nparts == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        part_span *v = realloc(p->parts, cap * sizeof *v);
        if (!v) {
            /* the message was still delivered; only its lineage is lost */
            fputs("flux: out of memory recording lineage\n", stderr);
            return;
        }
        p->parts = v;
        p->cap = cap;
    }
    p->parts[p->nparts++] = (part_span){partition, offset, offset, 1};
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    opkit_producer *p = opaque;
    if (!m->err) {
        note_delivery(p, m->partition, m->offset);
        return;
    }
    p->failed++;
    if (p->failed <= SHOW_FAILURES) {
        if (m->partition >= 0)
            fprintf(stderr, "flux: topic '%s' partition %d: message not delivered: %s\n", p->topic,
                    (int)m->partition, rd_kafka_err2str(m->err));
        else
            fprintf(stderr, "flux: topic '%s': message not delivered: %s\n", p->topic, rd_kafka_err2str(m->err));
    } else if (p->failed == SHOW_FAILURES + 1) {
        fputs("flux: further delivery failures are only counted\n", stderr);
    }
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[512];
        rd_kafka_fatal_error(rk, why, sizeof why);
        fprintf(stderr, "flux: kafka producer stopped by a fatal error: %s\n", why);
        return;
    }
    fprintf(stderr, "flux: kafka: %s\n", reason);
}

/* librdkafka logs every error it also hands to on_error: keep only what
 * on_error never sees, so the task's log says each thing once */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 2)
        fprintf(stderr, "flux: kafka %s: %s\n", fac, buf);
}

static bool conn_sets(const flux_conn *c, const char *key)
{
    for (size_t i = 0; i < c->nextra; i++)
        if (strcmp(c->extra_keys[i], key) == 0)
            return true;
    return false;
}

opkit_producer *opkit_producer_new(const flux_conn *c, const char *topic)
{
    char err[512];
    rd_kafka_conf_t *conf = opkit_kafka_conf(c, err, sizeof err);
    if (!conf) {
        fprintf(stderr, "flux: %s\n", err);
        return NULL;
    }
    /* ours unless flux.yaml says otherwise for this connection */
    static const char *const defaults[][2] = {
        {"enable.idempotence", "true"},
        {"acks", "all"},
        {"linger.ms", "5"},
        {"message.timeout.ms", "30000"},
        {"socket.timeout.ms", "10000"},
    };
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        if (conn_sets(c, defaults[i][0]))
            continue;
        if (rd_kafka_conf_set(conf, defaults[i][0], defaults[i][1], err, sizeof err) != RD_KAFKA_CONF_OK) {
            fprintf(stderr, "flux: kafka producer setting %s: %s\n", defaults[i][0], err);
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    opkit_producer *p = calloc(1, sizeof *p);
    if (!p || !(p->topic = strdup(topic))) {
        fputs("flux: out of memory\n", stderr);
        free(p);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    p->last_partition = -1;
    p->last_offset = -1;
    rd_kafka_conf_set_opaque(conf, p);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, on_log);
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!p->rk) {
        /* rd_kafka_new keeps conf only on success */
        rd_kafka_conf_destroy(conf);
        fprintf(stderr, "flux: cannot create a Kafka producer for connection '%s': %s\n", c->name, err);
        free(p->topic);
        free(p);
        return NULL;
    }
    return p;
}

/* The headers of a message, or NULL with *bad set when not an object of strings. */
static rd_kafka_headers_t *make_headers(json_t *headers, bool *bad)
{
    *bad = false;
    if (!headers || json_is_null(headers))
        return NULL;
    if (!json_is_object(headers)) {
        fputs("flux: message headers must be an object of strings\n", stderr);
        *bad = true;
        return NULL;
    }
    rd_kafka_headers_t *h = rd_kafka_headers_new(json_object_size(headers));
    const char *name;
    json_t *v;
    json_object_foreach(headers, name, v) {
        if (!json_is_string(v)) {
            fprintf(stderr, "flux: message header '%s' must be a string\n", name);
            rd_kafka_headers_destroy(h);
            *bad = true;
            return NULL;
        }
        rd_kafka_header_add(h, name, -1, json_string_value(v), (ssize_t)json_string_length(v));
    }
    return h;
}

int opkit_produce(opkit_producer *p, const void *key, size_t klen, const void *value, size_t vlen, json_t *headers)
{
    bool bad;
    rd_kafka_headers_t *h = make_headers(headers, &bad);
    if (bad)
        return -1;
    for (;;) {
        rd_kafka_resp_err_t err;
        /* the header list passes to the message only on success */
        if (h)
            err = rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(p->topic), RD_KAFKA_V_KEY(key, key ? klen : 0),
                                    RD_KAFKA_V_VALUE((void *)value, vlen), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
        else
            err = rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(p->topic), RD_KAFKA_V_KEY(key, key ? klen : 0),
                                    RD_KAFKA_V_VALUE((void *)value, vlen), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_END);
        if (!err) {
            p->queued++;
            /* serve delivery reports as we go so they never pile up */
            rd_kafka_poll(p->rk, 0);
            return 0;
        }
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            /* the local queue drains as the broker acknowledges */
            rd_kafka_poll(p->rk, 100);
            continue;
        }
        if (h)
            rd_kafka_headers_destroy(h);
        if (err == RD_KAFKA_RESP_ERR__FATAL) {
            char why[512];
            rd_kafka_fatal_error(p->rk, why, sizeof why);
            fprintf(stderr, "flux: topic '%s': cannot produce: %s\n", p->topic, why);
        } else {
            fprintf(stderr, "flux: topic '%s': cannot produce: %s\n", p->topic, rd_kafka_err2str(err));
        }
        return -1;
    }
}

/* Waits for every queued message's report; those still queued at the
 * deadline are purged, which reports them as failed. */
static void drain(opkit_producer *p, int timeout_ms)
{
    if (rd_kafka_flush(p->rk, timeout_ms) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
        fprintf(stderr, "flux: topic '%s': %d message(s) still unacknowledged after %d ms; giving up on them\n",
                p->topic, rd_kafka_outq_len(p->rk), timeout_ms);
        rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        /* purged messages get their (failed) reports through poll */
        for (int i = 0; i < 50 && p->delivered + p->failed < p->queued; i++)
            rd_kafka_poll(p->rk, 100);
    }
    rd_kafka_poll(p->rk, 0);
}

static void free_producer(opkit_producer *p)
{
    rd_kafka_destroy(p->rk);
    free(p->parts);
    free(p->topic);
    free(p);
}

int opkit_producer_finish(opkit_producer *p, int timeout_ms, int64_t *delivered)
{
    drain(p, timeout_ms);
    for (size_t i = 0; i < p->nparts; i++) {
        json_t *d = json_pack("{s:i, s:I, s:I, s:I}", "partition", (int)p->parts[i].partition, "first",
                              (json_int_t)p->parts[i].first, "last", (json_int_t)p->parts[i].last, "count",
                              (json_int_t)p->parts[i].count);
        opkit_lineage("write", "kafka", p->topic, d);
    }
    *delivered = p->delivered;
    int rc = 0;
    if (p->delivered != p->queued) {
        int64_t lost = p->queued - p->delivered;
        fprintf(stderr, "flux: topic '%s': %lld of %lld message(s) not delivered\n", p->topic, (long long)lost,
                (long long)p->queued);
        rc = -1;
    }
    free_producer(p);
    return rc;
}

int opkit_headers_check(json_t *headers)
{
    bool bad;
    rd_kafka_headers_t *h = make_headers(headers, &bad);
    if (h)
        rd_kafka_headers_destroy(h);
    return bad ? -1 : 0;
}

void opkit_producer_wait(opkit_producer *p, int timeout_ms, int32_t *last_partition, int64_t *last_offset)
{
    drain(p, timeout_ms);
    *last_partition = p->last_partition;
    *last_offset = p->last_offset;
}
