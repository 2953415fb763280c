/* conn — connections from flux.yaml (libyaml) and FLUX_CONN_* URIs. */
#include "conn.h"
#include "suggest.h"
#include "yamltree.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

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

/* percent-encoding of everything but RFC 3986's unreserved characters:
 * what decode() reads back */
static void encode(const char *s, flux_buf *b)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
            flux_buf_putc(b, (char)c);
        else
            flux_buf_printf(b, "%%%02X", c);
    }
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
        if (mysql && c->database) {
            flux_buf_putc(&b, '/');
            encode(c->database, &b);
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
    if (!sep) {
        fail(err, errlen, "connection '%s': '%s' is not a URI (expected TYPE://...)", name, uri);
        return -1;
    }
    char *scheme = flux_arena_strndup(a, uri, (size_t)(sep - uri));
    if (strcmp(scheme, "mysql") && strcmp(scheme, "sqlite") && strcmp(scheme, "kafka") && strcmp(scheme, "http") &&
        strcmp(scheme, "https")) {
        fail(err, errlen, "connection '%s': unknown type '%s' (mysql, sqlite, kafka, http)", name, scheme);
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
            fail(err, errlen, "connection '%s': sqlite URI needs a path, e.g. sqlite:///var/lib/flux/data.db", name);
            return -1;
        }
        return 0;
    }
    if (strcmp(scheme, "kafka") == 0) {
        out->brokers = flux_arena_strdup(a, rest);
        if (!*rest) {
            fail(err, errlen, "connection '%s': kafka URI needs brokers, e.g. kafka://127.0.0.1:9092", name);
            return -1;
        }
        return 0;
    }
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
            fail(err, errlen, "connection '%s': invalid port in '%s'", name, uri);
            return -1;
        }
        out->port = (int)port;
        hlen = (size_t)(pc - hostp);
    }
    out->host = flux_arena_strndup(a, hostp, hlen);
    if (!hlen) {
        fail(err, errlen, "connection '%s': URI has no host", name);
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

/* ---- flux.yaml ---- */

/* flux.yaml as a tree: at most 32 collections deep, anchors allowed (a
 * hand-written file may use them for its own repetition), aliases refused. */
static flux_ynode *load_tree(flux_arena *a, yaml_parser_t *ps, const char *path, char *err, size_t errlen)
{
    static const flux_yaml_opts opts = {.max_depth = 32, .one_document = false, .no_anchors = false};
    flux_yaml_error e;
    flux_ynode *root = flux_yaml_tree(a, ps, &opts, &e);
    switch (e.status) {
    case FLUX_YAML_OK:
    case FLUX_YAML_EMPTY: break;
    case FLUX_YAML_PARSER:
        fail(err, errlen, "%s:%zu:%zu: %s", path, e.line, e.col, e.problem ? e.problem : "invalid YAML");
        break;
    case FLUX_YAML_ALIAS:
        fail(err, errlen, "%s:%zu:%zu: aliases are not supported in flux.yaml", path, e.line, e.col);
        break;
    case FLUX_YAML_TOO_DEEP: fail(err, errlen, "%s:%zu:%zu: nested too deeply", path, e.line, e.col); break;
    default: fail(err, errlen, "%s:%zu:%zu: invalid YAML", path, e.line, e.col); break;
    }
    return root;
}

static const char *field(const flux_ynode *m, const char *key, const flux_ynode **at)
{
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        if (m->kids[i]->kind == FLUX_YNODE_SCALAR && strcmp(m->kids[i]->s, key) == 0) {
            if (at)
                *at = m->kids[i + 1];
            return m->kids[i + 1]->kind == FLUX_YNODE_SCALAR ? m->kids[i + 1]->s : NULL;
        }
    }
    return NULL;
}

static char *read_secret_file(flux_arena *a, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--; /* a trailing newline is an editor's, not the password's */
    return flux_arena_strndup(a, buf, n);
}

