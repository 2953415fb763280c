/* http_server — a small HTTP server for the http operator's tests, on
 * libmicrohttpd, bound to 127.0.0.1 on a port the kernel picks.
 *
 *   http_server PORT_FILE [USER PASSWORD] [--tls CERT KEY]
 *
 * Writes its port to PORT_FILE once it listens (renamed into place, so a
 * reader never sees half a number) and serves until SIGTERM or SIGINT:
 *   /echo/...        {"method", "path", "headers": {lower-cased name: value}, "body"} as JSON
 *   /status/N        status N, body "status N"
 *   /text            "hello flux" and a newline
 *   /big/N           N bytes of 'x' with a Content-Length
 *   /stream/N        N bytes of 'x', chunked (no length known in advance)
 *   /auth/...        the echo (minus Authorization), behind basic auth USER:PASSWORD (401 otherwise)
 * --tls serves HTTPS with CERT (a PEM chain) and KEY.
 */
#include <jansson.h>
#include <stdbool.h>

#include "mhd_server.h"

static const char *auth_user, *auth_pass;


static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    char lower[256];
    size_t i = 0;
    for (; key[i] && i + 1 < sizeof lower; i++)
        lower[i] = (char)((key[i] >= 'A' && key[i] <= 'Z') ? key[i] + 32 : key[i]);
    lower[i] = '\0';
    json_object_set_new(cls, lower, json_string(value ? value : ""));
    return MHD_YES;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *type, char *data, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result echo(struct MHD_Connection *c, const char *method, const char *url, request *req)
{
    json_t *h = json_object();
    MHD_get_connection_values(c, MHD_HEADER_KIND, add_header, h);
    /* the credentials are the test's secret: no echo of them in a log */
    json_object_del(h, "authorization");
    json_t *o = json_pack("{s:s, s:s, s:o, s:s%}", "method", method, "path", url, "headers", h, "body",
                          req->body ? req->body : "", req->len);
    char *s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(o);
    return reply(c, MHD_HTTP_OK, "application/json", s, strlen(s));
}

static ssize_t xs(void *cls, uint64_t pos, char *buf, size_t max)
{
    uint64_t total = *(uint64_t *)cls;
    if (pos >= total)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = total - pos < max ? (size_t)(total - pos) : max;
    memset(buf, 'x', n);
    return (ssize_t)n;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **state)
{
    (void)cls;
    (void)version;
    /* the body arrives in pieces: keep them all before answering */
    request *req;
    enum MHD_Result more;
    if (request_gather(state, upload, upload_size, &req, &more))
        return more;
    if (!strncmp(url, "/echo", 5))
        return echo(c, method, url, req);
    if (!strncmp(url, "/status/", 8)) {
        unsigned int code = (unsigned int)atoi(url + 8);
        char *s = malloc(32);
        snprintf(s, 32, "status %u", code);
        return reply(c, code, "text/plain", s, strlen(s));
    }
    if (!strcmp(url, "/text"))
        return reply(c, MHD_HTTP_OK, "text/plain", strdup("hello flux\n"), 11);
    if (!strncmp(url, "/big/", 5) || !strncmp(url, "/stream/", 8)) {
        static uint64_t sizes[64];
        static int next;
        bool chunked = url[1] == 's';
        uint64_t *n = &sizes[__atomic_fetch_add(&next, 1, __ATOMIC_SEQ_CST) % 64];
        *n = strtoull(url + (chunked ? 8 : 5), NULL, 10);
        struct MHD_Response *r =
            MHD_create_response_from_callback(chunked ? MHD_SIZE_UNKNOWN : *n, 65536, xs, n, NULL);
        enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
        MHD_destroy_response(r);
        return ok;
    }
    if (!strncmp(url, "/auth", 5)) {
        char *pass = NULL;
        char *user = MHD_basic_auth_get_username_password(c, &pass);
        bool ok = user && pass && auth_user && !strcmp(user, auth_user) && !strcmp(pass, auth_pass);
        MHD_free(user);
        MHD_free(pass);
        if (ok)
            return echo(c, method, url, req);
        struct MHD_Response *r = MHD_create_response_from_buffer(6, "denied", MHD_RESPMEM_PERSISTENT);
        enum MHD_Result res = MHD_queue_basic_auth_fail_response(c, "flux", r);
        MHD_destroy_response(r);
        return res;
    }
    return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", strdup("no such endpoint"), 16);
}

int main(int argc, char **argv)
{
    const char *cert, *key;
    argc = server_tls_args(argc, argv, 2, &cert, &key);
    if (argc != 2 && argc != 4) {
        fputs("usage: http_server PORT_FILE [USER PASSWORD] [--tls CERT KEY]\n", stderr);
        return 2;
    }
    if (argc == 4) {
        auth_user = argv[2];
        auth_pass = argv[3];
    }
    return server_run_tls("http_server", argv[1], 0, handle, cert, key);
}
