/* manifest — operator.yaml read, checked and added to the registry.
 *
 * Every mistake of a manifest is reported at once at its place, through the
 * diagnostics a .flux file's go to, so `flux check` prints them alike. An
 * operator whose manifest has an error is not added: its tasks then meet
 * "unknown operator" besides the manifest's own errors.
 */
#include "manifest.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "conn.h"
#include "duration.h"
#include "registry.h"
#include "sha256.h"
#include "suggest.h"
#include "text.h"
#include "yamlsrc.h"

/* a manifest is a page of YAML; a larger one is a mistake */
#define MANIFEST_MAX (1u << 20)

typedef struct reader {
    flux_arena *a; /* the process's: what the registry keeps lives here */
    flux_diags *d;
    const char *path, *dir;
    flux_yamlsrc y;
    size_t errors;
} reader;

/* an operator of one's own as the registry holds it, with where its
 * manifest is on this machine: op.manifest is the path a plan records
 * (relative to flux.yaml's directory), abs the one it was read from */
typedef struct own_op {
    flux_operator op;
    const char *abs;
} own_op;

static const char *abs_of(const flux_operator *op)
{
    return ((const own_op *)(const void *)op)->abs;
}

/* the directory a plan's relative manifest paths are resolved against: the
 * one of the flux.yaml whose operator_path was read last (absolute), NULL
 * before (the working directory then) */
static char *resolve_root;

static flux_arena *keep(void)
{
    static flux_arena *a;
    if (!a)
        a = flux_arena_new();
    return a;
}

static void report(reader *r, const flux_ynode *at, const char *help, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(reader *r, const flux_ynode *at, const char *help, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flux_diag_vreport(r->d, FLUX_SEV_ERROR, at ? flux_yamlsrc_span(&r->y, at) : flux_nowhere(), "manifest", help,
                      fmt, ap);
    va_end(ap);
    r->errors++;
}

static const char *did_you_mean(reader *r, const char *word, const char *const *cands, size_t n,
                                const char *otherwise)
{
    const char *best = flux_suggest(word, cands, n);
    return best ? flux_arena_printf(r->a, "did you mean '%s'?", best) : otherwise;
}

static bool is_null(const flux_ynode *n)
{
    return n->kind == FLUX_YNODE_SCALAR && n->style == YAML_PLAIN_SCALAR_STYLE &&
           (!n->len || !strcmp(n->s, "~") || !strcmp(n->s, "null"));
}

/* a plain value, or NULL after reporting what it is not */
static const char *scalar(reader *r, const flux_ynode *v, const char *what)
{
    if (v->kind != FLUX_YNODE_SCALAR || is_null(v)) {
        report(r, v, NULL, "%s is a plain value", what);
        return NULL;
    }
    return v->s;
}

static int boolean(reader *r, const flux_ynode *v, const char *what)
{
    const char *s = scalar(r, v, what);
    if (s && !strcmp(s, "true"))
        return 1;
    if (s && !strcmp(s, "false"))
        return 0;
    if (s)
        report(r, v, "write true or false", "%s is true or false, found '%s'", what, s);
    return -1;
}

/* a NULL-terminated list of words (enum values, connection types) */
static const char *const *words(reader *r, const flux_ynode *v, const char *what)
{
    if (v->kind != FLUX_YNODE_SEQ || v->n == 0) {
        report(r, v, "e.g. [a, b]", "%s is a list of at least one word", what);
        return NULL;
    }
    const char **w = flux_arena_alloc(r->a, (v->n + 1) * sizeof *w);
    for (size_t i = 0; i < v->n; i++)
        if (!(w[i] = scalar(r, v->kids[i], what)))
            return NULL;
    w[v->n] = NULL;
    return w;
}

/* the key of a mapping not among known: reported with a did-you-mean */
static bool known_key(reader *r, const flux_ynode *k, const char *const *known, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(k->s, known[i]))
            return true;
    const char *list = flux_arena_printf(r->a, "%s", known[0]);
    for (size_t i = 1; i < n; i++)
        list = flux_arena_printf(r->a, "%s%s%s", list, i + 1 == n ? " and " : ", ", known[i]);
    report(r, k, did_you_mean(r, k->s, known, n, flux_arena_printf(r->a, "%s are %s", what, list)),
           "unknown key '%s'", k->s);
    return false;
}

