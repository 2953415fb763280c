/* connfile — flux.yaml read and checked: its connections, pools, state
 * store and executor, and the FLUX_CONN_* environment beside it.
 *
 * Every mistake is reported at once, each at its place with the source
 * line, a caret and help, through the diagnostics a .flux file's mistakes
 * go to (diag.h), so `flux check` and a run print them alike. The file is
 * read through yamlsrc, which reports a tab in the indentation and reads
 * past it, and masks every password in the lines diagnostics show.
 */
#include "conn.h"
#include "connfile_int.h"
#include "suggest.h"
#include "yamlsrc.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

/* a hand-written file of connections is small; a larger one is a mistake */
#define FILE_MAX (16u << 20)

typedef flux_cfreader reader;

flux_diag *flux_cf_diag(reader *r, flux_severity sev, flux_span at, const char *code, const char *help,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flux_diag *g = flux_diag_vreport(r->d, sev, at, code, help, fmt, ap);
    va_end(ap);
    return g;
}

#define AT(n) flux_yamlsrc_span(&r->y, (n))

const char *flux_cf_did_you_mean(reader *r, const char *best)
{
    return best ? flux_arena_printf(r->a, "did you mean '%s'?", best) : NULL;
}

/* a message with a "\nhelp: " line (flux_conn_parse_uri's), split in two */
static const char *split_help(char *msg)
{
    char *h = strstr(msg, "\nhelp: ");
    if (!h)
        return NULL;
    *h = '\0';
    return h + 7;
}

/* a key whose value is a password: masked wherever a line of the file is
 * shown (password:, librdkafka's sasl.password ..., a notifier's
 * Authorization header) */
static bool contains_ci(const char *s, const char *w)
{
    for (size_t n = strlen(w); *s; s++)
        if (!strncasecmp(s, w, n))
            return true;
    return false;
}

bool flux_cf_secret_key(const char *k)
{
    if (strstr(k, "password") && strcmp(k, "password_env") && strcmp(k, "password_file"))
        return true;
    return !strcasecmp(k, "authorization") || contains_ci(k, "token") || contains_ci(k, "secret") ||
           contains_ci(k, "api-key") || contains_ci(k, "api_key");
}

/* ---- checking the tree ---- */

bool flux_cf_is_null(const flux_ynode *n)
{
    return n->kind == FLUX_YNODE_SCALAR && n->style == YAML_PLAIN_SCALAR_STYLE &&
           (!n->len || !strcmp(n->s, "~") || !strcmp(n->s, "null") || !strcmp(n->s, "Null") ||
            !strcmp(n->s, "NULL"));
}

const char *flux_cf_kind(const flux_ynode *n)
{
    return n->kind == FLUX_YNODE_MAP ? "a mapping" : n->kind == FLUX_YNODE_SEQ ? "a list" : "a value";
}

/* the value of setting k (named what) as a string: NULL after an error */
const char *flux_cf_text(reader *r, const flux_ynode *k, const flux_ynode *v, const char *what)
{
    if (v->kind != FLUX_YNODE_SCALAR) {
        flux_cf_report(r, AT(v), "wrong-type", NULL, "%s is a plain value, found %s", what, flux_cf_kind(v));
        return NULL;
    }
    if (flux_cf_is_null(v)) {
        flux_cf_report(r, AT(k), "bad-value", NULL, "%s has no value", what);
        return NULL;
    }
    return v->s;
}

/* a key seen before in mapping m (before index i): reported, true */
bool flux_cf_duplicate(reader *r, const flux_ynode *m, size_t i, const char *what)
{
    const flux_ynode *k = m->kids[i];
    for (size_t j = 0; j < i; j += 2) {
        if (m->kids[j]->kind == FLUX_YNODE_SCALAR && !strcmp(m->kids[j]->s, k->s)) {
            flux_diag *g = flux_cf_report(r, AT(k), "duplicate-key", "keep one of them", "%s '%s' is given twice", what, k->s);
            flux_diag_note(g, AT(m->kids[j]), "first given here");
            return true;
        }
    }
    return false;
}

static void read_state_store(reader *r, const flux_ynode *k, const flux_ynode *v, flux_conns *out)
{
    out->state_store = flux_cf_text(r, k, v, "'state_store'");
    if (!out->state_store || r->private_file)
        return;
    /* mysql://user:password@...: a password in a file others can read */
    const char *auth = strstr(out->state_store, "://");
    const char *at = auth ? strchr(auth + 3, '@') : NULL;
    if (at && memchr(auth + 3, ':', (size_t)(at - auth - 3)))
        flux_cf_report(r, AT(v), "exposed-secret",
               flux_arena_printf(r->a, "chmod 600 %s, or give the password by FLUX_DB_PASSWORD or "
                                 "FLUX_DB_PASSWORD_FILE", r->path),
               "a password in state_store needs the file to be private");
}

