/* render — run-time rendering of a task's templated parameters. */
#include "render.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "eval.h"
#include "duration.h"
#include "parse.h"


static void add_secret(flux_renderer *r, const char *s);

/* ---- params ---- */

static flux_value field_value(flux_arena *a, const flux_field *f)
{
    switch (f->kind) {
    case FLUX_F_STRING: case FLUX_F_IDENT: return flux_str(f->u.str.s, f->u.str.len);
    case FLUX_F_INT: return flux_int(f->u.i);
    case FLUX_F_FLOAT: return flux_float(f->u.f);
    case FLUX_F_BOOL: return flux_bool(f->u.b);
    case FLUX_F_DURATION: return flux_duration(f->u.ms);
    case FLUX_F_LIST: {
        flux_value v = {.t = FLUX_T_LIST};
        v.u.list.n = f->u.list.n;
        v.u.list.v = flux_arena_alloc(a, (f->u.list.n ? f->u.list.n : 1) * sizeof(flux_value));
        for (size_t i = 0; i < f->u.list.n; i++)
            v.u.list.v[i] = field_value(a, &f->u.list.v[i]);
        return v;
    }
    case FLUX_F_MAP: {
        flux_value v = {.t = FLUX_T_DICT};
        v.u.list.n = 2 * f->u.map.n;
        v.u.list.v = flux_arena_alloc(a, (v.u.list.n ? v.u.list.n : 1) * sizeof(flux_value));
        for (size_t i = 0; i < f->u.map.n; i++) {
            v.u.list.v[2 * i] = flux_cstr(a, f->u.map.keys[i]);
            v.u.list.v[2 * i + 1] = field_value(a, &f->u.map.v[i]);
        }
        return v;
    }
    default: return flux_none();
    }
}

static int parse_override(flux_arena *a, const flux_field *def, const char *name, const char *text, flux_value *out,
                          char *err, size_t errlen)
{
    char *end;
    switch (def->kind) {
    case FLUX_F_INT: {
        long long v = strtoll(text, &end, 10);
        if (!*text || *end) {
            snprintf(err, errlen, "param '%s' is an integer; '%s' is not", name, text);
            return -1;
        }
        *out = flux_int(v);
        return 0;
    }
    case FLUX_F_FLOAT: {
        double d = strtod(text, &end);
        if (!*text || *end) {
            snprintf(err, errlen, "param '%s' is a number; '%s' is not", name, text);
            return -1;
        }
        *out = flux_float(d);
        return 0;
    }
    case FLUX_F_BOOL:
        if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
            *out = flux_bool(text[0] == 't');
            return 0;
        }
        snprintf(err, errlen, "param '%s' is a boolean; write true or false, not '%s'", name, text);
        return -1;
    case FLUX_F_DURATION: {
        int64_t ms;
        flux_sched_error e;
        if (flux_duration_parse(text, strlen(text), &ms, &e) != 0) {
            snprintf(err, errlen, "param '%s' is a duration; '%s': %s", name, text, e.msg);
            return -1;
        }
        *out = flux_duration(ms);
        return 0;
    }
    case FLUX_F_LIST: {
        /* comma-separated items of the default's item type (strings when empty) */
        flux_value v = {.t = FLUX_T_LIST};
        size_t n = *text ? 1 : 0;
        for (const char *p = text; *p; p++)
            n += *p == ',';
        v.u.list.v = flux_arena_alloc(a, (n ? n : 1) * sizeof(flux_value));
        const char *p = text;
        flux_field item = {.kind = def->u.list.n ? def->u.list.v[0].kind : FLUX_F_STRING};
        for (size_t i = 0; i < n; i++) {
            const char *c = strchr(p, ',');
            size_t len = c ? (size_t)(c - p) : strlen(p);
            char *piece = flux_arena_strndup(a, p, len);
            if (parse_override(a, &item, name, piece, &v.u.list.v[i], err, errlen) != 0)
                return -1;
            p = c ? c + 1 : p + len;
        }
        v.u.list.n = n;
        *out = v;
        return 0;
    }
    case FLUX_F_MAP:
        snprintf(err, errlen, "param '%s' is a map and cannot be set from the command line", name);
        return -1;
    default:
        *out = flux_cstr(a, text);
        return 0;
    }
}