/* ---- parameters ---- */

static const char *const type_names[] = {
    "string", "shell", "path", "time", "int", "float", "bool", "duration", "enum", "list", "map", "scalar",
    "connection",
};
static const flux_param_type type_values[] = {
    FLUX_PT_STRING, FLUX_PT_SHELL, FLUX_PT_PATH, FLUX_PT_TIME, FLUX_PT_INT, FLUX_PT_FLOAT, FLUX_PT_BOOL,
    FLUX_PT_DURATION, FLUX_PT_ENUM, FLUX_PT_LIST, FLUX_PT_MAP, FLUX_PT_SCALAR, FLUX_PT_CONN,
};
#define NTYPES (sizeof type_names / sizeof *type_names)

/* what other languages call the types: an edit distance would not get
 * from 'integer' to 'int', so these are named outright */
static const char *const type_aliases[][2] = {
    {"integer", "int"},   {"long", "int"},        {"number", "float"},    {"double", "float"},
    {"real", "float"},    {"decimal", "float"},   {"boolean", "bool"},    {"str", "string"},
    {"text", "string"},   {"array", "list"},      {"sequence", "list"},   {"dict", "map"},
    {"object", "map"},    {"mapping", "map"},     {"hash", "map"},        {"conn", "connection"},
    {"interval", "duration"}, {"timedelta", "duration"}, {"timestamp", "time"}, {"datetime", "time"},
    {"date", "time"},     {"file", "path"},       {"command", "shell"},   {"choice", "enum"},
};

static int type_of(reader *r, const flux_ynode *v, flux_param_type *out)
{
    const char *s = scalar(r, v, "a parameter's type");
    if (!s)
        return -1;
    for (size_t i = 0; i < NTYPES; i++)
        if (!strcmp(s, type_names[i])) {
            *out = type_values[i];
            return 0;
        }
    const char *help = NULL;
    for (size_t i = 0; i < sizeof type_aliases / sizeof *type_aliases && !help; i++)
        if (!strcasecmp(s, type_aliases[i][0]))
            help = flux_arena_printf(r->a, "did you mean '%s'?", type_aliases[i][1]);
    if (!help)
        help = did_you_mean(r, s, type_names, NTYPES,
                            "the types are string, shell, path, time, int, float, bool, duration, enum, list, "
                            "map, scalar and connection");
    report(r, v, help, "unknown type '%s'", s);
    return -1;
}

/* JSON text of a string */
static const char *json_string(reader *r, const char *s)
{
    flux_buf b = {0};
    flux_buf_putc(&b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            flux_buf_printf(&b, "\\%c", *p);
        else if (*p < 0x20)
            flux_buf_printf(&b, "\\u%04x", *p);
        else
            flux_buf_putc(&b, (char)*p);
    }
    flux_buf_putc(&b, '"');
    const char *out = flux_arena_strdup(r->a, flux_buf_cstr(&b));
    flux_buf_free(&b);
    return out;
}

/* a default, checked against the type: its text as the reference writes
 * it, and its JSON for the fields file */
