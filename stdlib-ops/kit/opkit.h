/* opkit — what every operator that runs as `flux __op OPERATOR FIELDS_JSON`
 * shares: its task's rendered fields and run, its connections, the report
 * lines the runner reads back from the log (outputs, transfer counts,
 * lineage), reject files and JSON paths. Internal to stdlib-ops: the runtime
 * sees operators only through ops.h. */
#ifndef FLUX_OPKIT_H
#define FLUX_OPKIT_H

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <mysql.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conn.h"

/* Exit statuses of an operator process. A sensor's process is one poke:
 * OPKIT_NOT_YET asks the runner to poke again later (holding no slot);
 * OPKIT_NOT_YET_ERROR too, after a transient error (a broker down, a refused
 * connection) the log explains: the sensor keeps waiting until its timeout. */
enum {
    OPKIT_OK = 0,
    OPKIT_FAILED = 1,
    OPKIT_BAD_TASK = 2, /* the task cannot run as written: no retry helps */
    OPKIT_NOT_YET = 100,
    OPKIT_NOT_YET_ERROR = 101
};

/* One task instance, as the runner handed it over. */
typedef struct opkit_task {
    const char *op;
    json_t *fields;          /* rendered fields (secrets included: never print them) */
    const flux_conns *conns; /* flux.yaml + FLUX_CONN_* */
    /* the run, from the fields file's "__run" object */
    const char *pipeline, *run_id, *task;
    int try_number;
    int64_t ti;                 /* task instance id in the state store, 0 unknown */
    int64_t interval_start_ms;  /* the run's data interval [start, end) */
    int64_t interval_end_ms;
} opkit_task;

/* Fields. NULL / dflt when absent or of another JSON type. */
json_t *opkit_field(const opkit_task *t, const char *key);
const char *opkit_str(const opkit_task *t, const char *key);
int64_t opkit_int(const opkit_task *t, const char *key, int64_t dflt);
bool opkit_bool(const opkit_task *t, const char *key, bool dflt);
/* The string of a required field, or NULL after printing that it is missing. */
const char *opkit_need(const opkit_task *t, const char *key);
/* opkit_need, and not empty (a topic, a table: "" would name nothing) */
const char *opkit_need_text(const opkit_task *t, const char *key);

/* The connection named by field `key`, of `type` ("mysql", "kafka", "sqlite",
 * "http"; NULL any). NULL after printing why (not defined: where to define
 * it; of another type). */
const flux_conn *opkit_conn(const opkit_task *t, const char *key, const char *type);

/* A MySQL connection (utf8mb4, session time zone UTC, strict SQL mode,
 * autocommit off, LOCAL INFILE allowed when asked). NULL after printing why;
 * the message never holds the password. */
MYSQL *opkit_mysql_connect(const flux_conn *c, bool local_infile);

/* A librdkafka configuration for the connection: bootstrap.servers from its
 * brokers, then every extra key of flux.yaml (security.protocol,
 * sasl.mechanism ...), and the password as sasl.password when the
 * connection has one. NULL with err. */
rd_kafka_conf_t *opkit_kafka_conf(const flux_conn *c, char *err, size_t errlen);


/* Time as ISO 8601 UTC with milliseconds, always shown (unlike lang's
 * flux_time_iso): 2026-11-23T10:00:00.000Z. */
void opkit_iso(int64_t ms, char out[32]);
/* MySQL DATETIME(3) literal text in UTC: 2026-11-23 10:00:00.000 */
void opkit_sqltime(int64_t ms, char out[32]);

/* ---- report lines (stdout, read back by the runner from the log) ---- */

/* ::output key=value — a task output ({{ tasks.ID.outputs.key }}). */
void opkit_output(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* vsnprintf into out (n bytes); nothing when out is NULL: the "why" of a
 * rejected record or a failed step */
void opkit_fmt(char *out, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));

/* ::counts read=R written=W rejected=J bytes=B — stored per task instance.
 * Returns -1 after printing the discrepancy when read != written + rejected:
 * the operator must then fail. */
int opkit_counts(int64_t read, int64_t written, int64_t rejected, int64_t bytes);

/* ::lineage {"direction":"read","kind":"kafka","name":"events","detail":{...}}
 * direction "read" or "write"; kind "kafka" (name: topic; detail: partition,
 * first and last offset, count), "table" (name: database.table; detail:
 * rows, conn), "file" (name: absolute path; detail: size, sha256, records).
 * Takes the reference of detail. */
void opkit_lineage(const char *direction, const char *kind, const char *name, json_t *detail);

/* ---- rejected records ---- */

typedef struct opkit_rejects opkit_rejects;

/* path NULL: rejects are only counted and logged (the first 10, then a
 * summary). A file is written as JSON lines {"reason", "where", "record"},
 * truncated to keep bytes first (a resumed load drops the rejects of its
 * uncommitted batches; 0 for a fresh start). NULL after printing why. */
opkit_rejects *opkit_rejects_open(const char *path, int64_t keep);
/* where: a JSON object saying where the record was (topic/partition/offset,
 * file/line); reference taken. record: the raw bytes (not necessarily text). */
int opkit_reject(opkit_rejects *r, const char *reason, json_t *where, const char *record, size_t len);
int64_t opkit_rejects_count(const opkit_rejects *r);
/* bytes written to the file so far (flushed), for a later resume */
int64_t opkit_rejects_size(opkit_rejects *r);
/* flushes and closes; -1 after printing an error (disk full...) */
int opkit_rejects_close(opkit_rejects *r);

/* ---- JSON paths ---- */

/* `$.a.b`, `$.a[0]`, `$['a b'].c`, `$` itself, or a bare field name `a`.
 * 0 if well formed, else -1 with err. */
int opkit_jsonpath_check(const char *path, char *err, size_t errlen);
/* The value at path, borrowed from root; NULL when absent. */
json_t *opkit_jsonpath(json_t *root, const char *path);

/* ---- producing to Kafka (kafka_produce, file_to_kafka, mysql_to_kafka;
 * implemented in kafka_write.c) ---- */

typedef struct opkit_producer opkit_producer;

/* An idempotent producer (acks=all) to topic. NULL after printing why. */
opkit_producer *opkit_producer_new(const flux_conn *c, const char *topic);
/* Queues one message (headers: a JSON object of strings, or NULL); waits
 * while the local queue is full. -1 after printing why. */
int opkit_produce(opkit_producer *p, const void *key, size_t klen, const void *value, size_t vlen,
                  json_t *headers);
/* Waits up to timeout_ms for every queued message's delivery report, prints
 * the lineage of what was written (per partition: first and last offset,
 * count), frees p. *delivered counts acknowledged messages; any other
 * message failed (its error printed). -1 when some were not delivered. */
int opkit_producer_finish(opkit_producer *p, int timeout_ms, int64_t *delivered);
/* -1 after printing why when headers (a message's) is neither absent, null
 * nor a JSON object of strings. */
int opkit_headers_check(json_t *headers);
/* Waits up to timeout_ms for the queued messages' delivery reports (those
 * still queued then are purged as failed) and gives the latest delivered
 * message's partition and offset. */
void opkit_producer_wait(opkit_producer *p, int timeout_ms, int32_t *last_partition, int64_t *last_offset);

/* ---- SHA-256 of a file (lineage) ---- */
int opkit_file_sha256(const char *path, char hex[65], int64_t *size);

#endif