/* executor: where tasks that say nothing run (a task's or pipeline's
 * executor, then --executor, win over it) */
static void read_executor(reader *r, const flux_ynode *k, const flux_ynode *v, flux_conns *out)
{
    static const char *const executors[] = {"local", "slurm"};
    const char *e = flux_cf_text(r, k, v, "'executor'");
    if (!e)
        return;
    if (!strcmp(e, executors[0]) || !strcmp(e, executors[1])) {
        out->executor = e;
        return;
    }
    const char *best = flux_suggest(e, executors, 2);
    flux_cf_report(r, AT(v), "bad-value", best ? flux_cf_did_you_mean(r, best) : "the executors are local and slurm",
                   "unknown executor '%s'", e);
}

static void read_pools(reader *r, const flux_ynode *pools, flux_conns *out)
{
    if (flux_cf_is_null(pools))
        return;
    if (pools->kind != FLUX_YNODE_MAP) {
        flux_cf_report(r, AT(pools), "wrong-type", "e.g. pools: { etl: 4 }", "'pools' maps pool names to numbers of slots");
        out->pools_incomplete = true;
        return;
    }
    size_t np = pools->n / 2 + 1;
    out->pool_names = flux_arena_alloc(r->a, np * sizeof *out->pool_names);
    out->pool_slots = flux_arena_alloc(r->a, np * sizeof *out->pool_slots);
    for (size_t i = 0; i + 1 < pools->n; i += 2) {
        const flux_ynode *k = pools->kids[i], *v = pools->kids[i + 1];
        if (k->kind != FLUX_YNODE_SCALAR || !k->len) {
            flux_cf_report(r, AT(k), "wrong-type", NULL, "a pool's name is a plain word");
            out->pools_incomplete = true;
            continue;
        }
        if (flux_cf_duplicate(r, pools, i, "pool"))
            continue;
        char *end = NULL;
        long slots = v->kind == FLUX_YNODE_SCALAR && v->len ? strtol(v->s, &end, 10) : -1;
        if (slots < 1 || slots > 100000 || (end && *end)) {
            flux_cf_report(r, AT(v), "bad-value", "a pool has a number of slots from 1 to 100000",
                   "pool '%s' needs a number of slots, found %s", k->s,
                   v->kind == FLUX_YNODE_SCALAR ? flux_arena_printf(r->a, "'%s'", v->s) : flux_cf_kind(v));
            slots = 1; /* named all the same, for flux check's names */
        }
        out->pool_names[out->npools] = k->s;
        out->pool_slots[out->npools++] = (int)slots;
    }
}

/* ---- a connection ---- */

enum { K_TYPE, K_URI, K_HOST, K_PORT, K_USER, K_DATABASE, K_PATH, K_BROKERS, K_BASE, K_SCHEME, K_PASSWORD,
       K_PASSWORD_ENV, K_PASSWORD_FILE, K_SSL_MODE, K_CA_FILE, NKEYS };
static const char *const keys[NKEYS] = {"type",     "uri",      "host",         "port",          "user",
                                        "database", "path",     "brokers",      "base",          "scheme",
                                        "password", "password_env", "password_file", "ssl_mode", "ca_file"};
/* the settings of each type, besides type and uri */
#define PW (1u << K_PASSWORD | 1u << K_PASSWORD_ENV | 1u << K_PASSWORD_FILE)
static const struct ctype {
    const char *name;
    unsigned keys;
} ctypes[] = {
    {"mysql", 1u << K_HOST | 1u << K_PORT | 1u << K_USER | 1u << K_DATABASE | PW | 1u << K_SSL_MODE | 1u << K_CA_FILE},
    {"sqlite", 1u << K_DATABASE | 1u << K_PATH},
    {"kafka", 1u << K_BROKERS | 1u << K_HOST | 1u << K_PORT | 1u << K_USER | PW},
    {"http", 1u << K_HOST | 1u << K_PORT | 1u << K_BASE | 1u << K_USER | 1u << K_SCHEME | PW | 1u << K_CA_FILE},
};
/* librdkafka's own settings without a dot, passed through like the dotted ones */
static const char *const kafka_plain[] = {"acks", "debug", "partitioner", "retries"};

typedef struct settings {
    const flux_ynode *k[NKEYS], *v[NKEYS];
    const struct ctype *type;
    bool unknown; /* an unknown setting was reported */
} settings;

/* "an http connection", "a mysql connection" */
static const char *an(const char *type)
{
    return strcmp(type, "http") ? "a" : "an";
}

static const struct ctype *ctype_of(const char *name)
{
    for (size_t i = 0; i < sizeof ctypes / sizeof *ctypes; i++)
        if (!strcmp(ctypes[i].name, name))
            return &ctypes[i];
    return NULL;
}

