/* smtp_sink — an SMTP receiver for the email notification tests: SMTP on
 * 127.0.0.1, plain, with STARTTLS or with TLS from the first byte (OpenSSL),
 * one connection at a time, every message kept.
 *
 *   smtp_sink PORT_FILE DIR [PORT] [--starttls CERT KEY | --tls CERT KEY]
 *
 * Writes its port to PORT_FILE once it listens (renamed into place) and
 * serves until SIGTERM. It offers AUTH PLAIN and LOGIN and accepts any
 * credentials, recording them; each message is written to DIR/N.eml as
 * "X-Auth: user password", "X-Mail-From:", "X-Rcpt-To:" and "X-TLS:" (the
 * protocol, or "none") lines then the DATA as received (dot-unstuffed), N
 * numbering on after the files there. PORT (default 0) starts it again on a
 * port a notifier was given, after it was down. --starttls offers STARTTLS
 * (and still takes AUTH before it, so a client that skips it is caught);
 * --tls speaks TLS at once (smtps://). CERT is a PEM chain, KEY its key.
 * Every command's verb is logged to stderr with "tls" or "plain" before it,
 * so a test can tell what crossed the wire unencrypted.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t unb64(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    for (; *in && *in != '='; in++) {
        const char *p = strchr(b64, *in);
        if (!p)
            continue;
        acc = (acc << 6) | (unsigned)(p - b64);
        bits += 6;
        if (bits >= 8 && n + 1 < cap) {
            bits -= 8;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[n] = '\0';
    return n;
}

/* one client: its socket, its TLS session once there is one, and what was
 * read but not yet taken as a line */
typedef struct conn {
    int fd;
    SSL *ssl;
    char buf[16384];
    size_t len, off;
} conn;

static int conn_fill(conn *c)
{
    c->off = 0;
    int n = c->ssl ? SSL_read(c->ssl, c->buf, (int)sizeof c->buf) : (int)read(c->fd, c->buf, sizeof c->buf);
    c->len = n > 0 ? (size_t)n : 0;
    return n > 0;
}

/* one line without its CRLF; 0 at the end of the connection */
static int get_line(conn *c, char *line, size_t cap)
{
    size_t n = 0;
    for (;;) {
        if (c->off == c->len && !conn_fill(c))
            return 0;
        char ch = c->buf[c->off++];
        if (ch == '\n')
            break;
        if (n + 1 < cap)
            line[n++] = ch;
    }
    if (n && line[n - 1] == '\r')
        n--;
    line[n] = '\0';
    return 1;
}