int flux_run_params(flux_arena *a, const flux_pipeline *p, char **overrides, size_t n, flux_value *out, char *err,
                    size_t errlen)
{
    size_t np = p->params.n;
    flux_value d = {.t = FLUX_T_DICT};
    d.u.list.n = 2 * np;
    d.u.list.v = flux_arena_alloc(a, (np ? 2 * np : 1) * sizeof(flux_value));
    for (size_t i = 0; i < np; i++) {
        d.u.list.v[2 * i] = flux_cstr(a, p->params.v[i].key);
        d.u.list.v[2 * i + 1] = field_value(a, &p->params.v[i].val);
    }
    for (size_t k = 0; k < n; k++) {
        const char *eq = strchr(overrides[k], '=');
        if (!eq) {
            snprintf(err, errlen, "--param '%s': write name=value", overrides[k]);
            return -1;
        }
        char *name = flux_arena_strndup(a, overrides[k], (size_t)(eq - overrides[k]));
        size_t i = 0;
        while (i < np && strcmp(p->params.v[i].key, name) != 0)
            i++;
        if (i == np) {
            snprintf(err, errlen, "pipeline '%s' has no param '%s'", p->name, name);
            return -1;
        }
        if (parse_override(a, &p->params.v[i].val, name, eq + 1, &d.u.list.v[2 * i + 1], err, errlen) != 0) {
            if (flux_param_secret(name)) /* the message quotes the value */
                snprintf(err, errlen, "param '%s' is a secret whose value does not fit its default's type (the value "
                                      "is not shown)", name);
            return -1;
        }
    }
    *out = d;
    return 0;
}

bool flux_param_secret(const char *name)
{
    /* the words Airflow masks a variable or param by */
    static const char *const words[] = {"password", "passwd",    "secret",     "token",        "api_key",
                                        "apikey",   "private_key", "passphrase", "credential", "authorization"};
    char low[256];
    size_t n = 0;
    for (; name[n] && n < sizeof low - 1; n++)
        low[n] = (char)tolower((unsigned char)name[n]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strstr(low, words[i]))
            return true;
    return false;
}

const char *flux_run_id(flux_arena *a, const char *kind, int64_t interval_start_ms)
{
    flux_buf b = {0};
    flux_buf_printf(&b, "%s__", kind);
    flux_time_iso(interval_start_ms, 0, &b);
    const char *r = flux_arena_strdup(a, b.data);
    flux_buf_free(&b);
    return r;
}

/* ---- context ---- */

static void bind(flux_renderer *r, flux_scope *s, const char *name, flux_value v)
{
    flux_scope_bind(r->arena, s, name, v, NULL);
}

/* ds, ts ... are the filters of the same names applied to interval_start,
 * so {{ ds }} and {{ interval_start | ds }} can never disagree */
static flux_value fmt(flux_renderer *r, int64_t ms, int32_t off, const char *filter)
{
    flux_eval ev = {.arena = r->arena, .diags = r->diags};
    flux_value v = flux_none();
    flux_filter_apply(&ev, filter, flux_time_at(ms, off), &v);
    return v;
}

flux_scope *flux_run_scope(flux_renderer *r, const flux_run *run, const flux_task *t, int try_number)
{
    flux_scope *s = flux_arena_alloc(r->arena, sizeof *s);
    int64_t start = run->iv.start_ms, end = run->iv.end_ms;
    int32_t off_s = run->tz ? flux_tz_offset(run->tz, start / 1000 - (start % 1000 < 0), NULL) : 0;
    bind(r, s, "ds", fmt(r, start, off_s, "ds"));
    bind(r, s, "ds_nodash", fmt(r, start, off_s, "ds_nodash"));
    bind(r, s, "ts", fmt(r, start, off_s, "ts"));
    bind(r, s, "ts_nodash", fmt(r, start, off_s, "ts_nodash"));
    /* in the zone, so that interval_start + 1h is shown at the offset of its own instant */
    bind(r, s, "logical_date", flux_time_in(start, run->tz));
    bind(r, s, "interval_start", flux_time_in(start, run->tz));
    bind(r, s, "data_interval_start", flux_time_in(start, run->tz));
    bind(r, s, "interval_end", flux_time_in(end, run->tz));
    bind(r, s, "data_interval_end", flux_time_in(end, run->tz));
    bind(r, s, "run_id", flux_cstr(r->arena, run->run_id ? run->run_id : flux_run_id(r->arena, "scheduled", start)));
    bind(r, s, "pipeline", flux_cstr(r->arena, run->pipeline->name));
    bind(r, s, "task", flux_cstr(r->arena, t ? t->id : ""));
    bind(r, s, "try_number", flux_int(try_number));
    bind(r, s, "params", run->params.t == FLUX_T_DICT ? run->params : (flux_value){.t = FLUX_T_DICT});
    /* a secret param's value is masked like a password wherever it shows */
    if (run->params.t == FLUX_T_DICT)
        for (size_t i = 0; i + 1 < run->params.u.list.n; i += 2) {
            const flux_value *k = &run->params.u.list.v[i], *v = &run->params.u.list.v[i + 1];
            if (k->t == FLUX_T_STR && v->t == FLUX_T_STR && v->u.s.len &&
                flux_param_secret(flux_arena_strndup(r->arena, k->u.s.s, k->u.s.len)))
                add_secret(r, flux_arena_strndup(r->arena, v->u.s.s, v->u.s.len));
        }
    return s;
}

