/* smtp_sink — an SMTP receiver for the email notification tests: plain
 * SMTP on 127.0.0.1, one connection at a time, every message kept.
 *
 *   smtp_sink PORT_FILE DIR [PORT]
 *
 * Writes its port to PORT_FILE once it listens (renamed into place) and
 * serves until SIGTERM. It offers AUTH PLAIN and LOGIN and accepts any
 * credentials, recording them; each message is written to DIR/N.eml as
 * "X-Auth: user password", "X-Mail-From:", "X-Rcpt-To:" lines then the DATA
 * as received (dot-unstuffed), N numbering on after the files there. PORT (default 0) starts it again on a port
 * a notifier was given, after it was down.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

/* one line without its CRLF; 0 at the end of the connection */
static int get_line(FILE *in, char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, in))
        return 0;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 1;
}

static void serve(int fd, const char *dir, int *count)
{
    FILE *in = fdopen(dup(fd), "r"), *out = fdopen(fd, "w");
    char line[65536], from[1024] = "", rcpt[4096] = "", auth[1024] = "";
    fprintf(out, "220 smtp_sink ready\r\n");
    fflush(out);
    while (get_line(in, line, sizeof line)) {
        if (!strncasecmp(line, "EHLO", 4)) {
            fprintf(out, "250-smtp_sink\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
        } else if (!strncasecmp(line, "HELO", 4)) {
            fprintf(out, "250 smtp_sink\r\n");
        } else if (!strncasecmp(line, "AUTH PLAIN", 10)) {
            char raw[1024];
            const char *arg = line + 10;
            while (*arg == ' ')
                arg++;
            if (!*arg) {
                fprintf(out, "334 \r\n");
                fflush(out);
                if (!get_line(in, line, sizeof line))
                    break;
                arg = line;
            }
            size_t n = unb64(arg, raw, sizeof raw);
            /* authzid NUL user NUL password */
            const char *user = memchr(raw, '\0', n) ? raw + strlen(raw) + 1 : raw;
            const char *pw = user < raw + n ? user + strlen(user) + 1 : "";
            snprintf(auth, sizeof auth, "%s %s", user, pw < raw + n ? pw : "");
            fprintf(out, "235 ok\r\n");
        } else if (!strncasecmp(line, "AUTH LOGIN", 10)) {
            char u[512], p[512];
            fprintf(out, "334 VXNlcm5hbWU6\r\n");
            fflush(out);
            if (!get_line(in, line, sizeof line))
                break;
            unb64(line, u, sizeof u);
            fprintf(out, "334 UGFzc3dvcmQ6\r\n");
            fflush(out);
            if (!get_line(in, line, sizeof line))
                break;
            unb64(line, p, sizeof p);
            snprintf(auth, sizeof auth, "%s %s", u, p);
            fprintf(out, "235 ok\r\n");
        } else if (!strncasecmp(line, "MAIL FROM:", 10)) {
            snprintf(from, sizeof from, "%s", line + 10);
            rcpt[0] = '\0';
            fprintf(out, "250 ok\r\n");
        } else if (!strncasecmp(line, "RCPT TO:", 8)) {
            size_t l = strlen(rcpt);
            snprintf(rcpt + l, sizeof rcpt - l, "%s%s", l ? " " : "", line + 8);
            fprintf(out, "250 ok\r\n");
        } else if (!strcasecmp(line, "DATA")) {
            fprintf(out, "354 go on\r\n");
            fflush(out);
            char path[4096], tmp[4200];
            snprintf(path, sizeof path, "%s/%d.eml", dir, ++*count);
            snprintf(tmp, sizeof tmp, "%s.tmp", path);
            FILE *f = fopen(tmp, "w");
            if (f)
                fprintf(f, "X-Auth: %s\nX-Mail-From: %s\nX-Rcpt-To: %s\n", auth, from, rcpt);
            while (get_line(in, line, sizeof line) && strcmp(line, ".") != 0)
                if (f)
                    fprintf(f, "%s\n", line[0] == '.' ? line + 1 : line);
            if (f && fclose(f) == 0)
                rename(tmp, path);
            fprintf(out, "250 queued\r\n");
        } else if (!strcasecmp(line, "QUIT")) {
            fprintf(out, "221 bye\r\n");
            break;
        } else if (!strcasecmp(line, "RSET") || !strcasecmp(line, "NOOP")) {
            fprintf(out, "250 ok\r\n");
        } else {
            fprintf(out, "502 not here\r\n");
        }
        fflush(out);
    }
    fclose(in);
    fclose(out);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: smtp_sink PORT_FILE DIR [PORT]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(argc > 3 ? atoi(argv[3]) : 0)),
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
            serve(c, argv[2], &count);
    }
}
