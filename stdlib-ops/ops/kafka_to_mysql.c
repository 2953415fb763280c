/* kafka_to_mysql — the JSON messages of the run's interval from a Kafka topic
 * into a MySQL table, one row per message, columns picked by JSONPath. Rows
 * and consumed offsets commit together: each batch is the rows (LOAD DATA
 * through mysqlload) plus the upsert of its partitions' rows in
 * flux_kafka_offsets, in one transaction, so a crashed load resumed by a
 * rerun neither duplicates nor loses a row. A reader thread consumes and
 * parses while the main thread type-checks, loads and commits: parsing JSON
 * and waiting for MySQL are the two halves of the time, and they overlap. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka_read.h"
#include "mysqlload.h"
#include "operators.h"
#include "clock.h"
#include "opkit.h"

#define OFFSETS_DDL                                                                                              \
    "CREATE TABLE IF NOT EXISTS flux_kafka_offsets ("                                                           \
    "target_table VARCHAR(255) NOT NULL, topic VARCHAR(255) NOT NULL, `partition` INT NOT NULL, "                \
    "interval_start DATETIME(3) NOT NULL, next_offset BIGINT NOT NULL, records_read BIGINT NOT NULL, "            \
    "records_written BIGINT NOT NULL, records_rejected BIGINT NOT NULL, reject_bytes BIGINT NOT NULL, "          \
    "PRIMARY KEY (target_table, topic, `partition`, interval_start)) ENGINE=InnoDB"

/* counts of one partition over the interval: what earlier tries committed
 * plus this try */
typedef struct pstate {
    int64_t read, written, rejected;
    int64_t pending;        /* rows of this partition in the loader, not yet flushed */
    int64_t committed_next; /* next_offset as last committed, -1 none */
    bool dirty;             /* counts changed since the last commit */
} pstate;

/* One consumed message, as the reader hands it over. */
enum { IT_ROW, IT_BAD, IT_SKIP };
typedef struct item {
    int kind;       /* IT_ROW: vals mapped from doc; IT_BAD: why; IT_SKIP: did not match */
    size_t part;
    int32_t partition;
    int64_t offset, ts;
    json_t *doc;    /* IT_ROW: owns vals */
    size_t raw, len; /* the value's bytes, at raw in the chunk's bytes */
    char *why;      /* IT_BAD, malloc'd */
} item;

/* The reader fills chunks of items in a small ring; the main thread empties
 * them in order: one lock per chunk, not per message. */
#define CHUNK 1024
/* batch_size is rows per transaction: a commit costs a log flush and a LOAD
 * DATA a round trip, so batches of 1000 rows ran at 112,000 rows/s and of
 * 10,000 (the registry's default) at 140,000 (tests/bench/transfer). */
#define NCHUNKS 16
typedef struct chunk {
    item it[CHUNK];
    char *arena; /* the chunk's documents, see arena_alloc */
    size_t aused;
    bool spilled; /* some document memory came from malloc (the arena was full) */
    json_t **vals; /* CHUNK * ncols, borrowed from each item's doc */
    char *bytes;
    size_t blen, bcap;
    size_t n, i;   /* items filled, items taken by the main thread */
    bool full, end, failed;
    char err[1024];
} chunk;

typedef struct load {
    const opkit_task *t;
    /* the reader's side */
    json_t *match;
    const char *const *cols, *const *paths;
    size_t ncols;
    chunk *ring;
    size_t wr, rd;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_bool stop;
    int64_t *cnext; /* per partition: next offset after the messages the main thread took */
    MYSQL *db;
    mysqlload *ml, *ml2; /* filled in turn: one loads while the other fills */
    kafka_read *r;
    opkit_rejects *rej;
    kafka_read_part *parts;
    pstate *ps;
    size_t nparts;
    char key_table[600], key_topic[600], key_start[40]; /* escaped for SQL */
    size_t sqlcap;
    int64_t batches, written_try;
    double mysql_s; /* time spent waiting for MySQL, for the log */
} load;

static int query(load *L, const char *sql, const char *what)
{
    if (mysql_query(L->db, sql) != 0) {
        fprintf(stderr, "flux: %s: %s\n", what, mysql_error(L->db));
        return -1;
    }
    return 0;
}

