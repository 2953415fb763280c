/* kafka_produce_ts — a test producer that sets each message's timestamp,
 * which kcat cannot: the interval transfers select messages by timestamp.
 *
 *   kafka_produce_ts BROKERS TOPIC < LINES
 *
 * Each input line is TIMESTAMP_MS<TAB>PARTITION<TAB>VALUE (PARTITION -1: the
 * default partitioner; VALUE the rest of the line, sent as is). Waits for
 * every delivery report; exits 1 when any message was not delivered.
 * Built by the tests with cc ... $(pkg-config --cflags --libs rdkafka). */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (m->err && failed++ < 5)
        fprintf(stderr, "kafka_produce_ts: partition %d: %s\n", (int)m->partition, rd_kafka_err2str(m->err));
}

static void set(rd_kafka_conf_t *c, const char *k, const char *v)
{
    char e[256];
    if (rd_kafka_conf_set(c, k, v, e, sizeof e) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "kafka_produce_ts: %s: %s\n", k, e);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: kafka_produce_ts BROKERS TOPIC < TIMESTAMP_MS<TAB>PARTITION<TAB>VALUE lines\n", stderr);
        return 2;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", argv[1]);
    set(conf, "linger.ms", "20");
    set(conf, "batch.num.messages", "10000");
    set(conf, "queue.buffering.max.messages", "1000000");
    set(conf, "queue.buffering.max.kbytes", "1048576");
    set(conf, "message.timeout.ms", "30000");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char e[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e);
    if (!rk) {
        fprintf(stderr, "kafka_produce_ts: %s\n", e);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0, sent = 0;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        lineno++;
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        char *end;
        long long ts = strtoll(line, &end, 10);
        if (*end != '\t') {
            fprintf(stderr, "kafka_produce_ts: line %ld: expected TIMESTAMP_MS<TAB>PARTITION<TAB>VALUE\n", lineno);
            return 2;
        }
        long part = strtol(end + 1, &end, 10);
        if (*end != '\t') {
            fprintf(stderr, "kafka_produce_ts: line %ld: expected TIMESTAMP_MS<TAB>PARTITION<TAB>VALUE\n", lineno);
            return 2;
        }
        char *val = end + 1;
        size_t len = (size_t)(line + n - val);
        for (;;) {
            rd_kafka_resp_err_t err = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(argv[2]), RD_KAFKA_V_PARTITION(part < 0 ? RD_KAFKA_PARTITION_UA : (int32_t)part),
                RD_KAFKA_V_VALUE(val, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_TIMESTAMP(ts),
                RD_KAFKA_V_END);
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                rd_kafka_poll(rk, 50);
                continue;
            }
            if (err) {
                fprintf(stderr, "kafka_produce_ts: line %ld: %s\n", lineno, rd_kafka_err2str(err));
                return 1;
            }
            break;
        }
        sent++;
        rd_kafka_poll(rk, 0);
    }
    free(line);
    rd_kafka_resp_err_t ferr = rd_kafka_flush(rk, 60000);
    rd_kafka_destroy(rk);
    if (ferr || failed) {
        fprintf(stderr, "kafka_produce_ts: %ld of %ld message(s) not delivered\n", failed ? failed : sent, sent);
        return 1;
    }
    return 0;
}
