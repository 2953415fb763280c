/* check — checks expanded pipelines against the registry and each other.
 *
 * Everything is reported, nothing stops at the first error: unknown and
 * duplicate names, dependency cycles (the whole path, every edge's place),
 * operator parameters (unknown, missing, wrong type), pipeline attributes
 * (schedule, start, timezone ...) and every run-time template (params, conn,
 * tasks.ID.outputs).
 */
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "expand.h"
#include "parse.h"
#include "registry.h"
#include "schedule.h"
#include "suggest.h"

typedef struct checker {
    flux_compilation *c;
    flux_arena *a;
    flux_diags *d;
    flux_pipeline *p;
    /* task name -> index + 1, open addressing */
    uint32_t *table;
    size_t table_cap;
    /* tasks.ID.outputs references, checked against the graph at the end */
    struct outref { uint32_t reader, source; flux_span span; const flux_ctx *ctx; } *refs;
    size_t nrefs, refs_cap;
} checker;

static flux_diag *report(checker *k, flux_severity sev, flux_span span, const flux_ctx *ctx, const char *code,
                         const char *help, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static flux_diag *report(checker *k, flux_severity sev, flux_span span, const flux_ctx *ctx, const char *code,
                         const char *help, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flux_diag *g = flux_diag_vadd(k->d, sev, span, code, fmt, ap);
    va_end(ap);
    if (help)
        flux_diag_help(g, "%s", help);
    flux_ctx_notes(g, ctx);
    return g;
}

#define ERR(k, span, ctx, code, help, ...) report((k), FLUX_SEV_ERROR, (span), (ctx), (code), (help), __VA_ARGS__)
#define WARN(k, span, ctx, code, help, ...) report((k), FLUX_SEV_WARNING, (span), (ctx), (code), (help), __VA_ARGS__)

static char *did_you_mean(checker *k, const char *best)
{
    return best ? flux_arena_printf(k->a, "did you mean '%s'?", best) : NULL;
}

/* ---- task table ---- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static void table_build(checker *k)
{
    flux_pipeline *p = k->p;
    size_t cap = 16;
    while (cap < 2 * p->ntasks + 2)
        cap *= 2;
    free(k->table);
    k->table = calloc(cap, sizeof *k->table);
    if (!k->table)
        abort();
    k->table_cap = cap;
    for (size_t i = 0; i < p->ntasks; i++) {
        flux_task *t = p->tasks[i];
        size_t h = hash_str(t->id) & (cap - 1);
        bool dup = false;
        while (k->table[h]) {
            flux_task *o = p->tasks[k->table[h] - 1];
            if (strcmp(o->id, t->id) == 0) {
                flux_diag *g = ERR(k, t->id_span, t->ctx, "duplicate-task", "give each task a unique name",
                                   "duplicate task '%s' in pipeline '%s'", t->id, p->name);
                flux_diag_note(g, o->id_span, "first defined here");
                dup = true;
                break;
            }
            h = (h + 1) & (cap - 1);
        }
        if (!dup)
            k->table[h] = (uint32_t)i + 1;
    }
}

static flux_task *table_find(checker *k, const char *name)
{
    size_t h = hash_str(name) & (k->table_cap - 1);
    while (k->table[h]) {
        flux_task *t = k->p->tasks[k->table[h] - 1];
        if (strcmp(t->id, name) == 0)
            return t;
        h = (h + 1) & (k->table_cap - 1);
    }
    return NULL;
}

static const char *suggest_task(checker *k, const char *name)
{
    flux_suggester s;
    flux_suggest_init(&s, name);
    for (size_t i = 0; i < k->p->ntasks; i++)
        flux_suggest_feed(&s, k->p->tasks[i]->id);
    return flux_suggest_best(&s);
}

/* ---- values against schema types ---- */

static const char *field_desc(const flux_field *f)
{
    switch (f->kind) {
    case FLUX_F_STRING: case FLUX_F_TEMPLATE: return "a string";
    case FLUX_F_INT: return "an integer";
    case FLUX_F_FLOAT: return "a number";
    case FLUX_F_BOOL: return "a boolean";
    case FLUX_F_DURATION: return "a duration";
    case FLUX_F_IDENT: return "a bare name";
    case FLUX_F_LIST: return "a list";
    case FLUX_F_MAP: return "a map";
    }
    return "a value";
}

static const char *type_desc(flux_param_type t)
{
    switch (t) {
    case FLUX_PT_STRING: return "a string";
    case FLUX_PT_SHELL: return "a shell command string";
    case FLUX_PT_SQL: return "an SQL string";
    case FLUX_PT_CONN: return "a connection name string";
    case FLUX_PT_PATH: return "a path string";
    case FLUX_PT_TIME: return "a time string";
    case FLUX_PT_INT: return "an integer";
    case FLUX_PT_FLOAT: return "a number";
    case FLUX_PT_BOOL: return "a boolean (true or false)";
    case FLUX_PT_DURATION: return "a duration";
    case FLUX_PT_ENUM: return "one of a fixed set of names";
    case FLUX_PT_LIST: return "a list";
    case FLUX_PT_MAP: return "a map";
    case FLUX_PT_SCALAR: return "a string, number or boolean";
    }
    return "a value";
}

static bool is_stringish(flux_param_type t)
{
    return t == FLUX_PT_STRING || t == FLUX_PT_SHELL || t == FLUX_PT_SQL || t == FLUX_PT_CONN ||
           t == FLUX_PT_PATH || t == FLUX_PT_TIME;
}

static char *enum_list(checker *k, const char *const *vals)
{
    flux_buf b = {0};
    for (size_t i = 0; vals && vals[i]; i++) {
        if (i)
            flux_buf_puts(&b, ", ");
        flux_buf_puts(&b, vals[i]);
    }
    char *r = flux_arena_strdup(k->a, b.data ? b.data : "");
    flux_buf_free(&b);
    return r;
}

static void check_type(checker *k, const flux_param_schema *ps, flux_param_type type, const flux_field *f,
                       const char *key, const flux_ctx *ctx);
static flux_span inner_span(checker *k, const flux_field *f, size_t off, size_t len);

static void check_enum(checker *k, const flux_param_schema *ps, const flux_field *f, const char *key,
                       const flux_ctx *ctx)
{
    const char *s = f->u.str.s;
    if (f->kind == FLUX_F_STRING && !f->computed) {
        for (size_t i = 0; ps->enum_values && ps->enum_values[i]; i++) {
            if (strcmp(ps->enum_values[i], s) == 0) {
                char *h = flux_arena_printf(k->a, "write it without quotes: %s = %s", key, s);
                ERR(k, f->span, ctx, "wrong-type", h, "'%s' expects a bare name, found a string", key);
                return;
            }
        }
    }
    if (f->kind != FLUX_F_IDENT && f->kind != FLUX_F_STRING) {
        char *h = flux_arena_printf(k->a, "one of: %s", enum_list(k, ps->enum_values));
        ERR(k, f->span, ctx, "wrong-type", h, "'%s' expects one of a fixed set of names, found %s", key,
            field_desc(f));
        return;
    }
    if (flux_param_enum_has(ps, s)) {
        /* a computed value naming an enum is that enum (plans say !enum) */
        if (f->kind == FLUX_F_STRING)
            ((flux_field *)f)->kind = FLUX_F_IDENT;
        return;
    }
    size_t n = 0;
    while (ps->enum_values && ps->enum_values[n])
        n++;
    const char *best = flux_suggest(s, (const char *const *)ps->enum_values, n);
    char *h = best ? did_you_mean(k, best) : flux_arena_printf(k->a, "one of: %s", enum_list(k, ps->enum_values));
    ERR(k, f->span, ctx, "bad-enum", h, "'%s' is not a valid %s", s, key);
}

static void check_type(checker *k, const flux_param_schema *ps, flux_param_type type, const flux_field *f,
                       const char *key, const flux_ctx *ctx)
{
    if (is_stringish(type)) {
        if (f->kind == FLUX_F_STRING) {
            /* a time written out (no template) is checked now, not at run time */
            int64_t ms;
            bool zone;
            flux_sched_error e;
            if (type == FLUX_PT_TIME && (ps->flags & FLUX_PF_TEMPLATED) &&
                flux_time_parse(f->u.str.s, &ms, &zone, &e) != 0)
                ERR(k, inner_span(k, f, e.offset, e.len), ctx, "bad-time",
                    e.help[0] ? e.help : "write an ISO-8601 time such as 2026-11-01T06:00:00Z, or a template such as {{ interval_end }}",
                    "invalid time for '%s': %s", key, e.msg);
            return;
        }
        if (f->kind == FLUX_F_TEMPLATE) {
            if (!(ps->flags & FLUX_PF_TEMPLATED)) {
                flux_span sp = f->u.tmpl.n ? f->u.tmpl.parts[0].span : f->span;
                for (size_t i = 0; i < f->u.tmpl.n; i++)
                    if (f->u.tmpl.parts[i].expr) {
                        sp = f->u.tmpl.parts[i].span;
                        break;
                    }
                ERR(k, sp, ctx, "runtime-in-static",
                    "only compile-time values ({% set %} names, loop variables) may appear here",
                    "'%s' is fixed at compile time and cannot use run-time values", key);
            }
            return;
        }
        if (f->kind == FLUX_F_IDENT) {
            char *h = flux_arena_printf(k->a, "put it in quotes: %s = \"%s\"", key, f->u.str.s);
            ERR(k, f->span, ctx, "wrong-type", h, "'%s' expects %s, found a bare name", key, type_desc(type));
            return;
        }
        ERR(k, f->span, ctx, "wrong-type", NULL, "'%s' expects %s, found %s", key, type_desc(type), field_desc(f));
        return;
    }
    switch (type) {
    case FLUX_PT_INT:
        if (f->kind == FLUX_F_INT)
            return;
        break;
    case FLUX_PT_FLOAT:
        if (f->kind == FLUX_F_INT || f->kind == FLUX_F_FLOAT)
            return;
        break;
    case FLUX_PT_BOOL:
        if (f->kind == FLUX_F_BOOL)
            return;
        break;
    case FLUX_PT_DURATION:
        if (f->kind == FLUX_F_DURATION) {
            if (f->u.ms < 0)
                ERR(k, f->span, ctx, "bad-value", NULL, "'%s' must not be negative", key);
            return;
        }
        if (f->kind == FLUX_F_STRING) {
            int64_t ms;
            flux_sched_error e;
            if (flux_duration_parse(f->u.str.s, f->u.str.len, &ms, &e) == 0) {
                char *h = flux_arena_printf(k->a, "write it without quotes: %s = %s", key, f->u.str.s);
                ERR(k, f->span, ctx, "wrong-type", h, "'%s' expects a duration, found a string", key);
                return;
            }
            ERR(k, f->span, ctx, "wrong-type", "durations are written 500ms, 30s, 5m, 1h, 2d or 1h30m",
                "'%s' expects a duration, found a string", key);
            return;
        }
        if (f->kind == FLUX_F_INT) {
            char *h = flux_arena_printf(k->a, "give a unit: %s = %llds", key, (long long)f->u.i);
            ERR(k, f->span, ctx, "wrong-type", h, "'%s' expects a duration, found an integer", key);
            return;
        }
        break;
    case FLUX_PT_ENUM:
        check_enum(k, ps, f, key, ctx);
        return;
    case FLUX_PT_SCALAR:
        if (f->kind == FLUX_F_INT || f->kind == FLUX_F_FLOAT || f->kind == FLUX_F_BOOL)
            return;
        check_type(k, ps, FLUX_PT_STRING, f, key, ctx);
        return;
    case FLUX_PT_LIST:
        if (f->kind == FLUX_F_LIST) {
            for (size_t i = 0; i < f->u.list.n; i++)
                check_type(k, ps, ps->elem, &f->u.list.v[i], key, ctx);
            return;
        }
        if (ps->flags & FLUX_PF_SINGLE) {
            check_type(k, ps, ps->elem, f, key, ctx);
            return;
        }
        break;
    case FLUX_PT_MAP:
        if (f->kind == FLUX_F_MAP) {
            for (size_t i = 0; i < f->u.map.n; i++)
                check_type(k, ps, ps->elem, &f->u.map.v[i], key, ctx);
            return;
        }
        break;
    default: break;
    }
    if (type == FLUX_PT_INT && f->kind == FLUX_F_STRING) {
        char *h = flux_arena_printf(k->a, "write it without quotes: %s = %s", key, f->u.str.s);
        char *end;
        strtoll(f->u.str.s, &end, 10);
        ERR(k, f->span, ctx, "wrong-type", *f->u.str.s && !*end ? h : NULL, "'%s' expects an integer, found a string",
            key);
        return;
    }
    ERR(k, f->span, ctx, "wrong-type", NULL, "'%s' expects %s, found %s", key, type_desc(type), field_desc(f));
}

/* ---- run-time templates ---- */

static const char *const conn_fields[] = {"brokers", "database", "host", "login", "password",
                                          "port", "schema", "type", "uri", "user"};

static bool refers_params(const flux_expr *e)
{
    if (!e)
        return false;
    switch (e->kind) {
    case FLUX_X_NAME: return strcmp(e->u.name, "params") == 0;
    case FLUX_X_ATTR: return refers_params(e->u.attr.obj);
    case FLUX_X_INDEX: return refers_params(e->u.index.obj) || refers_params(e->u.index.index);
    case FLUX_X_UNARY: return refers_params(e->u.unary.arg);
    case FLUX_X_BINARY: return refers_params(e->u.binary.lhs) || refers_params(e->u.binary.rhs);
    case FLUX_X_FILTER:
        if (refers_params(e->u.filter.arg))
            return true;
        for (size_t i = 0; i < e->u.filter.args.n; i++)
            if (refers_params(e->u.filter.args.v[i]))
                return true;
        return false;
    case FLUX_X_CALL:
        for (size_t i = 0; i < e->u.call.args.n; i++)
            if (refers_params(e->u.call.args.v[i]))
                return true;
        return false;
    case FLUX_X_LIST: case FLUX_X_DICT:
        for (size_t i = 0; i < e->u.list.n; i++)
            if (refers_params(e->u.list.v[i]))
                return true;
        return false;
    case FLUX_X_COND:
        return refers_params(e->u.cond.cond) || refers_params(e->u.cond.then) || refers_params(e->u.cond.other);
    default: return false;
    }
}

static void check_expr(checker *k, const flux_expr *e, const flux_task *t, const flux_ctx *ctx);

static void check_params_ref(checker *k, const char *name, flux_span span, const flux_ctx *ctx)
{
    flux_pipeline *p = k->p;
    flux_suggester s;
    flux_suggest_init(&s, name);
    for (size_t i = 0; i < p->params.n; i++) {
        if (strcmp(p->params.v[i].key, name) == 0)
            return;
        flux_suggest_feed(&s, p->params.v[i].key);
    }
    const char *best = flux_suggest_best(&s);
    char *h = best ? did_you_mean(k, best)
                   : flux_arena_printf(k->a, "declare it in the pipeline: params { %s = ... }", name);
    ERR(k, span, ctx, "unknown-param", h, "unknown param '%s' in pipeline '%s'", name, p->name);
}

/* e is an ATTR or INDEX chain; returns true when it handled the whole chain */
static bool check_access(checker *k, const flux_expr *e, const flux_task *t, const flux_ctx *ctx)
{
    /* flatten obj.a.b / obj["a"] into a path */
    const flux_expr *chain[8];
    size_t n = 0;
    const flux_expr *cur = e;
    while ((cur->kind == FLUX_X_ATTR || cur->kind == FLUX_X_INDEX) && n < 8) {
        chain[n++] = cur;
        cur = cur->kind == FLUX_X_ATTR ? cur->u.attr.obj : cur->u.index.obj;
    }
    if (cur->kind != FLUX_X_NAME)
        return false;
    const char *root = cur->u.name;
    /* chain[n-1] is the first access after the root */
    const char *seg[8];
    flux_span seg_span[8];
    for (size_t i = 0; i < n; i++) {
        const flux_expr *c = chain[n - 1 - i];
        if (c->kind == FLUX_X_ATTR) {
            seg[i] = c->u.attr.name;
            seg_span[i] = c->u.attr.name_span;
        } else if (c->u.index.index->kind == FLUX_X_STRING) {
            seg[i] = c->u.index.index->u.str.s;
            seg_span[i] = c->u.index.index->span;
        } else {
            check_expr(k, c->u.index.index, t, ctx);
            seg[i] = NULL;
            seg_span[i] = c->u.index.index->span;
        }
    }
    if (flux_is_runtime_name(root) && strcmp(root, "params") != 0 && strcmp(root, "conn") != 0 &&
        strcmp(root, "tasks") != 0 && chain[n - 1]->kind == FLUX_X_ATTR) {
        /* ds, run_id, pipeline, interval_start ... are single values */
        ERR(k, seg_span[0], ctx, "no-field", NULL, "'%s' has no field '%s'", root, seg[0] ? seg[0] : "[...]");
        return true;
    }
    if (strcmp(root, "params") == 0) {
        if (seg[0])
            check_params_ref(k, seg[0], seg_span[0], ctx);
        return true;
    }
    if (strcmp(root, "conn") == 0) {
        if (n >= 2 && seg[1]) {
            size_t nf = sizeof conn_fields / sizeof *conn_fields;
            bool ok = false;
            for (size_t i = 0; i < nf; i++)
                ok |= strcmp(conn_fields[i], seg[1]) == 0;
            if (!ok) {
                const char *best = flux_suggest(seg[1], conn_fields, nf);
                char *h = best ? did_you_mean(k, best)
                               : "connection fields are host, port, user, login, database, schema, brokers, type, uri, password";
                ERR(k, seg_span[1], ctx, "unknown-conn-field", h, "unknown connection field '%s'", seg[1]);
            }
        } else if (n < 2) {
            ERR(k, e->span, ctx, "conn-usage", "write conn.NAME.FIELD, e.g. conn.warehouse.host",
                "a connection is used through one of its fields");
        }
        return true;
    }
    if (strcmp(root, "tasks") == 0) {
        if (!seg[0] || (n >= 3 && !seg[2])) {
            /* the runner reads the outputs a template names before rendering it */
            ERR(k, seg_span[seg[0] ? 2 : 0], ctx, "tasks-usage",
                "name the task and the key with literals or compile-time values: tasks.load.outputs.rows, "
                "tasks[\"load_\" ~ t].outputs[\"rows\"] with t a loop variable",
                "a task output must be named at compile time");
            return true;
        }
        flux_task *ref = table_find(k, seg[0]);
        if (!ref) {
            const char *best = suggest_task(k, seg[0]);
            ERR(k, seg_span[0], ctx, "unknown-task", did_you_mean(k, best), "unknown task '%s' in pipeline '%s'",
                seg[0], k->p->name);
            return true;
        }
        if (n < 3 || !seg[1] || strcmp(seg[1], "outputs") != 0) {
            char *h = flux_arena_printf(k->a, "write tasks.%s.outputs.KEY", seg[0]);
            ERR(k, n >= 2 ? seg_span[1] : e->span, ctx, "tasks-usage", h, "a task is read through its outputs");
        }
        if (ref == t) {
            ERR(k, seg_span[0], ctx, "self-output", NULL, "task '%s' cannot read its own outputs", t->id);
        } else if (t) {
            if (k->nrefs == k->refs_cap) {
                k->refs_cap = k->refs_cap ? 2 * k->refs_cap : 8;
                struct outref *n = realloc(k->refs, k->refs_cap * sizeof *n);
                if (!n)
                    abort();
                k->refs = n;
            }
            k->refs[k->nrefs++] = (struct outref){(uint32_t)t->index, (uint32_t)ref->index, seg_span[0], ctx};
        }
        return true;
    }
    return false;
}

static void check_expr(checker *k, const flux_expr *e, const flux_task *t, const flux_ctx *ctx)
{
    if (!e)
        return;
    switch (e->kind) {
    case FLUX_X_NAME:
        if (strcmp(e->u.name, "conn") == 0)
            ERR(k, e->span, ctx, "conn-usage", "write conn.NAME.FIELD, e.g. conn.warehouse.host",
                "a connection is used through one of its fields");
        else if (strcmp(e->u.name, "tasks") == 0)
            ERR(k, e->span, ctx, "tasks-usage", "write tasks.ID.outputs.KEY", "a task is read through its outputs");
        return;
    case FLUX_X_ATTR: case FLUX_X_INDEX:
        if (check_access(k, e, t, ctx))
            return;
        if (e->kind == FLUX_X_ATTR) {
            check_expr(k, e->u.attr.obj, t, ctx);
        } else {
            check_expr(k, e->u.index.obj, t, ctx);
            check_expr(k, e->u.index.index, t, ctx);
        }
        return;
    case FLUX_X_UNARY: check_expr(k, e->u.unary.arg, t, ctx); return;
    case FLUX_X_BINARY:
        check_expr(k, e->u.binary.lhs, t, ctx);
        check_expr(k, e->u.binary.rhs, t, ctx);
        return;
    case FLUX_X_FILTER:
        check_expr(k, e->u.filter.arg, t, ctx);
        for (size_t i = 0; i < e->u.filter.args.n; i++)
            check_expr(k, e->u.filter.args.v[i], t, ctx);
        return;
    case FLUX_X_CALL:
        for (size_t i = 0; i < e->u.call.args.n; i++)
            check_expr(k, e->u.call.args.v[i], t, ctx);
        return;
    case FLUX_X_LIST: case FLUX_X_DICT:
        for (size_t i = 0; i < e->u.list.n; i++)
            check_expr(k, e->u.list.v[i], t, ctx);
        return;
    case FLUX_X_COND:
        check_expr(k, e->u.cond.cond, t, ctx);
        check_expr(k, e->u.cond.then, t, ctx);
        check_expr(k, e->u.cond.other, t, ctx);
        return;
    default: return;
    }
}

static void check_templates(checker *k, const flux_field *f, const flux_task *t, flux_param_type type,
                            const flux_ctx *ctx)
{
    switch (f->kind) {
    case FLUX_F_TEMPLATE:
        for (size_t i = 0; i < f->u.tmpl.n; i++) {
            const flux_expr *e = f->u.tmpl.parts[i].expr;
            if (!e)
                continue;
            check_expr(k, e, t, ctx);
            if ((type == FLUX_PT_SHELL || type == FLUX_PT_SQL) && refers_params(e)) {
                const char *want = type == FLUX_PT_SHELL ? "shquote" : "sql";
                bool safe = e->kind == FLUX_X_FILTER && strcmp(e->u.filter.name, want) == 0;
                if (!safe) {
                    flux_buf b = {0};
                    flux_expr_print(e, &b);
                    char *h = flux_arena_printf(k->a, "write {{ %s | %s }}", b.data ? b.data : "", want);
                    flux_buf_free(&b);
                    WARN(k, f->u.tmpl.parts[i].span, ctx, "unquoted-param", h,
                         "param interpolated into %s text without '%s'",
                         type == FLUX_PT_SHELL ? "shell" : "SQL", want);
                }
            }
        }
        return;
    case FLUX_F_LIST:
        for (size_t i = 0; i < f->u.list.n; i++)
            check_templates(k, &f->u.list.v[i], t, FLUX_PT_STRING, ctx);
        return;
    case FLUX_F_MAP:
        for (size_t i = 0; i < f->u.map.n; i++)
            check_templates(k, &f->u.map.v[i], t, FLUX_PT_STRING, ctx);
        return;
    default: return;
    }
}

/* ---- pipeline attributes ---- */

/* the span of bytes [off, off+len) inside a string literal's text, when the
 * literal has no escapes (so text offsets equal source offsets) */
static flux_span inner_span(checker *k, const flux_field *f, size_t off, size_t len)
{
    const flux_source *src = flux_sources_get(&k->c->sources, f->span.file);
    if (!src || f->kind != FLUX_F_STRING || f->span.end - f->span.begin != f->u.str.len + 2 ||
        src->text[f->span.begin] != '"')
        return f->span;
    if (memchr(src->text + f->span.begin + 1, '\\', f->u.str.len))
        return f->span;
    flux_span s = {f->span.file, f->span.begin + 1 + (uint32_t)off, f->span.begin + 1 + (uint32_t)(off + len)};
    if (len == 0)
        s.end = s.begin + 1;
    if (s.end > f->span.end - 1)
        s.end = f->span.end - 1;
    return s;
}

static const flux_attr *find_attr(const flux_attrs *as, const char *key)
{
    for (size_t i = 0; i < as->n; i++)
        if (strcmp(as->v[i].key, key) == 0)
            return &as->v[i];
    return NULL;
}

/* an attribute whose value can be checked further */
static const flux_attr *valid_attr(const flux_attrs *as, const char *key)
{
    const flux_attr *a = find_attr(as, key);
    return a && !a->invalid ? a : NULL;
}

static void check_pipeline_attrs(checker *k)
{
    flux_pipeline *p = k->p;
    size_t n;
    const flux_param_schema *schema = flux_registry_pipeline_params(&n);
    for (size_t i = 0; i < p->attrs.n; i++) {
        const flux_attr *at = &p->attrs.v[i];
        const flux_param_schema *ps = flux_registry_pipeline_param(at->key);
        if (!ps) {
            flux_suggester s;
            flux_suggest_init(&s, at->key);
            for (size_t j = 0; j < n; j++)
                flux_suggest_feed(&s, schema[j].name);
            const char *best = flux_suggest_best(&s);
            const char *h = best ? did_you_mean(k, best) : "see the pipeline attributes in lang/REFERENCE.md";
            if (!best && flux_registry_param(NULL, at->key) == NULL) {
                size_t nops;
                const flux_operator *ops = flux_registry_all(&nops);
                for (size_t j = 0; j < nops; j++)
                    if (flux_registry_param(&ops[j], at->key)) {
                        h = flux_arena_printf(k->a, "'%s' is a parameter of operator '%s'; set it on the task",
                                              at->key, ops[j].name);
                        break;
                    }
            }
            ERR(k, at->key_span, at->ctx, "unknown-attribute", h, "unknown pipeline attribute '%s'", at->key);
            continue;
        }
        if (!at->invalid)
            check_type(k, ps, ps->type, &at->val, at->key, at->ctx);
    }
    for (size_t j = 0; j < n; j++) {
        if ((schema[j].flags & FLUX_PF_REQUIRED) && !find_attr(&p->attrs, schema[j].name) && !p->partial) {
            char *h = strcmp(schema[j].name, "schedule") == 0
                          ? "add e.g. schedule = \"@daily\" (cron, @hourly ... @once, or \"every 15m\")"
                      : strcmp(schema[j].name, "start") == 0
                          ? "add e.g. start = \"2026-11-01T00:00:00Z\""
                          : NULL;
            ERR(k, p->name_span, p->ctx, "missing-attribute", h, "pipeline '%s' has no '%s'", p->name,
                schema[j].name);
        }
    }
    const flux_attr *a;
    if ((a = valid_attr(&p->attrs, "schedule")) && a->val.kind == FLUX_F_STRING) {
        flux_schedule sched;
        flux_sched_error e;
        if (flux_schedule_parse(a->val.u.str.s, &sched, &e) != 0)
            ERR(k, inner_span(k, &a->val, e.offset, e.len), a->ctx, "bad-schedule", e.help[0] ? e.help : NULL,
                "invalid schedule: %s", e.msg);
    }
    int64_t start_ms = 0, end_ms = 0;
    bool has_start = false, has_end = false, zone;
    const char *times[] = {"start", "end"};
    for (int i = 0; i < 2; i++) {
        if (!(a = valid_attr(&p->attrs, times[i])) || a->val.kind != FLUX_F_STRING)
            continue;
        flux_sched_error e;
        int64_t ms;
        if (flux_time_parse(a->val.u.str.s, &ms, &zone, &e) != 0) {
            ERR(k, inner_span(k, &a->val, e.offset, e.len), a->ctx, "bad-time",
                e.help[0] ? e.help : "write an ISO-8601 time, e.g. 2026-11-01T00:00:00Z", "invalid %s time: %s",
                times[i], e.msg);
            continue;
        }
        if (i == 0) {
            start_ms = ms;
            has_start = true;
        } else {
            end_ms = ms;
            has_end = true;
        }
    }
    if (has_start && has_end && end_ms <= start_ms) {
        a = find_attr(&p->attrs, "end");
        flux_diag *g = ERR(k, a->val.span, a->ctx, "bad-time", NULL, "end is not after start");
        flux_diag_note(g, find_attr(&p->attrs, "start")->val.span, "start given here");
    }
    if ((a = valid_attr(&p->attrs, "timezone")) && a->val.kind == FLUX_F_STRING && !flux_tz_exists(a->val.u.str.s)) {
        const char *best = flux_tz_suggest(a->val.u.str.s);
        const char *h = best ? did_you_mean(k, best) : "use an IANA name such as \"Europe/Paris\" or \"UTC\"";
        ERR(k, a->val.span, a->ctx, "bad-timezone", h, "unknown time zone '%s'", a->val.u.str.s);
    }
    const char *positive[] = {"max_active_runs", "max_active_tasks"};
    for (int i = 0; i < 2; i++)
        if ((a = find_attr(&p->attrs, positive[i])) && a->val.kind == FLUX_F_INT && a->val.u.i < 1)
            ERR(k, a->val.span, a->ctx, "bad-value", NULL, "'%s' must be at least 1", positive[i]);
    if ((a = find_attr(&p->attrs, "retries")) && a->val.kind == FLUX_F_INT && a->val.u.i < 0)
        ERR(k, a->val.span, a->ctx, "bad-value", NULL, "'retries' must not be negative");
    /* params: literal defaults, their type is the type of the param */
    for (size_t i = 0; i < p->params.n; i++) {
        const flux_attr *pa = &p->params.v[i];
        if (pa->val.kind == FLUX_F_TEMPLATE)
            ERR(k, pa->val.span, pa->ctx, "runtime-in-static", "a param's default is a literal value",
                "param '%s' has a run-time template in its default", pa->key);
        else if (pa->val.kind == FLUX_F_IDENT)
            ERR(k, pa->val.span, pa->ctx, "wrong-type", flux_arena_printf(k->a, "put it in quotes: %s = \"%s\"", pa->key, pa->val.u.str.s),
                "param '%s' needs a typed default, found a bare name", pa->key);
    }
}

/* ---- tasks ---- */

/* Pipeline-level values of task parameters (retries, retry_delay ...) are
 * defaults for every task: copy them into each task that does not set them,
 * so the plan holds each task's resolved parameters. */
static void inherit_defaults(checker *k, flux_task *t, const flux_operator *op)
{
    const flux_pipeline *p = k->p;
    for (size_t i = 0; i < p->attrs.n; i++) {
        const flux_attr *pa = &p->attrs.v[i];
        const flux_param_schema *ps = flux_registry_pipeline_param(pa->key);
        if (!ps || !(ps->flags & FLUX_PF_TASK_DEFAULT) || pa->invalid || !flux_registry_param(op, pa->key))
            continue;
        bool set = false;
        for (size_t j = 0; j < t->attrs.n && !set; j++)
            set = strcmp(t->attrs.v[j].key, pa->key) == 0;
        if (set)
            continue;
        flux_attrs *as = &t->attrs;
        if (as->n == as->cap) {
            size_t cap = as->cap ? 2 * as->cap : 8;
            flux_attr *nv = flux_arena_alloc(k->a, cap * sizeof *nv);
            if (as->n)
                memcpy(nv, as->v, as->n * sizeof *nv);
            as->v = nv;
            as->cap = cap;
        }
        as->v[as->n] = *pa;
        as->v[as->n].inherited = true;
        as->n++;
    }
}

/* a required parameter given under a misspelt name was already reported as
 * unknown with a did-you-mean; reporting it missing too is noise */
static bool misspelt(checker *k, const flux_task *t, const flux_operator *op, const char *name)
{
    (void)k;
    for (size_t i = 0; i < t->attrs.n; i++) {
        if (flux_registry_param(op, t->attrs.v[i].key))
            continue;
        flux_suggester s;
        flux_suggest_init(&s, t->attrs.v[i].key);
        flux_suggest_feed(&s, name);
        if (flux_suggest_best(&s))
            return true;
    }
    return false;
}

static void check_task(checker *k, flux_task *t)
{
    const flux_operator *op = flux_registry_find(t->op);
    if (!op) {
        size_t n;
        const flux_operator *ops = flux_registry_all(&n);
        flux_suggester s;
        flux_suggest_init(&s, t->op);
        for (size_t i = 0; i < n; i++)
            flux_suggest_feed(&s, ops[i].name);
        const char *best = flux_suggest_best(&s);
        ERR(k, t->op_span, t->ctx, "unknown-operator", best ? did_you_mean(k, best) : "see the operators in lang/REFERENCE.md",
            "unknown operator '%s'", t->op);
        /* parameters cannot be checked without a schema, templates can */
        for (size_t i = 0; i < t->attrs.n; i++)
            check_templates(k, &t->attrs.v[i].val, t, FLUX_PT_STRING, t->attrs.v[i].ctx);
        return;
    }
    for (size_t i = 0; i < t->attrs.n; i++) {
        const flux_attr *at = &t->attrs.v[i];
        const flux_param_schema *ps = flux_registry_param(op, at->key);
        if (!ps) {
            flux_suggester s;
            flux_suggest_init(&s, at->key);
            for (size_t j = 0; j < op->nparams; j++)
                flux_suggest_feed(&s, op->params[j].name);
            size_t n;
            const flux_param_schema *common = flux_registry_task_params(&n);
            for (size_t j = 0; j < n; j++)
                flux_suggest_feed(&s, common[j].name);
            if (op->kind == FLUX_OP_SENSOR) {
                common = flux_registry_sensor_params(&n);
                for (size_t j = 0; j < n; j++)
                    flux_suggest_feed(&s, common[j].name);
            }
            const char *best = flux_suggest_best(&s);
            char *h = best ? did_you_mean(k, best) : NULL;
            if (!best) {
                flux_buf b = {0};
                for (size_t j = 0; j < op->nparams; j++) {
                    if (j)
                        flux_buf_puts(&b, ", ");
                    flux_buf_puts(&b, op->params[j].name);
                }
                h = flux_arena_printf(k->a, "'%s' takes %s, and the common task parameters", op->name,
                                      b.data ? b.data : "no parameters of its own");
                flux_buf_free(&b);
            }
            ERR(k, at->key_span, at->ctx, "unknown-parameter", h, "unknown parameter '%s' for operator '%s'", at->key,
                op->name);
            check_templates(k, &at->val, t, FLUX_PT_STRING, at->ctx);
            continue;
        }
        if (at->invalid)
            continue;
        check_type(k, ps, ps->type, &at->val, at->key, at->ctx);
        check_templates(k, &at->val, t, ps->type, at->ctx);
    }
    t->kind = flux_op_kind_name(op->kind);
    inherit_defaults(k, t, op);
    bool any_of_needed = false, any_of_given = false;
    flux_buf any = {0};
    for (size_t j = 0; j < op->nparams; j++) {
        const flux_param_schema *ps = &op->params[j];
        bool given = false;
        for (size_t i = 0; i < t->attrs.n && !given; i++)
            given = strcmp(t->attrs.v[i].key, ps->name) == 0;
        if ((ps->flags & FLUX_PF_REQUIRED) && !given && !k->p->partial && !misspelt(k, t, op, ps->name)) {
            char *h = flux_arena_printf(k->a, "add '%s = ...' (%s)", ps->name, type_desc(ps->type));
            ERR(k, t->id_span, t->ctx, "missing-parameter", h, "task '%s' is missing required parameter '%s' of operator '%s'",
                t->id, ps->name, op->name);
        }
        if (ps->flags & FLUX_PF_ANY_OF) {
            any_of_needed = true;
            any_of_given |= given;
            if (any.len)
                flux_buf_puts(&any, "' or '");
            flux_buf_puts(&any, ps->name);
        }
    }
    if (any_of_needed && !any_of_given && !k->p->partial)
        ERR(k, t->id_span, t->ctx, "missing-parameter", NULL, "task '%s' needs at least one of '%s'", t->id,
            any.data ? any.data : "");
    flux_buf_free(&any);
}

/* ---- edges and cycles ---- */

typedef struct adj {
    uint32_t *start; /* CSR: out-edges of node i are idx[start[i] .. start[i+1]) */
    uint32_t *idx;   /* edge indices */
} adj;

static void build_adj(flux_pipeline *p, adj *g, const bool *valid)
{
    size_t n = p->ntasks;
    g->start = calloc(n + 1, sizeof *g->start);
    g->idx = malloc((p->nedges ? p->nedges : 1) * sizeof *g->idx);
    if (!g->start || !g->idx)
        abort();
    for (size_t e = 0; e < p->nedges; e++)
        if (valid[e])
            g->start[p->edges[e].a + 1]++;
    for (size_t i = 0; i < n; i++)
        g->start[i + 1] += g->start[i];
    uint32_t *fill = malloc((n + 1) * sizeof *fill);
    if (!fill)
        abort();
    memcpy(fill, g->start, (n + 1) * sizeof *fill);
    for (size_t e = 0; e < p->nedges; e++)
        if (valid[e])
            g->idx[fill[p->edges[e].a]++] = (uint32_t)e;
    free(fill);
}

static void report_cycle(checker *k, uint32_t *path_edges, size_t len)
{
    flux_pipeline *p = k->p;
    flux_buf b = {0};
    for (size_t i = 0; i < len; i++) {
        flux_edge *e = &p->edges[path_edges[i]];
        if (i == 0)
            flux_buf_printf(&b, "%s", e->from);
        flux_buf_printf(&b, " >> %s", e->to);
    }
    flux_edge *first = &p->edges[path_edges[0]];
    flux_diag *g = ERR(k, first->to_span, first->ctx, "cycle", "remove one of these dependencies to break the cycle",
                       "dependency cycle: %s", b.data ? b.data : "");
    flux_buf_free(&b);
    for (size_t i = 0; i < len && i < 20; i++) {
        flux_edge *e = &p->edges[path_edges[i]];
        flux_diag_note(g, e->to_span, "'%s' >> '%s' declared here", e->from, e->to);
    }
}

/* Tarjan's strongly connected components, iteratively (chains of 100,000
 * tasks must not overflow the stack); one cycle reported per component. */
static void find_cycles(checker *k, adj *g)
{
    flux_pipeline *p = k->p;
    size_t n = p->ntasks;
    uint32_t *index = malloc(n * sizeof *index), *low = malloc(n * sizeof *low);
    uint32_t *stack = malloc(n * sizeof *stack), *cs_node = malloc(n * sizeof *cs_node);
    uint32_t *cs_edge = malloc(n * sizeof *cs_edge), *comp = malloc(n * sizeof *comp);
    bool *on = calloc(n, sizeof *on);
    if ((n && (!index || !low || !stack || !cs_node || !cs_edge || !comp)) || !on)
        abort();
    const uint32_t UNSEEN = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        index[i] = UNSEEN;
        comp[i] = UNSEEN;
    }
    uint32_t next = 0, sp = 0, ncomp = 0;
    for (size_t root = 0; root < n; root++) {
        if (index[root] != UNSEEN)
            continue;
        size_t depth = 0;
        cs_node[0] = (uint32_t)root;
        cs_edge[0] = g->start[root];
        index[root] = low[root] = next++;
        stack[sp++] = (uint32_t)root;
        on[root] = true;
        while (depth != (size_t)-1) {
            uint32_t v = cs_node[depth];
            if (cs_edge[depth] < g->start[v + 1]) {
                uint32_t w = p->edges[g->idx[cs_edge[depth]++]].b;
                if (index[w] == UNSEEN) {
                    index[w] = low[w] = next++;
                    stack[sp++] = w;
                    on[w] = true;
                    depth++;
                    cs_node[depth] = w;
                    cs_edge[depth] = g->start[w];
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            if (low[v] == index[v]) {
                uint32_t w;
                do {
                    w = stack[--sp];
                    on[w] = false;
                    comp[w] = ncomp;
                } while (w != v);
                ncomp++;
            }
            if (depth == 0)
                break;
            depth--;
            uint32_t u = cs_node[depth];
            if (low[v] < low[u])
                low[u] = low[v];
        }
    }
    /* a component is cyclic when it has an internal edge; walk it by BFS from
     * the lowest task back to itself for the shortest cycle through it */
    bool *reported = calloc(ncomp ? ncomp : 1, sizeof *reported);
    uint32_t *prev_edge = malloc((n ? n : 1) * sizeof *prev_edge);
    uint32_t *queue = malloc((n ? n : 1) * sizeof *queue);
    if (!reported || !prev_edge || !queue)
        abort();
    for (size_t v = 0; v < n; v++) {
        uint32_t c = comp[v];
        if (reported[c])
            continue;
        bool cyclic = false;
        for (uint32_t j = g->start[v]; j < g->start[v + 1] && !cyclic; j++)
            cyclic = comp[p->edges[g->idx[j]].b] == c;
        if (!cyclic)
            continue;
        reported[c] = true;
        for (size_t i = 0; i < n; i++)
            prev_edge[i] = UNSEEN;
        size_t qh = 0, qt = 0;
        queue[qt++] = (uint32_t)v;
        bool found = false;
        uint32_t last = UNSEEN;
        while (qh < qt && !found) {
            uint32_t u = queue[qh++];
            for (uint32_t j = g->start[u]; j < g->start[u + 1]; j++) {
                uint32_t e = g->idx[j];
                uint32_t w = p->edges[e].b;
                if (comp[w] != c)
                    continue;
                if (w == v) {
                    last = e;
                    found = true;
                    break;
                }
                if (prev_edge[w] == UNSEEN) {
                    prev_edge[w] = e;
                    queue[qt++] = w;
                }
            }
        }
        if (!found)
            continue;
        size_t len = 1;
        for (uint32_t u = p->edges[last].a; u != v; u = p->edges[prev_edge[u]].a)
            len++;
        uint32_t *path = malloc(len * sizeof *path);
        if (!path)
            abort();
        size_t i = len;
        path[--i] = last;
        for (uint32_t u = p->edges[last].a; u != v; u = p->edges[prev_edge[u]].a)
            path[--i] = prev_edge[u];
        report_cycle(k, path, len);
        free(path);
    }
    free(reported);
    free(prev_edge);
    free(queue);
    free(index);
    free(low);
    free(stack);
    free(cs_node);
    free(cs_edge);
    free(comp);
    free(on);
}

/* Kahn's algorithm taking the lowest-numbered ready task first: the order is
 * a function of the source alone. */
static void topo_order(checker *k, adj *g, const bool *valid)
{
    flux_pipeline *p = k->p;
    size_t n = p->ntasks;
    uint32_t *indeg = calloc(n ? n : 1, sizeof *indeg);
    uint32_t *heap = malloc((n ? n : 1) * sizeof *heap);
    p->order = flux_arena_alloc(k->a, (n ? n : 1) * sizeof *p->order);
    if (!indeg || !heap)
        abort();
    for (size_t e = 0; e < p->nedges; e++)
        if (valid[e])
            indeg[p->edges[e].b]++;
    size_t hn = 0, out = 0;
#define HPUSH(x)                                                                 \
    do {                                                                         \
        size_t i_ = hn++;                                                        \
        heap[i_] = (x);                                                          \
        while (i_ && heap[(i_ - 1) / 2] > heap[i_]) {                            \
            uint32_t t_ = heap[i_];                                              \
            heap[i_] = heap[(i_ - 1) / 2];                                       \
            heap[(i_ - 1) / 2] = t_;                                             \
            i_ = (i_ - 1) / 2;                                                   \
        }                                                                        \
    } while (0)
    for (size_t i = 0; i < n; i++)
        if (!indeg[i])
            HPUSH((uint32_t)i);
    while (hn) {
        uint32_t v = heap[0];
        heap[0] = heap[--hn];
        for (size_t i = 0;;) {
            size_t l = 2 * i + 1, r = l + 1, m = i;
            if (l < hn && heap[l] < heap[m])
                m = l;
            if (r < hn && heap[r] < heap[m])
                m = r;
            if (m == i)
                break;
            uint32_t t = heap[i];
            heap[i] = heap[m];
            heap[m] = t;
            i = m;
        }
        p->order[out++] = v;
        for (uint32_t j = g->start[v]; j < g->start[v + 1]; j++) {
            uint32_t w = p->edges[g->idx[j]].b;
            if (--indeg[w] == 0)
                HPUSH(w);
        }
    }
#undef HPUSH
    free(indeg);
    free(heap);
}

static void check_edges(checker *k)
{
    flux_pipeline *p = k->p;
    bool *valid = calloc(p->nedges ? p->nedges : 1, sizeof *valid);
    if (!valid)
        abort();
    bool all_valid = true;
    for (size_t e = 0; e < p->nedges; e++) {
        flux_edge *ed = &p->edges[e];
        flux_task *a = table_find(k, ed->from), *b = table_find(k, ed->to);
        const char *names[2] = {ed->from, ed->to};
        flux_span spans[2] = {ed->from_span, ed->to_span};
        flux_task *found[2] = {a, b};
        for (int i = 0; i < 2; i++) {
            /* in a file with syntax errors the declaration may have been dropped */
            if (found[i] || p->partial || flux_diags_full(k->d))
                continue;
            const char *best = suggest_task(k, names[i]);
            char *h = best ? did_you_mean(k, best)
                           : flux_arena_printf(k->a, "declare it with 'task %s : OPERATOR { ... }'", names[i]);
            for (size_t q = 0; q < k->c->npipelines && !best; q++) {
                flux_pipeline *o = k->c->pipelines[q];
                for (size_t j = 0; o != p && j < o->ntasks; j++) {
                    if (strcmp(o->tasks[j]->id, names[i]) == 0) {
                        h = flux_arena_printf(k->a,
                                              "'%s' is a task of pipeline '%s'; dependencies stay inside one pipeline "
                                              "(wait for another pipeline with external_task_sensor)",
                                              names[i], o->name);
                        break;
                    }
                }
                if (o != p && strncmp(h, "'", 1) == 0)
                    break;
            }
            ERR(k, spans[i], ed->ctx, "unknown-task", h, "unknown task '%s' in pipeline '%s'", names[i], p->name);
        }
        if (!a || !b) {
            all_valid = false;
            continue;
        }
        ed->a = (uint32_t)a->index;
        ed->b = (uint32_t)b->index;
        valid[e] = true;
    }
    if (!all_valid) {
        /* keep only resolved edges, so later stages never see a dangling one */
        size_t w = 0;
        for (size_t e = 0; e < p->nedges; e++)
            if (valid[e])
                p->edges[w++] = p->edges[e];
        p->nedges = w;
        for (size_t e = 0; e < w; e++)
            valid[e] = true;
    }
    /* a >> b written twice is one dependency: keep its first place */
    if (p->nedges > 1) {
        size_t cap = 16;
        while (cap < 2 * p->nedges)
            cap *= 2;
        uint64_t *seen = calloc(cap, sizeof *seen);
        if (!seen)
            abort();
        size_t w = 0;
        for (size_t e = 0; e < p->nedges; e++) {
            uint64_t key = ((uint64_t)p->edges[e].a << 32 | p->edges[e].b) + 1;
            size_t h = (size_t)((key * 11400714819323198485ull) >> 17) & (cap - 1);
            bool dup = false;
            while (seen[h]) {
                if (seen[h] == key) {
                    dup = true;
                    break;
                }
                h = (h + 1) & (cap - 1);
            }
            if (dup)
                continue;
            seen[h] = key;
            p->edges[w++] = p->edges[e];
        }
        p->nedges = w;
        free(seen);
    }
    adj g;
    build_adj(p, &g, valid);
    find_cycles(k, &g);
    if (k->d->errors == 0)
        topo_order(k, &g, valid);
    free(g.start);
    free(g.idx);
    free(valid);
}

/* a task reading another's outputs must run after it: the source must be
 * upstream, or the value may not exist yet */
static void check_output_refs(checker *k)
{
    flux_pipeline *p = k->p;
    if (!k->nrefs)
        return;
    size_t n = p->ntasks;
    uint32_t *start = calloc(n + 1, sizeof *start), *idx = malloc((p->nedges ? p->nedges : 1) * sizeof *idx);
    uint32_t *mark = calloc(n ? n : 1, sizeof *mark), *queue = malloc((n ? n : 1) * sizeof *queue);
    if (!start || !idx || !mark || !queue)
        abort();
    for (size_t e = 0; e < p->nedges; e++)
        start[p->edges[e].b + 1]++;
    for (size_t i = 0; i < n; i++)
        start[i + 1] += start[i];
    uint32_t *fill = malloc((n + 1) * sizeof *fill);
    if (!fill)
        abort();
    memcpy(fill, start, (n + 1) * sizeof *fill);
    for (size_t e = 0; e < p->nedges; e++)
        idx[fill[p->edges[e].b]++] = p->edges[e].a; /* reverse: parents of b */
    free(fill);
    for (size_t r = 0; r < k->nrefs; r++) {
        uint32_t stamp = (uint32_t)r + 1, reader = k->refs[r].reader, source = k->refs[r].source;
        size_t qh = 0, qt = 0;
        bool found = false;
        queue[qt++] = reader;
        mark[reader] = stamp;
        while (qh < qt && !found) {
            uint32_t v = queue[qh++];
            for (uint32_t j = start[v]; j < start[v + 1]; j++) {
                uint32_t u = idx[j];
                if (u == source) {
                    found = true;
                    break;
                }
                if (mark[u] != stamp) {
                    mark[u] = stamp;
                    queue[qt++] = u;
                }
            }
        }
        if (!found) {
            const char *a = p->tasks[source]->id, *b = p->tasks[reader]->id;
            char *h = flux_arena_printf(k->a, "add '%s >> %s' so that the output exists when '%s' runs", a, b, b);
            WARN(k, k->refs[r].span, k->refs[r].ctx, "output-not-upstream", h,
                 "task '%s' reads outputs of '%s', which is not upstream of it", b, a);
        }
    }
    free(start);
    free(idx);
    free(mark);
    free(queue);
    k->nrefs = 0;
}

static void check_pipeline(checker *k, flux_pipeline *p)
{
    k->p = p;
    k->nrefs = 0;
    table_build(k);
    check_pipeline_attrs(k);
    for (size_t i = 0; i < p->ntasks && !flux_diags_full(k->d); i++)
        check_task(k, p->tasks[i]);
    if (flux_diags_full(k->d))
        return;
    check_edges(k);
    check_output_refs(k);
}

void flux_check(flux_compilation *c)
{
    checker k;
    memset(&k, 0, sizeof k);
    k.c = c;
    k.a = c->arena;
    k.d = &c->diags;
    /* pipeline names are unique across everything compiled together */
    for (size_t i = 0; i < c->npipelines; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(c->pipelines[i]->name, c->pipelines[j]->name) == 0) {
                flux_diag *g = ERR(&k, c->pipelines[i]->name_span, c->pipelines[i]->ctx, "duplicate-pipeline",
                                   "give each pipeline a unique name", "duplicate pipeline '%s'",
                                   c->pipelines[i]->name);
                flux_diag_note(g, c->pipelines[j]->name_span, "first defined here");
                break;
            }
        }
    }
    for (size_t i = 0; i < c->npipelines; i++) {
        check_pipeline(&k, c->pipelines[i]);
        c->ntasks += c->pipelines[i]->ntasks;
        c->nedges += c->pipelines[i]->nedges;
    }
    free(k.table);
    free(k.refs);
}