static void default_of(reader *r, const flux_ynode *v, flux_param_schema *p)
{
    const char *s = scalar(r, v, "a default");
    if (!s)
        return;
    char *end;
    const char *bad = NULL;
    switch (p->type) {
    case FLUX_PT_INT:
        errno = 0;
        (void)strtoll(s, &end, 10);
        bad = *s && !*end && !errno ? NULL : "an integer";
        p->default_json = p->default_text = s;
        break;
    case FLUX_PT_FLOAT:
        (void)strtod(s, &end);
        bad = *s && !*end ? NULL : "a number";
        p->default_json = p->default_text = s;
        break;
    case FLUX_PT_BOOL:
        bad = !strcmp(s, "true") || !strcmp(s, "false") ? NULL : "true or false";
        p->default_json = p->default_text = s;
        break;
    case FLUX_PT_DURATION: {
        int64_t ms;
        flux_sched_error e;
        bad = flux_duration_parse(s, strlen(s), &ms, &e) == 0 ? NULL : "a duration (30s, 5m, 1h30m)";
        p->default_text = s;
        p->default_json = json_string(r, s);
        break;
    }
    case FLUX_PT_ENUM:
        bad = !p->enum_values || flux_param_enum_has(p, s) ? NULL : "one of its values";
        p->default_text = s;
        p->default_json = json_string(r, s);
        break;
    case FLUX_PT_LIST: case FLUX_PT_MAP: case FLUX_PT_CONN:
        report(r, v, "leave the default out: a task that needs one gives it", "a %s parameter has no default",
               flux_param_type_name(p->type));
        return;
    default:
        p->default_text = json_string(r, s);
        p->default_json = p->default_text;
        break;
    }
    if (bad)
        report(r, v, NULL, "the default of '%s' is not %s: '%s'", p->name, bad, s);
}

static const char *const param_keys[] = {"type", "items", "values", "default", "required", "templated",
                                         "description"};

static bool read_param(reader *r, const flux_ynode *k, const flux_ynode *v, const char *const *conns,
                       flux_param_schema *p)
{
    memset(p, 0, sizeof *p);
    p->name = k->s;
    p->elem = FLUX_PT_STRING;
    p->doc = "";
    size_t before = r->errors;
    if (v->kind != FLUX_YNODE_MAP) {
        report(r, v, "e.g. path: { type: path, required: true }", "parameter '%s' is a mapping of its settings",
               k->s);
        return false;
    }
    const flux_ynode *type = NULL, *items = NULL, *values = NULL, *def = NULL;
    for (size_t i = 0; i + 1 < v->n; i += 2) {
        const flux_ynode *kk = v->kids[i], *vv = v->kids[i + 1];
        if (kk->kind != FLUX_YNODE_SCALAR || !known_key(r, kk, param_keys, 7, "a parameter's settings"))
            continue;
        int b;
        if (!strcmp(kk->s, "type"))
            type = vv;
        else if (!strcmp(kk->s, "items"))
            items = vv;
        else if (!strcmp(kk->s, "values"))
            values = vv;
        else if (!strcmp(kk->s, "default"))
            def = vv;
        else if (!strcmp(kk->s, "description"))
            p->doc = scalar(r, vv, "a description") ? vv->s : "";
        else if ((b = boolean(r, vv, kk->s)) == 1)
            p->flags |= !strcmp(kk->s, "required") ? FLUX_PF_REQUIRED : FLUX_PF_TEMPLATED;
    }
    if (!type) {
        report(r, k, "add e.g. type: string", "parameter '%s' has no type", k->s);
        return false;
    }
    if (type_of(r, type, &p->type) != 0)
        return false;
    if ((p->type == FLUX_PT_LIST || p->type == FLUX_PT_MAP) && items && type_of(r, items, &p->elem) != 0)
        return false;
    if (p->type == FLUX_PT_ENUM || p->elem == FLUX_PT_ENUM) {
        if (!values) {
            report(r, type, "add e.g. values: [fast, safe]", "enum parameter '%s' has no values", k->s);
            return false;
        }
        p->enum_values = words(r, values, "values");
    } else if (values)
        report(r, values, "values belong to a parameter of type enum", "'%s' is of type %s: it takes no values",
               k->s, flux_param_type_name(p->type));
    if (p->type == FLUX_PT_CONN) {
        if (!conns)
            report(r, type, "list the types it opens at the top: connections: [sqlite]",
                   "parameter '%s' names a connection, but the operator accepts no connection type", k->s);
        p->conn_types = conns;
    }
    if (def)
        default_of(r, def, p);
    return r->errors == before;
}

