/* notifierfile — flux.yaml's notifiers: read and checked, each mistake
 * with its place as a connection's (connfile_int.h): webhook, email and
 * command notifiers, their secrets from the environment or a private file
 * (inline only in a private flux.yaml), and a text template parsed where it
 * stands so its mistakes point into flux.yaml.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "connfile_int.h"
#include "duration.h"
#include "parse.h"
#include "suggest.h"

typedef flux_cfreader reader;
#define AT(n) flux_yamlsrc_span(&r->y, (n))
#define report flux_cf_report
#define text_of flux_cf_text
#define is_null flux_cf_is_null
#define kind_name flux_cf_kind
#define duplicate flux_cf_duplicate
#define did_you_mean flux_cf_did_you_mean
#define env_name flux_cf_env_name
#define secret_key flux_cf_secret_key


enum { N_TYPE, N_URL, N_URL_ENV, N_URL_FILE, N_HEADERS, N_FROM, N_TO, N_USER, N_PASSWORD, N_PASSWORD_ENV,
       N_PASSWORD_FILE, N_STARTTLS, N_CA_FILE, N_COMMAND, N_TEMPLATE, N_DEDUPE, N_TIMEOUT, N_MAX_ATTEMPTS, NNKEYS };
static const char *const nkeys[NNKEYS] = {"type", "url", "url_env", "url_file", "headers", "from", "to", "user",
                                          "password", "password_env", "password_file", "starttls", "ca_file",
                                          "command", "template", "dedupe", "timeout", "max_attempts"};
#define N_COMMON (1u << N_TYPE | 1u << N_TEMPLATE | 1u << N_DEDUPE | 1u << N_TIMEOUT | 1u << N_MAX_ATTEMPTS)
static const struct ntype {
    const char *name;
    unsigned keys;
} ntypes[] = {
    {"webhook", N_COMMON | 1u << N_URL | 1u << N_URL_ENV | 1u << N_URL_FILE | 1u << N_HEADERS | 1u << N_CA_FILE},
    {"email", N_COMMON | 1u << N_URL | 1u << N_URL_ENV | 1u << N_URL_FILE | 1u << N_FROM | 1u << N_TO |
                  1u << N_USER | 1u << N_PASSWORD | 1u << N_PASSWORD_ENV | 1u << N_PASSWORD_FILE | 1u << N_STARTTLS |
                  1u << N_CA_FILE},
    {"command", N_COMMON | 1u << N_COMMAND},
};

static void add_secret(reader *r, flux_notifier *n, const char *v)
{
    if (!v || !*v)
        return;
    const char **s = flux_arena_alloc(r->a, (n->nsecrets + 1) * sizeof *s);
    if (n->nsecrets)
        memcpy(s, n->secrets, n->nsecrets * sizeof *s);
    s[n->nsecrets++] = v;
    n->secrets = s;
}

/* a secret read from a file (refused when others can read it, as a
 * password_file) or the environment, named by setting k's value v; NULL
 * after an error (a v that is not a name or a path), or with n->unresolved
 * set */