/* The upsert of the offsets rows of the partitions advanced since the last
 * batch, as of now: the rows in the loader being handed over are written
 * when it commits (if it does not, the task fails as a whole). NULL when no
 * partition advanced. */
static char *offsets_sql(load *L)
{
    int64_t reject_bytes = opkit_rejects_size(L->rej);
    char *sql = malloc(L->sqlcap);
    size_t o = (size_t)snprintf(sql, L->sqlcap,
                                "INSERT INTO flux_kafka_offsets (target_table, topic, `partition`, interval_start, "
                                "next_offset, records_read, records_written, records_rejected, reject_bytes) VALUES ");
    size_t rows = 0;
    for (size_t i = 0; i < L->nparts; i++) {
        pstate *p = &L->ps[i];
        p->written += p->pending;
        p->pending = 0;
        bool advanced = p->dirty || L->cnext[i] > p->committed_next;
        p->dirty = false;
        if (!advanced)
            continue;
        p->committed_next = L->cnext[i];
        o += (size_t)snprintf(sql + o, L->sqlcap - o, "%s('%s','%s',%d,'%s',%lld,%lld,%lld,%lld,%lld)",
                              rows ? "," : "", L->key_table, L->key_topic, (int)L->parts[i].partition, L->key_start,
                              (long long)L->cnext[i], (long long)p->read, (long long)p->written,
                              (long long)p->rejected, (long long)reject_bytes);
        rows++;
    }
    snprintf(sql + o, L->sqlcap - o,
             " ON DUPLICATE KEY UPDATE next_offset = VALUES(next_offset), records_read = VALUES(records_read), "
             "records_written = VALUES(records_written), records_rejected = VALUES(records_rejected), "
             "reject_bytes = VALUES(reject_bytes)");
    if (!rows) {
        free(sql);
        return NULL;
    }
    return sql;
}

/* One batch: the loader's rows, the offsets upsert, COMMIT. Frees sql. */
static int commit_batch(load *L, mysqlload *ml, char *sql)
{
    int64_t t0 = flux_clock_mono_ms();
    char err[1024];
    int rc = 0;
    size_t pending = mysqlload_pending(ml);
    int64_t w = 0;
    if (pending > 0 && mysqlload_flush(ml, &w, err, sizeof err) != 0) {
        fprintf(stderr, "flux: loading into %s: %s\n", L->key_table, err);
        rc = -1;
    } else if (w != (int64_t)pending) {
        fprintf(stderr, "flux: loading into %s: the server took %lld of %zu rows\n", L->key_table, (long long)w,
                pending);
        rc = -1;
    } else if (sql && query(L, sql, "recording the consumed offsets") != 0) {
        rc = -1;
    } else if (mysql_commit(L->db) != 0) {
        fprintf(stderr, "flux: committing a batch into %s: %s\n", L->key_table, mysql_error(L->db));
        rc = -1;
    } else {
        L->written_try += w;
        L->batches++;
    }
    free(sql);
    L->mysql_s += (double)(flux_clock_mono_ms() - t0) / 1000.0;
    return rc;
}

/* A batch committed by a thread of its own while the main thread fills the
 * other loader: the server's work on one batch overlaps the checking of the
 * next (the main thread spent 60% of its time waiting for it). Only one
 * batch is in flight, and the connection is touched by nobody else then. */
typedef struct inflight {
    load *L;
    mysqlload *ml;
    char *sql;
    int rc;
    pthread_t th;
    bool running;
} inflight;

static void *commit_thread(void *arg)
{
    inflight *f = arg;
    f->rc = commit_batch(f->L, f->ml, f->sql);
    return NULL;
}

/* waits for the batch in flight: its status */
static int settle(inflight *f)
{
    if (!f->running)
        return 0;
    pthread_join(f->th, NULL);
    f->running = false;
    return f->rc;
}

static int hand_over(inflight *f, load *L, mysqlload *ml)
{
    int rc = settle(f);
    if (rc != 0)
        return rc;
    f->L = L;
    f->ml = ml;
    f->sql = offsets_sql(L);
    int e = pthread_create(&f->th, NULL, commit_thread, f);
    if (e != 0) {
        fprintf(stderr, "flux: cannot start the commit thread: %s\n", strerror(e));
        free(f->sql);
        return -1;
    }
    f->running = true;
    return 0;
}

