/* hook_server — a webhook receiver for the notification tests, on
 * libmicrohttpd, bound to 127.0.0.1.
 *
 *   hook_server PORT_FILE LOG [PORT [FAILS]] [--tls CERT KEY]
 *
 * Writes its port to PORT_FILE once it listens (renamed into place) and
 * serves until SIGTERM or SIGINT. Every POST is answered 200 (the first
 * FAILS ones 500) and appended to LOG as one line, with one write(2):
 *   {"ms": receipt time, "status": answered, "key": Idempotency-Key,
 *    "authorization": its header, "body": the body as received}
 * PORT (default 0: the kernel picks) lets a test start it again on the
 * port a notifier was given, after it was down. --tls serves HTTPS with
 * CERT (a PEM chain) and KEY.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "mhd_server.h"

static int log_fd;
static int fails_left;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* a header's value as a JSON string (the tests send ASCII) */
static void put_str(char *out, size_t cap, size_t *at, const char *s)
{
    *at += (size_t)snprintf(out + *at, cap - *at, "\"");
    for (; s && *s && *at + 8 < cap; s++) {
        if (*s == '"' || *s == '\\')
            *at += (size_t)snprintf(out + *at, cap - *at, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            *at += (size_t)snprintf(out + *at, cap - *at, "\\u%04x", *s);
        else
            out[(*at)++] = *s;
    }
    *at += (size_t)snprintf(out + *at, cap - *at, "\"");
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                             const char *version, const char *data, size_t *size, void **state)
{
    (void)cls, (void)url, (void)version;
    request *r;
    enum MHD_Result more;
    if (request_gather(state, data, size, &r, &more))
        return more;
    int status = 200;
    if (!strcmp(method, "POST")) {
        pthread_mutex_lock(&mu);
        if (fails_left > 0) {
            fails_left--;
            status = 500;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        size_t cap = r->len + 4096, at = 0;
        char *line = malloc(cap);
        at += (size_t)snprintf(line, cap, "{\"ms\": %lld, \"status\": %d, \"key\": ",
                               (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, status);
        put_str(line, cap, &at, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key"));
        at += (size_t)snprintf(line + at, cap - at, ", \"authorization\": ");
        put_str(line, cap, &at, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"));
        at += (size_t)snprintf(line + at, cap - at, ", \"body\": %s}\n", r->len ? r->body : "null");
        if (write(log_fd, line, at) != (ssize_t)at)
            perror("hook_server: log");
        free(line);
        pthread_mutex_unlock(&mu);
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(3, "ok\n", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

int main(int argc, char **argv)
{
    const char *cert, *key;
    argc = server_tls_args(argc, argv, 3, &cert, &key);
    for (int i = 3; i < argc; i++)
        if (argv[i][0] == '-')
            argc = 0; /* an option elsewhere, or --tls without its two files */
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: hook_server PORT_FILE LOG [PORT [FAILS]] [--tls CERT KEY]\n");
        return 2;
    }
    log_fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log_fd < 0) {
        perror("hook_server: log");
        return 1;
    }
    fails_left = argc > 4 ? atoi(argv[4]) : 0;
    return server_run_tls("hook_server", argv[1], (uint16_t)(argc > 3 ? atoi(argv[3]) : 0), serve, cert, key);
}
