/* kafka_sensor — one poke of a sensor on a Kafka topic, as a short process
 * the runner starts again until the condition holds or the sensor's timeout.
 *
 * until: every partition of the topic holds a message whose timestamp is at
 * or after `until`, judged by the partition's LAST message (offset high
 * watermark - 1). Kafka timestamps are not monotonic within a partition, so
 * this is a convention, the usual "watermark" one: a producer that stamps
 * in order makes it exact; a late, older message at the end makes the
 * partition look behind until a newer one follows. offsets_for_times is not
 * used: the test broker answers -1 to every lookup. An empty partition has
 * not reached any time.
 * min_messages: the messages available in total, from the committed offsets
 * of `group` (a partition without a commit counts from its low watermark), or
 * from the low watermarks without a group. Given both, both must hold.
 *
 * A poke is bounded (POKE_BUDGET_MS in all): the runner waits for it. A
 * broker that does not answer, or a topic that does not exist yet, is a
 * transient error (exit OPKIT_NOT_YET_ERROR with the reason printed); only a
 * task that cannot run as written is OPKIT_BAD_TASK. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "operators.h"
#include "clock.h"
#include "opkit.h"
#include "schedule.h"

#define POKE_BUDGET_MS 6000
/* one round trip may take at most this, so a dead broker leaves time to say so */
#define CALL_MS 2500

typedef struct part_state {
    int32_t id;
    int64_t low, high;
    int64_t from;      /* where min_messages counts from */
    bool have_ts;      /* the last message was read */
    bool eof;          /* reached the end without reading it */
    int64_t last_ts;   /* its timestamp, -1 none */
} part_state;

typedef struct sensor {
    const opkit_task *t;
    const flux_conn *c;
    const char *topic;
    rd_kafka_t *rk;
    int64_t deadline;
    char last_error[512]; /* the latest error librdkafka reported */
} sensor;

/* time left for one call: at most CALL_MS, at least 1 */
static int left(const sensor *s)
{
    int64_t l = s->deadline - flux_clock_mono_ms();
    if (l > CALL_MS)
        l = CALL_MS;
    return l < 1 ? 1 : (int)l;
}

/* Kept, not printed: a poke's failure is said once, in its last "flux:"
 * line, which the runner quotes when the sensor times out. */
static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    (void)err;
    sensor *s = opaque;
    snprintf(s->last_error, sizeof s->last_error, "%s", reason);
}

/* errors reach on_error too: logging them again would say each thing twice */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 2)
        fprintf(stderr, "flux: kafka %s: %s\n", fac, buf);
}

static const char *brokers_of(const flux_conn *c)
{
    return c->brokers ? c->brokers : c->host ? c->host : "?";
}

/* Prints a transient failure with where it happened and returns NOT_YET_ERROR. */
static int transient(const sensor *s, const char *what, rd_kafka_resp_err_t err)
{
    fprintf(stderr, "flux: kafka_sensor: cannot check topic '%s' on connection '%s' (%s): %s: %s%s%s\n", s->topic,
            s->c->name, brokers_of(s->c), what, rd_kafka_err2str(err), s->last_error[0] ? "; last error: " : "",
            s->last_error);
    return OPKIT_NOT_YET_ERROR;
}

static rd_kafka_t *consumer(sensor *s, const char *group)
{
    char err[512];
    rd_kafka_conf_t *conf = opkit_kafka_conf(s->c, err, sizeof err);
    if (!conf) {
        fprintf(stderr, "flux: %s\n", err);
        return NULL;
    }
    /* nothing here joins or commits: the group only names whose offsets to
     * read (and the mock needs a group.id even for an assign-only consumer) */
    const char *set[][2] = {
        {"group.id", group ? group : "flux-kafka-sensor"},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"enable.partition.eof", "true"},
        {"allow.auto.create.topics", "false"},
        {"socket.timeout.ms", "2500"},
        {"socket.connection.setup.timeout.ms", "2500"},
        {"auto.offset.reset", "error"},
    };
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++) {
        if (rd_kafka_conf_set(conf, set[i][0], set[i][1], err, sizeof err) != RD_KAFKA_CONF_OK) {
            fprintf(stderr, "flux: kafka consumer setting %s: %s\n", set[i][0], err);
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    rd_kafka_conf_set_opaque(conf, s);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, on_log);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        fprintf(stderr, "flux: cannot create a Kafka consumer for connection '%s': %s\n", s->c->name, err);
    }
    return rk;
}

static part_state *find_part(part_state *ps, int n, int32_t id)
{
    for (int i = 0; i < n; i++)
        if (ps[i].id == id)
            return &ps[i];
    return NULL;
}