/* What earlier tries of this interval committed: resume offsets, counts,
 * the reject file's committed size. */
static int resume(load *L, int64_t *keep)
{
    char q[2048];
    snprintf(q, sizeof q,
             "SELECT `partition`, next_offset, records_read, records_written, records_rejected, reject_bytes "
             "FROM flux_kafka_offsets WHERE target_table = '%s' AND topic = '%s' AND interval_start = '%s'",
             L->key_table, L->key_topic, L->key_start);
    if (query(L, q, "reading the committed offsets") != 0)
        return -1;
    MYSQL_RES *res = mysql_store_result(L->db);
    if (!res) {
        fprintf(stderr, "flux: reading the committed offsets: %s\n", mysql_error(L->db));
        return -1;
    }
    MYSQL_ROW row;
    int resumed = 0;
    while ((row = mysql_fetch_row(res))) {
        int32_t part = (int32_t)strtol(row[0], NULL, 10);
        size_t i;
        for (i = 0; i < L->nparts && L->parts[i].partition != part; i++)
            ;
        if (i == L->nparts) {
            fprintf(stderr, "flux: topic '%s' has no partition %d any more: its committed offset is ignored\n",
                    kafka_read_topic(L->r), (int)part);
            continue;
        }
        pstate *p = &L->ps[i];
        p->committed_next = strtoll(row[1], NULL, 10);
        p->read = strtoll(row[2], NULL, 10);
        p->written = strtoll(row[3], NULL, 10);
        p->rejected = strtoll(row[4], NULL, 10);
        int64_t rb = strtoll(row[5], NULL, 10);
        if (rb > *keep)
            *keep = rb;
        kafka_read_resume(L->r, part, p->committed_next);
        resumed++;
    }
    mysql_free_result(res);
    if (resumed)
        fprintf(stderr, "flux: resuming: %d partition(s) of this interval were committed by an earlier try\n",
                resumed);
    return 0;
}

static void escape(MYSQL *db, char *out, size_t outlen, const char *s)
{
    size_t n = strlen(s);
    if (2 * n + 1 > outlen)
        n = (outlen - 1) / 2;
    mysql_real_escape_string(db, out, s, (unsigned long)n);
}

/* the task's fields checked: 0, or an exit status */
static int check_fields(const opkit_task *t, json_t *columns, json_t *match, const char *mode,
                        int64_t batch)
{
    char err[600];
    if (!json_is_object(columns) || json_object_size(columns) == 0) {
        fprintf(stderr, "flux: kafka_to_mysql task '%s': columns must map at least one column to a JSONPath\n",
                t->task);
        return OPKIT_BAD_TASK;
    }
    const char *k;
    json_t *v;
    json_object_foreach(columns, k, v)
    {
        if (!json_is_string(v) || opkit_jsonpath_check(json_string_value(v), err, sizeof err) != 0) {
            fprintf(stderr, "flux: kafka_to_mysql task '%s': column '%s': %s\n", t->task, k,
                    json_is_string(v) ? err : "the JSONPath must be a string");
            return OPKIT_BAD_TASK;
        }
    }
    if (kafka_match_check(match, err, sizeof err) != 0) {
        fprintf(stderr, "flux: kafka_to_mysql task '%s': %s\n", t->task, err);
        return OPKIT_BAD_TASK;
    }
    if (strcmp(mode, "append") != 0 && strcmp(mode, "replace_interval") != 0) {
        fprintf(stderr, "flux: kafka_to_mysql task '%s': mode '%s' is not append or replace_interval\n", t->task,
                mode);
        return OPKIT_BAD_TASK;
    }
    if (batch <= 0) {
        fprintf(stderr, "flux: kafka_to_mysql task '%s': batch_size must be positive\n", t->task);
        return OPKIT_BAD_TASK;
    }
    return 0;
}

/* ---- parsed documents in the memory of their chunk ----
 * jansson allocates every key, value and hash table of a document with
 * malloc: that was a third of the parse. While the reader parses, its
 * allocations come from the chunk's arena instead, and go back all at once
 * when the chunk is refilled; anything else (other threads, an arena full)
 * still uses malloc. */