/* "the settings of a mysql connection are type, uri, host, ... and password_file" */
static const char *settings_help(reader *r, const struct ctype *t)
{
    flux_buf b = {0};
    flux_buf_printf(&b, "the settings of %s %s connection are ", an(t->name), t->name);
    unsigned m = 1u << K_TYPE | 1u << K_URI | t->keys;
    size_t left = 0;
    for (int i = 0; i < NKEYS; i++)
        left += (m >> i) & 1;
    for (int i = 0; i < NKEYS; i++)
        if ((m >> i) & 1)
            flux_buf_printf(&b, "%s%s", keys[i], --left == 0 ? "" : left == 1 ? " and " : ", ");
    if (!strcmp(t->name, "kafka"))
        flux_buf_puts(&b, ", with librdkafka's own (security.protocol ...)");
    const char *s = flux_arena_strdup(r->a, flux_buf_cstr(&b));
    flux_buf_free(&b);
    return s;
}

/* a setting this flux does not know: librdkafka's for kafka, else a mistake */
static bool extra_setting(reader *r, const flux_conn *c, settings *st, const flux_ynode *k)
{
    if (st->type && !strcmp(st->type->name, "kafka")) {
        bool lib = strchr(k->s, '.') != NULL;
        for (size_t i = 0; i < sizeof kafka_plain / sizeof *kafka_plain; i++)
            lib |= !strcmp(k->s, kafka_plain[i]);
        if (lib)
            return true;
    } else if (!st->type && strchr(k->s, '.')) {
        return false; /* may be librdkafka's: the type's error is enough */
    }
    flux_suggester s;
    flux_suggest_init(&s, k->s);
    for (int i = 0; i < NKEYS; i++)
        if (!st->type || i <= K_URI || ((st->type->keys >> i) & 1))
            flux_suggest_feed(&s, keys[i]);
    const char *best = flux_suggest_best(&s);
    const char *help = best ? flux_cf_did_you_mean(r, best)
                       : st->type ? settings_help(r, st->type) : NULL;
    flux_cf_report(r, AT(k), "unknown-setting", help, "unknown setting '%s' of connection '%s'", k->s, c->name);
    st->unknown = true;
    return false;
}

/* the settings of m by key; false when m is no mapping */
static bool collect(reader *r, const flux_ynode *m, flux_conn *c, settings *st)
{
    if (m->kind != FLUX_YNODE_MAP) {
        flux_cf_report(r, AT(m), "wrong-type", "give its settings under it, e.g. { type: mysql, host: db.internal } or "
               "{ uri: \"mysql://user@db.internal:3306/db\" }", "connection '%s' is a mapping of settings, found %s",
               c->name, flux_cf_is_null(m) ? "nothing" : flux_cf_kind(m));
        return false;
    }
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const flux_ynode *k = m->kids[i];
        if (k->kind != FLUX_YNODE_SCALAR) {
            flux_cf_report(r, AT(k), "wrong-type", NULL, "a setting's name is a plain word");
            continue;
        }
        if (flux_cf_duplicate(r, m, i, "setting"))
            continue;
        for (int j = 0; j < NKEYS; j++)
            if (!strcmp(k->s, keys[j]))
                st->k[j] = k, st->v[j] = m->kids[i + 1];
    }
    return true;
}

/* the type, from type: and uri: (which must agree) */
static void conn_type(reader *r, flux_conn *c, settings *st)
{
    const char *uri = st->v[K_URI] ? flux_cf_text(r, st->k[K_URI], st->v[K_URI],
                                             flux_arena_printf(r->a, "'uri' of connection '%s'", c->name))
                                   : NULL;
    if (uri) {
        char e[512];
        flux_conn u;
        if (flux_conn_parse_uri(r->a, c->name, uri, &u, e, sizeof e) != 0) {
            const char *help = split_help(e);
            flux_cf_report(r, AT(st->v[K_URI]), "bad-value", help, "the uri of connection '%s' %s", c->name, e);
        } else {
            u.span = c->span;
            u.origin = c->origin;
            *c = u;
        }
    }
    const char *t = st->v[K_TYPE] ? flux_cf_text(r, st->k[K_TYPE], st->v[K_TYPE],
                                            flux_arena_printf(r->a, "'type' of connection '%s'", c->name))
                                  : NULL;
    if (t) {
        static const char *const types[] = {"mysql", "sqlite", "kafka", "http", "https"};
        const char *want = !strcmp(t, "https") ? "http" : t;
        if (!ctype_of(want)) {
            const char *best = flux_suggest(t, types, 5);
            flux_cf_report(r, AT(st->v[K_TYPE]), "bad-value", best ? flux_cf_did_you_mean(r, best) : "the types are mysql, sqlite, "
                   "kafka and http", "connection '%s' has unknown type '%s'", c->name, t);
        } else if (uri && c->type && strcmp(c->type, want)) {
            flux_cf_report(r, AT(st->v[K_TYPE]), "bad-value", "remove type: (the uri's scheme says it)",
                   "connection '%s' has type '%s' but a %s uri", c->name, t, c->type);
        } else {
            c->type = ctype_of(want)->name;
            if (!strcmp(t, "https")) {
                c->extra_keys = flux_arena_alloc(r->a, sizeof(char *));
                c->extra_vals = flux_arena_alloc(r->a, sizeof(char *));
                c->extra_keys[0] = "scheme";
                c->extra_vals[0] = "https";
                c->nextra = 1;
            }
        }
    } else if (!st->v[K_URI] && !st->v[K_TYPE]) {
        flux_cf_report(r, c->span, "missing-setting", "add type: mysql, sqlite, kafka or http, or a uri:",
               "connection '%s' has no type", c->name);
    }
    st->type = c->type ? ctype_of(c->type) : NULL;
}