/* ---- the manifest ---- */

static const char *const top_keys[] = {"name", "kind", "description", "executable", "connections", "params"};

static bool plain_name(const char *s)
{
    if (!*s || !((*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* the executable, relative to the manifest's directory, as an absolute path */
static const char *executable(reader *r, const flux_ynode *v)
{
    const char *s = scalar(r, v, "'executable'");
    if (!s)
        return NULL;
    const char *path = s[0] == '/' ? s : flux_arena_printf(r->a, "%s/%s", r->dir, s);
    if (access(path, X_OK) != 0) {
        report(r, v, errno == EACCES ? "chmod +x it" : "the path is relative to the manifest's directory",
               "executable '%s': %s", s, strerror(errno));
        return NULL;
    }
    return path;
}

static void read_manifest(reader *r, const flux_ynode *root, flux_operator *op)
{
    static const char *const kinds[] = {"sensor", "remote", "transfer"};
    if (root->kind != FLUX_YNODE_MAP) {
        report(r, root, "e.g. name: my_op, kind: remote, executable: run.py, params: {...}",
               "a manifest is a mapping");
        return;
    }
    const flux_ynode *at[6] = {0};
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const flux_ynode *k = root->kids[i];
        if (k->kind != FLUX_YNODE_SCALAR || !known_key(r, k, top_keys, 6, "the keys"))
            continue;
        for (size_t j = 0; j < 6; j++)
            if (!strcmp(k->s, top_keys[j]))
                at[j] = root->kids[i + 1];
    }
    for (size_t j = 0; j < 6; j++)
        if (!at[j] && (j == 0 || j == 1 || j == 3))
            report(r, root, flux_arena_printf(r->a, "add '%s:'", top_keys[j]), "the manifest has no '%s'",
                   top_keys[j]);
    if (at[0] && (op->name = scalar(r, at[0], "'name'"))) {
        if (!plain_name(op->name))
            report(r, at[0], "lower-case letters, digits and _", "operator name '%s' is not a plain name", op->name);
        else if (flux_registry_find(op->name) && !flux_registry_find(op->name)->manifest)
            report(r, at[0], "choose another name", "'%s' is a built-in operator", op->name);
    }
    if (at[1] && scalar(r, at[1], "'kind'")) {
        size_t k = 0;
        while (k < 3 && strcmp(at[1]->s, kinds[k]))
            k++;
        if (k == 3)
            report(r, at[1], did_you_mean(r, at[1]->s, kinds, 3, "the kinds are sensor, remote and transfer"),
                   "unknown kind '%s'", at[1]->s);
        op->kind = k == 0 ? FLUX_OP_SENSOR : k == 2 ? FLUX_OP_TRANSFER : FLUX_OP_REMOTE;
    }
    op->doc = at[2] && scalar(r, at[2], "'description'") ? at[2]->s : "";
    if (at[3])
        op->executable = executable(r, at[3]);
    const char *const *conns = at[4] ? words(r, at[4], "'connections'") : NULL;
    const flux_ynode *ps = at[5];
    if (ps && !is_null(ps) && ps->kind != FLUX_YNODE_MAP)
        report(r, ps, "e.g. params: { path: { type: path, required: true } }", "'params' maps names to settings");
    else if (ps && ps->kind == FLUX_YNODE_MAP) {
        flux_param_schema *v = flux_arena_alloc(r->a, (ps->n / 2 + 1) * sizeof *v);
        for (size_t i = 0; i + 1 < ps->n; i += 2) {
            const flux_ynode *k = ps->kids[i];
            if (k->kind != FLUX_YNODE_SCALAR || !plain_name(k->s)) {
                report(r, k, "lower-case letters, digits and _", "a parameter's name is a plain name");
                continue;
            }
            if (flux_registry_param(NULL, k->s))
                report(r, k, "choose another name", "'%s' is a parameter every task has", k->s);
            else if (read_param(r, k, ps->kids[i + 1], conns, &v[op->nparams]))
                op->nparams++;
        }
        op->params = v;
    }
}

/* the manifest's bytes then the executable's */
static const char *hash(reader *r, const char *text, size_t len, const char *exe)
{
    flux_buf b = {0};
    flux_buf_put(&b, text, len);
    FILE *f = fopen(exe, "rb");
    char chunk[8192];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        flux_buf_put(&b, chunk, n);
    if (f)
        fclose(f);
    char hex[65];
    flux_sha256_hex(b.data ? b.data : "", b.len, hex);
    flux_buf_free(&b);
    return flux_arena_strdup(r->a, hex);
}

/* whether the manifest at abs was read by flux_manifest_load_conns before
 * (remembered): a command that reads flux.yaml twice reports its
 * manifests' mistakes once */
static bool seen(const char *abs)
{
    static const char **v;
    static size_t n;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], abs))
            return true;
    const char **nv = flux_arena_alloc(keep(), (n + 1) * sizeof *nv);
    if (n)
        memcpy(nv, v, n * sizeof *nv);
    nv[n++] = flux_arena_strdup(keep(), abs);
    v = nv;
    return false;
}