#define ARENA (2u << 20)
static _Thread_local chunk *arena_of_thread;
/* every chunk's arena, one block: telling arena memory from malloc's in
 * arena_free is one comparison */
static char *arena_block;

static void *arena_alloc(size_t n)
{
    chunk *c = arena_of_thread;
    size_t need = (n + 15) & ~(size_t)15;
    if (c && ARENA - c->aused >= need) {
        void *p = c->arena + c->aused;
        c->aused += need;
        return p;
    }
    if (c)
        c->spilled = true;
    return malloc(n);
}

static void arena_free(void *p)
{
    char *q = p;
    if (arena_block && q >= arena_block && q < arena_block + (size_t)NCHUNKS * ARENA)
        return;
    free(p);
}

/* ---- the reader thread: consume, parse, match, map ---- */

static void fill(load *L, chunk *c, const kafka_read_msg *m)
{
    item *it = &c->it[c->n];
    json_t **vals = c->vals + c->n * L->ncols;
    c->n++;
    it->part = m->part;
    it->partition = m->partition;
    it->offset = m->offset;
    it->ts = m->ts_ms;
    it->doc = NULL;
    it->why = NULL;
    json_error_t je;
    json_t *doc = json_loadb(m->value, m->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (doc && L->match && !kafka_match(L->match, doc)) {
        it->kind = IT_SKIP;
        json_decref(doc);
        return;
    }
    kafka_read_count(L->r, m);
    if (c->blen + m->len > c->bcap) {
        c->bcap = (c->blen + m->len) * 2;
        c->bytes = realloc(c->bytes, c->bcap);
    }
    memcpy(c->bytes + c->blen, m->value, m->len);
    it->raw = c->blen;
    it->len = m->len;
    c->blen += m->len;
    char why[600];
    if (!doc) {
        snprintf(why, sizeof why, "malformed JSON at byte %d: %s", je.position, je.text);
        it->kind = IT_BAD;
        it->why = strdup(why);
        return;
    }
    for (size_t i = 0; i < L->ncols; i++) {
        vals[i] = opkit_jsonpath(doc, L->paths[i]);
        if (!vals[i]) {
            snprintf(why, sizeof why, "column '%s': missing %s", L->cols[i], L->paths[i]);
            it->kind = IT_BAD;
            it->why = strdup(why);
            json_decref(doc);
            return;
        }
    }
    it->kind = IT_ROW;
    it->doc = doc;
}

/* The documents of a chunk's items freed, by the reader before it refills
 * the chunk. Documents wholly in the arena need no walk: nothing else holds
 * a reference (the loader copies values), so resetting the arena frees them
 * all; only a chunk that spilled into malloc is walked. */
static void drop(chunk *c)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->spilled)
            json_decref(c->it[i].doc);
        c->it[i].doc = NULL;
        free(c->it[i].why);
        c->it[i].why = NULL;
    }
    c->spilled = false;
    c->aused = 0;
}

static void *reader(void *arg)
{
    load *L = arg;
    for (;;) {
        pthread_mutex_lock(&L->mu);
        chunk *c = &L->ring[L->wr];
        while (c->full && !atomic_load(&L->stop))
            pthread_cond_wait(&L->cv, &L->mu);
        pthread_mutex_unlock(&L->mu);
        if (atomic_load(&L->stop))
            return NULL;
        drop(c);
        arena_of_thread = c;
        c->n = c->i = c->blen = 0;
        c->end = c->failed = false;
        while (c->n < CHUNK && !atomic_load(&L->stop)) {
            kafka_read_msg m;
            int got = kafka_read_next(L->r, &m, c->err, sizeof c->err);
            if (got <= 0) {
                c->end = true;
                c->failed = got < 0;
                break;
            }
            fill(L, c, &m);
        }
        arena_of_thread = NULL;
        pthread_mutex_lock(&L->mu);
        c->full = true;
        L->wr = (L->wr + 1) % NCHUNKS;
        pthread_cond_broadcast(&L->cv);
        pthread_mutex_unlock(&L->mu);
        if (c->end)
            return NULL;
    }
}

/* the next full chunk, waiting for the reader */
static chunk *take(load *L)
{
    pthread_mutex_lock(&L->mu);
    chunk *c = &L->ring[L->rd];
    while (!c->full)
        pthread_cond_wait(&L->cv, &L->mu);
    pthread_mutex_unlock(&L->mu);
    return c;
}