bool flux_cf_env_name(const char *s)
{
    if (!*s || isdigit((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

/* an http base written as a whole URL ("https://user:pw@host:8443/v1") is
 * read as a uri is: its host, port, scheme, user and password become the
 * connection's, so the password is a secret like a uri's (masked, and
 * refused in a file others can read) and never part of a path */
static void base_url(reader *r, flux_conn *c, const settings *st, const char *v)
{
    char e[512];
    flux_conn u;
    if (flux_conn_parse_uri(r->a, c->name, v, &u, e, sizeof e) != 0) {
        const char *help = split_help(e);
        flux_cf_report(r, AT(st->v[K_BASE]), "bad-value", help, "the base of connection '%s' %s", c->name, e);
        return;
    }
    if (strcmp(u.type, "http") != 0) {
        flux_cf_report(r, AT(st->v[K_BASE]), "bad-value", "a base is a path (/v1) or an http:// or https:// URL",
               "the base of connection '%s' is a %s URL", c->name, u.type);
        return;
    }
    if (st->v[K_HOST] || st->v[K_PORT] || st->v[K_USER]) {
        flux_cf_report(r, AT(st->v[K_BASE]), "duplicate-key", "give the host, port and user in one place",
               "connection '%s' gives its host twice: in host/port/user and in base's URL", c->name);
        return;
    }
    c->host = u.host;
    c->port = u.port;
    c->user = u.user;
    c->password = u.password;
    c->base = u.base;
    c->extra_keys = u.extra_keys; /* scheme: https */
    c->extra_vals = u.extra_vals;
    c->nextra = u.nextra;
}

/* the plain settings: host, port, user, database or path, brokers, base, scheme */
static void conn_fields(reader *r, flux_conn *c, settings *st)
{
    for (int i = K_HOST; i < NKEYS; i++) {
        if (!st->v[i])
            continue;
        if (st->type && !((st->type->keys >> i) & 1)) {
            flux_cf_report(r, AT(st->k[i]), "unknown-setting", settings_help(r, st->type),
                   "'%s' is not a setting of %s %s connection", keys[i], an(st->type->name), st->type->name);
            st->v[i] = NULL;
            continue;
        }
        const char *v = flux_cf_text(r, st->k[i], st->v[i], flux_arena_printf(r->a, "'%s' of connection '%s'", keys[i],
                                                                           c->name));
        if (!v) {
            st->v[i] = NULL;
            continue;
        }
        char *end;
        long port;
        const char *why;
        switch (i) {
        case K_HOST: c->host = v; break;
        case K_USER: c->user = v; break;
        case K_BROKERS: c->brokers = v; break;
        case K_BASE:
            if (strstr(v, "://"))
                base_url(r, c, st, v);
            else
                c->base = v;
            break;
        case K_DATABASE: case K_PATH:
            if (st->v[K_DATABASE] && st->v[K_PATH] && i == K_PATH)
                flux_cf_report(r, AT(st->k[i]), "duplicate-key", "keep one of them",
                       "connection '%s' names its database twice (database and path)", c->name);
            c->database = v;
            break;
        case K_PORT:
            port = strtol(v, &end, 10);
            if (*end || port <= 0 || port > 65535)
                flux_cf_report(r, AT(st->v[i]), "bad-value", "a port is a number from 1 to 65535",
                       "port must be a number from 1 to 65535");
            else
                c->port = (int)port;
            break;
        case K_SSL_MODE:
            if (!(why = flux_conn_ssl_mode_check(v))) {
                c->ssl_mode = strcmp(v, "disabled") ? v : NULL;
            } else {
                char *msg = flux_arena_strdup(r->a, why);
                const char *help = split_help(msg);
                flux_cf_report(r, AT(st->v[i]), "bad-value", help, "ssl_mode '%s' %s", v, msg);
            }
            break;
        case K_CA_FILE:
            if (*v)
                c->ca_file = flux_cf_path(r, v);
            else
                flux_cf_report(r, AT(st->v[i]), "bad-value", "the path of a PEM file, e.g. ca_file: certs/db-ca.pem",
                               "ca_file of connection '%s' is empty", c->name);
            break;
        case K_SCHEME:
            if (strcmp(v, "http") && strcmp(v, "https"))
                flux_cf_report(r, AT(st->v[i]), "bad-value", "the schemes are http and https", "unknown scheme '%s'", v);
            break;
        case K_PASSWORD_FILE:
            if (!*v) { /* else the path would be flux.yaml's directory */
                flux_cf_report(r, AT(st->v[i]), "bad-value", "the path of a file that holds only the password",
                               "password_file of connection '%s' is empty", c->name);
                st->v[i] = NULL;
            }
            break;
        case K_PASSWORD_ENV:
            if (!flux_cf_env_name(v))
                flux_cf_report(r, AT(st->v[i]), "bad-value", "a variable's name is letters, digits and '_'",
                       "'%s' is not the name of an environment variable", v);
            break;
        default: break;
        }
    }
}

/* what a type cannot do without; not said after an unknown setting, which
 * is likely the same one misspelt */
static void conn_required(reader *r, const flux_conn *c, const settings *st)
{
    /* a CA is a promise to check the server: only a mode that checks keeps it */
    const flux_ynode *at = st->v[K_CA_FILE] ? st->k[K_CA_FILE] : st->v[K_SSL_MODE] ? st->k[K_SSL_MODE] : st->k[K_URI];
    if (st->type && !strcmp(st->type->name, "mysql") && c->ca_file && at && !flux_conn_ssl_verifies(c))
        flux_cf_report(r, AT(at), "bad-value", "add ssl_mode: verify_identity",
                       "ca_file of connection '%s' is used only when ssl_mode is verify_identity", c->name);
    if (st->type && !strcmp(st->type->name, "http") && c->ca_file && st->v[K_CA_FILE] &&
        strcmp(flux_conn_scheme(c), "https"))
        flux_cf_warn(r, AT(st->k[K_CA_FILE]), "unused-setting", "add scheme: https (or port: 443)",
                     "ca_file of connection '%s' has no effect: it speaks plain http", c->name);
    if (!st->type || st->v[K_URI] || st->unknown)
        return;
    if (!strcmp(st->type->name, "sqlite") && !c->database)
        flux_cf_report(r, c->span, "missing-setting", "add path: FILE", "sqlite connection '%s' names no database file",
               c->name);
    if (!strcmp(st->type->name, "kafka") && !c->brokers && !c->host)
        flux_cf_report(r, c->span, "missing-setting", "add brokers: HOST:9092", "kafka connection '%s' names no brokers",
               c->name);
}

const char *flux_cf_path(flux_cfreader *r, const char *path)
{
    if (path[0] == '/')
        return path;
    char cwd[4096];
    const char *base = r->dir[0] == '/' ? "" : getcwd(cwd, sizeof cwd) ? cwd : ".";
    return flux_arena_printf(r->a, "%s%s%s%s", base, base[0] ? "/" : "", r->dir, path);
}

const char *flux_cf_secret_file(flux_cfreader *r, const char *path, size_t cap, const char **why)
{
    /* non-blocking: a FIFO's open would wait for a writer before fstat
     * could refuse it */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        *why = strerror(errno);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        *why = "it is not a regular file";
        return NULL;
    }
    char *buf = flux_arena_alloc(r->a, cap);
    size_t n = 0;
    ssize_t got;
    while (n + 1 < cap && (got = read(fd, buf + n, cap - 1 - n)) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            *why = strerror(errno);
            close(fd);
            return NULL;
        }
        n += (size_t)got;
    }
    close(fd);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    return buf;
}

bool flux_cf_exposed(flux_cfreader *r, const flux_ynode *v, const char *path, const char *what)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !(sb.st_mode & 044))
        return false;
    flux_cf_report(r, AT(v), "exposed-secret", flux_arena_printf(r->a, "chmod 600 %s", path),
                   "%s '%s' has mode %04o: %s can read it", what, v->s, (unsigned)(sb.st_mode & 07777),
                   (sb.st_mode & 04) ? "others" : "its group");
    return true;
}

