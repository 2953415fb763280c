/* kafka_read — an interval of a topic, read with an assign-only consumer.
 * See kafka_read.h. The start of each partition comes from the caller's
 * resume offset, else from the broker's offset-by-timestamp lookup; a lookup
 * answering -1 is taken as "unknown" (the test broker answers -1 for every
 * timestamp, and a real one does for a partition with nothing at or after
 * the time), so the partition is then scanned from its low watermark and
 * filtered on message timestamps: trusting -1 would load nothing, silently. */
#include "kafka_read.h"

#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "opkit.h"

#define BATCH 4096

struct kafka_read {
    rd_kafka_t *rk;
    rd_kafka_queue_t *q;
    char *topic;
    const char *conn;
    int64_t start_ms, end_ms;
    int timeout_ms; /* longest wait without any progress */
    kafka_read_part *parts;
    size_t nparts;
    size_t ndone;
    rd_kafka_message_t *buf[BATCH];
    size_t nbuf, ibuf;
    rd_kafka_message_t *held; /* the message last returned */
    bool said_error;
};

/* The bounded wait: 30 s unless FLUX_KAFKA_TIMEOUT (seconds) says otherwise,
 * so tests of a dead broker need not wait that long. */
static int wait_limit_ms(void)
{
    const char *s = getenv("FLUX_KAFKA_TIMEOUT");
    if (s && *s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (*end == '\0' && v > 0 && v < 86400)
            return (int)(v * 1000);
    }
    return 30000;
}

static bool set(rd_kafka_conf_t *conf, const char *k, const char *v, char *err, size_t errlen)
{
    char e[256];
    if (rd_kafka_conf_set(conf, k, v, e, sizeof e) != RD_KAFKA_CONF_OK) {
        snprintf(err, errlen, "kafka setting %s: %s", k, e);
        return false;
    }
    return true;
}