static const char *secret_from(reader *r, flux_notifier *n, const flux_ynode *k, const flux_ynode *v, bool file,
                               const char *what)
{
    /* a header's { env: VAR } names its header: "'env' of header X" */
    const char *label = strncmp(what, "header ", 7) ? flux_arena_printf(r->a, "'%s'", k->s)
                                                    : flux_arena_printf(r->a, "'%s' of %s", k->s, what);
    const char *name = text_of(r, k, v, label);
    if (!name)
        return NULL;
    if (file && !*name) { /* else the path would be flux.yaml's directory */
        report(r, AT(v), "bad-value", "the path of a file that holds only the secret", "%s is empty", label);
        return NULL;
    }
    size_t line, col;
    flux_yamlsrc_linecol(&r->y, v, &line, &col);
    if (!file) {
        if (!env_name(name)) {
            report(r, AT(v), "bad-value", "a variable's name is letters, digits and '_'",
                   "'%s' is not the name of an environment variable", name);
            return NULL;
        }
        const char *e = getenv(name);
        if (!e && !n->unresolved)
            n->unresolved = flux_arena_printf(r->a, "%s:%zu:%zu: environment variable '%s' (%s of notifier '%s') is "
                                              "not set", r->path, line, col, name, what, n->name);
        return e ? flux_arena_strdup(r->a, e) : NULL;
    }
    const char *path = name[0] != '/' && r->dir[0] ? flux_arena_printf(r->a, "%s%s", r->dir, name) : name;
    if (flux_cf_exposed(r, v, path, "secret file"))
        return NULL;
    const char *why = NULL, *text = flux_cf_secret_file(r, path, 8192, &why);
    if (!text && !n->unresolved)
        n->unresolved = flux_arena_printf(r->a, "%s:%zu:%zu: cannot read %s file '%s' of notifier '%s': %s", r->path,
                                          line, col, what, name, n->name, why);
    return text;
}

/* the template, parsed where it stands in flux.yaml when its text is the
 * file's bytes (a plain or quoted scalar without escapes), so a mistake is
 * shown at its line and column; else from its own text, named after its
 * place */
static void notifier_template(reader *r, flux_notifier *n, const flux_ynode *v)
{
    n->template_text = v->s;
    flux_span sp = AT(v);
    flux_sources *srcs = r->d->sources;
    const flux_source *src = srcs ? flux_sources_get(srcs, sp.file) : NULL;
    uint32_t b = sp.begin, e = sp.end;
    if (v->style == YAML_SINGLE_QUOTED_SCALAR_STYLE || v->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
        b++, e--;
    if (src && e >= b && e <= src->len && e - b == v->len && !memcmp(src->text + b, v->s, v->len)) {
        n->template_parsed = flux_parse_template(r->a, r->d, srcs, sp.file, b, e);
        return;
    }
    if (!srcs)
        return;
    size_t line, col;
    flux_yamlsrc_linecol(&r->y, v, &line, &col);
    char *name = flux_arena_printf(r->a, "%s:%zu:%zu (template of notifier '%s')", r->path, line, col, n->name);
    uint32_t id = flux_sources_add(srcs, name, v->s, v->len);
    n->template_parsed = flux_parse_template(r->a, r->d, srcs, id, 0, (uint32_t)v->len);
}

static int64_t notifier_duration(reader *r, const flux_ynode *k, const flux_ynode *v, int64_t dflt)
{
    const char *t = text_of(r, k, v, flux_arena_printf(r->a, "'%s'", k->s));
    int64_t ms;
    flux_sched_error e;
    if (!t)
        return dflt;
    if (flux_duration_parse(t, strlen(t), &ms, &e) != 0 || ms <= 0) {
        report(r, AT(v), "bad-value", "e.g. 10m, 30s or 1h", "'%s' needs a duration, found '%s'", k->s, t);
        return dflt;
    }
    return ms;
}

/* a list of strings, or one string */
static const char **string_list(reader *r, const flux_ynode *k, const flux_ynode *v, size_t *n)
{
    *n = 0;
    if (v->kind == FLUX_YNODE_SCALAR) {
        const char *t = text_of(r, k, v, flux_arena_printf(r->a, "'%s'", k->s));
        if (!t)
            return NULL;
        const char **out = flux_arena_alloc(r->a, sizeof *out);
        out[(*n)++] = t;
        return out;
    }
    if (v->kind != FLUX_YNODE_SEQ || !v->n) {
        report(r, AT(v), "wrong-type", NULL, "'%s' is a value or a list of values", k->s);
        return NULL;
    }
    const char **out = flux_arena_alloc(r->a, v->n * sizeof *out);
    for (size_t i = 0; i < v->n; i++) {
        const char *t = text_of(r, k, v->kids[i], flux_arena_printf(r->a, "an item of '%s'", k->s));
        if (t)
            out[(*n)++] = t;
    }
    return out;
}

static void notifier_headers(reader *r, flux_notifier *n, const flux_ynode *m)
{
    if (m->kind != FLUX_YNODE_MAP) {
        report(r, AT(m), "wrong-type", "e.g. headers: { Authorization: { env: HOOK_TOKEN } }",
               "'headers' maps header names to values");
        return;
    }
    n->header_keys = flux_arena_alloc(r->a, (m->n / 2 + 1) * sizeof(char *));
    n->header_vals = flux_arena_alloc(r->a, (m->n / 2 + 1) * sizeof(char *));
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const flux_ynode *k = m->kids[i], *v = m->kids[i + 1];
        if (k->kind != FLUX_YNODE_SCALAR || !k->len || strpbrk(k->s, ":\r\n ")) {
            report(r, AT(k), "bad-value", NULL, "a header's name is one word without ':'");
            continue;
        }
        if (duplicate(r, m, i, "header"))
            continue;
        const char *val = NULL;
        if (v->kind == FLUX_YNODE_MAP && v->n == 2 && v->kids[0]->kind == FLUX_YNODE_SCALAR &&
            (!strcmp(v->kids[0]->s, "env") || !strcmp(v->kids[0]->s, "file")) &&
            v->kids[1]->kind == FLUX_YNODE_SCALAR) {
            val = secret_from(r, n, v->kids[0], v->kids[1], !strcmp(v->kids[0]->s, "file"),
                              flux_arena_printf(r->a, "header %s", k->s));
            add_secret(r, n, val);
            if (!val)
                continue;
        } else if (v->kind == FLUX_YNODE_SCALAR) {
            val = text_of(r, k, v, flux_arena_printf(r->a, "header '%s'", k->s));
            if (!val)
                continue;
            if (secret_key(k->s)) {
                if (!r->private_file)
                    report(r, AT(v), "exposed-secret",
                           flux_arena_printf(r->a, "chmod 600 %s, or give it as { env: VAR } or { file: PATH }",
                                             r->path),
                           "an inline value of header '%s' needs the file to be private", k->s);
                add_secret(r, n, val);
            }
        } else {
            report(r, AT(v), "wrong-type", "a header's value is text, { env: VAR } or { file: PATH }",
                   "header '%s' has %s", k->s, kind_name(v));
            continue;
        }
        if (strpbrk(val, "\r\n")) {
            report(r, AT(v), "bad-value", NULL, "header '%s' holds a line break", k->s);
            continue;
        }
        n->header_keys[n->nheaders] = k->s;
        n->header_vals[n->nheaders++] = val;
    }
}

