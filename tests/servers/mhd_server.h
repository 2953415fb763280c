/* mhd_server — what the test HTTP servers (http_server.c, hook_server.c)
 * share: a request's body gathered from its pieces, the daemon on
 * 127.0.0.1 with a thread per connection, its port written to a file once
 * it listens (renamed into place, so a reader never sees half a number),
 * HTTPS when given a certificate and its key (libmicrohttpd's GnuTLS), and
 * serving until SIGTERM or SIGINT. Included once by each server, which
 * is compiled on its own by the test scripts that start it. */
#ifndef FLUX_TEST_MHD_SERVER_H
#define FLUX_TEST_MHD_SERVER_H

#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct request {
    char *body; /* NUL-terminated, NULL while empty */
    size_t len;
} request;

/* The first call of a request makes its state; the calls with a piece of
 * the body keep it. True while the request is still arriving (the handler
 * returns *result then), false once it is whole in *req. */
static bool request_gather(void **state, const char *data, size_t *size, request **req, enum MHD_Result *result)
{
    *req = *state;
    *result = MHD_YES;
    if (!*req) {
        *state = calloc(1, sizeof **req);
        *result = *state ? MHD_YES : MHD_NO;
        return true;
    }
    if (!*size)
        return false;
    char *grown = realloc((*req)->body, (*req)->len + *size + 1);
    if (!grown) {
        *result = MHD_NO;
        return true;
    }
    memcpy(grown + (*req)->len, data, *size);
    (*req)->len += *size;
    grown[(*req)->len] = '\0';
    (*req)->body = grown;
    *size = 0;
    return true;
}

static void request_done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    request *req = *state;
    if (req)
        free(req->body);
    free(req);
    *state = NULL;
}

static volatile sig_atomic_t server_stop;
static void server_on_signal(int sig)
{
    (void)sig;
    server_stop = 1;
}

/* a whole (PEM) file, NUL-terminated, or NULL after saying why */
static char *server_slurp(const char *name, const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long len = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (text = malloc((size_t)len + 1)) && fread(text, 1, (size_t)len, f) == (size_t)len) {
        text[len] = '\0';
        fclose(f);
        return text;
    }
    fprintf(stderr, "%s: cannot read %s\n", name, path);
    free(text);
    if (f)
        fclose(f);
    return NULL;
}

/* A trailing `--tls CERT KEY` (after at least min arguments): its two
 * files in cert and key, and argc without them */
static int server_tls_args(int argc, char **argv, int min, const char **cert, const char **key)
{
    *cert = *key = NULL;
    if (argc >= min + 3 && !strcmp(argv[argc - 3], "--tls")) {
        *cert = argv[argc - 2], *key = argv[argc - 1];
        argc -= 3;
    }
    return argc;
}

/* Serves with handler on 127.0.0.1:port (0: the kernel picks) until SIGTERM
 * or SIGINT, the port written to port_file first; over HTTPS when cert and
 * key (PEM file paths) are given. 0, or 1 after saying why on stderr (name:
 * the server's, for the message). */
static int server_run_tls(const char *name, const char *port_file, uint16_t port, MHD_AccessHandlerCallback handler,
                          const char *cert, const char *key)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    struct MHD_Daemon *d;
    char *cert_pem = NULL, *key_pem = NULL;
    if (cert && key) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            fprintf(stderr, "%s: this libmicrohttpd has no TLS\n", name);
            return 1;
        }
        if (!(cert_pem = server_slurp(name, cert)) || !(key_pem = server_slurp(name, key))) {
            free(cert_pem);
            return 1;
        }
        d = MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                             MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL, MHD_OPTION_HTTPS_MEM_CERT, cert_pem,
                             MHD_OPTION_HTTPS_MEM_KEY, key_pem, MHD_OPTION_END);
    } else {
        d = MHD_start_daemon(flags, 0, NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                             MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL, MHD_OPTION_END);
    }
    if (!d) {
        fprintf(stderr, "%s: cannot listen\n", name);
        free(cert_pem);
        free(key_pem);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%u\n", (unsigned)info->port) < 0 || fclose(f) != 0 || rename(tmp, port_file) != 0) {
        fprintf(stderr, "%s: writing the port file: ", name);
        perror(NULL);
        MHD_stop_daemon(d);
        free(cert_pem);
        free(key_pem);
        return 1;
    }
    signal(SIGTERM, server_on_signal);
    signal(SIGINT, server_on_signal);
    while (!server_stop)
        pause();
    MHD_stop_daemon(d);
    free(cert_pem); /* libmicrohttpd reads them until it stops */
    free(key_pem);
    return 0;
}

static inline int server_run(const char *name, const char *port_file, uint16_t port, MHD_AccessHandlerCallback handler)
{
    return server_run_tls(name, port_file, port, handler, NULL, NULL);
}

#endif