/* a password file others can read is refused */
static void password_file(reader *r, flux_conn *c, const settings *st, bool replaced)
{
    const flux_ynode *v = st->v[K_PASSWORD_FILE];
    const char *file = v->s;
    if (file[0] != '/' && r->dir[0])
        file = flux_arena_printf(r->a, "%s%s", r->dir, file);
    if (flux_cf_exposed(r, v, file, "password file"))
        return;
    if (replaced)
        return;
    const char *why = NULL;
    c->password = flux_cf_secret_file(r, file, 4096, &why);
    if (!c->password) {
        size_t line, col;
        flux_yamlsrc_linecol(&r->y, v, &line, &col);
        c->unresolved = flux_arena_printf(r->a, "%s:%zu:%zu: cannot read password file '%s': %s", r->path, line,
                                          col, v->s, why);
    }
}

/* where the password comes from: one place, never readable by others */
static void conn_password(reader *r, flux_conn *c, const settings *st, const flux_ynode *secret_extra)
{
    const char *help = flux_arena_printf(r->a, "chmod 600 %s, or use password_env or password_file", r->path);
    bool in_uri = c->password != NULL;
    const char *uri_key = st->v[K_URI] ? "uri" : "base"; /* base: an http base URL (base_url) */
    if (in_uri && !r->private_file)
        flux_cf_report(r, AT(st->v[K_URI] ? st->v[K_URI] : st->v[K_BASE]), "exposed-secret", help,
               "a password in %s needs the file to be private", uri_key);
    if (st->v[K_PASSWORD]) {
        if (!r->private_file)
            flux_cf_report(r, AT(st->v[K_PASSWORD]), "exposed-secret", help, "an inline password needs the file to be private");
        c->password = st->v[K_PASSWORD]->s;
    }
    if (secret_extra && !r->private_file)
        flux_cf_report(r, AT(secret_extra), "exposed-secret", help, "a password in '%s' needs the file to be private",
               secret_extra->s);
    /* two places for one password: which one wins would be a guess */
    const char *from[3] = {0};
    size_t nfrom = 0;
    const flux_ynode *second = NULL;
    static const int pw[] = {K_PASSWORD, K_PASSWORD_ENV, K_PASSWORD_FILE};
    if (in_uri)
        from[nfrom++] = uri_key;
    for (size_t i = 0; i < 3; i++) {
        if (!st->v[pw[i]])
            continue;
        if (nfrom == 1)
            second = st->k[pw[i]];
        if (nfrom < 3)
            from[nfrom] = keys[pw[i]];
        nfrom++;
    }
    if (second) {
        flux_cf_report(r, AT(second), "duplicate-key", "keep one of them", "connection '%s' has two passwords: %s and %s",
               c->name, from[0], from[1]);
        return;
    }
    /* FLUX_CONN_<NAME> replaces the connection whole: its password
     * references need not resolve */
    char override[256];
    flux_conn_env_name(c->name, override, sizeof override);
    bool replaced = getenv(override) != NULL;
    const flux_ynode *v = st->v[K_PASSWORD_ENV];
    if (v && !replaced) {
        const char *pw = getenv(v->s);
        size_t line, col;
        flux_yamlsrc_linecol(&r->y, v, &line, &col);
        if (pw)
            c->password = flux_arena_strdup(r->a, pw);
        else
            c->unresolved = flux_arena_printf(r->a, "%s:%zu:%zu: environment variable '%s' (password of '%s') is "
                                              "not set", r->path, line, col, v->s, c->name);
    }
    if (st->v[K_PASSWORD_FILE])
        password_file(r, c, st, replaced);
}

