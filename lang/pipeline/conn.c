/* conn — connections: URIs (FLUX_CONN_* and uri: in flux.yaml) read and
 * written, and a connection found by name. flux.yaml itself is connfile.c. */
#include "conn.h"
#include "suggest.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* the help of a URI that cannot be read */
#define URI_FORMS                                                                                             \
    "write TYPE://..., e.g. mysql://user@host:3306/db, sqlite:///path/to/file.db, kafka://host:9092 or "    \
    "https://host/base"

static void fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

void flux_conn_env_name(const char *name, char *out, size_t outlen)
{
    size_t k = (size_t)snprintf(out, outlen, "FLUX_CONN_");
    for (const char *p = name; *p && k + 1 < outlen; p++)
        out[k++] = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
    out[k < outlen ? k : outlen - 1] = '\0';
}

/* percent-decoding, so a password may hold '@' or ':' (%40, %3A) */
static char *decode(flux_arena *a, const char *s, size_t n)
{
    char *r = flux_arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n + 0 && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
            char h[3] = {s[i + 1], s[i + 2], 0};
            r[k++] = (char)strtol(h, NULL, 16);
            i += 2;
        } else {
            r[k++] = s[i];
        }
    }
    r[k] = '\0';
    return r;
}

/* percent-encoding of everything but RFC 3986's unreserved characters (and
 * keep, e.g. "/" in a query's path): what decode() reads back */
static void encode_keeping(const char *s, const char *keep, flux_buf *b)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (c && strchr(keep, c)))
            flux_buf_putc(b, (char)c);
        else
            flux_buf_printf(b, "%%%02X", c);
    }
}

static void encode(const char *s, flux_buf *b)
{
    encode_keeping(s, "", b);
}

const char *flux_conn_ssl_mode_check(const char *mode)
{
    if (!strcmp(mode, "disabled") || !strcmp(mode, "preferred") || !strcmp(mode, "verify_identity"))
        return NULL;
    if (!strcmp(mode, "required") || !strcmp(mode, "verify_ca"))
        return "is not offered: MariaDB Connector/C 3.3 would log in before it found that the server offers no "
               "TLS\nhelp: ssl_mode: verify_identity (with ca_file for a private CA) checks the server before the "
               "login";
    return "is unknown\nhelp: " FLUX_CONN_SSL_MODES;
}

const char *flux_conn_file_problem(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return strerror(errno);
    if (!S_ISREG(st.st_mode))
        return "it is not a regular file";
    return access(path, R_OK) != 0 ? strerror(errno) : NULL;
}

bool flux_conn_ssl_verifies(const flux_conn *c)
{
    return c->ssl_mode && !strcmp(c->ssl_mode, "verify_identity");
}

/* Nothing of the parameters is quoted: when the URI's '@' is missing, what
 * follows a '?' may be part of a password. */
int flux_conn_uri_params(flux_arena *a, const char *q, flux_conn *out, char *err, size_t errlen)
{
    while (*q) {
        size_t n = strcspn(q, "&");
        const char *eq = memchr(q, '=', n);
        size_t kn = eq ? (size_t)(eq - q) : n;
        const char *v = eq ? decode(a, eq + 1, n - kn - 1) : "";
        if (kn == 8 && !strncmp(q, "ssl_mode", 8)) {
            const char *why = flux_conn_ssl_mode_check(v);
            if (why) {
                fail(err, errlen, "has an ssl_mode that %s", why);
                return -1;
            }
            out->ssl_mode = strcmp(v, "disabled") ? v : NULL;
        } else if (kn == 7 && !strncmp(q, "ca_file", 7)) {
            if (v[0] != '/') {
                fail(err, errlen, "has a ca_file that is not an absolute path\nhelp: a URI has no folder to start "
                                  "from: write ca_file=/path/to/ca.pem");
                return -1;
            }
            out->ca_file = v;
        } else {
            fail(err, errlen, "has an unknown parameter\nhelp: a mysql URI takes ?ssl_mode=MODE and &ca_file=/PATH "
                              "(an '@' in them written %%40)");
            return -1;
        }
        q += n + (q[n] == '&');
    }
    if (out->ca_file && !flux_conn_ssl_verifies(out)) {
        fail(err, errlen, "has a ca_file without ssl_mode=verify_identity: ca_file is used only when ssl_mode is "
                          "verify_identity\nhelp: add ssl_mode=verify_identity");
        return -1;
    }
    return 0;
}

/* a mysql URI's parameters, after the first '?' past the last '@' (a
 * password may hold a '?' unencoded; an '@' in a parameter is written %40):
 * read into out and cut from *rest */