static void put(conn *c, const char *fmt, ...)
{
    char out[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, sizeof out, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    if ((size_t)n >= sizeof out)
        n = (int)sizeof out - 1; /* cut, as vsnprintf did */
    if (c->ssl)
        SSL_write(c->ssl, out, n);
    else if (write(c->fd, out, (size_t)n) != n)
        return;
}

/* the handshake on c's socket; 0 when it failed (a client that does not
 * trust the certificate ends it so) */
static int tls_begin(conn *c, SSL_CTX *ctx)
{
    c->ssl = SSL_new(ctx);
    SSL_set_fd(c->ssl, c->fd);
    c->len = c->off = 0; /* nothing read before the handshake counts after it */
    ERR_clear_error();    /* so a failure below prints its own errors only */
    if (SSL_accept(c->ssl) == 1)
        return 1;
    fprintf(stderr, "smtp_sink: TLS handshake failed: ");
    ERR_print_errors_fp(stderr);
    fprintf(stderr, "\n");
    return 0;
}

static void verb_log(const conn *c, const char *line)
{
    size_t n = strcspn(line, " ");
    if (!strncasecmp(line, "AUTH", 4))
        n = strlen(line) > 10 ? 10 : strlen(line); /* "AUTH PLAIN", never the credentials */
    fprintf(stderr, "smtp_sink: %s %.*s\n", c->ssl ? "tls" : "plain", (int)n, line);
}

static void serve(int fd, const char *dir, int *count, SSL_CTX *ctx, int starttls)
{
    conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    c->fd = fd;
    char line[65536], from[1024] = "", rcpt[4096] = "", auth[2048] = ""; /* auth: user and password of raw[1024] */
    if (ctx && !starttls && !tls_begin(c, ctx))
        goto done;
    put(c, "220 smtp_sink ready\r\n");
    while (get_line(c, line, sizeof line)) {
        verb_log(c, line);
        if (!strncasecmp(line, "EHLO", 4)) {
            put(c, "250-smtp_sink\r\n%s250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n",
                starttls && !c->ssl ? "250-STARTTLS\r\n" : "");
        } else if (!strncasecmp(line, "HELO", 4)) {
            put(c, "250 smtp_sink\r\n");
        } else if (!strcasecmp(line, "STARTTLS") && starttls && !c->ssl) {
            put(c, "220 go ahead\r\n");
            if (!tls_begin(c, ctx))
                break;
            from[0] = rcpt[0] = auth[0] = '\0'; /* RFC 3207: the session starts over */
        } else if (!strncasecmp(line, "AUTH PLAIN", 10)) {
            char raw[1024];
            const char *arg = line + 10;
            while (*arg == ' ')
                arg++;
            if (!*arg) {
                put(c, "334 \r\n");
                if (!get_line(c, line, sizeof line))
                    break;
                arg = line;
            }
            size_t n = unb64(arg, raw, sizeof raw);
            /* authzid NUL user NUL password */
            const char *user = memchr(raw, '\0', n) ? raw + strlen(raw) + 1 : raw;
            const char *pw = user < raw + n ? user + strlen(user) + 1 : "";
            snprintf(auth, sizeof auth, "%s %s", user, pw < raw + n ? pw : "");
            put(c, "235 ok\r\n");
        } else if (!strncasecmp(line, "AUTH LOGIN", 10)) {
            char u[512], p[512];
            put(c, "334 VXNlcm5hbWU6\r\n");
            if (!get_line(c, line, sizeof line))
                break;
            unb64(line, u, sizeof u);
            put(c, "334 UGFzc3dvcmQ6\r\n");
            if (!get_line(c, line, sizeof line))
                break;
            unb64(line, p, sizeof p);
            snprintf(auth, sizeof auth, "%s %s", u, p);
            put(c, "235 ok\r\n");
        } else if (!strncasecmp(line, "MAIL FROM:", 10)) {
            snprintf(from, sizeof from, "%s", line + 10);
            rcpt[0] = '\0';
            put(c, "250 ok\r\n");
        } else if (!strncasecmp(line, "RCPT TO:", 8)) {
            size_t l = strlen(rcpt);
            snprintf(rcpt + l, sizeof rcpt - l, "%s%s", l ? " " : "", line + 8);
            put(c, "250 ok\r\n");
        } else if (!strcasecmp(line, "DATA")) {
            put(c, "354 go on\r\n");
            char path[4096], tmp[4200];
            snprintf(path, sizeof path, "%s/%d.eml", dir, ++*count);
            snprintf(tmp, sizeof tmp, "%s.tmp", path);
            FILE *f = fopen(tmp, "w");
            if (f)
                fprintf(f, "X-Auth: %s\nX-Mail-From: %s\nX-Rcpt-To: %s\nX-TLS: %s\n", auth, from, rcpt,
                        c->ssl ? SSL_get_version(c->ssl) : "none");
            while (get_line(c, line, sizeof line) && strcmp(line, ".") != 0)
                if (f)
                    fprintf(f, "%s\n", line[0] == '.' ? line + 1 : line);
            if (f && fclose(f) == 0)
                rename(tmp, path);
            put(c, "250 queued\r\n");
        } else if (!strcasecmp(line, "QUIT")) {
            put(c, "221 bye\r\n");
            break;
        } else if (!strcasecmp(line, "RSET") || !strcasecmp(line, "NOOP")) {
            put(c, "250 ok\r\n");
        } else {
            put(c, "502 not here\r\n");
        }
    }
done:
    if (c->ssl) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    close(fd);
    free(c);
}

static SSL_CTX *tls_context(const char *cert, const char *key)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        fprintf(stderr, "smtp_sink: cannot use %s and %s: ", cert, key);
        ERR_print_errors_fp(stderr);
        exit(1);
    }
    return ctx;
}

static void usage(void)
{
    fprintf(stderr, "usage: smtp_sink PORT_FILE DIR [PORT] [--starttls CERT KEY | --tls CERT KEY]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        usage();
    int port = 0, starttls = 0;
    SSL_CTX *ctx = NULL;
    for (int i = 3; i < argc; i++) {
        if ((!strcmp(argv[i], "--starttls") || !strcmp(argv[i], "--tls")) && i + 2 < argc && !ctx) {
            starttls = !strcmp(argv[i], "--starttls");
            ctx = tls_context(argv[i + 1], argv[i + 2]);
            i += 2;
        } else if (argv[i][0] >= '0' && argv[i][0] <= '9') {
            port = atoi(argv[i]);
        } else {
            usage();
        }
    }
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stderr, NULL, _IOLBF, 0); /* the verb log in order with what the test reads meanwhile */
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 16) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &al) != 0) {
        perror("smtp_sink: listen");
        return 1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%u\n", (unsigned)ntohs(a.sin_port)) < 0 || fclose(f) != 0 || rename(tmp, argv[1]) != 0) {
        perror("smtp_sink: writing the port file");
        return 1;
    }
    int count = 0; /* a sink started again numbers on after the messages there */
    for (char path[4096];; count++) {
        snprintf(path, sizeof path, "%s/%d.eml", argv[2], count + 1);
        if (access(path, F_OK) != 0)
            break;
    }
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c >= 0)
            serve(c, argv[2], &count, ctx, starttls);
    }
}