/* ---- connections and outputs referenced by an expression ---- */

typedef struct refs {
    const char *conns[16];
    size_t nconns;
    bool tasks;
    const char *out_task[16], *out_key[16]; /* tasks.ID.outputs.KEY */
    size_t nouts;
} refs;

/* one access step: .name or ["name"]; NULL for any other index */
static const char *step_name(const flux_expr *e)
{
    if (e->kind == FLUX_X_ATTR)
        return e->u.attr.name;
    if (e->kind == FLUX_X_INDEX && e->u.index.index->kind == FLUX_X_STRING)
        return e->u.index.index->u.str.s;
    return NULL;
}

static const flux_expr *step_obj(const flux_expr *e)
{
    return e->kind == FLUX_X_ATTR ? e->u.attr.obj : e->kind == FLUX_X_INDEX ? e->u.index.obj : NULL;
}

static void collect(const flux_expr *e, refs *out)
{
    if (!e)
        return;
    switch (e->kind) {
    case FLUX_X_NAME:
        out->tasks |= strcmp(e->u.name, "tasks") == 0;
        return;
    case FLUX_X_ATTR:
    case FLUX_X_INDEX: {
        /* tasks.ID.outputs.KEY, each step .name or ["name"] */
        const flux_expr *o = step_obj(e), *id = o ? step_obj(o) : NULL, *root = id ? step_obj(id) : NULL;
        const char *key = step_name(e), *outs = o ? step_name(o) : NULL, *tid = id ? step_name(id) : NULL;
        if (key && outs && tid && root && root->kind == FLUX_X_NAME && !strcmp(root->u.name, "tasks") &&
            !strcmp(outs, "outputs")) {
            out->tasks = true;
            if (out->nouts < 16) {
                out->out_task[out->nouts] = tid;
                out->out_key[out->nouts++] = key;
            }
            return;
        }
        if (e->kind == FLUX_X_INDEX) {
            collect(e->u.index.obj, out);
            collect(e->u.index.index, out);
            return;
        }
    }
        if (e->u.attr.obj->kind == FLUX_X_NAME && strcmp(e->u.attr.obj->u.name, "conn") == 0) {
            bool seen = false;
            for (size_t i = 0; i < out->nconns; i++)
                seen |= strcmp(out->conns[i], e->u.attr.name) == 0;
            if (!seen && out->nconns < 16)
                out->conns[out->nconns++] = e->u.attr.name;
            return;
        }
        collect(e->u.attr.obj, out);
        return;
    case FLUX_X_UNARY: collect(e->u.unary.arg, out); return;
    case FLUX_X_BINARY: collect(e->u.binary.lhs, out); collect(e->u.binary.rhs, out); return;
    case FLUX_X_FILTER:
        collect(e->u.filter.arg, out);
        for (size_t i = 0; i < e->u.filter.args.n; i++)
            collect(e->u.filter.args.v[i], out);
        return;
    case FLUX_X_CALL:
        for (size_t i = 0; i < e->u.call.args.n; i++)
            collect(e->u.call.args.v[i], out);
        return;
    case FLUX_X_LIST: case FLUX_X_DICT:
        for (size_t i = 0; i < e->u.list.n; i++)
            collect(e->u.list.v[i], out);
        return;
    case FLUX_X_COND: collect(e->u.cond.cond, out); collect(e->u.cond.then, out); collect(e->u.cond.other, out); return;
    default: return;
    }
}

static void add_secret_form(flux_renderer *r, const char *s);

/* the quoting filters, as a template can apply them to a secret */
static const struct {
    const char *filter;
    flux_sql_dialect sql;
} secret_filters[] = {
    {"shquote", FLUX_SQL_UNKNOWN}, {"sql", FLUX_SQL_MYSQL}, {"sql", FLUX_SQL_SQLITE}, {"json", FLUX_SQL_UNKNOWN},
};
#define NSECRET_FILTERS (sizeof secret_filters / sizeof *secret_filters)