/* the url: inline (no password in a file others can read), or from env or file */
static void notifier_url(reader *r, flux_notifier *n, const flux_ynode **k, const flux_ynode **v)
{
    int given = !!v[N_URL] + !!v[N_URL_ENV] + !!v[N_URL_FILE];
    if (given > 1) {
        report(r, AT(k[v[N_URL_FILE] ? N_URL_FILE : N_URL_ENV]), "duplicate-key", "keep one of them",
               "notifier '%s' gives its url twice", n->name);
        return;
    }
    if (!given) {
        report(r, n->span, "missing-setting", n->type == FLUX_NOTIFIER_EMAIL ? "add url: smtps://HOST:465"
               : "add url: https://HOST/PATH, or url_env / url_file when the URL is a secret",
               "notifier '%s' has no url", n->name);
        return;
    }
    if (v[N_URL]) {
        n->url = text_of(r, k[N_URL], v[N_URL], "'url'");
        const char *auth = n->url ? strstr(n->url, "://") : NULL;
        const char *at = auth ? strchr(auth + 3, '@') : NULL;
        const char *slash = auth ? strchr(auth + 3, '/') : NULL;
        if (at && (!slash || at < slash) && memchr(auth + 3, ':', (size_t)(at - auth - 3)) && !r->private_file)
            report(r, AT(v[N_URL]), "exposed-secret",
                   flux_arena_printf(r->a, "chmod 600 %s, or use url_env or url_file", r->path),
                   "a password in a url needs the file to be private");
    } else {
        int which = v[N_URL_ENV] ? N_URL_ENV : N_URL_FILE;
        n->url = secret_from(r, n, k[which], v[which], which == N_URL_FILE, "url");
        add_secret(r, n, n->url); /* a URL given as a secret is one (Slack's carry their token) */
    }
    if (!n->url || !v[N_URL])
        return;
    bool web = !strncmp(n->url, "http://", 7) || !strncmp(n->url, "https://", 8);
    bool mail = !strncmp(n->url, "smtp://", 7) || !strncmp(n->url, "smtps://", 8);
    if (n->type == FLUX_NOTIFIER_WEBHOOK && !web)
        report(r, AT(v[N_URL]), "bad-value", "a webhook's url starts with https:// or http://",
               "the url of notifier '%s' is not an http(s) URL", n->name);
    if (n->type == FLUX_NOTIFIER_EMAIL && !mail)
        report(r, AT(v[N_URL]), "bad-value", "smtps://HOST:465 (TLS) or smtp://HOST:587 (STARTTLS)",
               "the url of notifier '%s' is not an smtp:// or smtps:// URL", n->name);
}

