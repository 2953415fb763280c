/* check_templates — run-time templates, the heads and bodies of their
 * statements included: params.NAME declared, conn.NAME.FIELD,
 * tasks.ID.outputs.KEY (recorded for check_deps.c), fields of single-valued
 * variables; params and task outputs put into shell or SQL text without
 * shquote or sql last, and a shquote or sql inside quotes of that text. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "attr.h"
#include "checker.h"
#include "eval.h"
#include "parse.h"
#include "quoting.h"
#include "registry.h"
#include "suggest.h"

static const char *const conn_fields[] = {"brokers", "database", "host", "login", "password",
                                          "port", "schema", "type", "uri", "user"};

/* what whoever starts a run (params) or an upstream task (its outputs)
 * decides: text that must be quoted where it meets a shell or SQL */
enum { CTL_PARAMS = 1u, CTL_OUTPUTS = 2u };

static unsigned controlled(const flux_expr *e)
{
    if (!e)
        return 0;
    unsigned m = 0;
    switch (e->kind) {
    case FLUX_X_NAME:
        return strcmp(e->u.name, "params") == 0 ? CTL_PARAMS : strcmp(e->u.name, "tasks") == 0 ? CTL_OUTPUTS : 0;
    case FLUX_X_ATTR: return controlled(e->u.attr.obj);
    case FLUX_X_INDEX: return controlled(e->u.index.obj) | controlled(e->u.index.index);
    case FLUX_X_UNARY: return controlled(e->u.unary.arg);
    case FLUX_X_BINARY: return controlled(e->u.binary.lhs) | controlled(e->u.binary.rhs);
    case FLUX_X_FILTER:
        m = controlled(e->u.filter.arg);
        for (size_t i = 0; i < e->u.filter.args.n; i++)
            m |= controlled(e->u.filter.args.v[i]);
        return m;
    case FLUX_X_CALL:
        for (size_t i = 0; i < e->u.call.args.n; i++)
            m |= controlled(e->u.call.args.v[i]);
        return m;
    case FLUX_X_LIST: case FLUX_X_DICT:
        for (size_t i = 0; i < e->u.list.n; i++)
            m |= controlled(e->u.list.v[i]);
        return m;
    case FLUX_X_COND:
        return controlled(e->u.cond.cond) | controlled(e->u.cond.then) | controlled(e->u.cond.other);
    default: return 0;
    }
}

static bool is_quoting(const char *filter)
{
    return strcmp(filter, "shquote") == 0 || strcmp(filter, "sql") == 0;
}

/* e without the quoting filters of its outer chain: what the help quotes
 * once, last ({{ x | sql | upper }} -> x | upper) */
static const flux_expr *quote_core(checker *k, const flux_expr *e)
{
    if (e->kind != FLUX_X_FILTER)
        return e;
    const flux_expr *arg = quote_core(k, e->u.filter.arg);
    if (is_quoting(e->u.filter.name))
        return arg;
    if (arg == e->u.filter.arg)
        return e;
    flux_expr *c = flux_arena_memdup(k->a, e, sizeof *e);
    c->u.filter.arg = (flux_expr *)arg;
    return c;
}