/* filter k of s, whole (quotes included) */
static flux_value secret_filtered(flux_renderer *r, size_t k, flux_value s)
{
    flux_eval ev = {.arena = r->arena, .diags = r->diags, .sql = secret_filters[k].sql};
    flux_value v;
    if (flux_filter_apply(&ev, secret_filters[k].filter, s, &v) != FLUX_EVAL_OK || v.t != FLUX_T_STR)
        return flux_none();
    return v;
}

/* what a filter wrote inside its own quotes: the text that holds the secret */
static void add_secret_inner(flux_renderer *r, flux_value v)
{
    if (v.t == FLUX_T_STR && v.u.s.len > 2)
        add_secret_form(r, flux_arena_strndup(r->arena, v.u.s.s + 1, v.u.s.len - 2));
}

/* a secret is masked by value, and also as each quoting filter writes it,
 * alone or after another (json | shquote), so that no filter can carry it
 * past the mask; a secret of several lines (a password_file's key, a
 * token with its newline) also line by line, each line a secret of its
 * own: what prints one line of it (head, grep) or joins them (tr) shows
 * no part of it. A line of blanks only is no secret. */
static void add_secret(flux_renderer *r, const char *s)
{
    if (!s || !*s)
        return;
    add_secret_form(r, s);
    flux_value raw = flux_cstr(r->arena, s);
    for (size_t i = 0; i < NSECRET_FILTERS; i++) {
        flux_value once = secret_filtered(r, i, raw);
        add_secret_inner(r, once);
        for (size_t j = 0; j < NSECRET_FILTERS && once.t == FLUX_T_STR; j++)
            add_secret_inner(r, secret_filtered(r, j, once));
    }
    if (!strchr(s, '\n'))
        return;
    for (const char *line = s; *line;) {
        size_t n = strcspn(line, "\n"), len = n;
        if (len && line[len - 1] == '\r')
            len--;
        bool blank = true;
        for (size_t k = 0; k < len && blank; k++)
            blank = isspace((unsigned char)line[k]) != 0;
        if (!blank)
            add_secret(r, flux_arena_strndup(r->arena, line, len));
        line += n + (line[n] == '\n');
    }
}

static void add_secret_form(flux_renderer *r, const char *s)
{
    for (size_t i = 0; i < r->nsecrets; i++)
        if (strcmp(r->secrets[i], s) == 0)
            return;
    r->secrets = flux_arena_grow(r->arena, r->secrets, r->nsecrets, &r->secrets_cap, sizeof *r->secrets, 4);
    r->secrets[r->nsecrets++] = s;
}

static flux_value conn_dict(flux_renderer *r, const flux_conn *c)
{
    /* every field the checker accepts (conn_fields of check_templates.c) */
    const char *keys[] = {"type", "host", "port", "user", "login", "database", "schema", "brokers", "password",
                          "uri"};
    enum { NKEYS = sizeof keys / sizeof *keys };
    flux_value vals[NKEYS];
    vals[0] = flux_cstr(r->arena, c->type ? c->type : "");
    vals[1] = c->host ? flux_cstr(r->arena, c->host) : flux_none();
    vals[2] = c->port ? flux_int(c->port) : flux_none();
    vals[3] = c->user ? flux_cstr(r->arena, c->user) : flux_none();
    vals[4] = vals[3];
    vals[5] = c->database ? flux_cstr(r->arena, c->database) : flux_none();
    vals[6] = vals[5];
    vals[7] = c->brokers ? flux_cstr(r->arena, c->brokers) : flux_none();
    vals[8] = c->password ? flux_cstr(r->arena, c->password) : flux_none();
    add_secret(r, c->password);
    /* built from the fields whichever way it was given, its password
     * masked in the form the URI writes it */
    const char *pw_form;
    vals[9] = flux_cstr(r->arena, flux_conn_uri(r->arena, c, &pw_form));
    add_secret(r, pw_form);
    flux_value d = {.t = FLUX_T_DICT};
    d.u.list.n = 2 * NKEYS;
    d.u.list.v = flux_arena_alloc(r->arena, 2 * NKEYS * sizeof(flux_value));
    for (size_t i = 0; i < NKEYS; i++) {
        d.u.list.v[2 * i] = flux_cstr(r->arena, keys[i]);
        d.u.list.v[2 * i + 1] = vals[i];
    }
    return d;
}

/* binds conn and tasks for one expression; 1 when the expression must be
 * shown as written (task outputs in a dry-run), -1 on a missing connection */
