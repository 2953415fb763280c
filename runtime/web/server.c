/* server — the libmicrohttpd daemon of `flux web`: each request checked
 * (Host, bearer token) before anything else, answered from the embedded
 * files or the JSON API, and every reply given the same safety headers.
 * One read-only store serves every request, one request at a time (a mutex:
 * a store connection is not shared by threads); writes open their own. */
#include "server.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assets.h"
#include "home.h"
#include "layout.h"
#include "web_int.h"

#define MAX_BODY (1 << 20) /* a write's JSON is small: refuse more */

struct flux_web_server {
    struct MHD_Daemon *d;
    flux_store *store;
    pthread_mutex_t lock;
    char bind[64];
    int port;
    char *token;
    char *db, *conns;
    _Atomic bool stopping; /* a long reply (events) ends */
    flux_layout_cache *graphs;
    flux_web_metrics_cache *metrics;
    char graphs_dir[4200];
    bool graphs_tmp; /* graphs_dir is this server's own temporary directory */
};

flux_store *flux_web_store(flux_web_server *srv)
{
    return srv->store;
}

void flux_web_server_lock(flux_web_server *srv)
{
    pthread_mutex_lock(&srv->lock);
}

void flux_web_server_unlock(flux_web_server *srv)
{
    pthread_mutex_unlock(&srv->lock);
}

bool flux_web_stopping(const flux_web_server *srv)
{
    return srv->stopping;
}

/* one request's state between libmicrohttpd's calls: its body so far */
typedef struct pending {
    char *body;
    size_t len;
    bool too_big;
} pending;

bool flux_web_loopback(const char *addr)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (!strcasecmp(addr, "localhost"))
        return true;
    if (inet_pton(AF_INET, addr, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, addr, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* ---- replies ---- */

void flux_web_header(flux_web_reply *rp, const char *name, const char *value)
{
    if (rp->nheaders == FLUX_WEB_MAX_HEADERS)
        return;
    snprintf(rp->headers[rp->nheaders].name, sizeof rp->headers[0].name, "%s", name);
    snprintf(rp->headers[rp->nheaders].value, sizeof rp->headers[0].value, "%s", value);
    rp->nheaders++;
}

void flux_web_json(flux_web_reply *rp, int status, json_t *v)
{
    free(rp->body);
    rp->status = status;
    rp->type = "application/json; charset=utf-8";
    rp->body = v ? json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    if (!rp->body)
        rp->body = strdup("null");
    rp->len = strlen(rp->body);
    json_decref(v);
}

void flux_web_error(flux_web_reply *rp, int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    flux_web_json(rp, status, json_pack("{s:s}", "error", msg));
}

const char *flux_web_arg(const flux_web_request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* Does the If-None-Match value v name etag? */
static bool etag_listed(const char *v, const char *etag)
{
    if (!v)
        return false;
    size_t n = strlen(etag);
    for (const char *p = v; *p;) {
        p += strspn(p, " \t,");
        if (*p == '*')
            return true;
        if (!strncmp(p, "W/", 2))
            p += 2;
        size_t len = strcspn(p, ",");
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == n && !strncmp(p, etag, n))
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

bool flux_web_not_modified(const flux_web_request *rq, const char *etag)
{
    return etag_listed(MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH), etag);
}

flux_store *flux_web_writer(const flux_web_request *rq, char *err, size_t errlen)
{
    /* The reader's open found the store at this build's schema version, so
     * this open has nothing to migrate; a store a newer flux migrated since
     * is refused by it as too new. */
    flux_store *s = NULL;
    if (flux_home_open_store(rq->srv->db, rq->srv->conns, true, &s, err, errlen) != FLUX_HOME_OK)
        return NULL;
    return s;
}

void flux_web_trim(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

flux_store *flux_web_reader(const flux_web_request *rq, char *err, size_t errlen)
{
    flux_store *s = NULL;
    if (flux_home_open_store(rq->srv->db, rq->srv->conns, false, &s, err, errlen) != FLUX_HOME_OK)
        return NULL;
    return s;
}

/* ---- security ---- */

/* Compares in time independent of where the strings differ. */
static bool same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < la; i++)
        diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
    return diff == 0 && lb > 0;
}

/* Host must name this server by a loopback name or the bound address (a
 * page of another name reaching us through DNS rebinding is refused). */
static bool host_ok(const flux_web_server *srv, const char *host)
{
    if (!host || !*host)
        return false;
    char name[256];
    const char *port = NULL;
    if (host[0] == '[') {
        const char *end = strchr(host, ']');
        if (!end || (size_t)(end - host - 1) >= sizeof name)
            return false;
        snprintf(name, sizeof name, "%.*s", (int)(end - host - 1), host + 1);
        if (end[1] == ':')
            port = end + 2;
        else if (end[1])
            return false;
    } else {
        const char *colon = strchr(host, ':');
        size_t n = colon ? (size_t)(colon - host) : strlen(host);
        if (n >= sizeof name)
            return false;
        snprintf(name, sizeof name, "%.*s", (int)n, host);
        port = colon ? colon + 1 : NULL;
    }
    if (port) {
        char *end;
        long p = strtol(port, &end, 10);
        if (*end || p != srv->port)
            return false;
    }
    return !strcasecmp(name, "localhost") || !strcmp(name, "127.0.0.1") || !strcmp(name, "::1") ||
           !strcmp(name, srv->bind);
}

/* 0 when the request may go on, else the reply refusing it is filled. */
static int check_request(const flux_web_server *srv, struct MHD_Connection *c, const char *method, const char *url,
                         flux_web_reply *rp)
{
    if (!host_ok(srv, MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST))) {
        flux_web_error(rp, 400, "the Host header must name this server (localhost, 127.0.0.1, [::1] or %s)",
                       srv->bind);
        return -1;
    }
    bool write = strcmp(method, "GET") && strcmp(method, "HEAD");
    bool api = !strncmp(url, "/api/", 5) || !strcmp(url, "/metrics");
    if (!write && !(api && srv->token))
        return 0;
    if (!srv->token) {
        flux_web_error(rp, 401, "writes need a token: start flux web with --token-file FILE and send "
                                "Authorization: Bearer TOKEN");
        return -1;
    }
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!auth || strncmp(auth, "Bearer ", 7) || !same_secret(auth + 7, srv->token)) {
        flux_web_error(rp, 401, "this needs Authorization: Bearer TOKEN (the token of --token-file)");
        flux_web_header(rp, "WWW-Authenticate", "Bearer");
        return -1;
    }
    return 0;
}