/* ca_file: the certificate authorities (PEM) a TLS server of the notifier is
 * checked against instead of the system's, for a server with an internal
 * CA. Relative to flux.yaml's folder, made absolute here: libcurl opens it at
 * each send, from wherever the process is then. Not a secret, but like a
 * password file it may exist only where flux runs: one that cannot be read
 * fails the notifier's sends with this message (n->unresolved), not the
 * check. */
static void notifier_ca_file(reader *r, flux_notifier *n, const flux_ynode *k, const flux_ynode *v)
{
    const char *f = text_of(r, k, v, "'ca_file'");
    if (!f)
        return;
    if (!*f) {
        report(r, AT(v), "bad-value", "the path of a PEM file, e.g. ca_file: certs/internal-ca.pem",
               "ca_file of notifier '%s' is empty", n->name);
        return;
    }
    n->ca_file = flux_cf_path(r, f);
    const char *why = flux_conn_file_problem(n->ca_file);
    if (why && !n->unresolved) {
        size_t line, col;
        flux_yamlsrc_linecol(&r->y, v, &line, &col);
        n->unresolved = flux_arena_printf(r->a, "%s:%zu:%zu: cannot read ca_file '%s' of notifier '%s': %s", r->path,
                                          line, col, f, n->name, why);
    }
}

/* starttls: YAML's spellings of the two booleans, and nothing else: "no"
 * or "off" quietly taken as true would surprise whoever wrote it */
static void notifier_starttls(reader *r, flux_notifier *n, const flux_ynode *k, const flux_ynode *v)
{
    static const char *const yes[] = {"true", "True", "TRUE"}, *const no[] = {"false", "False", "FALSE"};
    const char *st = text_of(r, k, v, "'starttls'");
    int b = -1;
    for (size_t i = 0; st && b < 0 && i < 3; i++)
        b = !strcmp(st, yes[i]) ? 1 : !strcmp(st, no[i]) ? 0 : -1;
    if (b >= 0)
        n->starttls = b;
    else if (st)
        report(r, AT(v), "bad-value", "starttls: true (the default) or starttls: false",
               "starttls of notifier '%s' must be true or false, found '%s'", n->name, st);
}