static int bind_refs(flux_renderer *r, flux_scope *s, const flux_expr *e, const flux_task *t)
{
    refs rf = {0};
    collect(e, &rf);
    flux_value conns = {.t = FLUX_T_DICT};
    conns.u.list.v = flux_arena_alloc(r->arena, (2 * rf.nconns + 1) * sizeof(flux_value));
    for (size_t i = 0; i < rf.nconns; i++) {
        const flux_conn *c = flux_conns_find(r->conns, rf.conns[i]);
        if (!c) {
            char env[256];
            flux_conn_env_name(rf.conns[i], env, sizeof env);
            snprintf(r->err, sizeof r->err,
                     "task '%s': connection '%s' is not defined: add it to flux.yaml or set %s", t ? t->id : "?",
                     rf.conns[i], env);
            return -1;
        }
        if (c->unresolved) { /* a template names it: its secret must be there */
            snprintf(r->err, sizeof r->err, "task '%s': connection '%s': %s", t ? t->id : "?", rf.conns[i],
                     c->unresolved);
            return -1;
        }
        conns.u.list.v[conns.u.list.n++] = flux_cstr(r->arena, rf.conns[i]);
        conns.u.list.v[conns.u.list.n++] = conn_dict(r, c);
    }
    flux_scope_bind(r->arena, s, "conn", conns, NULL);
    if (rf.tasks && !r->output)
        return 1;
    /* tasks: { ID: { outputs: { KEY: value } } } for the outputs named */
    flux_value tasks = {.t = FLUX_T_DICT};
    tasks.u.list.v = flux_arena_alloc(r->arena, (2 * rf.nouts + 1) * sizeof(flux_value));
    for (size_t i = 0; i < rf.nouts; i++) {
        flux_value v;
        if (!r->output(r->ud, rf.out_task[i], rf.out_key[i], &v)) {
            snprintf(r->err, sizeof r->err, "task '%s': task '%s' has no output '%s' (print '::output %s=VALUE')",
                     t ? t->id : "?", rf.out_task[i], rf.out_key[i], rf.out_key[i]);
            return -1;
        }
        flux_value outputs = {.t = FLUX_T_DICT}, entry = {.t = FLUX_T_DICT};
        outputs.u.list.v = flux_arena_alloc(r->arena, 2 * sizeof(flux_value));
        outputs.u.list.v[0] = flux_cstr(r->arena, rf.out_key[i]);
        outputs.u.list.v[1] = v;
        outputs.u.list.n = 2;
        /* merge into the task's entry when it is already there */
        size_t k = 0;
        while (k < tasks.u.list.n && strcmp(tasks.u.list.v[k].u.s.s, rf.out_task[i]) != 0)
            k += 2;
        if (k < tasks.u.list.n) {
            flux_value *outs = &tasks.u.list.v[k + 1].u.list.v[1];
            flux_value *nv = flux_arena_alloc(r->arena, (outs->u.list.n + 2) * sizeof(flux_value));
            memcpy(nv, outs->u.list.v, outs->u.list.n * sizeof(flux_value));
            nv[outs->u.list.n] = outputs.u.list.v[0];
            nv[outs->u.list.n + 1] = v;
            outs->u.list.v = nv;
            outs->u.list.n += 2;
            continue;
        }
        entry.u.list.v = flux_arena_alloc(r->arena, 2 * sizeof(flux_value));
        entry.u.list.v[0] = flux_cstr(r->arena, "outputs");
        entry.u.list.v[1] = outputs;
        entry.u.list.n = 2;
        tasks.u.list.v[tasks.u.list.n++] = flux_cstr(r->arena, rf.out_task[i]);
        tasks.u.list.v[tasks.u.list.n++] = entry;
    }
    flux_scope_bind(r->arena, s, "tasks", tasks, NULL);
    return 0;
}

/* ---- fields ---- */

/* what the sql filter quotes for in field `key` of t: the type of the
 * connection its SQL runs on, when that connection is defined */
static flux_sql_dialect field_dialect(flux_renderer *r, const flux_task *t, const char *key)
{
    const char *param = t && r->sql_conn ? r->sql_conn(t->op, key) : NULL;
    const char *name = param ? flux_attr_word(&t->attrs, param, NULL) : NULL;
    const flux_conn *c = name ? flux_conns_find(r->conns, name) : NULL;
    if (!c || !c->type)
        return FLUX_SQL_UNKNOWN;
    return strcmp(c->type, "sqlite") == 0 ? FLUX_SQL_SQLITE
           : strcmp(c->type, "mysql") == 0 ? FLUX_SQL_MYSQL
                                           : FLUX_SQL_UNKNOWN;
}

/* a rendered text longer than this is a runaway loop over run-time lists */
#define RENDER_MAX_TEXT (16u << 20)