/* one manifest read into op: 0 when it has no error, 1 when it was read
 * before (once). path: where to read it; rel: what a plan records */
static int load(const char *path, const char *rel, flux_diags *d, flux_operator **out, bool once)
{
    reader r = {.a = keep(), .d = d, .path = path};
    char abs[PATH_MAX];
    if (!realpath(path, abs)) {
        report(&r, NULL, NULL, "cannot read '%s': %s", rel, strerror(errno));
        return -1;
    }
    if (once && seen(abs))
        return 1;
    FILE *f = fopen(abs, "rb");
    flux_buf b = {0};
    char chunk[8192];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= MANIFEST_MAX)
        flux_buf_put(&b, chunk, n);
    if (!f || b.len > MANIFEST_MAX) {
        report(&r, NULL, NULL, "cannot read '%s': %s", rel, f ? strerror(EFBIG) : strerror(errno));
        if (f)
            fclose(f);
        flux_buf_free(&b);
        return -1;
    }
    fclose(f);
    char *slash = strrchr(abs, '/');
    r.dir = flux_arena_strndup(r.a, abs, (size_t)(slash - abs));
    flux_yamlsrc_init(&r.y, r.a, path, b.data ? b.data : "", b.len);
    static const flux_yaml_opts opts = {.max_depth = 16, .one_document = true, .no_anchors = true};
    size_t before = d->errors;
    flux_ynode *root = flux_yamlsrc_parse(&r.y, &opts);
    flux_yamlsrc_add(&r.y, d);
    own_op *own = flux_arena_alloc(r.a, sizeof *own);
    memset(own, 0, sizeof *own);
    flux_operator *op = &own->op;
    own->abs = flux_arena_strdup(r.a, abs);
    op->manifest = flux_arena_strdup(r.a, rel);
    if (root)
        read_manifest(&r, root, op);
    else if (d->errors == before)
        report(&r, NULL, "write name:, kind:, executable: and params:", "'%s' is empty", path);
    if (d->errors == before && op->executable)
        op->sha256 = hash(&r, b.data ? b.data : "", b.len, op->executable);
    flux_yamlsrc_free(&r.y);
    flux_buf_free(&b);
    *out = op;
    return d->errors == before ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the manifests under one directory of the operators path, in name order
 * (so errors and clashes come out the same every time); rel: that
 * directory as a plan records it */