/* ---- answering ---- */

static void serve_asset(struct MHD_Connection *c, const char *method, const char *url, flux_web_reply *rp)
{
    if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
        flux_web_error(rp, 405, "static files are read with GET");
        return;
    }
    const char *want = strcmp(url, "/") ? url : "/index.html";
    for (const flux_web_asset *a = flux_web_assets; a->path; a++) {
        if (strcmp(a->path, want))
            continue;
        flux_web_header(rp, "ETag", a->etag);
        flux_web_header(rp, "Cache-Control", "no-cache");
        const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
        rp->type = a->type;
        if (etag_listed(inm, a->etag)) {
            rp->status = 304;
            return;
        }
        rp->status = 200;
        rp->body = malloc(a->len ? a->len : 1);
        if (!rp->body)
            abort();
        memcpy(rp->body, a->data, a->len);
        rp->len = a->len;
        return;
    }
    flux_web_error(rp, 404, "no such page: %s", url);
}

/* the reply r with the headers every reply carries */
static enum MHD_Result queue(struct MHD_Connection *c, struct MHD_Response *r, const flux_web_reply *rp)
{
    if (rp->type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rp->type);
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'self'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    for (int i = 0; i < rp->nheaders; i++)
        MHD_add_response_header(r, rp->headers[i].name, rp->headers[i].value);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)rp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, flux_web_reply *rp)
{
    struct MHD_Response *r = rp->body ? MHD_create_response_from_buffer(rp->len, rp->body, MHD_RESPMEM_MUST_FREE)
                                      : MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
    rp->body = NULL; /* libmicrohttpd frees it */
    if (!r)
        return MHD_NO;
    return queue(c, r, rp);
}