typedef struct walk {
    flux_renderer *r;
    const flux_task *t;
    flux_sql_dialect dialect;
} walk;

/* e evaluated with the connections and outputs it names bound: 0 with *v,
 * 1 when it is shown as written (task outputs in a dry-run, or a {% set %}
 * that was), -1 on an error */
static int walk_eval(walk *w, flux_scope *s, const flux_expr *e, flux_value *v)
{
    flux_renderer *r = w->r;
    flux_scope *es = flux_arena_alloc(r->arena, sizeof *es);
    es->parent = s;
    int br = bind_refs(r, es, e, w->t);
    if (br != 0)
        return br;
    flux_eval ev = {.arena = r->arena, .diags = r->diags, .scope = es, .sql = w->dialect};
    flux_eval_status st = flux_eval_expr(&ev, e, v);
    if (st == FLUX_EVAL_RUNTIME)
        return 1;
    if (st != FLUX_EVAL_OK) {
        if (!r->err[0])
            snprintf(r->err, sizeof r->err, "task '%s': a template failed to render", w->t ? w->t->id : "?");
        return -1;
    }
    return 0;
}

static int walk_parts(walk *w, const flux_tpart *parts, size_t n, flux_scope *s, flux_buf *out);

/* {% for %}: each item in a scope of its own, with loop.* */
static int walk_for(walk *w, const flux_tstmt *st, flux_value seq, flux_scope *s, flux_buf *out)
{
    flux_renderer *r = w->r;
    bool pairs = st->u.loop.var2 != NULL;
    if ((seq.t != FLUX_T_LIST && seq.t != FLUX_T_DICT) || (pairs && seq.t != FLUX_T_DICT)) {
        snprintf(r->err, sizeof r->err, "task '%s': %s", w->t ? w->t->id : "?",
                 pairs ? "two loop variables need a dict" : "a {% for %} loops over a list or a dict");
        if (seq.t != FLUX_T_LIST && seq.t != FLUX_T_DICT)
            snprintf(r->err + strlen(r->err), sizeof r->err - strlen(r->err), ", found %s", flux_type_a(seq.t));
        return -1;
    }
    size_t n = seq.t == FLUX_T_LIST ? seq.u.list.n : seq.u.list.n / 2;
    for (size_t i = 0; i < n; i++) {
        flux_scope *inner = flux_arena_alloc(r->arena, sizeof *inner);
        inner->parent = s;
        if (seq.t == FLUX_T_LIST) {
            flux_scope_bind(r->arena, inner, st->u.loop.var, seq.u.list.v[i], NULL);
        } else {
            flux_scope_bind(r->arena, inner, st->u.loop.var, seq.u.list.v[2 * i], NULL);
            if (pairs)
                flux_scope_bind(r->arena, inner, st->u.loop.var2, seq.u.list.v[2 * i + 1], NULL);
        }
        flux_scope_bind(r->arena, inner, "loop", flux_scope_loop(r->arena, i, n), NULL);
        if (walk_parts(w, st->u.loop.body.parts, st->u.loop.body.n, inner, out) != 0)
            return -1;
    }
    return 0;
}

/* one statement; shown as written when what it reads is not known yet */
static int walk_stmt(walk *w, const flux_tpart *p, flux_scope *s, flux_buf *out)
{
    const flux_tstmt *st = p->stmt;
    flux_value v;
    int rc;
    switch (st->kind) {
    case FLUX_TS_SET:
        rc = walk_eval(w, s, st->u.set.val, &v);
        if (rc < 0)
            return -1;
        if (rc == 1) {
            flux_tstmt_print_open(st, NULL, out);
            v = (flux_value){.t = FLUX_T_RUNTIME};
            v.u.p = st->u.set.name;
        }
        flux_scope_bind(w->r->arena, s, st->u.set.name, v, NULL);
        return 0;
    case FLUX_TS_IF:
        for (size_t i = 0; i < st->u.cond.n; i++) {
            rc = walk_eval(w, s, st->u.cond.conds[i], &v);
            if (rc < 0)
                return -1;
            if (rc == 1) {
                flux_tparts_print(p, 1, NULL, out);
                return 0;
            }
            if (flux_truthy(v))
                return walk_parts(w, st->u.cond.bodies[i].parts, st->u.cond.bodies[i].n, s, out);
        }
        if (st->u.cond.else_body)
            return walk_parts(w, st->u.cond.else_body->parts, st->u.cond.else_body->n, s, out);
        return 0;
    case FLUX_TS_FOR:
        rc = walk_eval(w, s, st->u.loop.iter, &v);
        if (rc < 0)
            return -1;
        if (rc == 1) {
            flux_tparts_print(p, 1, NULL, out);
            return 0;
        }
        return walk_for(w, st, v, s, out);
    }
    return 0;
}