static int conn_from_node(flux_arena *a, const char *path, bool private_file, const char *name, const flux_ynode *m,
                          flux_conn *c, char *err, size_t errlen)
{
    static const char *const known[] = {"type", "host", "port", "user", "database", "path", "brokers", "base",
                                        "uri", "password", "password_env", "password_file"};
    memset(c, 0, sizeof *c);
    c->name = name;
    c->origin = flux_arena_printf(a, "%s:%zu:%zu", path, m->line, m->col);
    if (m->kind != FLUX_YNODE_MAP) {
        fail(err, errlen, "%s:%zu:%zu: connection '%s' must be a mapping of settings", path, m->line, m->col, name);
        return -1;
    }
    const char *uri = field(m, "uri", NULL);
    if (uri) {
        char e2[256];
        if (flux_conn_parse_uri(a, name, uri, c, e2, sizeof e2) != 0) {
            fail(err, errlen, "%s:%zu:%zu: %s", path, m->line, m->col, e2);
            return -1;
        }
        c->origin = flux_arena_printf(a, "%s:%zu:%zu", path, m->line, m->col);
    }
    const char *v;
    if ((v = field(m, "type", NULL)))
        c->type = v;
    if (!c->type) {
        fail(err, errlen, "%s:%zu:%zu: connection '%s' has no type (mysql, sqlite, kafka, http)", path, m->line,
             m->col, name);
        return -1;
    }
    if (strcmp(c->type, "mysql") && strcmp(c->type, "sqlite") && strcmp(c->type, "kafka") && strcmp(c->type, "http")) {
        static const char *const types[] = {"mysql", "sqlite", "kafka", "http"};
        const char *best = flux_suggest(c->type, types, 4);
        if (best)
            fail(err, errlen, "%s:%zu:%zu: connection '%s' has unknown type '%s'\nhelp: did you mean '%s'?", path,
                 m->line, m->col, name, c->type, best);
        else
            fail(err, errlen, "%s:%zu:%zu: connection '%s' has unknown type '%s'\nhelp: the types are mysql, sqlite, "
                 "kafka and http", path, m->line, m->col, name, c->type);
        return -1;
    }
    if ((v = field(m, "host", NULL)))
        c->host = v;
    if ((v = field(m, "user", NULL)))
        c->user = v;
    if ((v = field(m, "database", NULL)) || (v = field(m, "path", NULL)))
        c->database = v;
    if ((v = field(m, "brokers", NULL)))
        c->brokers = v;
    if ((v = field(m, "base", NULL)))
        c->base = v;
    const flux_ynode *at = NULL;
    if ((v = field(m, "port", &at))) {
        char *end;
        long port = strtol(v, &end, 10);
        if (*end || port <= 0 || port > 65535) {
            fail(err, errlen, "%s:%zu:%zu: port must be a number from 1 to 65535", path, at->line, at->col);
            return -1;
        }
        c->port = (int)port;
    }
    if ((v = field(m, "password", &at))) {
        if (!private_file) {
            fail(err, errlen,
                 "%s:%zu:%zu: an inline password needs the file to be private (chmod 600 %s), or use password_env "
                 "or password_file",
                 path, at->line, at->col, path);
            return -1;
        }
        c->password = v;
    }
    /* FLUX_CONN_<NAME> replaces this definition whole: its password
     * references need not resolve */
    char override[256];
    flux_conn_env_name(name, override, sizeof override);
    bool replaced = getenv(override) != NULL;
    if ((v = field(m, "password_env", &at)) && !replaced) {
        const char *pw = getenv(v);
        if (pw)
            c->password = flux_arena_strdup(a, pw);
        else
            c->unresolved = flux_arena_printf(a, "%s:%zu:%zu: environment variable '%s' (password of '%s') is not set",
                                              path, at->line, at->col, v, name);
    }
    if ((v = field(m, "password_file", &at)) && !replaced) {
        char *pw = read_secret_file(a, v);
        if (pw)
            c->password = pw;
        else
            c->unresolved = flux_arena_printf(a, "%s:%zu:%zu: cannot read password file '%s': %s", path, at->line,
                                              at->col, v, strerror(errno));
    }
    /* anything else is passed through (kafka security settings and the like) */
    size_t extra = 0;
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        bool k = false;
        for (size_t j = 0; j < sizeof known / sizeof *known; j++)
            k |= m->kids[i]->kind == FLUX_YNODE_SCALAR && strcmp(m->kids[i]->s, known[j]) == 0;
        if (!k)
            extra++;
    }
    /* after those of a uri: (scheme of https://), which the file's own settings follow */
    const char **keys = flux_arena_alloc(a, (c->nextra + extra + 1) * sizeof(char *));
    const char **vals = flux_arena_alloc(a, (c->nextra + extra + 1) * sizeof(char *));
    for (size_t i = 0; i < c->nextra; i++)
        keys[i] = c->extra_keys[i], vals[i] = c->extra_vals[i];
    c->extra_keys = keys;
    c->extra_vals = vals;
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        bool k = false;
        for (size_t j = 0; j < sizeof known / sizeof *known; j++)
            k |= m->kids[i]->kind == FLUX_YNODE_SCALAR && strcmp(m->kids[i]->s, known[j]) == 0;
        if (k)
            continue;
        if (m->kids[i]->kind != FLUX_YNODE_SCALAR || m->kids[i + 1]->kind != FLUX_YNODE_SCALAR) {
            fail(err, errlen, "%s:%zu:%zu: setting of connection '%s' must be a plain value", path,
                 m->kids[i]->line, m->kids[i]->col, name);
            return -1;
        }
        c->extra_keys[c->nextra] = m->kids[i]->s;
        c->extra_vals[c->nextra++] = m->kids[i + 1]->s;
    }
    return 0;
}