/* GET /api/v1/events, once the request passed its checks: a stream */
static enum MHD_Result send_events(flux_web_server *srv, struct MHD_Connection *c)
{
    struct MHD_Response *r;
    char err[512];
    flux_web_reply rp = {.status = 200, .type = "text/event-stream"};
    if (flux_web_events(srv, c, &r, err, sizeof err) != 0) {
        flux_web_error(&rp, 500, "the store cannot be read: %s", err);
        enum MHD_Result ret = send_reply(c, &rp);
        free(rp.body);
        return ret;
    }
    flux_web_header(&rp, "Cache-Control", "no-cache");
    flux_web_header(&rp, "X-Accel-Buffering", "no"); /* a proxy in front must not hold events back */
    return queue(c, r, &rp);
}

static void answer(flux_web_server *srv, struct MHD_Connection *c, const char *method, const char *url, pending *p,
                   flux_web_reply *rp)
{
    if (check_request(srv, c, method, url, rp) != 0)
        return;
    if (p->too_big) {
        flux_web_error(rp, 413, "the request body is over %d bytes", MAX_BODY);
        return;
    }
    flux_web_request rq = {.srv = srv, .conn = c, .method = method, .path = url,
                           .body = p->body ? p->body : "", .body_len = p->len, .store = srv->store};
    if (!strcmp(url, "/metrics")) {
        if (strcmp(method, "GET") && strcmp(method, "HEAD"))
            return flux_web_error(rp, 405, "/metrics is read with GET");
        flux_web_metrics(&rq, rp);
        return;
    }
    if (strncmp(url, "/api/", 5)) {
        serve_asset(c, method, url, rp);
        return;
    }
    flux_web_api(&rq, rp);
}

void flux_web_lock(const flux_web_request *rq)
{
    pthread_mutex_lock(&rq->srv->lock);
}

void flux_web_unlock(const flux_web_request *rq)
{
    pthread_mutex_unlock(&rq->srv->lock);
}

const char *flux_web_conns_path(const flux_web_request *rq)
{
    return rq->srv->conns;
}

flux_layout_cache *flux_web_graphs(const flux_web_request *rq)
{
    return rq->srv->graphs;
}

flux_web_metrics_cache *flux_web_metrics_cache_of(const flux_web_request *rq)
{
    return rq->srv->metrics;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state)
{
    (void)version;
    flux_web_server *srv = cls;
    pending *p = *state;
    if (!p) { /* the headers: the body, if any, comes in the next calls */
        if (!(p = calloc(1, sizeof *p)))
            return MHD_NO;
        *state = p;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!p->too_big && p->len + *upload_size <= MAX_BODY) {
            char *b = realloc(p->body, p->len + *upload_size + 1);
            if (!b)
                return MHD_NO;
            memcpy(b + p->len, upload, *upload_size);
            p->len += *upload_size;
            b[p->len] = '\0';
            p->body = b;
        } else {
            p->too_big = true;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    flux_web_reply rp = {.status = 500};
    if (!strcmp(url, "/api/v1/events") && !strcmp(method, "GET") && check_request(srv, c, method, url, &rp) == 0)
        return send_events(srv, c);
    answer(srv, c, method, url, p, &rp);
    enum MHD_Result ret = send_reply(c, &rp);
    free(rp.body);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    pending *p = *state;
    if (p) {
        free(p->body);
        free(p);
        *state = NULL;
    }
}

/* ---- the daemon ---- */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static struct MHD_Daemon *listen_on(flux_web_server *srv, const char *bind, int port, char *err, size_t errlen)
{
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
    const char *host = strcmp(bind, "localhost") ? bind : "127.0.0.1";
    const struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    if (inet_pton(AF_INET, host, &a4.sin_addr) == 1) {
        sa = (const struct sockaddr *)&a4;
    } else if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
        sa = (const struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(err, errlen, "--bind %s is not an IP address (give one such as 127.0.0.1 or ::1)", bind);
        return NULL;
    }
    struct MHD_Daemon *d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, srv,
                                            MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_NOTIFY_COMPLETED, on_done, srv,
                                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_END);
    if (!d)
        snprintf(err, errlen, "cannot listen on %s port %d (in use, or not an address of this machine)", bind, port);
    return d;
}