static int split_params(flux_arena *a, const char **rest, flux_conn *out, char *err, size_t errlen)
{
    const char *at = strrchr(*rest, '@'), *q; /* as the state store's driver reads one */
    if (!(q = strchr(at ? at + 1 : *rest, '?')))
        return 0;
    if (flux_conn_uri_params(a, q + 1, out, err, errlen) != 0)
        return -1;
    *rest = flux_arena_strndup(a, *rest, (size_t)(q - *rest));
    return 0;
}

const char *flux_conn_scheme(const flux_conn *c)
{
    if (!c->type)
        return "";
    if (strcmp(c->type, "http") != 0)
        return c->type;
    /* as the http operator decides: `scheme:` (an https:// URI sets it), else by the port */
    const char *scheme = c->port == 443 ? "https" : "http";
    for (size_t i = 0; i < c->nextra; i++)
        if (strcmp(c->extra_keys[i], "scheme") == 0)
            scheme = c->extra_vals[i];
    return scheme;
}

char *flux_conn_uri(flux_arena *a, const flux_conn *c, const char **password_form)
{
    flux_buf b = {0};
    const char *scheme = flux_conn_scheme(c);
    if (password_form)
        *password_form = NULL;
    if (c->type && strcmp(c->type, "sqlite") == 0) {
        flux_buf_printf(&b, "sqlite://%s", c->database ? c->database : "");
    } else if (c->type && strcmp(c->type, "kafka") == 0) {
        flux_buf_printf(&b, "kafka://%s", c->brokers ? c->brokers : "");
    } else if (c->base && strstr(c->base, "://")) {
        flux_buf_puts(&b, c->base); /* an http base that is a whole URL already */
    } else {
        bool mysql = c->type && strcmp(c->type, "mysql") == 0;
        flux_buf_printf(&b, "%s://", scheme);
        if (c->user) {
            encode(c->user, &b);
            if (c->password) {
                flux_buf_putc(&b, ':');
                size_t at = b.len;
                encode(c->password, &b);
                if (password_form)
                    *password_form = flux_arena_strndup(a, b.data + at, b.len - at);
            }
            flux_buf_putc(&b, '@');
        }
        /* the host the operators connect to when none is given */
        flux_buf_puts(&b, c->host ? c->host : mysql ? "127.0.0.1" : "localhost");
        if (c->port)
            flux_buf_printf(&b, ":%d", c->port);
        if (mysql && (c->database || c->ssl_mode)) {
            flux_buf_putc(&b, '/');
            if (c->database)
                encode(c->database, &b);
            if (c->ssl_mode) {
                flux_buf_puts(&b, "?ssl_mode=");
                flux_buf_puts(&b, c->ssl_mode);
            }
            if (c->ssl_mode && c->ca_file) {
                flux_buf_puts(&b, "&ca_file=");
                encode_keeping(c->ca_file, "/", &b);
            }
        } else if (!mysql && c->base) {
            if (*c->base != '/')
                flux_buf_putc(&b, '/');
            flux_buf_puts(&b, c->base);
        }
    }
    char *r = flux_arena_strndup(a, b.data ? b.data : "", b.len);
    flux_buf_free(&b);
    return r;
}