/* whether the text e renders holds what filter `name` wrote */
static bool yields(const flux_expr *e, const char *name)
{
    switch (e->kind) {
    case FLUX_X_FILTER: return strcmp(e->u.filter.name, name) == 0 || yields(e->u.filter.arg, name);
    case FLUX_X_BINARY: return yields(e->u.binary.lhs, name) || yields(e->u.binary.rhs, name);
    case FLUX_X_COND: return yields(e->u.cond.then, name) || yields(e->u.cond.other, name);
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
    char *h = best ? flux_check_did_you_mean(k, best)
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
        if (n >= 1 && seg[0])
            flux_check_conn_ref(k, seg[0], seg_span[0], ctx);
        if (n >= 2 && seg[1]) {
            size_t nf = sizeof conn_fields / sizeof *conn_fields;
            bool ok = false;
            for (size_t i = 0; i < nf; i++)
                ok |= strcmp(conn_fields[i], seg[1]) == 0;
            if (!ok) {
                const char *best = flux_suggest(seg[1], conn_fields, nf);
                char *h = best ? flux_check_did_you_mean(k, best)
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
        flux_task *ref = flux_check_task_find(k, seg[0]);
        if (!ref) {
            const char *best = flux_check_suggest_task(k, seg[0]);
            ERR(k, seg_span[0], ctx, "unknown-task", flux_check_did_you_mean(k, best), "unknown task '%s' in pipeline '%s'",
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
            k->refs = flux_xgrow(k->refs, k->nrefs, &k->refs_cap, sizeof *k->refs, 8);
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

/* e as source text, for a help line */
static const char *expr_text(checker *k, const flux_expr *e)
{
    flux_buf b = {0};
    flux_expr_print(e, &b);
    const char *s = flux_arena_strndup(k->a, b.data ? b.data : "", b.len);
    flux_buf_free(&b);
    return s;
}

static const char *quote_name(flux_quote q)
{
    return q == FLUX_QUOTE_SINGLE ? "single quotes" : q == FLUX_QUOTE_DOUBLE ? "double quotes" : "backquotes";
}

/* one {{ }} of shell or SQL text: controlled values without the quoting
 * filter last, and a quoting filter whose quotes land inside other quotes */
static void check_quoting(checker *k, const flux_tpart *part, flux_param_type type, flux_quote q,
                          const flux_ctx *ctx)
{
    const flux_expr *e = part->expr;
    flux_span span = part->span;
    bool shell = type == FLUX_PT_SHELL;
    const char *want = shell ? "shquote" : "sql";
    bool quoted = q == FLUX_QUOTE_SINGLE || q == FLUX_QUOTE_DOUBLE || q == FLUX_QUOTE_BACK;
    unsigned ctl = controlled(e);
    if (ctl && !(e->kind == FLUX_X_FILTER && strcmp(e->u.filter.name, want) == 0)) {
        const flux_expr *core = quote_core(k, e);
        bool parens = core->kind == FLUX_X_BINARY || core->kind == FLUX_X_UNARY || core->kind == FLUX_X_COND;
        /* `...` holds an SQL name, which no filter quotes: no place to suggest */
        bool outside = q == FLUX_QUOTE_SINGLE || q == FLUX_QUOTE_DOUBLE;
        char *h = flux_arena_printf(k->a, "write {{ %s%s%s | %s }}%s%s", parens ? "(" : "", expr_text(k, core),
                                    parens ? ")" : "", want, outside ? " outside the " : "",
                                    outside ? quote_name(q) : "");
        bool param = ctl & CTL_PARAMS;
        WARN(k, span, ctx, param ? "unquoted-param" : "unquoted-output", h, "%s interpolated into %s text without '%s'",
             param ? "param" : "task output", shell ? "shell" : "SQL", want);
    }
    if (!quoted || !yields(e, want))
        return;
    if (shell) {
        char c = q == FLUX_QUOTE_SINGLE ? '\'' : '"';
        char *h = flux_arena_printf(k->a, "close the %s before the template and reopen them after it: "
                                    "%c...%c{{ %s }}%c...%c", quote_name(q), c, c, expr_text(k, e), c, c);
        WARN(k, span, ctx, "shquote-in-quotes", h, "%s",
             q == FLUX_QUOTE_SINGLE
                 ? "'shquote' inside single quotes: its first quote ends them and leaves the value unquoted"
                 : "'shquote' inside double quotes: its single quotes are kept as text and $, ` and \\ in the "
                   "value still work");
    } else {
        char *h = flux_arena_printf(k->a, "remove the quotes around {{ %s }}: 'sql' writes its own", expr_text(k, e));
        WARN(k, span, ctx, "sql-in-quotes", h, "'sql' inside %s: it writes a whole SQL literal, quotes included",
             quote_name(q));
    }
}

/* The text a template renders, in source order: its text and {{ }} parts,
 * with each statement's bodies in turn (a branch after the one before it,
 * a loop's body once). The quoting of shell or SQL text is read from it;
 * branches are alike in practice, each closing the quotes it opens. */
typedef struct flat_parts {
    flux_tpart *v;
    size_t n, cap;
} flat_parts;

static void flatten(const flux_tpart *parts, size_t n, flat_parts *out)
{
    for (size_t i = 0; i < n; i++) {
        const flux_tstmt *st = parts[i].stmt;
        if (!st) {
            out->v = flux_xgrow(out->v, out->n, &out->cap, sizeof *out->v, 16);
            out->v[out->n++] = parts[i];
        } else if (st->kind == FLUX_TS_FOR) {
            flatten(st->u.loop.body.parts, st->u.loop.body.n, out);
        } else if (st->kind == FLUX_TS_IF) {
            for (size_t j = 0; j < st->u.cond.n; j++)
                flatten(st->u.cond.bodies[j].parts, st->u.cond.bodies[j].n, out);
            if (st->u.cond.else_body)
                flatten(st->u.cond.else_body->parts, st->u.cond.else_body->n, out);
        }
    }
}

/* every expression of a template, statements' heads and bodies included */
static void check_parts(checker *k, const flux_tpart *parts, size_t n, const flux_task *t, const flux_ctx *ctx)
{
    for (size_t i = 0; i < n; i++) {
        const flux_tstmt *st = parts[i].stmt;
        if (parts[i].expr) {
            check_expr(k, parts[i].expr, t, ctx);
        } else if (st && st->kind == FLUX_TS_SET) {
            check_expr(k, st->u.set.val, t, ctx);
        } else if (st && st->kind == FLUX_TS_FOR) {
            check_expr(k, st->u.loop.iter, t, ctx);
            check_parts(k, st->u.loop.body.parts, st->u.loop.body.n, t, ctx);
        } else if (st && st->kind == FLUX_TS_IF) {
            for (size_t j = 0; j < st->u.cond.n; j++) {
                check_expr(k, st->u.cond.conds[j], t, ctx);
                check_parts(k, st->u.cond.bodies[j].parts, st->u.cond.bodies[j].n, t, ctx);
            }
            if (st->u.cond.else_body)
                check_parts(k, st->u.cond.else_body->parts, st->u.cond.else_body->n, t, ctx);
        }
    }
}

void flux_check_templates(checker *k, const flux_field *f, const flux_task *t, flux_param_type type,
                            const flux_ctx *ctx)
{
    switch (f->kind) {
    case FLUX_F_TEMPLATE: {
        check_parts(k, f->u.tmpl.parts, f->u.tmpl.n, t, ctx);
        if (type != FLUX_PT_SHELL && type != FLUX_PT_SQL)
            return;
        flat_parts fp = {0};
        flatten(f->u.tmpl.parts, f->u.tmpl.n, &fp);
        flux_quote *q = flux_xmalloc((fp.n ? fp.n : 1) * sizeof *q);
        if (type == FLUX_PT_SHELL) /* read as the task's shell reads it (the bash operator's `shell`) */
            flux_quote_shell(fp.v, fp.n, !t || strcmp(flux_attr_word(&t->attrs, "shell", "bash"), "sh") != 0, q);
        else
            flux_quote_sql(fp.v, fp.n, q);
        for (size_t i = 0; i < fp.n; i++)
            if (fp.v[i].expr)
                check_quoting(k, &fp.v[i], type, q[i], ctx);
        free(q);
        free(fp.v);
        return;
    }
    case FLUX_F_LIST:
        for (size_t i = 0; i < f->u.list.n; i++)
            flux_check_templates(k, &f->u.list.v[i], t, FLUX_PT_STRING, ctx);
        return;
    case FLUX_F_MAP:
        for (size_t i = 0; i < f->u.map.n; i++)
            flux_check_templates(k, &f->u.map.v[i], t, FLUX_PT_STRING, ctx);
        return;
    default: return;
    }
}