static void read_notifier(reader *r, const flux_ynode *key, const flux_ynode *m, flux_notifier *n)
{
    memset(n, 0, sizeof *n);
    n->name = key->s;
    n->span = AT(key);
    n->dedupe_ms = 600000;
    n->timeout_ms = 10000;
    n->max_attempts = 8;
    n->starttls = true;
    size_t line, col;
    flux_yamlsrc_linecol(&r->y, m, &line, &col);
    n->origin = flux_arena_printf(r->a, "%s:%zu:%zu", r->path, line, col);
    if (m->kind != FLUX_YNODE_MAP) {
        report(r, AT(m), "wrong-type", "e.g. ops: { type: webhook, url_env: OPS_HOOK }",
               "notifier '%s' is a mapping of settings, found %s", n->name, is_null(m) ? "nothing" : kind_name(m));
        return;
    }
    const flux_ynode *k[NNKEYS] = {0}, *v[NNKEYS] = {0};
    const struct ntype *t = NULL;
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const flux_ynode *kk = m->kids[i];
        if (kk->kind != FLUX_YNODE_SCALAR || duplicate(r, m, i, "setting"))
            continue;
        int j = 0;
        while (j < NNKEYS && strcmp(kk->s, nkeys[j]))
            j++;
        if (j == NNKEYS) {
            const char *best = flux_suggest(kk->s, nkeys, NNKEYS);
            report(r, AT(kk), "unknown-setting", did_you_mean(r, best), "unknown setting '%s' of notifier '%s'",
                   kk->s, n->name);
            continue;
        }
        k[j] = kk, v[j] = m->kids[i + 1];
    }
    const char *tn = v[N_TYPE] ? text_of(r, k[N_TYPE], v[N_TYPE], "'type'") : NULL;
    if (!v[N_TYPE]) {
        report(r, n->span, "missing-setting", "add type: webhook, email or command", "notifier '%s' has no type",
               n->name);
        return;
    }
    for (size_t i = 0; tn && i < sizeof ntypes / sizeof *ntypes; i++)
        if (!strcmp(tn, ntypes[i].name))
            t = &ntypes[i], n->type = (flux_notifier_type)i;
    if (!t) {
        if (tn) {
            static const char *const names[] = {"webhook", "email", "command"};
            const char *best = flux_suggest(tn, names, 3);
            report(r, AT(v[N_TYPE]), "bad-value", best ? did_you_mean(r, best) : "the types are webhook, email and "
                   "command", "notifier '%s' has unknown type '%s'", n->name, tn);
        }
        return;
    }
    for (int j = 0; j < NNKEYS; j++)
        if (v[j] && !((t->keys >> j) & 1))
            report(r, AT(k[j]), "unknown-setting", NULL, "'%s' is not a setting of a %s notifier", nkeys[j], t->name);
    if (n->type != FLUX_NOTIFIER_COMMAND)
        notifier_url(r, n, k, v);
    if (v[N_HEADERS] && n->type == FLUX_NOTIFIER_WEBHOOK)
        notifier_headers(r, n, v[N_HEADERS]);
    if (n->type == FLUX_NOTIFIER_EMAIL) {
        if (v[N_FROM])
            n->from = text_of(r, k[N_FROM], v[N_FROM], "'from'");
        else
            report(r, n->span, "missing-setting", "add from: flux@example.com", "notifier '%s' has no from", n->name);
        if (v[N_TO])
            n->to = string_list(r, k[N_TO], v[N_TO], &n->nto);
        else
            report(r, n->span, "missing-setting", "add to: [oncall@example.com]", "notifier '%s' has no to", n->name);
        if (v[N_USER])
            n->user = text_of(r, k[N_USER], v[N_USER], "'user'");
        if (v[N_STARTTLS])
            notifier_starttls(r, n, k[N_STARTTLS], v[N_STARTTLS]);
        int pw = !!v[N_PASSWORD] + !!v[N_PASSWORD_ENV] + !!v[N_PASSWORD_FILE];
        if (pw > 1) {
            report(r, AT(k[v[N_PASSWORD_FILE] ? N_PASSWORD_FILE : N_PASSWORD_ENV]), "duplicate-key",
                   "keep one of them", "notifier '%s' has two passwords", n->name);
        } else if (v[N_PASSWORD]) {
            n->password = text_of(r, k[N_PASSWORD], v[N_PASSWORD], "'password'");
            if (n->password && !r->private_file)
                report(r, AT(v[N_PASSWORD]), "exposed-secret",
                       flux_arena_printf(r->a, "chmod 600 %s, or use password_env or password_file", r->path),
                       "an inline password needs the file to be private");
        } else if (pw) {
            int which = v[N_PASSWORD_ENV] ? N_PASSWORD_ENV : N_PASSWORD_FILE;
            n->password = secret_from(r, n, k[which], v[which], which == N_PASSWORD_FILE, "password");
        }
        add_secret(r, n, n->password);
    }
    if (n->type == FLUX_NOTIFIER_COMMAND) {
        if (v[N_COMMAND])
            n->argv = string_list(r, k[N_COMMAND], v[N_COMMAND], &n->nargv);
        else
            report(r, n->span, "missing-setting", "add command: [/path/to/program, arg]",
                   "notifier '%s' has no command", n->name);
    }
    if (v[N_CA_FILE] && n->type != FLUX_NOTIFIER_COMMAND) {
        notifier_ca_file(r, n, k[N_CA_FILE], v[N_CA_FILE]);
        /* no TLS, no certificate to check it against */
        if (n->url && (!strncmp(n->url, "http://", 7) || (!strncmp(n->url, "smtp://", 7) && !n->starttls)))
            flux_cf_warn(r, AT(k[N_CA_FILE]), "unused-setting",
                         n->type == FLUX_NOTIFIER_WEBHOOK ? "use an https:// url" : "remove starttls: false",
                         "ca_file of notifier '%s' has no effect: it sends without TLS", n->name);
    }
    if (v[N_TEMPLATE] && text_of(r, k[N_TEMPLATE], v[N_TEMPLATE], "'template'"))
        notifier_template(r, n, v[N_TEMPLATE]);
    if (v[N_DEDUPE])
        n->dedupe_ms = notifier_duration(r, k[N_DEDUPE], v[N_DEDUPE], n->dedupe_ms);
    if (v[N_TIMEOUT])
        n->timeout_ms = notifier_duration(r, k[N_TIMEOUT], v[N_TIMEOUT], n->timeout_ms);
    if (v[N_MAX_ATTEMPTS]) {
        const char *s = text_of(r, k[N_MAX_ATTEMPTS], v[N_MAX_ATTEMPTS], "'max_attempts'");
        char *end = NULL;
        long a = s ? strtol(s, &end, 10) : 0;
        if (s && (*end || a < 1 || a > 1000))
            report(r, AT(v[N_MAX_ATTEMPTS]), "bad-value", NULL, "max_attempts is a number from 1 to 1000");
        else if (s)
            n->max_attempts = (int)a;
    }
}

