/* kafka_produce — one message (value, key, headers) to a topic through the
 * shared idempotent producer (kafka_write.c); its partition and offset
 * become the task's outputs once the delivery report says it is written. */
#include <stdio.h>

#include "operators.h"
#include "opkit.h"

int op_run_kafka_produce(const opkit_task *t)
{
    const flux_conn *c = opkit_conn(t, "conn", "kafka");
    const char *topic = opkit_need_text(t, "topic");
    const char *value = opkit_need(t, "value");
    if (!c || !topic || !value)
        return OPKIT_BAD_TASK;
    json_t *key = opkit_field(t, "key");
    if (key && !json_is_string(key) && !json_is_null(key)) {
        fprintf(stderr, "flux: kafka_produce task '%s': key must be a string\n", t->task ? t->task : "?");
        return OPKIT_BAD_TASK;
    }
    json_t *headers = opkit_field(t, "headers");
    if (opkit_headers_check(headers) != 0)
        return OPKIT_BAD_TASK;

    opkit_producer *p = opkit_producer_new(c, topic);
    if (!p)
        return OPKIT_FAILED;
    const char *k = json_is_string(key) ? json_string_value(key) : NULL;
    size_t klen = k ? json_string_length(key) : 0;
    size_t vlen = json_string_length(opkit_field(t, "value"));
    if (opkit_produce(p, k, klen, value, vlen, headers) != 0) {
        int64_t ignored;
        opkit_producer_finish(p, 1000, &ignored);
        return OPKIT_FAILED;
    }
    /* a little past message.timeout.ms: librdkafka reports the real reason first */
    int32_t partition;
    int64_t offset;
    opkit_producer_wait(p, 60000, &partition, &offset);
    int64_t delivered;
    if (opkit_producer_finish(p, 1000, &delivered) != 0 || delivered != 1)
        return OPKIT_FAILED;
    opkit_output("partition", "%d", (int)partition);
    opkit_output("offset", "%lld", (long long)offset);
    printf("flux: delivered to topic '%s' partition %d at offset %lld\n", topic, (int)partition, (long long)offset);
    return OPKIT_OK;
}