int flux_conn_parse_uri(flux_arena *a, const char *name, const char *uri, flux_conn *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->name = flux_arena_strdup(a, name);
    const char *sep = strstr(uri, "://");
    /* what stands before :// is a scheme (a-z, digits, + - .), never
     * "user:password@host" of a URI missing its scheme */
    for (const char *p = uri; sep && p < sep; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
            sep = NULL;
    if (!sep) {
        fail(err, errlen, "is not a connection URI\nhelp: " URI_FORMS);
        return -1;
    }
    char *scheme = flux_arena_strndup(a, uri, (size_t)(sep - uri));
    if (strcmp(scheme, "mysql") && strcmp(scheme, "sqlite") && strcmp(scheme, "kafka") && strcmp(scheme, "http") &&
        strcmp(scheme, "https")) {
        static const char *const schemes[] = {"mysql", "sqlite", "kafka", "http", "https"};
        const char *best = flux_suggest(scheme, schemes, 5);
        if (best)
            fail(err, errlen, "has an unknown type '%s'\nhelp: did you mean '%s://'?", scheme, best);
        else
            fail(err, errlen, "has an unknown type '%s'\nhelp: the types are mysql, sqlite, kafka, http and https",
                 scheme);
        return -1;
    }
    out->type = strcmp(scheme, "https") == 0 ? "http" : scheme;
    if (strcmp(scheme, "https") == 0) {
        /* kept as flux.yaml's `scheme: https` says it, for the http operator and conn.NAME.uri */
        out->extra_keys = flux_arena_alloc(a, sizeof(char *));
        out->extra_vals = flux_arena_alloc(a, sizeof(char *));
        out->extra_keys[0] = "scheme";
        out->extra_vals[0] = "https";
        out->nextra = 1;
    }
    const char *rest = sep + 3;
    if (strcmp(scheme, "sqlite") == 0) {
        out->database = flux_arena_strdup(a, rest);
        if (!*rest) {
            fail(err, errlen, "names no database file\nhelp: a sqlite URI is sqlite://PATH, e.g. "
                              "sqlite:///var/lib/flux/data.db");
            return -1;
        }
        return 0;
    }
    if (strcmp(scheme, "kafka") == 0) {
        out->brokers = flux_arena_strdup(a, rest);
        if (strchr(rest, '@')) { /* never quoted: it would be shown wherever brokers are */
            fail(err, errlen, "holds a user or password\nhelp: a kafka URI names brokers only: "
                              "kafka://HOST:PORT[,HOST:PORT...]; give sasl.username and sasl.password as settings");
            return -1;
        }
        if (!*rest) {
            fail(err, errlen, "names no brokers\nhelp: a kafka URI is kafka://HOST:PORT[,HOST:PORT...], e.g. "
                              "kafka://127.0.0.1:9092");
            return -1;
        }
        return 0;
    }
    if (!strcmp(out->type, "mysql") && split_params(a, &rest, out, err, errlen) != 0)
        return -1;
    /* [user[:password]@]host[:port][/path] */
    const char *slash = strchr(rest, '/');
    size_t auth_len = slash ? (size_t)(slash - rest) : strlen(rest);
    const char *at = NULL;
    for (size_t i = 0; i < auth_len; i++)
        if (rest[i] == '@')
            at = rest + i; /* the last '@' ends the credentials */
    const char *hostp = rest;
    if (at) {
        const char *colon = memchr(rest, ':', (size_t)(at - rest));
        if (colon) {
            out->user = decode(a, rest, (size_t)(colon - rest));
            out->password = decode(a, colon + 1, (size_t)(at - colon - 1));
        } else {
            out->user = decode(a, rest, (size_t)(at - rest));
        }
        hostp = at + 1;
    }
    size_t hlen = (size_t)(rest + auth_len - hostp);
    const char *pc = memchr(hostp, ':', hlen);
    if (pc) {
        char *end;
        long port = strtol(pc + 1, &end, 10);
        if (end != rest + auth_len || port <= 0 || port > 65535) {
            /* after an '@' it is a port; without one it may be the password
             * of a user:password whose @host is missing, or the start of a
             * password cut at its '/': never quoted */
            if (at)
                fail(err, errlen, "has an invalid port '%.*s'\nhelp: a port is a number from 1 to 65535",
                     (int)(rest + auth_len - pc - 1), pc + 1);
            else if (slash && strchr(slash, '@'))
                fail(err, errlen, "has an invalid port\nhelp: a port is a number from 1 to 65535; a '/' in a "
                                  "password is written %%2F");
            else
                fail(err, errlen, "has an invalid port\nhelp: a port is a number from 1 to 65535; a password "
                                  "goes as user:password@host");
            return -1;
        }
        out->port = (int)port;
        hlen = (size_t)(pc - hostp);
    }
    out->host = flux_arena_strndup(a, hostp, hlen);
    if (!hlen) {
        fail(err, errlen, "names no host\nhelp: " URI_FORMS);
        return -1;
    }
    if (slash && slash[1]) {
        if (strcmp(out->type, "mysql") == 0)
            out->database = decode(a, slash + 1, strlen(slash + 1));
        else
            out->base = flux_arena_strdup(a, slash);
    }
    return 0;
}

const flux_conn *flux_conns_find(const flux_conns *c, const char *name)
{
    char env[256];
    flux_conn_env_name(name, env, sizeof env);
    const char *uri = getenv(env);
    if (uri) {
        /* parsed on each lookup into a process-lifetime arena: lookups are rare */
        static flux_arena *envs;
        if (!envs)
            envs = flux_arena_new();
        flux_conn *e = flux_arena_alloc(envs, sizeof *e);
        char err[256];
        if (flux_conn_parse_uri(envs, name, uri, e, err, sizeof err) == 0) {
            e->origin = flux_arena_strdup(envs, env);
            return e;
        }
        return NULL;
    }
    for (size_t i = 0; c && i < c->n; i++)
        if (strcmp(c->v[i].name, name) == 0)
            return &c->v[i];
    return NULL;
}