/* Reads the last message of every non-empty partition. 0, or an exit status. */
static int read_last(sensor *s, part_state *ps, int n)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
    int want = 0;
    for (int i = 0; i < n; i++) {
        if (ps[i].high > ps[i].low) {
            rd_kafka_topic_partition_list_add(l, s->topic, ps[i].id)->offset = ps[i].high - 1;
            want++;
        }
    }
    int rc = 0;
    rd_kafka_resp_err_t err = want ? rd_kafka_assign(s->rk, l) : RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_topic_partition_list_destroy(l);
    if (err)
        return transient(s, "assigning partitions", err);
    while (want > 0) {
        if (flux_clock_mono_ms() >= s->deadline) {
            rc = transient(s, "reading the last message of each partition", RD_KAFKA_RESP_ERR__TIMED_OUT);
            break;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s->rk, left(s));
        if (!m)
            continue;
        part_state *p = m->rkt && strcmp(rd_kafka_topic_name(m->rkt), s->topic) == 0
                            ? find_part(ps, n, m->partition)
                            : NULL;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (p && !p->have_ts && !p->eof) {
                /* e.g. the last offset held a transaction marker, not a message */
                p->eof = true;
                want--;
            }
        } else if (m->err) {
            char what[128];
            snprintf(what, sizeof what, "partition %d", (int)m->partition);
            rc = transient(s, what, m->err);
            rd_kafka_message_destroy(m);
            break;
        } else if (p && !p->have_ts && !p->eof && m->offset >= p->high - 1) {
            rd_kafka_timestamp_type_t type;
            int64_t ts = rd_kafka_message_timestamp(m, &type);
            p->have_ts = true;
            p->last_ts = type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? -1 : ts;
            want--;
        }
        rd_kafka_message_destroy(m);
    }
    if (rd_kafka_assign(s->rk, NULL) != RD_KAFKA_RESP_ERR_NO_ERROR && rc == 0)
        rc = transient(s, "unassigning partitions", RD_KAFKA_RESP_ERR__FAIL);
    return rc;
}

/* Whether every partition reached until; prints the first that has not. */
static bool until_holds(const sensor *s, const part_state *ps, int n, int64_t until)
{
    char u[32], at[32];
    opkit_iso(until, u);
    for (int i = 0; i < n; i++) {
        const part_state *p = &ps[i];
        if (p->high <= p->low) {
            printf("flux: kafka_sensor: not yet: partition %d of topic '%s' is empty (waiting for a message at or "
                   "after %s)\n",
                   (int)p->id, s->topic, u);
            return false;
        }
        if (!p->have_ts || p->last_ts < 0) {
            printf("flux: kafka_sensor: not yet: partition %d of topic '%s': the last message (offset %lld) has no "
                   "readable timestamp\n",
                   (int)p->id, s->topic, (long long)(p->high - 1));
            return false;
        }
        if (p->last_ts < until) {
            opkit_iso(p->last_ts, at);
            printf("flux: kafka_sensor: not yet: partition %d of topic '%s': the last message (offset %lld) has "
                   "timestamp %s, before %s\n",
                   (int)p->id, s->topic, (long long)(p->high - 1), at, u);
            return false;
        }
    }
    return true;
}