static void read_conn(reader *r, const flux_ynode *k, const flux_ynode *m, flux_conn *c)
{
    memset(c, 0, sizeof *c);
    settings st;
    memset(&st, 0, sizeof st);
    c->name = k->s;
    c->span = AT(k);
    size_t line, col;
    flux_yamlsrc_linecol(&r->y, m, &line, &col);
    c->origin = flux_arena_printf(r->a, "%s:%zu:%zu", r->path, line, col);
    if (!collect(r, m, c, &st))
        return;
    conn_type(r, c, &st);
    conn_fields(r, c, &st);
    /* settings passed through (librdkafka's), after those of a uri (the
     * scheme of https://) and the scheme: of the file */
    size_t cap = c->nextra + m->n / 2 + 1;
    const char **ks = flux_arena_alloc(r->a, cap * sizeof *ks), **vs = flux_arena_alloc(r->a, cap * sizeof *vs);
    for (size_t i = 0; i < c->nextra; i++)
        ks[i] = c->extra_keys[i], vs[i] = c->extra_vals[i];
    c->extra_keys = ks;
    c->extra_vals = vs;
    if (st.v[K_SCHEME])
        ks[c->nextra] = "scheme", vs[c->nextra++] = st.v[K_SCHEME]->s;
    const flux_ynode *secret_extra = NULL;
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const flux_ynode *ek = m->kids[i], *ev = m->kids[i + 1];
        bool known = false;
        for (int j = 0; j < NKEYS && ek->kind == FLUX_YNODE_SCALAR; j++)
            known |= !strcmp(ek->s, keys[j]);
        if (known || ek->kind != FLUX_YNODE_SCALAR || !extra_setting(r, c, &st, ek))
            continue;
        const char *v = flux_cf_text(r, ek, ev, flux_arena_printf(r->a, "'%s' of connection '%s'", ek->s, c->name));
        if (!v)
            continue;
        if (flux_cf_secret_key(ek->s) && !secret_extra)
            secret_extra = ek;
        ks[c->nextra] = ek->s;
        vs[c->nextra++] = v;
    }
    conn_required(r, c, &st);
    conn_password(r, c, &st, secret_extra);
}