/* Where laid-out plans are kept: FLUX_HOME/cache/graphs when FLUX_HOME is
 * there and writable (a layout of thousands of tasks takes seconds: kept
 * across restarts), else a temporary directory of this server's, removed
 * when it stops (flux web never creates FLUX_HOME: it only reads). */
static void graphs_dir(flux_web_server *srv)
{
    const char *home = flux_home_dir();
    char cache[4200];
    struct stat st;
    snprintf(cache, sizeof cache, "%s/cache", home);
    snprintf(srv->graphs_dir, sizeof srv->graphs_dir, "%s/cache/graphs", home);
    if (stat(home, &st) == 0 && S_ISDIR(st.st_mode) && access(home, W_OK) == 0 &&
        (mkdir(cache, 0700) == 0 || errno == EEXIST) && (mkdir(srv->graphs_dir, 0700) == 0 || errno == EEXIST) &&
        access(srv->graphs_dir, W_OK) == 0)
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(srv->graphs_dir, sizeof srv->graphs_dir, "%s/flux-graphs.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(srv->graphs_dir))
        srv->graphs_tmp = true;
    else
        srv->graphs_dir[0] = '\0'; /* kept in memory only */
}

static void remove_tmp_graphs(flux_web_server *srv)
{
    DIR *d = srv->graphs_tmp ? opendir(srv->graphs_dir) : NULL;
    if (!d)
        return;
    struct dirent *e;
    char path[4600];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        snprintf(path, sizeof path, "%s/%s", srv->graphs_dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(srv->graphs_dir);
}

int flux_web_start(const flux_web_config *cfg, flux_web_server **out, char *err, size_t errlen)
{
    const char *bind = cfg->bind ? cfg->bind : "127.0.0.1";
    *out = NULL;
    if (!flux_web_loopback(bind) && !cfg->token) {
        snprintf(err, errlen, "refusing to listen on %s without a token: anyone who can reach it could read the "
                              "store and trigger runs; give --token-file FILE, or bind to 127.0.0.1", bind);
        return 1;
    }
    if (strlen(bind) >= 64 || cfg->port < 0 || cfg->port > 65535) {
        snprintf(err, errlen, "bad address %s or port %d", bind, cfg->port);
        return -1;
    }
    flux_web_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        abort();
    snprintf(srv->bind, sizeof srv->bind, "%s", bind);
    srv->store = cfg->store;
    srv->token = dup_or_null(cfg->token);
    srv->db = dup_or_null(cfg->db);
    srv->conns = dup_or_null(cfg->conns);
    pthread_mutex_init(&srv->lock, NULL);
    srv->port = cfg->port;
    graphs_dir(srv);
    /* a plan of 2,000 tasks is 1.5 MB of SVG: a few in memory, the rest on disk */
    srv->graphs = flux_layout_cache_new(srv->graphs_dir[0] ? srv->graphs_dir : NULL, 64, 8u << 20);
    srv->metrics = flux_web_metrics_cache_new();
    if (!(srv->d = listen_on(srv, bind, cfg->port, err, errlen))) {
        srv->store = NULL;
        flux_web_stop(srv);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    if (info)
        srv->port = info->port;
    *out = srv;
    return 0;
}

int flux_web_port(const flux_web_server *srv)
{
    return srv->port;
}

void flux_web_stop(flux_web_server *srv)
{
    if (!srv)
        return;
    srv->stopping = true; /* event streams end, so their threads can be joined */
    if (srv->d)
        MHD_stop_daemon(srv->d);
    if (srv->store)
        flux_store_close(srv->store);
    flux_layout_cache_free(srv->graphs);
    flux_web_metrics_cache_free(srv->metrics);
    remove_tmp_graphs(srv);
    pthread_mutex_destroy(&srv->lock);
    if (srv->token) /* not left in freed memory */
        memset(srv->token, 0, strlen(srv->token));
    free(srv->token);
    free(srv->db);
    free(srv->conns);
    free(srv);
}
