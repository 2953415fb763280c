/* kafka_read — the messages of one topic whose timestamps fall in an interval
 * [start_ms, end_ms), read partition by partition up to the high watermark
 * seen at the start, by an assign-only consumer that never commits to Kafka
 * (the transfers keep their offsets in their target). Shared by
 * kafka_to_mysql and kafka_to_file. */
#ifndef FLUX_KAFKA_READ_H
#define FLUX_KAFKA_READ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"

typedef struct kafka_read kafka_read;

/* One partition and the progress of the read through it. */
typedef struct kafka_read_part {
    int32_t partition;
    int64_t low, high;  /* watermarks when the read began */
    int64_t resume;     /* offset given by the caller, -1 none */
    int64_t start;      /* first offset read */
    int64_t next;       /* offset after the last message consumed (in the interval or not) */
    int64_t skipped;    /* messages consumed whose timestamp is outside the interval */
    /* messages the caller counted (kafka_read_count): lineage */
    int64_t first, last, count;
    bool done;
} kafka_read_part;

/* A message of the interval; valid until the next kafka_read_next. */
typedef struct kafka_read_msg {
    size_t part;        /* index into the partitions */
    int32_t partition;
    int64_t offset;
    int64_t ts_ms;
    const char *value;
    size_t len;
} kafka_read_msg;

/* Connects and lists the topic's partitions with their watermarks. NULL
 * with err (no such topic, broker unreachable within the bounded wait). */
kafka_read *kafka_read_open(const flux_conn *c, const char *topic, int64_t start_ms, int64_t end_ms, char *err,
                            size_t errlen);
kafka_read_part *kafka_read_parts(kafka_read *r, size_t *n);
/* Read partition from offset instead of looking the interval start up
 * (a resumed load). -1 when the topic has no such partition. */
int kafka_read_resume(kafka_read *r, int32_t partition, int64_t offset);
/* Finds each partition's first offset (resume, else the offset of the
 * interval's start by timestamp, else the low watermark when the broker
 * does not know) and starts fetching. -1 with err. */
int kafka_read_start(kafka_read *r, char *err, size_t errlen);
/* The next message of the interval: 1 with *m, 0 when every partition
 * reached its high watermark, -1 with err (a stalled broker, a fetch error
 * naming topic/partition/offset). */
int kafka_read_next(kafka_read *r, kafka_read_msg *m, char *err, size_t errlen);
/* The caller counted m as read: it enters the partition's lineage. */
void kafka_read_count(kafka_read *r, const kafka_read_msg *m);
/* ::lineage read lines, one per partition. */
void kafka_read_lineage(kafka_read *r);
/* Messages consumed outside the interval, over all partitions. */
int64_t kafka_read_skipped(const kafka_read *r);
const char *kafka_read_topic(const kafka_read *r);
void kafka_read_close(kafka_read *r);

/* Where a message was, for a reject line: {topic, partition, offset,
 * timestamp}. A new reference. */
json_t *kafka_read_where(const kafka_read *r, const kafka_read_msg *m);

/* The `match` field of a transfer: {name-or-JSONPath: value}. 0 when every
 * key is a well-formed path (or match is NULL), else -1 with err. */
int kafka_match_check(json_t *match, char *err, size_t errlen);
/* Whether doc has every value of match; a number or boolean matches its
 * text ("42", "true"), an absent path matches nothing. */
bool kafka_match(json_t *match, json_t *doc);

/* mkdir -p of the directory holding path (an output or reject file of the
 * transfers). -1 with errno. */
int kafka_mkparent(const char *path);

#endif