static int poke(sensor *s, const char *group, bool has_until, int64_t until, int64_t min_messages)
{
    /* all topics: a request naming the topic may create it on a broker that
     * auto-creates topics, and the sensor would then wait on an empty topic
     * of the wrong name instead of saying it does not exist */
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(s->rk, 1, NULL, &md, left(s));
    if (err)
        return transient(s, "metadata", err);
    int rc = OPKIT_OK;
    part_state *ps = NULL;
    int n = 0;
    const struct rd_kafka_metadata_topic *mt = NULL;
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, s->topic) == 0)
            mt = &md->topics[i];
    if (!mt || mt->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || (!mt->err && mt->partition_cnt == 0)) {
        fprintf(stderr, "flux: kafka_sensor: topic '%s' does not exist (yet) on connection '%s' (%s)\n", s->topic,
                s->c->name, brokers_of(s->c));
        rc = OPKIT_NOT_YET_ERROR;
        goto out;
    }
    if (mt->err) {
        rc = transient(s, "topic metadata", mt->err);
        goto out;
    }
    n = mt->partition_cnt;
    ps = calloc((size_t)n, sizeof *ps);
    if (!ps) {
        fputs("flux: out of memory\n", stderr);
        rc = OPKIT_FAILED;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        ps[i].id = mt->partitions[i].id;
        ps[i].last_ts = -1;
        err = rd_kafka_query_watermark_offsets(s->rk, s->topic, ps[i].id, &ps[i].low, &ps[i].high, left(s));
        if (err) {
            char what[128];
            snprintf(what, sizeof what, "watermarks of partition %d", (int)ps[i].id);
            rc = transient(s, what, err);
            goto out;
        }
        ps[i].from = ps[i].low;
    }
    if (group) {
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
        for (int i = 0; i < n; i++)
            rd_kafka_topic_partition_list_add(l, s->topic, ps[i].id);
        err = rd_kafka_committed(s->rk, l, left(s));
        for (int i = 0; !err && i < l->cnt; i++) {
            part_state *p = find_part(ps, n, l->elems[i].partition);
            if (l->elems[i].err) {
                char what[160];
                snprintf(what, sizeof what, "committed offset of group '%s' on partition %d", group,
                         (int)l->elems[i].partition);
                rc = transient(s, what, l->elems[i].err);
                break;
            }
            /* no commit yet: the group would start at the beginning */
            if (p && l->elems[i].offset >= 0)
                p->from = l->elems[i].offset < p->low    ? p->low
                          : l->elems[i].offset > p->high ? p->high
                                                         : l->elems[i].offset;
        }
        rd_kafka_topic_partition_list_destroy(l);
        if (err) {
            char what[160];
            snprintf(what, sizeof what, "committed offsets of group '%s'", group);
            rc = transient(s, what, err);
        }
        if (rc != OPKIT_OK)
            goto out;
    }
    int64_t available = 0;
    for (int i = 0; i < n; i++)
        available += ps[i].high - ps[i].from;
    if (has_until && (rc = read_last(s, ps, n)) != OPKIT_OK)
        goto out;
    bool ok = true;
    if (min_messages >= 0 && available < min_messages) {
        printf("flux: kafka_sensor: not yet: %lld message(s) available in topic '%s'%s%s%s, waiting for %lld\n",
               (long long)available, s->topic, group ? " after the commits of group '" : "", group ? group : "",
               group ? "'" : "", (long long)min_messages);
        ok = false;
    }
    if (ok && has_until && !until_holds(s, ps, n, until))
        ok = false;
    if (ok) {
        opkit_output("messages", "%lld", (long long)available);
        printf("flux: kafka_sensor: topic '%s' is ready: %lld message(s) available in %d partition(s)\n", s->topic,
               (long long)available, n);
    }
    rc = ok ? OPKIT_OK : OPKIT_NOT_YET;
out:
    free(ps);
    rd_kafka_metadata_destroy(md);
    return rc;
}

int op_run_kafka_sensor(const opkit_task *t)
{
    const char *name = t->task ? t->task : "?";
    const flux_conn *c = opkit_conn(t, "conn", "kafka");
    const char *topic = opkit_need_text(t, "topic");
    if (!c || !topic)
        return OPKIT_BAD_TASK;
    json_t *ju = opkit_field(t, "until");
    json_t *jm = opkit_field(t, "min_messages");
    bool has_until = ju && !json_is_null(ju);
    int64_t until = 0, min_messages = -1;
    if (has_until) {
        bool zone;
        flux_sched_error e;
        if (!json_is_string(ju) || flux_time_parse(json_string_value(ju), &until, &zone, &e) != 0) {
            fprintf(stderr, "flux: kafka_sensor task '%s': until = \"%s\" is not a time (e.g. 2026-11-02T10:00:00Z)\n",
                    name, json_is_string(ju) ? json_string_value(ju) : "(not text)");
            return OPKIT_BAD_TASK;
        }
    }
    if (jm && !json_is_null(jm)) {
        if (!json_is_integer(jm) || json_integer_value(jm) < 0) {
            fprintf(stderr, "flux: kafka_sensor task '%s': min_messages must be a whole number >= 0\n", name);
            return OPKIT_BAD_TASK;
        }
        min_messages = json_integer_value(jm);
    }
    if (!has_until && min_messages < 0) {
        fprintf(stderr, "flux: kafka_sensor task '%s': give until, min_messages or both\n", name);
        return OPKIT_BAD_TASK;
    }
    const char *group = opkit_str(t, "group");
    if (group && !*group)
        group = NULL;

    sensor s = {.t = t, .c = c, .topic = topic, .deadline = flux_clock_mono_ms() + POKE_BUDGET_MS};
    s.rk = consumer(&s, group);
    if (!s.rk)
        return OPKIT_BAD_TASK;
    int rc = poke(&s, group, has_until, until, min_messages);
    /* never joined a group: closing only stops the handle's threads */
    rd_kafka_consumer_close(s.rk);
    rd_kafka_destroy(s.rk);
    return rc;
}