static void read_connections(reader *r, const flux_ynode *conns, flux_conns *out)
{
    if (flux_cf_is_null(conns))
        return;
    if (conns->kind != FLUX_YNODE_MAP) {
        flux_cf_report(r, AT(conns), "wrong-type", "e.g. connections: { warehouse: { type: mysql, host: db.internal } }",
               "'connections' maps connection names to their settings");
        out->conns_incomplete = true;
        return;
    }
    out->v = flux_arena_alloc(r->a, (conns->n / 2 + 1) * sizeof *out->v);
    for (size_t i = 0; i + 1 < conns->n; i += 2) {
        const flux_ynode *k = conns->kids[i];
        if (k->kind != FLUX_YNODE_SCALAR || !k->len) {
            flux_cf_report(r, AT(k), "wrong-type", NULL, "a connection's name is a plain word");
            out->conns_incomplete = true;
            continue;
        }
        if (flux_cf_duplicate(r, conns, i, "connection"))
            continue;
        read_conn(r, k, conns->kids[i + 1], &out->v[out->n++]);
    }
}

/* a directory of operator_path, relative to flux.yaml's directory */
static void add_operator_dir(reader *r, flux_conns *out, const char *dir)
{
    const char **v = flux_arena_alloc(r->a, (out->noperator_path + 1) * sizeof *v);
    if (out->noperator_path)
        memcpy(v, out->operator_path, out->noperator_path * sizeof *v);
    v[out->noperator_path++] = dir[0] == '/' ? flux_arena_strdup(r->a, dir) : flux_arena_printf(r->a, "%s%s", r->dir, dir);
    out->operator_path = v;
}

static void read_operator_path(reader *r, const flux_ynode *k, const flux_ynode *v, flux_conns *out)
{
    if (v->kind == FLUX_YNODE_SEQ) {
        for (size_t i = 0; i < v->n; i++) {
            const char *d = flux_cf_text(r, k, v->kids[i], "an item of 'operator_path'");
            if (d)
                add_operator_dir(r, out, d);
        }
        return;
    }
    const char *d = flux_cf_text(r, k, v, "'operator_path'");
    if (d)
        add_operator_dir(r, out, d);
}

static void read_root(reader *r, const flux_ynode *root, flux_conns *out)
{
    enum { NSECTIONS = 7 };
    static const char *const sections[NSECTIONS] = {"connections", "pools", "state_store", "notifiers", "web_url", "operator_path",
                                                    "executor"};
    if (flux_cf_is_null(root))
        return;
    if (root->kind != FLUX_YNODE_MAP) {
        flux_cf_report(r, AT(root), "wrong-type", "e.g. connections: { warehouse: { type: mysql } }",
               "flux.yaml is a mapping of connections:, pools: and state_store:, found %s", flux_cf_kind(root));
        out->conns_incomplete = out->pools_incomplete = true;
        return;
    }
    const flux_ynode *v[NSECTIONS] = {0}, *k[NSECTIONS] = {0};
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const flux_ynode *key = root->kids[i];
        if (key->kind != FLUX_YNODE_SCALAR) {
            flux_cf_report(r, AT(key), "wrong-type", NULL, "a section's name is a plain word");
            out->conns_incomplete = out->pools_incomplete = true;
            continue;
        }
        int s = 0;
        while (s < NSECTIONS && strcmp(key->s, sections[s]))
            s++;
        if (s == NSECTIONS) {
            const char *best = flux_suggest(key->s, sections, NSECTIONS);
            flux_cf_report(r, AT(key), "unknown-setting",
                   best ? flux_cf_did_you_mean(r, best) : "the sections are connections, pools, state_store, notifiers, "
                   "web_url, operator_path and executor",
                   "unknown section '%s'", key->s);
            /* connections or pools under a misspelt name: unknown, not undefined */
            out->conns_incomplete = out->pools_incomplete = out->notifiers_incomplete = true;
        } else if (!flux_cf_duplicate(r, root, i, "section")) {
            k[s] = key;
            v[s] = root->kids[i + 1];
        }
    }
    if (v[5])
        read_operator_path(r, k[5], v[5], out);
    if (v[6])
        read_executor(r, k[6], v[6], out);
    if (v[2])
        read_state_store(r, k[2], v[2], out);
    if (v[1])
        read_pools(r, v[1], out);
    if (v[0])
        read_connections(r, v[0], out);
    if (v[3])
        flux_cf_read_notifiers(r, v[3], out);
    if (v[4])
        out->web_url = flux_cf_text(r, k[4], v[4], "'web_url'");
}

/* ---- the file and the environment ---- */

/* the text of r->path (copied into the YAML source), and the folder that
 * relative paths in it start from */
