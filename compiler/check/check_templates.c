/* check_templates — run-time templates: params.NAME declared, conn.NAME.FIELD,
 * tasks.ID.outputs.KEY (recorded for check_deps.c), fields of single-valued
 * variables, params put into shell or SQL text without shquote or sql. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "checker.h"
#include "eval.h"
#include "parse.h"
#include "registry.h"
#include "suggest.h"

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

void flux_check_templates(checker *k, const flux_field *f, const flux_task *t, flux_param_type type,
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
            flux_check_templates(k, &f->u.list.v[i], t, FLUX_PT_STRING, ctx);
        return;
    case FLUX_F_MAP:
        for (size_t i = 0; i < f->u.map.n; i++)
            flux_check_templates(k, &f->u.map.v[i], t, FLUX_PT_STRING, ctx);
        return;
    default: return;
    }
}