static void load_dir(const char *dir, const char *rel, flux_diags *d)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return; /* no operators there: the default path need not exist */
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.')
            continue;
        char *m = flux_arena_printf(keep(), "%s/%s/" FLUX_MANIFEST_FILE, dir, e->d_name);
        struct stat st;
        if (stat(m, &st) != 0)
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        if (!names)
            abort(); /* the allocation policy: abort on OOM */
        names[n++] = flux_arena_strdup(keep(), e->d_name);
    }
    closedir(dp);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t k = 0; k < n; k++) {
        flux_operator *op;
        const char *path = flux_arena_printf(keep(), "%s/%s/" FLUX_MANIFEST_FILE, dir, names[k]);
        const char *mrel = flux_arena_printf(keep(), "%s/%s/" FLUX_MANIFEST_FILE, rel, names[k]);
        if (load(path, mrel, d, &op, true) != 0)
            continue;
        const flux_operator *had = flux_registry_find(op->name);
        if (had && had->manifest && strcmp(abs_of(had), abs_of(op)) != 0)
            flux_diag_help(flux_error(d, flux_nowhere(), "manifest", "two operators are named '%s': %s and %s",
                                      op->name, had->manifest, op->manifest),
                           "rename one of them");
        else
            flux_registry_add(op);
    }
    free(names);
}

size_t flux_manifest_load_conns(const flux_conns *c, flux_diags *d)
{
    size_t before = d->errors;
    /* the entries were joined to flux.yaml's directory as conn.h reads
     * them ("" or ending in '/'): what follows it is what a plan records,
     * the same bytes wherever the tree sits */
    const char *slash = c->file ? strrchr(c->file, '/') : NULL;
    size_t rootlen = slash ? (size_t)(slash - c->file) + 1 : 0;
    char abs[PATH_MAX];
    const char *root = rootlen ? flux_arena_strndup(keep(), c->file, rootlen) : ".";
    if (c->noperator_path && realpath(root, abs)) {
        free(resolve_root);
        if (!(resolve_root = strdup(abs)))
            abort(); /* the allocation policy: abort on OOM */
    }
    for (size_t i = 0; i < c->noperator_path; i++) {
        const char *dir = c->operator_path[i];
        const char *rel = rootlen && !strncmp(dir, c->file, rootlen) ? dir + rootlen : dir;
        size_t len = strlen(rel);
        while (len > 1 && rel[len - 1] == '/')
            len--;
        load_dir(dir, flux_arena_strndup(keep(), rel, len), d);
    }
    return d->errors - before;
}

int flux_manifest_load_one(const char *name, const char *manifest, const char *sha256, char *err, size_t errlen)
{
    /* loaded from the operators path already: the same bytes are the same
     * operator, wherever its directory is now */
    const flux_operator *had = flux_registry_find(name);
    if (had && !had->manifest) {
        snprintf(err, errlen, "'%s' is a built-in operator, not the one of %s", name, manifest);
        return -1;
    }
    if (had && (!sha256 || !strcmp(had->sha256, sha256)))
        return 0;
    if (had) {
        snprintf(err, errlen, "operator '%s' changed since the plan was compiled (%s): compile and deploy again",
                 name, manifest);
        return -1;
    }
    /* a relative path is relative to flux.yaml's directory, as compiled */
    const char *path = manifest[0] == '/' || !resolve_root
                           ? manifest
                           : flux_arena_printf(keep(), "%s/%s", resolve_root, manifest);
    flux_sources s;
    flux_sources_init(&s);
    flux_diags d;
    flux_diags_init(&d, &s);
    flux_operator *op = NULL;
    int rc = load(path, manifest, &d, &op, false);
    if (rc != 0 && d.n) {
        flux_diags_first(&d, manifest, false, err, errlen);
    } else if (rc == 0 && strcmp(op->name, name) != 0) {
        snprintf(err, errlen, "%s names operator '%s', not '%s': compile and deploy again", manifest, op->name,
                 name);
        rc = -1;
    } else if (rc == 0 && sha256 && strcmp(op->sha256, sha256) != 0) {
        snprintf(err, errlen, "operator '%s' changed since the plan was compiled (%s): compile and deploy again",
                 op->name, manifest);
        rc = -1;
    } else if (rc == 0) {
        flux_registry_add(op);
    }
    flux_diags_free(&d);
    flux_sources_free(&s);
    return rc;
}