static void set_text(reader *r, const char *text, size_t len)
{
    flux_yamlsrc_init(&r->y, r->a, r->path, text, len);
    const char *slash = strrchr(r->path, '/');
    r->dir = slash ? flux_arena_strndup(r->a, r->path, (size_t)(slash - r->path) + 1) : "";
}

/* 0 read, 1 missing (and not required), -1 reported */
static int read_file(reader *r, bool required)
{
    FILE *f = fopen(r->path, "rb");
    struct stat st;
    if (!f && errno == ENOENT && !required)
        return 1;
    if (f && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        f = NULL;
        errno = EISDIR;
    }
    if (!f) {
        flux_cf_report(r, flux_nowhere(), "io", NULL, "cannot read '%s': %s", r->path, strerror(errno));
        return -1;
    }
    r->private_file = fstat(fileno(f), &st) == 0 && (st.st_mode & 077) == 0;
    flux_buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= FILE_MAX)
        flux_buf_put(&b, chunk, n);
    bool bad = ferror(f) || b.len > FILE_MAX;
    int e = ferror(f) ? errno : EFBIG;
    fclose(f);
    if (bad) {
        flux_buf_free(&b);
        flux_cf_report(r, flux_nowhere(), "io", NULL, "cannot read '%s': %s", r->path, strerror(e));
        return -1;
    }
    set_text(r, b.data ? b.data : "", b.len);
    flux_buf_free(&b);
    return 0;
}

/* every FLUX_CONN_<NAME> can be read: a malformed one is no connection at
 * all, which the run would only find out when a task names it */
static void check_environment(reader *r)
{
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (strncmp(*e, "FLUX_CONN_", 10) != 0 || !eq)
            continue;
        size_t len = (size_t)(eq - *e);
        char *var = flux_arena_strndup(r->a, *e, len);
        if (len == 10) {
            flux_cf_report(r, flux_nowhere(), "bad-env", "name the connection: FLUX_CONN_WAREHOUSE=mysql://...",
                   "FLUX_CONN_ names no connection");
            continue;
        }
        char *name = flux_arena_strdup(r->a, var + 10);
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        flux_conn c;
        char err[512];
        if (flux_conn_parse_uri(r->a, name, eq + 1, &c, err, sizeof err) != 0) {
            const char *help = split_help(err);
            flux_cf_report(r, flux_nowhere(), "bad-env", help, "%s %s", var, err);
        }
    }
}

/* the text set by set_text, read into out */
static void read_yaml(reader *r, flux_conns *out)
{
    size_t before = r->d->errors;
    out->file = flux_arena_strdup(r->a, r->path);
    /* one document, anchors allowed (a hand-written file may repeat
     * itself with them), aliases refused by the tree reader */
    static const flux_yaml_opts opts = {.max_depth = 32, .one_document = true, .no_anchors = false};
    flux_ynode *root = flux_yamlsrc_parse(&r->y, &opts);
    flux_yamlsrc_mask(&r->y, root, flux_cf_secret_key);
    flux_yamlsrc_add(&r->y, r->d);
    if (root)
        read_root(r, root, out);
    else if (r->d->errors > before)
        out->conns_incomplete = out->pools_incomplete = true;
    if (!out->noperator_path)
        add_operator_dir(r, out, "operators");
}

/* after the file was read (rc 0), found missing (1) or unreadable (-1):
 * its YAML when read, then the environment; errors counted from before */
static int conns_from(reader *r, flux_conns *out, int rc, size_t before)
{
    if (rc == 0)
        read_yaml(r, out);
    check_environment(r);
    flux_yamlsrc_free(&r->y);
    if (rc < 0)
        return -1;
    return r->d->errors > before ? 1 : 0;
}

int flux_conns_read(flux_arena *a, flux_conns *out, const char *path, bool required, flux_diags *d)
{
    memset(out, 0, sizeof *out);
    reader r = {.a = a, .d = d, .path = path, .dir = ""};
    size_t before = d->errors;
    return conns_from(&r, out, path ? read_file(&r, required) : 1, before);
}

int flux_conns_read_text(flux_arena *a, flux_conns *out, const char *path, const char *text, size_t len,
                         bool private_file, flux_diags *d)
{
    memset(out, 0, sizeof *out);
    reader r = {.a = a, .d = d, .path = path, .dir = "", .private_file = private_file};
    size_t before = d->errors;
    set_text(&r, text, len);
    return conns_from(&r, out, 0, before);
}

int flux_conns_load(flux_arena *a, flux_conns *out, const char *path, bool required, char *err, size_t errlen)
{
    flux_sources s;
    flux_sources_init(&s);
    flux_diags d;
    flux_diags_init(&d, &s);
    int rc = flux_conns_read(a, out, path, required, &d);
    if (rc != 0 && d.n)
        flux_diags_first(&d, NULL, true, err, errlen);
    flux_diags_free(&d);
    flux_sources_free(&s);
    return rc != 0 ? -1 : 0;
}