static int walk_parts(walk *w, const flux_tpart *parts, size_t n, flux_scope *s, flux_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        const flux_tpart *p = &parts[i];
        if (p->text) {
            flux_buf_put(out, p->text, p->len);
        } else if (p->expr) {
            flux_value v;
            int rc = walk_eval(w, s, p->expr, &v);
            if (rc < 0)
                return -1;
            if (rc == 1) {
                flux_buf_puts(out, "{{ ");
                flux_expr_print(p->expr, out);
                flux_buf_puts(out, " }}");
            } else {
                flux_value_render(v, out);
            }
        } else if (p->stmt && walk_stmt(w, p, s, out) != 0) {
            return -1;
        }
        if (out->len > RENDER_MAX_TEXT) {
            snprintf(w->r->err, sizeof w->r->err, "task '%s': a template renders to more than %u MiB",
                     w->t ? w->t->id : "?", RENDER_MAX_TEXT >> 20);
            return -1;
        }
    }
    return 0;
}

static int render_template(flux_renderer *r, const flux_run *run, const flux_task *t, int try_number,
                           flux_sql_dialect dialect, const flux_field *in, flux_buf *out)
{
    flux_scope *s = flux_arena_alloc(r->arena, sizeof *s); /* the template's own {% set %} names */
    s->parent = flux_run_scope(r, run, t, try_number);
    walk w = {r, t, dialect};
    return walk_parts(&w, in->u.tmpl.parts, in->u.tmpl.n, s, out);
}

static int render_field(flux_renderer *r, const flux_run *run, const flux_task *t, int try_number,
                        flux_sql_dialect dialect, const flux_field *in, flux_field *out)
{
    *out = *in;
    switch (in->kind) {
    case FLUX_F_TEMPLATE: {
        flux_buf b = {0};
        int rc = render_template(r, run, t, try_number, dialect, in, &b);
        out->kind = FLUX_F_STRING;
        out->u.str.s = flux_arena_strndup(r->arena, b.data ? b.data : "", b.len);
        out->u.str.len = b.len;
        flux_buf_free(&b);
        return rc;
    }
    case FLUX_F_LIST: {
        out->u.list.v = flux_arena_alloc(r->arena, (in->u.list.n ? in->u.list.n : 1) * sizeof(flux_field));
        for (size_t i = 0; i < in->u.list.n; i++)
            if (render_field(r, run, t, try_number, dialect, &in->u.list.v[i], &out->u.list.v[i]) != 0)
                return -1;
        return 0;
    }
    case FLUX_F_MAP: {
        out->u.map.v = flux_arena_alloc(r->arena, (in->u.map.n ? in->u.map.n : 1) * sizeof(flux_field));
        for (size_t i = 0; i < in->u.map.n; i++)
            if (render_field(r, run, t, try_number, dialect, &in->u.map.v[i], &out->u.map.v[i]) != 0)
                return -1;
        return 0;
    }
    default: return 0;
    }
}

int flux_render_field(flux_renderer *r, const flux_run *run, const flux_task *t, int try_number,
                      const flux_field *in, flux_field *out)
{
    return render_field(r, run, t, try_number, FLUX_SQL_UNKNOWN, in, out);
}

static int cmp_attr(const void *x, const void *y)
{
    return strcmp((*(const flux_attr *const *)x)->key, (*(const flux_attr *const *)y)->key);
}

int flux_render_task(flux_renderer *r, const flux_run *run, const flux_task *t, int try_number, bool sorted,
                     flux_task_fields *out)
{
    size_t n = t->attrs.n;
    const flux_attr **v = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = &t->attrs.v[i];
    if (sorted)
        qsort(v, n, sizeof *v, cmp_attr);
    out->keys = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *out->keys);
    out->vals = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *out->vals);
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        out->keys[i] = v[i]->key;
        if (render_field(r, run, t, try_number, field_dialect(r, t, v[i]->key), &v[i]->val, &out->vals[i]) != 0)
            return -1;
        out->n = i + 1;
    }
    return 0;
}

static bool bare_word(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}