static void give_back(load *L, chunk *c)
{
    pthread_mutex_lock(&L->mu);
    c->full = false;
    L->rd = (L->rd + 1) % NCHUNKS;
    pthread_cond_broadcast(&L->cv);
    pthread_mutex_unlock(&L->mu);
}

/* ---- the main thread: add or reject ---- */

/* One item: 0, or -1 when the reject file failed. */
static int take_item(load *L, mysqlload *ml, chunk *c, item *it, int64_t *bytes, int64_t *unmatched)
{
    L->cnext[it->part] = it->offset + 1;
    if (it->kind == IT_SKIP) {
        (*unmatched)++;
        return 0;
    }
    pstate *p = &L->ps[it->part];
    p->read++;
    p->dirty = true;
    *bytes += (int64_t)it->len;
    char why[600];
    const char *reason = it->why;
    if (it->kind == IT_ROW) {
        int added = mysqlload_add(ml, c->vals + (size_t)(it - c->it) * L->ncols, false, why, sizeof why);
        if (added == 0) {
            p->pending++;
            return 0;
        }
        reason = why;
    }
    p->rejected++;
    kafka_read_msg m = {.part = it->part, .partition = it->partition, .offset = it->offset, .ts_ms = it->ts};
    int rc = opkit_reject(L->rej, reason, kafka_read_where(L->r, &m), c->bytes + it->raw, it->len);
    if (rc != 0) {
        fprintf(stderr, "flux: writing the reject file: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

/* Runs the reader and loads what it hands over, a commit every batch rows.
 * 0 when every partition was read to its end and committed. */
static int pump(load *L, int64_t batch, int64_t *bytes, int64_t *unmatched)
{
    L->ring = calloc(NCHUNKS, sizeof *L->ring);
    arena_block = malloc((size_t)NCHUNKS * ARENA);
    for (size_t i = 0; i < NCHUNKS; i++) {
        L->ring[i].vals = calloc(CHUNK * L->ncols, sizeof(json_t *));
        L->ring[i].arena = arena_block + i * ARENA;
    }
    json_set_alloc_funcs(arena_alloc, arena_free);
    pthread_mutex_init(&L->mu, NULL);
    pthread_cond_init(&L->cv, NULL);
    atomic_init(&L->stop, false);
    pthread_t th;
    int rc = pthread_create(&th, NULL, reader, L);
    if (rc != 0)
        fprintf(stderr, "flux: cannot start the reader thread: %s\n", strerror(rc));
    bool started = rc == 0;
    inflight f = {.running = false};
    mysqlload *cur = L->ml;
    for (bool end = !started; !end && rc == 0;) {
        chunk *c = take(L);
        for (; c->i < c->n && rc == 0; c->i++) {
            rc = take_item(L, cur, c, &c->it[c->i], bytes, unmatched);
            if (rc == 0 && mysqlload_pending(cur) >= (size_t)batch) {
                rc = hand_over(&f, L, cur);
                cur = cur == L->ml ? L->ml2 : L->ml;
            }
        }
        end = c->end;
        if (rc == 0 && c->failed) {
            fprintf(stderr, "flux: %s\n", c->err);
            rc = -1;
        }
        give_back(L, c);
    }
    if (settle(&f) != 0)
        rc = -1;
    if (rc != 0) {
        atomic_store(&L->stop, true);
        pthread_mutex_lock(&L->mu);
        pthread_cond_broadcast(&L->cv);
        pthread_mutex_unlock(&L->mu);
    }
    if (started)
        pthread_join(th, NULL);
    for (size_t i = 0; i < NCHUNKS; i++)
        drop(&L->ring[i]);
    /* no document of an arena is left: back to plain malloc */
    json_set_alloc_funcs(malloc, free);
    free(arena_block);
    arena_block = NULL;
    for (size_t i = 0; i < NCHUNKS; i++) {
        free(L->ring[i].vals);
        free(L->ring[i].bytes);
    }
    free(L->ring);
    pthread_mutex_destroy(&L->mu);
    pthread_cond_destroy(&L->cv);
    if (rc != 0)
        return -1;
    /* past the last message of the interval: what the reader passed over */
    for (size_t i = 0; i < L->nparts; i++)
        if (L->parts[i].next > L->cnext[i])
            L->cnext[i] = L->parts[i].next;
    return commit_batch(L, cur, offsets_sql(L));
}

/* replace_interval: the interval's rows and its offsets deleted, in the
 * first batch's transaction. -1 after printing why. */
static int forget_interval(load *L, const char *table, const char *time_col, char *err, size_t errlen)
{
    /* in the first batch's transaction: a crash before it commits
     * leaves the interval as it was */
    int64_t deleted = 0;
    if (mysqlload_delete_interval(L->db, table, time_col, L->t->interval_start_ms, L->t->interval_end_ms, &deleted,
                                  err, errlen) != 0) {
        fprintf(stderr, "flux: replace_interval: %s\n", err);
        return -1;
    }
    char q[2048];
    snprintf(q, sizeof q,
             "DELETE FROM flux_kafka_offsets WHERE target_table = '%s' AND topic = '%s' AND interval_start = '%s'",
             L->key_table, L->key_topic, L->key_start);
    if (query(L, q, "forgetting the interval's offsets") != 0)
        return -1;
    fprintf(stderr, "flux: replace_interval: %lld row(s) of the interval deleted (committed with the first batch)\n",
            (long long)deleted);
    return 0;
}

/* What a finished load says: counts over the partitions, what was skipped,
 * timings, lineage, outputs. OPKIT_FAILED when the counts do not reconcile. */
static int report(load *L, const char *qualified, const char *conn, int64_t bytes, int64_t unmatched,
                  int64_t t_start)
{
    int64_t read = 0, written = 0, rejected = 0;
    for (size_t i = 0; i < L->nparts; i++) {
        read += L->ps[i].read;
        written += L->ps[i].written;
        rejected += L->ps[i].rejected;
    }
    if (unmatched)
        fprintf(stderr, "flux: %lld message(s) of the interval did not match and were skipped\n", (long long)unmatched);
    if (kafka_read_skipped(L->r))
        fprintf(stderr, "flux: %lld message(s) outside the interval were passed over\n",
                (long long)kafka_read_skipped(L->r));
    fprintf(stderr,
            "flux: this try loaded %lld row(s) in %lld batch(es) in %.2f s (%.2f s of it sending and committing); "
            "the interval holds %lld loaded row(s)\n",
            (long long)L->written_try, (long long)L->batches, (double)(flux_clock_mono_ms() - t_start) / 1000.0, L->mysql_s,
            (long long)written);
    kafka_read_lineage(L->r);
    opkit_lineage("write", "table", qualified,
                  json_pack("{s:I, s:s}", "rows", (json_int_t)L->written_try, "conn", conn));
    opkit_output("rows_loaded", "%lld", (long long)written);
    opkit_output("rows_read", "%lld", (long long)read);
    opkit_output("rows_rejected", "%lld", (long long)rejected);
    return opkit_counts(read, written, rejected, bytes) == 0 ? OPKIT_OK : OPKIT_FAILED;
}

/* The end of a load, whatever happened: a failed one rolled back, every
 * handle closed. */
static void load_end(load *L, bool ok)
{
    if (!ok && L->db)
        mysql_rollback(L->db);
    if (L->rej)
        opkit_rejects_close(L->rej);
    kafka_read_close(L->r);
    if (L->ml)
        mysqlload_close(L->ml);
    if (L->ml2)
        mysqlload_close(L->ml2);
    if (L->db)
        mysql_close(L->db);
    free(L->ps);
    free(L->cnext);
}

int op_run_kafka_to_mysql(const opkit_task *t)
{
    const char *topic = opkit_need(t, "topic");
    const char *table = opkit_need(t, "table");
    json_t *columns = opkit_field(t, "columns");
    json_t *match = opkit_field(t, "match");
    const char *mode = opkit_str(t, "mode") ? opkit_str(t, "mode") : "append";
    const char *time_col = opkit_str(t, "time_column");
    const char *reject_path = opkit_str(t, "reject_file");
    int64_t batch = opkit_int(t, "batch_size", 10000);
    if (!topic || !table)
        return OPKIT_BAD_TASK;
    int bad = check_fields(t, columns, match, mode, batch);
    if (bad)
        return bad;
    if (json_object_size(match) == 0)
        match = NULL;
    bool replace = !strcmp(mode, "replace_interval");
    const flux_conn *kc = opkit_conn(t, "source", "kafka");
    const flux_conn *mc = kc ? opkit_conn(t, "target", "mysql") : NULL;
    if (!mc)
        return OPKIT_BAD_TASK;

    size_t ncols = json_object_size(columns);
    const char **cols = calloc(ncols, sizeof *cols);
    const char **paths = calloc(ncols, sizeof *paths);
    size_t ci = 0;
    const char *k;
    json_t *v;
    json_object_foreach(columns, k, v)
    {
        cols[ci] = k;
        paths[ci++] = json_string_value(v);
    }

    load L = {.t = t, .match = match, .cols = cols, .paths = paths, .ncols = ncols};
    int64_t t_start = flux_clock_mono_ms();
    int rc = OPKIT_FAILED;
    char err[1024];
    char qualified[600];
    if (strchr(table, '.'))
        snprintf(qualified, sizeof qualified, "%s", table);
    else
        snprintf(qualified, sizeof qualified, "%s.%s", mc->database ? mc->database : "", table);

    L.db = opkit_mysql_connect(mc, true);
    if (!L.db)
        goto out;
    escape(L.db, L.key_table, sizeof L.key_table, qualified);
    escape(L.db, L.key_topic, sizeof L.key_topic, topic);
    opkit_sqltime(t->interval_start_ms, L.key_start);
    if (query(&L, OFFSETS_DDL, "creating the table flux_kafka_offsets") != 0)
        goto out;
    L.ml = mysqlload_open(L.db, table, cols, ncols, err, sizeof err);
    L.ml2 = L.ml ? mysqlload_open(L.db, table, cols, ncols, err, sizeof err) : NULL;
    if (!L.ml2) {
        fprintf(stderr, "flux: %s\n", err);
        rc = OPKIT_BAD_TASK;
        goto out;
    }
    if (replace && !time_col && !(time_col = mysqlload_time_column(L.ml))) {
        /* without time_column, the one date-time column loaded says which rows are the interval's */
        fprintf(stderr,
                "flux: kafka_to_mysql task '%s': mode = replace_interval needs time_column, the column whose "
                "time says which rows belong to the interval (the loaded columns hold no single date-time one)\n",
                t->task);
        rc = OPKIT_BAD_TASK;
        goto out;
    }
    L.r = kafka_read_open(kc, topic, t->interval_start_ms, t->interval_end_ms, err, sizeof err);
    if (!L.r) {
        fprintf(stderr, "flux: %s\n", err);
        goto out;
    }
    L.parts = kafka_read_parts(L.r, &L.nparts);
    L.ps = calloc(L.nparts, sizeof *L.ps);
    L.cnext = calloc(L.nparts, sizeof *L.cnext);
    for (size_t i = 0; i < L.nparts; i++)
        L.ps[i].committed_next = -1;
    L.sqlcap = 1024 + L.nparts * (64 + strlen(L.key_table) + strlen(L.key_topic));

    int64_t keep = 0;
    if (replace ? forget_interval(&L, table, time_col, err, sizeof err) != 0 : resume(&L, &keep) != 0)
        goto out;
    if (kafka_read_start(L.r, err, sizeof err) != 0) {
        fprintf(stderr, "flux: %s\n", err);
        goto out;
    }
    if (reject_path && kafka_mkparent(reject_path) != 0) {
        fprintf(stderr, "flux: cannot create the directory of the reject file %s: %s\n", reject_path, strerror(errno));
        goto out;
    }
    L.rej = opkit_rejects_open(reject_path, keep);
    if (!L.rej)
        goto out;

    for (size_t i = 0; i < L.nparts; i++)
        L.cnext[i] = L.parts[i].start;
    int64_t unmatched = 0, bytes = 0;
    if (pump(&L, batch, &bytes, &unmatched) != 0)
        goto out;
    if (opkit_rejects_close(L.rej) != 0) {
        L.rej = NULL;
        goto out;
    }
    L.rej = NULL;

    rc = report(&L, qualified, mc->name, bytes, unmatched, t_start);
out:
    load_end(&L, rc == OPKIT_OK);
    free(cols);
    free(paths);
    return rc;
}