kafka_read *kafka_read_open(const flux_conn *c, const char *topic, int64_t start_ms, int64_t end_ms, char *err,
                            size_t errlen)
{
    rd_kafka_conf_t *conf = opkit_kafka_conf(c, err, errlen);
    if (!conf)
        return NULL;
    /* a group.id only because the test broker answers a consumer without one
     * with endless "unknown group" errors: nothing is ever committed to it */
    if (!set(conf, "group.id", "flux-transfer", err, errlen) || !set(conf, "enable.auto.commit", "false", err, errlen) ||
        !set(conf, "enable.auto.offset.store", "false", err, errlen) ||
        !set(conf, "enable.partition.eof", "true", err, errlen) ||
        /* large fetches: a transfer reads whole partitions, not the tail */
        !set(conf, "fetch.message.max.bytes", "8388608", err, errlen) ||
        !set(conf, "fetch.max.bytes", "67108864", err, errlen) ||
        !set(conf, "queued.min.messages", "500000", err, errlen) ||
        !set(conf, "fetch.wait.max.ms", "100", err, errlen) ||
        !set(conf, "log.connection.close", "false", err, errlen)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    char e[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof e);
    if (!rk) {
        snprintf(err, errlen, "connection '%s': cannot create a Kafka consumer: %s", c->name, e);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    kafka_read *r = calloc(1, sizeof *r);
    r->rk = rk;
    r->q = rd_kafka_queue_get_consumer(rk);
    r->topic = strdup(topic);
    r->conn = c->name;
    r->start_ms = start_ms;
    r->end_ms = end_ms;
    r->timeout_ms = wait_limit_ms();

    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t ke = rd_kafka_metadata(rk, 0, rkt, &md, r->timeout_ms);
    rd_kafka_topic_destroy(rkt);
    if (ke) {
        snprintf(err, errlen, "connection '%s' (%s): cannot list the partitions of topic '%s' within %d s: %s",
                 c->name, c->brokers ? c->brokers : "?", topic, r->timeout_ms / 1000, rd_kafka_err2str(ke));
        kafka_read_close(r);
        return NULL;
    }
    if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt == 0) {
        rd_kafka_resp_err_t te = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        snprintf(err, errlen, "connection '%s': topic '%s': %s", c->name, topic,
                 te ? rd_kafka_err2str(te) : "the topic has no partitions");
        rd_kafka_metadata_destroy(md);
        kafka_read_close(r);
        return NULL;
    }
    r->nparts = (size_t)md->topics[0].partition_cnt;
    r->parts = calloc(r->nparts, sizeof *r->parts);
    for (size_t i = 0; i < r->nparts; i++)
        r->parts[i].partition = md->topics[0].partitions[i].id;
    rd_kafka_metadata_destroy(md);
    /* partitions in id order: the logs, lineage and offsets rows read better */
    for (size_t i = 1; i < r->nparts; i++)
        for (size_t j = i; j > 0 && r->parts[j - 1].partition > r->parts[j].partition; j--) {
            int32_t t = r->parts[j].partition;
            r->parts[j].partition = r->parts[j - 1].partition;
            r->parts[j - 1].partition = t;
        }
    for (size_t i = 0; i < r->nparts; i++) {
        kafka_read_part *p = &r->parts[i];
        p->resume = -1;
        p->first = p->last = -1;
        ke = rd_kafka_query_watermark_offsets(rk, topic, p->partition, &p->low, &p->high, r->timeout_ms);
        if (ke) {
            snprintf(err, errlen, "connection '%s': topic '%s' partition %d: cannot read the watermarks within %d s: %s",
                     c->name, topic, (int)p->partition, r->timeout_ms / 1000, rd_kafka_err2str(ke));
            kafka_read_close(r);
            return NULL;
        }
    }
    return r;
}

kafka_read_part *kafka_read_parts(kafka_read *r, size_t *n)
{
    *n = r->nparts;
    return r->parts;
}

static kafka_read_part *find_part(kafka_read *r, int32_t partition, size_t *index)
{
    /* partitions are numbered 0..n-1 on every broker we know: try that first */
    size_t i = (size_t)partition;
    if (partition >= 0 && i < r->nparts && r->parts[i].partition == partition) {
        if (index)
            *index = i;
        return &r->parts[i];
    }
    for (i = 0; i < r->nparts; i++)
        if (r->parts[i].partition == partition) {
            if (index)
                *index = i;
            return &r->parts[i];
        }
    return NULL;
}

int kafka_read_resume(kafka_read *r, int32_t partition, int64_t offset)
{
    kafka_read_part *p = find_part(r, partition, NULL);
    if (!p)
        return -1;
    p->resume = offset;
    return 0;
}

/* FLUX_KAFKA_TEST_OFFSETS_FOR_TIMES="P:OFFSET,...": what the broker's
 * timestamp lookup answers for those partitions. The test broker answers -1
 * for every lookup, so only this lets a test take the path of a broker that
 * knows; it is never set outside tests. -2: not overridden. */
static int64_t test_time_offset(int32_t partition)
{
    const char *s = getenv("FLUX_KAFKA_TEST_OFFSETS_FOR_TIMES");
    while (s && *s) {
        char *end;
        long part = strtol(s, &end, 10);
        if (*end != ':')
            return -2;
        long long off = strtoll(end + 1, &end, 10);
        if (part == partition)
            return off;
        s = *end == ',' ? end + 1 : NULL;
    }
    return -2;
}

static void mark_done(kafka_read *r, kafka_read_part *p)
{
    if (p->done)
        return;
    p->done = true;
    r->ndone++;
    /* stop fetching what lies past the high watermark of the start */
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, r->topic, p->partition);
    rd_kafka_pause_partitions(r->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
}

int kafka_read_start(kafka_read *r, char *err, size_t errlen)
{
    rd_kafka_topic_partition_list_t *times = rd_kafka_topic_partition_list_new((int)r->nparts);
    for (size_t i = 0; i < r->nparts; i++)
        if (r->parts[i].resume < 0)
            rd_kafka_topic_partition_list_add(times, r->topic, r->parts[i].partition)->offset = r->start_ms;
    if (times->cnt > 0) {
        rd_kafka_resp_err_t ke = rd_kafka_offsets_for_times(r->rk, times, r->timeout_ms);
        if (ke) {
            snprintf(err, errlen, "connection '%s': topic '%s': looking up the offsets of %lld ms failed: %s",
                     r->conn, r->topic, (long long)r->start_ms, rd_kafka_err2str(ke));
            rd_kafka_topic_partition_list_destroy(times);
            return -1;
        }
    }
    char iso[32];
    opkit_iso(r->start_ms, iso);
    for (size_t i = 0; i < r->nparts; i++) {
        kafka_read_part *p = &r->parts[i];
        const char *how;
        if (p->resume >= 0) {
            p->start = p->resume;
            how = "resumed from the committed offset";
            if (p->resume < p->low) {
                fprintf(stderr,
                        "flux: topic '%s' partition %d: the committed offset %lld is below the low watermark %lld: "
                        "messages in between were deleted by the broker\n",
                        r->topic, (int)p->partition, (long long)p->resume, (long long)p->low);
                p->start = p->low;
            } else if (p->resume > p->high) {
                fprintf(stderr,
                        "flux: topic '%s' partition %d: the committed offset %lld is past the high watermark %lld: "
                        "the partition holds fewer messages than were loaded (a recreated topic?)\n",
                        r->topic, (int)p->partition, (long long)p->resume, (long long)p->high);
                p->start = p->high;
            }
        } else {
            int64_t off = -1;
            for (int j = 0; j < times->cnt; j++)
                if (times->elems[j].partition == p->partition) {
                    if (times->elems[j].err) {
                        snprintf(err, errlen, "topic '%s' partition %d: looking up the offset of %s failed: %s",
                                 r->topic, (int)p->partition, iso, rd_kafka_err2str(times->elems[j].err));
                        rd_kafka_topic_partition_list_destroy(times);
                        return -1;
                    }
                    off = times->elems[j].offset;
                }
            int64_t forced = test_time_offset(p->partition);
            if (forced != -2)
                off = forced;
            if (off >= 0) {
                p->start = off < p->low ? p->low : off;
                how = "by timestamp";
            } else {
                p->start = p->low;
                how = "timestamp lookup unknown: scanning from the low watermark";
            }
        }
        p->next = p->start;
        fprintf(stderr, "flux: topic '%s' partition %d: offsets %lld..%lld, reading from %lld (%s)\n", r->topic,
                (int)p->partition, (long long)p->low, (long long)p->high, (long long)p->start, how);
    }
    rd_kafka_topic_partition_list_destroy(times);

    rd_kafka_topic_partition_list_t *assign = rd_kafka_topic_partition_list_new((int)r->nparts);
    for (size_t i = 0; i < r->nparts; i++) {
        kafka_read_part *p = &r->parts[i];
        if (p->start >= p->high) {
            p->done = true;
            r->ndone++;
        } else {
            rd_kafka_topic_partition_list_add(assign, r->topic, p->partition)->offset = p->start;
        }
    }
    rd_kafka_resp_err_t ke = assign->cnt ? rd_kafka_assign(r->rk, assign) : RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_topic_partition_list_destroy(assign);
    if (ke) {
        snprintf(err, errlen, "topic '%s': cannot assign the partitions: %s", r->topic, rd_kafka_err2str(ke));
        return -1;
    }
    return 0;
}

/* what a stalled read waits on, for the error message */
static void stalled(kafka_read *r, char *err, size_t errlen)
{
    size_t o = (size_t)snprintf(err, errlen, "connection '%s': topic '%s': nothing received for %d s (", r->conn,
                                r->topic, r->timeout_ms / 1000);
    int shown = 0;
    for (size_t i = 0; i < r->nparts && o < errlen; i++) {
        kafka_read_part *p = &r->parts[i];
        if (p->done)
            continue;
        if (shown++ == 4) {
            o += (size_t)snprintf(err + o, errlen - o, ", ...");
            break;
        }
        o += (size_t)snprintf(err + o, errlen - o, "%spartition %d at offset %lld of %lld", shown > 1 ? ", " : "",
                              (int)p->partition, (long long)p->next, (long long)p->high);
    }
    if (o < errlen)
        snprintf(err + o, errlen - o, "): is the broker down or unreachable?");
}

int kafka_read_next(kafka_read *r, kafka_read_msg *m, char *err, size_t errlen)
{
    if (r->held) {
        rd_kafka_message_destroy(r->held);
        r->held = NULL;
    }
    int64_t last_progress = flux_clock_mono_ms();
    for (;;) {
        while (r->ibuf < r->nbuf) {
            rd_kafka_message_t *km = r->buf[r->ibuf++];
            last_progress = flux_clock_mono_ms();
            if (km->err) {
                kafka_read_part *p = km->rkt ? find_part(r, km->partition, NULL) : NULL;
                if (km->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                    if (p)
                        mark_done(r, p);
                } else if (p) {
                    snprintf(err, errlen, "topic '%s' partition %d offset %lld: %s", r->topic, (int)km->partition,
                             (long long)km->offset, rd_kafka_message_errstr(km));
                    rd_kafka_message_destroy(km);
                    return -1;
                } else if (!r->said_error) {
                    /* a broker gone for a moment: librdkafka reconnects by
                     * itself; the bounded wait decides when to give up */
                    fprintf(stderr, "flux: topic '%s': %s (waiting up to %d s)\n", r->topic,
                            rd_kafka_message_errstr(km), r->timeout_ms / 1000);
                    r->said_error = true;
                }
                rd_kafka_message_destroy(km);
                continue;
            }
            size_t index = 0;
            kafka_read_part *p = find_part(r, km->partition, &index);
            if (!p || p->done || km->offset < p->next || km->offset >= p->high) {
                rd_kafka_message_destroy(km);
                continue;
            }
            p->next = km->offset + 1;
            if (p->next >= p->high)
                mark_done(r, p);
            rd_kafka_timestamp_type_t tt;
            int64_t ts = rd_kafka_message_timestamp(km, &tt);
            if (tt == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || ts < r->start_ms || ts >= r->end_ms) {
                p->skipped++;
                rd_kafka_message_destroy(km);
                continue;
            }
            r->held = km;
            m->part = index;
            m->partition = km->partition;
            m->offset = km->offset;
            m->ts_ms = ts;
            m->value = km->payload ? (const char *)km->payload : "";
            m->len = km->payload ? km->len : 0;
            return 1;
        }
        r->ibuf = r->nbuf = 0;
        if (r->ndone == r->nparts)
            return 0;
        ssize_t n = rd_kafka_consume_batch_queue(r->q, 200, r->buf, BATCH);
        if (n < 0) {
            snprintf(err, errlen, "topic '%s': consuming failed: %s", r->topic, rd_kafka_err2str(rd_kafka_last_error()));
            return -1;
        }
        r->nbuf = (size_t)n;
        if (n == 0 && flux_clock_mono_ms() - last_progress > r->timeout_ms) {
            stalled(r, err, errlen);
            return -1;
        }
    }
}

void kafka_read_count(kafka_read *r, const kafka_read_msg *m)
{
    kafka_read_part *p = &r->parts[m->part];
    if (p->count++ == 0)
        p->first = m->offset;
    p->last = m->offset;
}

void kafka_read_lineage(kafka_read *r)
{
    for (size_t i = 0; i < r->nparts; i++) {
        kafka_read_part *p = &r->parts[i];
        json_t *d = json_pack("{s:i, s:o, s:o, s:I}", "partition", (int)p->partition, "first",
                              p->count ? json_integer(p->first) : json_null(), "last",
                              p->count ? json_integer(p->last) : json_null(), "count", (json_int_t)p->count);
        opkit_lineage("read", "kafka", r->topic, d);
    }
}

int64_t kafka_read_skipped(const kafka_read *r)
{
    int64_t n = 0;
    for (size_t i = 0; i < r->nparts; i++)
        n += r->parts[i].skipped;
    return n;
}

const char *kafka_read_topic(const kafka_read *r)
{
    return r->topic;
}

void kafka_read_close(kafka_read *r)
{
    if (!r)
        return;
    if (r->held)
        rd_kafka_message_destroy(r->held);
    while (r->ibuf < r->nbuf)
        rd_kafka_message_destroy(r->buf[r->ibuf++]);
    if (r->q)
        rd_kafka_queue_destroy(r->q);
    if (r->rk) {
        /* nothing to commit: close only leaves the (unjoined) group */
        rd_kafka_consumer_close(r->rk);
        rd_kafka_destroy(r->rk);
    }
    free(r->parts);
    free(r->topic);
    free(r);
}

json_t *kafka_read_where(const kafka_read *r, const kafka_read_msg *m)
{
    char iso[32];
    opkit_iso(m->ts_ms, iso);
    return json_pack("{s:s, s:i, s:I, s:s}", "topic", r->topic, "partition", (int)m->partition, "offset",
                     (json_int_t)m->offset, "timestamp", iso);
}

int kafka_match_check(json_t *match, char *err, size_t errlen)
{
    if (!match || json_is_null(match))
        return 0;
    if (!json_is_object(match)) {
        snprintf(err, errlen, "match must be a map of field = value");
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach(match, k, v)
    {
        char e[256];
        if (opkit_jsonpath_check(k, e, sizeof e) != 0) {
            snprintf(err, errlen, "match: %s", e);
            return -1;
        }
        if (!json_is_string(v)) {
            snprintf(err, errlen, "match: the value of '%s' must be a string", k);
            return -1;
        }
    }
    return 0;
}

static bool same(json_t *v, const char *want)
{
    char b[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return strcmp(json_string_value(v), want) == 0;
    case JSON_INTEGER:
        snprintf(b, sizeof b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return strcmp(b, want) == 0;
    case JSON_REAL: {
        char *end;
        double d = strtod(want, &end);
        return end != want && *end == '\0' && d == json_real_value(v);
    }
    case JSON_TRUE:
        return strcmp(want, "true") == 0;
    case JSON_FALSE:
        return strcmp(want, "false") == 0;
    case JSON_NULL:
        return strcmp(want, "null") == 0;
    default:
        return false;
    }
}

bool kafka_match(json_t *match, json_t *doc)
{
    if (!match)
        return true;
    const char *k;
    json_t *v;
    json_object_foreach(match, k, v)
    {
        json_t *got = opkit_jsonpath(doc, k);
        if (!got || !same(got, json_string_value(v)))
            return false;
    }
    return true;
}

int kafka_mkparent(const char *path)
{
    /* on a copy: dirname() may hand back a constant "." for a bare name */
    char *copy = strdup(path ? path : "");
    char *last = copy ? strrchr(copy, '/') : NULL;
    int rc = copy ? 0 : -1;
    for (char *s = copy ? copy + 1 : NULL; last && s && s <= last && rc == 0; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(copy, 0777) != 0 && errno != EEXIST)
            rc = -1;
        *s = '/';
    }
    free(copy);
    return rc;
}