static void field_text(flux_renderer *r, const flux_field *f, flux_buf *out, bool nested)
{
    switch (f->kind) {
    case FLUX_F_STRING:
        if (nested)
            flux_print_string_literal(f->u.str.s, f->u.str.len, out);
        else
            flux_buf_put(out, f->u.str.s, f->u.str.len);
        break;
    case FLUX_F_IDENT: flux_buf_put(out, f->u.str.s, f->u.str.len); break;
    case FLUX_F_INT: flux_buf_printf(out, "%" PRId64, f->u.i); break;
    case FLUX_F_FLOAT: flux_value_render(flux_float(f->u.f), out); break;
    case FLUX_F_BOOL: flux_buf_puts(out, f->u.b ? "true" : "false"); break;
    case FLUX_F_DURATION: flux_print_duration(f->u.ms, out); break;
    case FLUX_F_TEMPLATE: flux_tparts_print(f->u.tmpl.parts, f->u.tmpl.n, NULL, out); break;
    case FLUX_F_LIST:
        flux_buf_putc(out, '[');
        for (size_t i = 0; i < f->u.list.n; i++) {
            if (i)
                flux_buf_puts(out, ", ");
            field_text(r, &f->u.list.v[i], out, true);
        }
        flux_buf_putc(out, ']');
        break;
    case FLUX_F_MAP:
        flux_buf_puts(out, "{ ");
        for (size_t i = 0; i < f->u.map.n; i++) {
            if (i)
                flux_buf_puts(out, ", ");
            if (bare_word(f->u.map.keys[i]))
                flux_buf_puts(out, f->u.map.keys[i]);
            else
                flux_print_string_literal(f->u.map.keys[i], strlen(f->u.map.keys[i]), out);
            flux_buf_puts(out, " = ");
            field_text(r, &f->u.map.v[i], out, true);
        }
        flux_buf_puts(out, f->u.map.n ? " }" : "}");
        break;
    }
}

void flux_field_text(flux_renderer *r, const flux_field *f, flux_buf *out)
{
    size_t from = out->len;
    field_text(r, f, out, false);
    if (r && r->mask && r->nsecrets) {
        /* mask only what this call added */
        flux_buf tail = {0};
        flux_buf_put(&tail, out->data + from, out->len - from);
        flux_render_mask(r, &tail);
        out->len = from;
        flux_buf_put(out, tail.data ? tail.data : "", tail.len);
        flux_buf_free(&tail);
    }
}

void flux_render_mask(flux_renderer *r, flux_buf *b)
{
    for (size_t k = 0; k < r->nsecrets; k++) {
        const char *s = r->secrets[k];
        size_t n = strlen(s);
        if (!n || !b->data)
            continue;
        flux_buf o = {0};
        for (size_t i = 0; i < b->len;) {
            if (i + n <= b->len && memcmp(b->data + i, s, n) == 0) {
                flux_buf_puts(&o, "***");
                i += n;
            } else {
                flux_buf_putc(&o, b->data[i++]);
            }
        }
        flux_buf_free(b);
        *b = o;
    }
}

static void json_str_n(const char *s, size_t n, flux_buf *out)
{
    flux_value_json(flux_str(s, n), out);
}

void flux_field_json(flux_renderer *r, const flux_field *f, flux_buf *out)
{
    switch (f->kind) {
    case FLUX_F_STRING: case FLUX_F_IDENT: {
        flux_buf t = {0};
        flux_buf_put(&t, f->u.str.s, f->u.str.len);
        if (r->mask)
            flux_render_mask(r, &t);
        json_str_n(t.data ? t.data : "", t.len, out);
        flux_buf_free(&t);
        break;
    }
    case FLUX_F_INT: case FLUX_F_FLOAT: case FLUX_F_BOOL: flux_field_text(r, f, out); break;
    case FLUX_F_DURATION: {
        flux_buf t = {0};
        flux_field_text(r, f, &t);
        json_str_n(t.data, t.len, out);
        flux_buf_free(&t);
        break;
    }
    case FLUX_F_LIST:
        flux_buf_putc(out, '[');
        for (size_t i = 0; i < f->u.list.n; i++) {
            if (i)
                flux_buf_puts(out, ", ");
            flux_field_json(r, &f->u.list.v[i], out);
        }
        flux_buf_putc(out, ']');
        break;
    case FLUX_F_MAP:
        flux_buf_putc(out, '{');
        for (size_t i = 0; i < f->u.map.n; i++) {
            if (i)
                flux_buf_puts(out, ", ");
            json_str_n(f->u.map.keys[i], strlen(f->u.map.keys[i]), out);
            flux_buf_puts(out, ": ");
            flux_field_json(r, &f->u.map.v[i], out);
        }
        flux_buf_putc(out, '}');
        break;
    case FLUX_F_TEMPLATE: json_str_n("", 0, out); break;
    }
}