int flux_conns_load(flux_arena *a, flux_conns *out, const char *path, bool required, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!path)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT && !required)
            return 0;
        fail(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    bool private_file = fstat(fileno(f), &st) == 0 && (st.st_mode & 077) == 0;
    yaml_parser_t ps;
    yaml_parser_initialize(&ps);
    yaml_parser_set_input_file(&ps, f);
    flux_ynode *root = load_tree(a, &ps, path, err, errlen);
    yaml_parser_delete(&ps);
    fclose(f);
    out->file = flux_arena_strdup(a, path);
    if (!root)
        return err[0] ? -1 : 0;
    const flux_ynode *conns = NULL, *pools = NULL;
    if (root->kind == FLUX_YNODE_SCALAR && !*root->s)
        return 0;
    if (root->kind != FLUX_YNODE_MAP) {
        fail(err, errlen, "%s:%zu:%zu: expected a mapping with 'connections:' and 'pools:'", path, root->line,
             root->col);
        return -1;
    }
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const flux_ynode *k = root->kids[i];
        if (k->kind != FLUX_YNODE_SCALAR ||
            (strcmp(k->s, "connections") && strcmp(k->s, "pools") && strcmp(k->s, "state_store"))) {
            fail(err, errlen, "%s:%zu:%zu: unknown section '%s' (connections, pools, state_store)", path, k->line,
                 k->col, k->kind == FLUX_YNODE_SCALAR ? k->s : "?");
            return -1;
        }
    }
    const flux_ynode *ss = NULL;
    out->state_store = field(root, "state_store", &ss);
    if (ss && !out->state_store) {
        fail(err, errlen, "%s:%zu:%zu: state_store is a URL (sqlite:///path or mysql://user@host:port/db)", path,
             ss->line, ss->col);
        return -1;
    }
    if (out->state_store && !private_file) {
        /* mysql://user:password@...: a password in a file others can read */
        const char *auth = strstr(out->state_store, "://");
        const char *at = auth ? strchr(auth + 3, '@') : NULL;
        const char *colon = at ? memchr(auth + 3, ':', (size_t)(at - auth - 3)) : NULL;
        if (colon) {
            fail(err, errlen,
                 "%s:%zu:%zu: a password in state_store needs the file to be private (chmod 600 %s), or use "
                 "FLUX_DB_PASSWORD / FLUX_DB_PASSWORD_FILE",
                 path, ss->line, ss->col, path);
            return -1;
        }
    }
    field(root, "pools", &pools);
    if (pools) {
        if (pools->kind != FLUX_YNODE_MAP) {
            fail(err, errlen, "%s:%zu:%zu: 'pools' maps pool names to numbers of slots", path, pools->line,
                 pools->col);
            return -1;
        }
        size_t np = pools->n / 2;
        out->pool_names = flux_arena_alloc(a, (np ? np : 1) * sizeof *out->pool_names);
        out->pool_slots = flux_arena_alloc(a, (np ? np : 1) * sizeof *out->pool_slots);
        for (size_t i = 0; i + 1 < pools->n; i += 2) {
            const flux_ynode *k = pools->kids[i], *v = pools->kids[i + 1];
            char *end = NULL;
            long slots = v->kind == FLUX_YNODE_SCALAR ? strtol(v->s, &end, 10) : -1;
            if (k->kind != FLUX_YNODE_SCALAR || v->kind != FLUX_YNODE_SCALAR || *end || slots < 1 || slots > 100000) {
                fail(err, errlen, "%s:%zu:%zu: a pool has a number of slots from 1 to 100000", path, v->line, v->col);
                return -1;
            }
            out->pool_names[out->npools] = k->s;
            out->pool_slots[out->npools++] = (int)slots;
        }
    }
    if (!field(root, "connections", &conns) && !conns)
        return 0;
    if (conns->kind != FLUX_YNODE_MAP) {
        fail(err, errlen, "%s:%zu:%zu: 'connections' must map names to settings", path, conns->line, conns->col);
        return -1;
    }
    out->v = flux_arena_alloc(a, (conns->n / 2 + 1) * sizeof *out->v);
    for (size_t i = 0; i + 1 < conns->n; i += 2) {
        const flux_ynode *k = conns->kids[i];
        if (k->kind != FLUX_YNODE_SCALAR) {
            fail(err, errlen, "%s:%zu:%zu: a connection name must be a plain word", path, k->line, k->col);
            return -1;
        }
        for (size_t j = 0; j < out->n; j++)
            if (strcmp(out->v[j].name, k->s) == 0) {
                fail(err, errlen, "%s:%zu:%zu: connection '%s' is defined twice", path, k->line, k->col, k->s);
                return -1;
            }
        if (conn_from_node(a, path, private_file, k->s, conns->kids[i + 1], &out->v[out->n], err, errlen) != 0)
            return -1;
        out->n++;
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