void flux_cf_read_notifiers(reader *r, const flux_ynode *m, flux_conns *out)
{
    if (is_null(m))
        return;
    if (m->kind != FLUX_YNODE_MAP) {
        report(r, AT(m), "wrong-type", "e.g. notifiers: { ops: { type: webhook, url_env: OPS_HOOK } }",
               "'notifiers' maps notifier names to their settings");
        out->notifiers_incomplete = true;
        return;
    }
    out->notifiers = flux_arena_alloc(r->a, (m->n / 2 + 1) * sizeof *out->notifiers);
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const flux_ynode *k = m->kids[i];
        if (k->kind != FLUX_YNODE_SCALAR || !k->len) {
            report(r, AT(k), "wrong-type", NULL, "a notifier's name is a plain word");
            out->notifiers_incomplete = true;
            continue;
        }
        if (duplicate(r, m, i, "notifier"))
            continue;
        read_notifier(r, k, m->kids[i + 1], &out->notifiers[out->nnotifiers++]);
    }
}

const flux_notifier *flux_conns_notifier(const flux_conns *c, const char *name)
{
    for (size_t i = 0; c && i < c->nnotifiers; i++)
        if (!strcmp(c->notifiers[i].name, name))
            return &c->notifiers[i];
    return NULL;
}

