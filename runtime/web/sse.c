/* sse — /api/v1/events: the store's change feed (store.h's events) as
 * Server-Sent Events. Each connection has its own thread (server.c), so its
 * reader may wait: it asks the store for rows after what it sent every
 * SSE_POLL_MS, writes each as
 *
 *     id: 42
 *     event: ti
 *     data: {"id":42,"kind":"ti","run":7,"ti":31,"pipeline":"p","task":"t","state":"success","at":"..."}
 *
 * and a comment line every SSE_KEEPALIVE_MS of silence, so proxies and the
 * browser keep the connection. A page that is open costs one indexed query
 * per poll and nothing on the page; a browser reconnecting sends
 * Last-Event-ID and gets what it missed (while the store keeps it: a day).
 *
 * MySQL may commit a smaller id after a larger one (store.h), so the reader
 * does not follow "the largest id sent": it keeps the ids it sent above a
 * watermark below which it has seen everything, and moves the watermark
 * over a gap once the gap is SSE_GAP_MS old (a rolled-back insert leaves a
 * gap for ever). */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "views.h"
#include "web_int.h"

enum { SSE_POLL_MS = 250, SSE_KEEPALIVE_MS = 15000, SSE_GAP_MS = 10000, SSE_BATCH = 500, SSE_MAX_SENT = 4096 };

typedef struct sse {
    flux_web_server *srv;
    int64_t low;          /* every id <= low was sent or will never come */
    int64_t *sent;        /* ids above low already sent, ascending */
    size_t nsent;
    int64_t gap_since;    /* monotonic ms since the lowest gap above low was first seen; 0: none */
    int64_t quiet_since;  /* monotonic ms of the last bytes written */
    char *buf;            /* bytes formatted and not yet handed to libmicrohttpd */
    size_t len, off, cap;
} sse;

static void put(sse *e, const char *s, size_t n)
{
    if (e->len + n > e->cap) {
        e->cap = (e->len + n) * 2;
        e->buf = realloc(e->buf, e->cap);
        if (!e->buf)
            abort();
    }
    memcpy(e->buf + e->len, s, n);
    e->len += n;
}

static bool was_sent(const sse *e, int64_t id)
{
    size_t lo = 0, hi = e->nsent;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->sent[mid] == id)
            return true;
        if (e->sent[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static void remember(sse *e, int64_t id)
{
    if (e->nsent == SSE_MAX_SENT) { /* a burst bigger than the window: the oldest gap is given up */
        e->low = e->sent[0];
        memmove(e->sent, e->sent + 1, (e->nsent - 1) * sizeof *e->sent);
        e->nsent--;
    }
    size_t at = e->nsent;
    while (at > 0 && e->sent[at - 1] > id)
        at--;
    memmove(e->sent + at + 1, e->sent + at, (e->nsent - at) * sizeof *e->sent);
    e->sent[at] = id;
    e->nsent++;
}

/* the watermark over what is contiguous, and over a gap that is old enough */
static void advance(sse *e, int64_t now)
{
    size_t drop = 0;
    while (drop < e->nsent && e->sent[drop] == e->low + 1)
        e->low = e->sent[drop++];
    if (drop == e->nsent)
        e->gap_since = 0;
    else if (!e->gap_since)
        e->gap_since = now;
    else if (now - e->gap_since >= SSE_GAP_MS) {
        e->low = e->sent[drop] - 1;
        e->gap_since = 0;
    }
    memmove(e->sent, e->sent + drop, (e->nsent - drop) * sizeof *e->sent);
    e->nsent -= drop;
    if (e->nsent && e->sent[0] == e->low + 1)
        advance(e, now);
}

static void format_event(sse *e, const flux_event_row *r)
{
    json_t *j = json_pack("{s:I, s:s, s:I, s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)r->id, "kind", r->kind,
                          "run", (json_int_t)r->run, "ti", (json_int_t)r->ti, "pipeline", r->pipeline, "task",
                          r->task, "state", r->state, "at", flux_view_jtime(r->at));
    char *data = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!data)
        return;
    char head[96];
    int n = snprintf(head, sizeof head, "id: %" PRId64 "\nevent: %s\ndata: ", r->id, r->kind);
    put(e, head, (size_t)n);
    put(e, data, strlen(data)); /* compact JSON holds no line break */
    put(e, "\n\n", 2);
    free(data);
}

/* one poll: the rows not sent yet, formatted; false when the store failed */
static bool poll_store(sse *e)
{
    flux_event_row *rows = NULL;
    size_t n = 0;
    flux_web_server_lock(e->srv);
    int rc = flux_store_events_since(flux_web_store(e->srv), e->low, SSE_BATCH, &rows, &n);
    flux_web_server_unlock(e->srv);
    if (rc != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!was_sent(e, rows[i].id)) {
            format_event(e, &rows[i]);
            remember(e, rows[i].id);
        }
    free(rows);
    advance(e, flux_clock_mono_ms());
    return true;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    sse *e = cls;
    while (e->off == e->len) {
        e->off = e->len = 0;
        if (flux_web_stopping(e->srv))
            return MHD_CONTENT_READER_END_OF_STREAM;
        int64_t now = flux_clock_mono_ms();
        if (!poll_store(e))
            put(e, ": the store cannot be read now; retrying\n\n", 42);
        if (e->len == 0 && now - e->quiet_since >= SSE_KEEPALIVE_MS)
            put(e, ": keepalive\n\n", 13);
        if (e->len == 0) {
            struct timespec ts = {0, SSE_POLL_MS * 1000000L};
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
            }
        }
    }
    size_t n = e->len - e->off < max ? e->len - e->off : max;
    memcpy(out, e->buf + e->off, n);
    e->off += n;
    e->quiet_since = flux_clock_mono_ms();
    return (ssize_t)n;
}

static void sse_free(void *cls)
{
    sse *e = cls;
    free(e->sent);
    free(e->buf);
    free(e);
}

int flux_web_events(flux_web_server *srv, struct MHD_Connection *c, struct MHD_Response **out, char *err,
                    size_t errlen)
{
    *out = NULL;
    sse *e = calloc(1, sizeof *e);
    if (!e || !(e->sent = malloc(SSE_MAX_SENT * sizeof *e->sent)))
        abort();
    e->srv = srv;
    e->quiet_since = flux_clock_mono_ms();
    /* Last-Event-ID: what the browser saw; else from now on */
    const char *last = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
    char *end = NULL;
    long long v = last ? strtoll(last, &end, 10) : -1;
    if (last && *last && end && !*end && v >= 0)
        e->low = v;
    else {
        flux_web_server_lock(srv);
        int rc = flux_store_events_head(flux_web_store(srv), &e->low);
        if (rc != 0)
            snprintf(err, errlen, "%s", flux_store_error(flux_web_store(srv)));
        flux_web_server_unlock(srv);
        if (rc != 0) {
            sse_free(e);
            return -1;
        }
    }
    /* the first bytes at once: the browser's EventSource is open */
    put(e, "retry: 2000\n\n", 13);
    *out = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, sse_read, e, sse_free);
    if (!*out) {
        sse_free(e);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}
