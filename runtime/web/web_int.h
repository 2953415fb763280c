/* web_int — what server.c hands the API's handlers (api.c) and they hand
 * back: one request, one reply. Private to runtime/web. */
#ifndef FLUX_WEB_INT_H
#define FLUX_WEB_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "store.h"

typedef struct flux_web_server flux_web_server;

typedef struct flux_web_request {
    flux_web_server *srv;
    void *conn;            /* the libmicrohttpd connection, for flux_web_arg */
    const char *method;    /* "GET", "POST", ... */
    const char *path;      /* without the query */
    const char *body;      /* NUL-terminated; "" when none */
    size_t body_len;
    flux_store *store;     /* the read-only store: used under the server's lock */
} flux_web_request;

#define FLUX_WEB_MAX_HEADERS 4
typedef struct flux_web_reply {
    int status;
    const char *type;      /* static content type */
    char *body;            /* malloc'd */
    size_t len;
    struct { char name[32], value[160]; } headers[FLUX_WEB_MAX_HEADERS];
    int nheaders;
} flux_web_reply;

/* A query argument of the request, or NULL. */
const char *flux_web_arg(const flux_web_request *rq, const char *name);
/* True when the request's If-None-Match names etag (a quoted ETag; the
 * header may list several, weak ones too, or be *): the reply is then 304. */
bool flux_web_not_modified(const flux_web_request *rq, const char *etag);
/* A store opened for writing (the same store, already at this build's
 * schema version: the read-only open checked it), or NULL with err. */
flux_store *flux_web_writer(const flux_web_request *rq, char *err, size_t errlen);
/* Gives the heap's free memory back to the system, after a request that
 * allocated much for a moment (a plan of thousands of tasks read and laid
 * out, the metrics summed from nothing): glibc would keep it otherwise. */
void flux_web_trim(void);
/* Another read-only connection to the store, for a reader of its own that
 * must not hold up the shared one (the metrics' sums), or NULL with err. */
flux_store *flux_web_reader(const flux_web_request *rq, char *err, size_t errlen);

void flux_web_json(flux_web_reply *rp, int status, json_t *v);   /* steals v */
void flux_web_error(flux_web_reply *rp, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void flux_web_header(flux_web_reply *rp, const char *name, const char *value);

/* The server's lock on rq->store (a store connection is not shared by
 * threads). The API's handlers run under it, but for those that take it
 * themselves around their store calls only (a layout takes seconds). */
void flux_web_lock(const flux_web_request *rq);
void flux_web_unlock(const flux_web_request *rq);

/* The server's cache of laid-out plans (layout.h). */
struct flux_layout_cache *flux_web_graphs(const flux_web_request *rq);
/* The flux.yaml the server was given (--connections), or NULL: home.h's
 * rule finds it as every command does. */
const char *flux_web_conns_path(const flux_web_request *rq);

/* Routes an /api/v1 request: a reply is always filled. */
void flux_web_api(const flux_web_request *rq, flux_web_reply *rp);

/* The shared read-only store, used between lock and unlock (a store
 * connection is not shared by threads); whether the server is stopping (a
 * long reply ends then). */
flux_store *flux_web_store(flux_web_server *srv);
void flux_web_server_lock(flux_web_server *srv);
void flux_web_server_unlock(flux_web_server *srv);
bool flux_web_stopping(const flux_web_server *srv);

/* sse.c: the /api/v1/events stream for connection c (an opaque struct
 * MHD_Connection), from its Last-Event-ID or from now on; *out an opaque
 * struct MHD_Response. -1 with err when the store cannot be read. */
struct MHD_Connection;
struct MHD_Response;
int flux_web_events(flux_web_server *srv, struct MHD_Connection *c, struct MHD_Response **out, char *err,
                    size_t errlen);

/* GET /metrics (metrics.c), on a store connection of its own (never the
 * shared one's lock). Its cache of the finished runs' sums, one per server. */
typedef struct flux_web_metrics_cache flux_web_metrics_cache;
flux_web_metrics_cache *flux_web_metrics_cache_new(void);
void flux_web_metrics_cache_free(flux_web_metrics_cache *c);
flux_web_metrics_cache *flux_web_metrics_cache_of(const flux_web_request *rq);
void flux_web_metrics(const flux_web_request *rq, flux_web_reply *rp);

/* GET /api/v1/plans/{plan_id}/graph.svg (graph.c); takes the lock itself. */
void flux_web_graph(const flux_web_request *rq, const char *plan_id, flux_web_reply *rp);

#endif
