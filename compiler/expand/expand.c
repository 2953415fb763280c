/* expand — runs the compile-time templates of a parsed file.
 *
 * Walks items with a scope of compile-time names. Loops and macro calls push a
 * context frame so that anything they produce can later be explained ("in
 * iteration 3 of this loop, where t = "x""). Which item may appear where is
 * decided here, not in the grammar, so a misplaced item gets a message that
 * says where it belongs. Names and values are expand_fields.c.
 */
#include "expand.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "attr.h"
#include "eval.h"
#include "expander.h"
#include "parse.h"
#include "suggest.h"

/* ---- context notes ---- */

void flux_ctx_notes(flux_diag *g, const flux_ctx *ctx)
{
    int shown = 0;
    for (; ctx && g; ctx = ctx->parent) {
        if (shown++ == 4) {
            flux_diag_note(g, flux_nowhere(), "(more enclosing loops and calls not shown)");
            break;
        }
        switch (ctx->kind) {
        case FLUX_CTX_LOOP: {
            flux_buf b = {0};
            flux_value_json(ctx->value, &b);
            if (b.len > 60) {
                b.len = 57;
                flux_buf_puts(&b, "...");
            }
            flux_diag_note(g, ctx->span, "in iteration %zu of this loop, where %s = %s", ctx->index + 1, ctx->name,
                           b.data ? b.data : "");
            flux_buf_free(&b);
            break;
        }
        case FLUX_CTX_MACRO:
            flux_diag_note(g, ctx->span, "in this call of macro '%s'", ctx->name);
            break;
        case FLUX_CTX_INCLUDE:
            flux_diag_note(g, ctx->span, "in the file included here");
            break;
        }
    }
}

static void eval_notes(void *ud, flux_diag *g)
{
    expander *x = ud;
    flux_ctx_notes(g, x->ctx);
}

flux_diag *flux_expand_error(expander *x, flux_span span, const char *code, const char *help, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flux_diag *g = flux_diag_vreport(x->d, FLUX_SEV_ERROR, span, code, help, fmt, ap);
    va_end(ap);
    flux_ctx_notes(g, x->ctx);
    return g;
}

flux_eval flux_expand_evaluator(expander *x, const flux_scope *scope)
{
    flux_eval ev = {.arena = x->tmp, .diags = x->d, .scope = scope, .compile_time = true, .notes = eval_notes, .ud = x};
    return ev;
}

bool flux_expand_budget(expander *x, flux_span span)
{
    if (x->too_large || flux_diags_full(x->d))
        return false;
    if (++x->items <= EXPAND_MAX_ITEMS)
        return true;
    x->too_large = true;
    flux_expand_error(x, span, "too-large", "split the work into several pipelines", "expansion produces more than %u items",
          EXPAND_MAX_ITEMS);
    return false;
}

/* ---- {% set %} bookkeeping for unused warnings ---- */

static set_rec *set_record(expander *x, const flux_item *it)
{
    if (2 * (x->nsets + 1) > x->set_table_cap) {
        size_t cap = x->set_table_cap ? 2 * x->set_table_cap : 64;
        set_rec **t = flux_arena_alloc(x->a, cap * sizeof *t);
        for (size_t i = 0; i < x->nsets; i++) {
            size_t h = ((uintptr_t)x->sets[i]->item >> 4) & (cap - 1);
            while (t[h])
                h = (h + 1) & (cap - 1);
            t[h] = x->sets[i];
        }
        x->set_table = t;
        x->set_table_cap = cap;
    }
    size_t h = ((uintptr_t)it >> 4) & (x->set_table_cap - 1);
    while (x->set_table[h]) {
        if (x->set_table[h]->item == it)
            return x->set_table[h];
        h = (h + 1) & (x->set_table_cap - 1);
    }
    set_rec *r = flux_arena_alloc(x->a, sizeof *r);
    r->item = it;
    x->set_table[h] = r;
    if (x->nsets == x->sets_cap) {
        size_t cap = x->sets_cap ? 2 * x->sets_cap : 16;
        set_rec **n = flux_arena_alloc(x->a, cap * sizeof *n);
        if (x->nsets)
            memcpy(n, x->sets, x->nsets * sizeof *n);
        x->sets = n;
        x->sets_cap = cap;
    }
    x->sets[x->nsets++] = r;
    return r;
}

/* ---- items ---- */

/* A task's parameters and a block's settings are collected in a malloc'd
 * array (heap) and frozen into the arena at their exact count when the body
 * ends: an arena array grown by doubling would leave 8 attributes' room in
 * every task of a loop that gives each one or two. */
static void attrs_add(expander *x, flux_attrs *as, const char *key, flux_span key_span, flux_field *val,
                      const char *what, bool invalid, bool heap)
{
    for (size_t i = 0; i < as->n; i++) {
        if (strcmp(as->v[i].key, key) == 0) {
            flux_diag *g = flux_expand_error(x, key_span, "duplicate-attribute", NULL, "duplicate %s '%s'", what, key);
            flux_diag_help(g, "give each %s once", what);
            flux_diag_note(g, as->v[i].key_span, "first given here");
            return;
        }
    }
    flux_attr *at;
    if (heap) {
        as->v = flux_xgrow(as->v, as->n, &as->cap, sizeof *as->v, 4);
        at = &as->v[as->n++];
        memset(at, 0, sizeof *at);
    } else {
        at = flux_attr_append(x->a, as);
    }
    at->key = key;
    at->key_span = key_span;
    at->val = *val;
    at->ctx = x->ctx;
    at->invalid = invalid;
}

/* a heap array of attrs_add into the arena, exactly as long as it is */
static void attrs_freeze(expander *x, flux_attrs *as)
{
    flux_attr *v = as->n ? flux_arena_memdup(x->a, as->v, as->n * sizeof *as->v) : NULL;
    free(as->v);
    as->v = v;
    as->cap = as->n;
}

static const char *where_name(where w)
{
    switch (w) {
    case W_FILE: return "at the top level of a file";
    case W_PIPELINE: return "in a pipeline";
    case W_TASK: return "in a task";
    case W_PARAMS: return "in a params block";
    case W_BLOCK: return "in a settings block";
    }
    return "here";
}

static void misplaced(expander *x, const flux_item *it, const char *what, const char *belongs, where w)
{
    char *h = flux_arena_printf(x->tmp, "%s belongs %s", what, belongs);
    flux_expand_error(x, it->span, "misplaced", h, "%s is not allowed %s", what, where_name(w));
}

/* the body of a pipeline or a task, in a scope of its own */
static void expand_inner(expander *x, const flux_body *body, flux_scope *scope, target t)
{
    flux_scope *inner = flux_arena_alloc(x->tmp, sizeof *inner);
    inner->parent = scope;
    flux_expand_body(x, body, inner, &t);
}

static void do_pipeline(expander *x, const flux_item *it, flux_scope *scope, target *tg)
{
    if (tg->w != W_FILE) {
        misplaced(x, it, "a pipeline", "at the top level of a file", tg->w);
        return;
    }
    const char *name = flux_expand_name(x, scope, it->u.pipeline.name, "pipeline");
    if (!name)
        return;
    flux_pipeline *p = flux_arena_alloc(x->a, sizeof *p);
    p->name = name;
    p->name_span = it->u.pipeline.name->span;
    p->ctx = x->ctx;
    p->source = x->file;
    p->partial = x->partial;
    flux_compilation *c = x->c;
    c->pipelines = flux_arena_grow(x->a, c->pipelines, c->npipelines, &c->cap, sizeof *c->pipelines, 8);
    c->pipelines[c->npipelines++] = p;
    expand_inner(x, &it->u.pipeline.body, scope, (target){W_PIPELINE, p, NULL, NULL});
}

static void do_task(expander *x, const flux_item *it, flux_scope *scope, target *tg)
{
    if (tg->w != W_PIPELINE) {
        misplaced(x, it, "a task", "inside a pipeline", tg->w);
        return;
    }
    if (!flux_expand_budget(x, it->span))
        return;
    const char *id = flux_expand_name(x, scope, it->u.task.name, "task");
    const char *op = flux_expand_name(x, scope, it->u.task.op, "operator");
    if (!id || !op)
        return;
    flux_pipeline *p = tg->p;
    flux_task *t = flux_arena_alloc(x->a, sizeof *t);
    t->id = id;
    t->id_span = it->u.task.name->span;
    t->op = op;
    t->op_span = it->u.task.op->span;
    t->ctx = x->ctx;
    p->tasks = flux_xgrow(p->tasks, p->ntasks, &p->tasks_cap, sizeof *p->tasks, 16);
    t->index = p->ntasks;
    p->tasks[p->ntasks++] = t;
    expand_inner(x, &it->u.task.body, scope, (target){W_TASK, p, t, NULL});
    attrs_freeze(x, &t->attrs);
}

static void do_attr(expander *x, const flux_item *it, flux_scope *scope, target *tg)
{
    if (tg->w == W_FILE) {
        misplaced(x, it, "an attribute", "inside a pipeline, task or params block", tg->w);
        return;
    }
    if (!flux_expand_budget(x, it->span))
        return;
    const char *key = flux_expand_name(x, scope, it->u.attr.key, "attribute");
    if (!key)
        return;
    flux_field f;
    /* a value with errors is kept, marked, so that 'missing parameter' does
     * not follow every template mistake */
    bool invalid = !flux_expand_field(x, scope, it->u.attr.val, &f);
    if (invalid) {
        memset(&f, 0, sizeof f);
        f.span = it->u.attr.val->span;
    }
    switch (tg->w) {
    case W_PIPELINE: attrs_add(x, &tg->p->attrs, key, it->u.attr.key->span, &f, "attribute", invalid, false); break;
    case W_TASK: attrs_add(x, &tg->t->attrs, key, it->u.attr.key->span, &f, "parameter", invalid, true); break;
    case W_PARAMS: attrs_add(x, &tg->p->params, key, it->u.attr.key->span, &f, "param", invalid, false); break;
    case W_BLOCK: attrs_add(x, tg->block, key, it->u.attr.key->span, &f, "setting", invalid, true); break;
    default: break;
    }
}

/* NAME { KEY = VALUE ... } on a pipeline or task: the attribute NAME whose
 * value is the map of its settings, as if written NAME = { KEY = VALUE, ... }
 * (slurm { }); which names and keys exist is the checks' business */
static void do_block(expander *x, const flux_item *it, flux_scope *scope, target *tg)
{
    if (tg->w != W_PIPELINE && tg->w != W_TASK) {
        misplaced(x, it, "a settings block", "inside a pipeline or a task", tg->w);
        return;
    }
    const char *name = flux_expand_name(x, scope, it->u.block.name, "block");
    if (!name)
        return;
    flux_attrs setv = {0}, *set = &setv;
    target t = {W_BLOCK, tg->p, tg->t, set};
    flux_scope *inner = flux_arena_alloc(x->tmp, sizeof *inner);
    inner->parent = scope;
    flux_expand_body(x, &it->u.block.body, inner, &t);
    flux_field f;
    memset(&f, 0, sizeof f);
    f.kind = FLUX_F_MAP;
    f.span = it->span;
    size_t n = set->n;
    f.u.map.n = n;
    f.u.map.keys = flux_arena_alloc(x->a, (n ? n : 1) * sizeof(char *));
    f.u.map.key_spans = flux_arena_alloc(x->a, (n ? n : 1) * sizeof(flux_span));
    f.u.map.v = flux_arena_alloc(x->a, (n ? n : 1) * sizeof(flux_field));
    bool invalid = false;
    for (size_t i = 0; i < n; i++) {
        f.u.map.keys[i] = set->v[i].key;
        f.u.map.key_spans[i] = set->v[i].key_span;
        f.u.map.v[i] = set->v[i].val;
        invalid |= set->v[i].invalid; /* said already: the checks skip it */
    }
    free(set->v);
    flux_span ks = it->u.block.name->span;
    if (tg->w == W_PIPELINE)
        attrs_add(x, &tg->p->attrs, name, ks, &f, "attribute", invalid, false);
    else
        attrs_add(x, &tg->t->attrs, name, ks, &f, "parameter", invalid, true);
}

static void do_params(expander *x, const flux_item *it, flux_scope *scope, target *tg)
{
    if (tg->w != W_PIPELINE) {
        misplaced(x, it, "a params block", "inside a pipeline", tg->w);
        return;
    }
    if (tg->p->params_span.file) {
        flux_diag *g = flux_expand_error(x, it->span, "duplicate-params", "declare all params in one block",
                             "second params block in pipeline '%s'", tg->p->name);
        flux_diag_note(g, tg->p->params_span, "first params block here");
    } else {
        tg->p->params_span = it->span;
    }
    target t = {W_PARAMS, tg->p, NULL, NULL};
    flux_expand_body(x, &it->u.params.body, scope, &t);
}

static void expand_macro_call(expander *x, const flux_expr *call, const flux_binding *b, flux_scope *scope,
                              target *tg)
{
    const flux_item *m = b->val.u.p;
    if (b->used)
        *b->used = true;
    size_t n = call->u.call.args.n, np = m->u.macro.nparams;
    if (n > np) {
        flux_diag *g = flux_expand_error(x, call->span, "macro-args", NULL, "macro '%s' takes %zu argument%s, found %zu",
                             m->u.macro.name, np, np == 1 ? "" : "s", n);
        flux_diag_note(g, m->u.macro.name_span, "macro defined here");
        return;
    }
    if (++x->macro_calls > MACRO_MAX_CALLS) {
        if (!x->too_large)
            flux_expand_error(x, call->span, "too-large", "a macro that calls itself in a loop grows exponentially",
                  "more than %u macro calls", MACRO_MAX_CALLS);
        x->too_large = true;
        return;
    }
    if (x->macro_depth >= MACRO_MAX_DEPTH) {
        flux_expand_error(x, call->span, "macro-depth", "a macro that calls itself needs a condition that stops it",
              "macros nested deeper than %d calls", MACRO_MAX_DEPTH);
        return;
    }
    flux_scope *inner = flux_arena_alloc(x->tmp, sizeof *inner);
    inner->parent = scope;
    for (size_t i = 0; i < np; i++) {
        const flux_param_decl *pd = &m->u.macro.params[i];
        flux_value v;
        if (i < n) {
            flux_eval ev = flux_expand_evaluator(x, scope);
            flux_eval_status s = flux_eval_expr(&ev, call->u.call.args.v[i], &v);
            if (s == FLUX_EVAL_ERROR)
                return;
            if (s == FLUX_EVAL_RUNTIME) {
                const char *rn = flux_expand_runtime_name_in(call->u.call.args.v[i], scope);
                char *h = flux_arena_printf(x->tmp, "use '%s' inside the macro body directly", rn ? rn : "it");
                flux_expand_error(x, call->u.call.args.v[i]->span, "runtime-in-static", h,
                      "'%s' is a run-time value and macro arguments are decided at compile time", rn ? rn : "this");
                return;
            }
        } else if (pd->deflt) {
            if (!flux_expand_static(x, scope, pd->deflt, "a macro default", &v))
                return;
        } else {
            flux_diag *g = flux_expand_error(x, call->span, "macro-args", NULL, "missing argument '%s' of macro '%s'", pd->name,
                                 m->u.macro.name);
            flux_diag_note(g, pd->span, "parameter declared here");
            return;
        }
        flux_scope_bind(x->tmp, inner, pd->name, v, NULL);
    }
    flux_ctx *ctx = flux_arena_alloc(x->a, sizeof *ctx);
    ctx->kind = FLUX_CTX_MACRO;
    ctx->span = call->span;
    ctx->name = m->u.macro.name;
    ctx->parent = x->ctx;
    const flux_ctx *saved = x->ctx;
    x->ctx = ctx;
    x->macro_depth++;
    flux_expand_body(x, &m->u.macro.body, inner, tg);
    x->macro_depth--;
    x->ctx = saved;
}

/* makes room for need names, keeping the first k */
static void grow_names(expander *x, const char ***v, flux_span **sp, size_t k, size_t need, size_t *cap)
{
    if (need <= *cap)
        return;
    *cap = 2 * need;
    const char **nv = flux_arena_alloc(x->tmp, *cap * sizeof *nv);
    flux_span *ns = flux_arena_alloc(x->tmp, *cap * sizeof *ns);
    memcpy(nv, *v, k * sizeof *nv);
    memcpy(ns, *sp, k * sizeof *ns);
    *v = nv;
    *sp = ns;
}

/* names of one operand; a name that is exactly {{ list }} gives several */
static bool operand_names(expander *x, const flux_scope *scope, const flux_operand *o, const char ***names,
                          flux_span **spans, size_t *n)
{
    size_t cap = o->n + 4, k = 0;
    const char **v = flux_arena_alloc(x->tmp, cap * sizeof *v);
    flux_span *sp = flux_arena_alloc(x->tmp, cap * sizeof *sp);
    bool ok = true;
    for (size_t i = 0; i < o->n; i++) {
        const flux_tstr *t = o->names[i];
        if (t->n == 1 && t->parts[0].expr) {
            flux_value val;
            flux_eval ev = flux_expand_evaluator(x, scope);
            flux_eval_status s = flux_eval_expr(&ev, t->parts[0].expr, &val);
            if (s == FLUX_EVAL_OK && val.t == FLUX_T_LIST) {
                grow_names(x, &v, &sp, k, k + val.u.list.n, &cap);
                for (size_t j = 0; j < val.u.list.n; j++) {
                    if (val.u.list.v[j].t != FLUX_T_STR) {
                        flux_expand_error(x, t->span, "bad-name", NULL, "a list of task names must hold strings, found %s",
                              flux_type_name(val.u.list.v[j].t));
                        ok = false;
                        break;
                    }
                    /* the list is scratch; the edge keeps the name */
                    v[k] = flux_intern(&x->names, x->a, val.u.list.v[j].u.s.s, val.u.list.v[j].u.s.len);
                    sp[k++] = t->span;
                }
                continue;
            }
        }
        const char *name = flux_expand_name(x, scope, t, "task");
        if (!name) {
            ok = false;
            continue;
        }
        grow_names(x, &v, &sp, k, k + 1, &cap);
        v[k] = name;
        sp[k++] = t->span;
    }
    *names = v;
    *spans = sp;
    *n = k;
    return ok;
}

static void add_edge(expander *x, flux_pipeline *p, const char *a, flux_span as, const char *b, flux_span bs)
{
    if (!flux_expand_budget(x, bs))
        return;
    p->edges = flux_xgrow(p->edges, p->nedges, &p->edges_cap, sizeof *p->edges, 16);
    flux_edge *e = &p->edges[p->nedges++];
    memset(e, 0, sizeof *e);
    e->from = a;
    e->to = b;
    e->from_span = as;
    e->to_span = bs;
    e->ctx = x->ctx;
}

static void do_deps(expander *x, const flux_item *it, flux_scope *scope, target *tg)
{
    /* a lone {{ name(...) }} is a macro call */
    if (it->u.deps.n == 1 && !it->u.deps.v[0].bracketed && it->u.deps.v[0].n == 1) {
        const flux_tstr *t = it->u.deps.v[0].names[0];
        if (t->broken)
            return;
        if (t->n == 1 && t->parts[0].expr && t->parts[0].expr->kind == FLUX_X_CALL) {
            const flux_expr *call = t->parts[0].expr;
            const flux_binding *b = flux_scope_find(scope, call->u.call.name);
            if (b && b->val.t == FLUX_T_MACRO) {
                expand_macro_call(x, call, b, scope, tg);
                return;
            }
            flux_suggester s;
            flux_suggest_init(&s, call->u.call.name);
            for (const flux_scope *sc = scope; sc; sc = sc->parent)
                for (size_t i = 0; i < sc->n; i++)
                    if (sc->v[i].val.t == FLUX_T_MACRO)
                        flux_suggest_feed(&s, sc->v[i].name);
            const char *best = flux_suggest_best(&s);
            char *h = best ? flux_arena_printf(x->tmp, "did you mean '%s'?", best) : "define it first with {% macro name(args) %} ... {% endmacro %}";
            flux_expand_error(x, call->u.call.name_span, "unknown-macro", h, "unknown macro '%s'", call->u.call.name);
            return;
        }
        flux_expand_error(x, it->span, "lone-name",
              "write a dependency 'a >> b', an attribute 'name = value' or a task 'task NAME : OPERATOR { ... }'",
              "a name alone is not a statement");
        return;
    }
    if (tg->w != W_PIPELINE) {
        misplaced(x, it, "a dependency", "inside a pipeline", tg->w);
        return;
    }
    const char **prev = NULL;
    flux_span *prev_sp = NULL;
    size_t nprev = 0;
    for (size_t i = 0; i < it->u.deps.n; i++) {
        const char **cur;
        flux_span *cur_sp;
        size_t ncur;
        if (!operand_names(x, scope, &it->u.deps.v[i], &cur, &cur_sp, &ncur))
            return;
        for (size_t a = 0; a < nprev; a++)
            for (size_t b = 0; b < ncur; b++)
                add_edge(x, tg->p, prev[a], prev_sp[a], cur[b], cur_sp[b]);
        prev = cur;
        prev_sp = cur_sp;
        nprev = ncur;
    }
}

#define VALUE_MAX_DEPTH 64

static size_t value_depth(flux_value v, size_t d)
{
    if (d > VALUE_MAX_DEPTH || (v.t != FLUX_T_LIST && v.t != FLUX_T_DICT))
        return d;
    size_t m = d + 1;
    for (size_t i = 0; i < v.u.list.n && m <= VALUE_MAX_DEPTH; i++) {
        size_t k = value_depth(v.u.list.v[i], d + 1);
        if (k > m)
            m = k;
    }
    return m;
}

static void do_set(expander *x, const flux_item *it, flux_scope *scope)
{
    flux_value v;
    set_rec *r = set_record(x, it);
    bool ok = flux_expand_static(x, scope, it->u.set.val, "a {% set %} value", &v);
    if (ok && value_depth(v, 0) > VALUE_MAX_DEPTH) {
        /* {% set a = [a] %} in a loop nests without limit; plans and every
         * printer recurse over values */
        flux_expand_error(x, it->u.set.val->span, "too-deep", NULL, "value nested more than %d levels deep", VALUE_MAX_DEPTH);
        ok = false;
    }
    if (!ok) {
        /* later reads fail quietly instead of reporting an unknown name */
        v.t = FLUX_T_ERROR;
        r->used = true;
    }
    flux_scope_bind(x->tmp, scope, it->u.set.name, v, &r->used);
}

static void do_for(expander *x, const flux_item *it, flux_scope *scope, target *tg)
{
    flux_value seq;
    if (!flux_expand_static(x, scope, it->u.loop.iter, "what a {% for %} loops over", &seq))
        return;
    bool pairs = it->u.loop.var2 != NULL;
    size_t n;
    if (seq.t == FLUX_T_LIST) {
        n = seq.u.list.n;
        if (pairs) {
            flux_expand_error(x, it->u.loop.var2_span, "loop", "loop over a dict to get key and value: {% for k, v in d %}",
                  "two loop variables need a dict, found a list");
            return;
        }
    } else if (seq.t == FLUX_T_DICT) {
        n = seq.u.list.n / 2;
    } else {
        flux_expand_error(x, it->u.loop.iter->span, "loop", "loop over a list, a dict or range(n)",
              "cannot loop over %s", flux_type_a(seq.t));
        return;
    }
    flux_span head = {x->file, it->span.begin, it->u.loop.iter->span.end};
    const flux_ctx *saved = x->ctx;
    for (size_t i = 0; i < n && !x->too_large; i++) {
        /* the iteration's scope, its loop dict and every value computed in
         * it are scratch, given back when it ends; what it made is in x->a */
        flux_arena_mark m = flux_arena_mark_now(x->tmp);
        flux_scope *inner = flux_arena_alloc(x->tmp, sizeof *inner);
        inner->parent = scope;
        flux_value item, key = flux_none();
        if (seq.t == FLUX_T_LIST) {
            item = seq.u.list.v[i];
        } else {
            key = seq.u.list.v[2 * i];
            item = seq.u.list.v[2 * i + 1];
        }
        if (pairs) {
            flux_scope_bind(x->tmp, inner, it->u.loop.var, key, NULL);
            flux_scope_bind(x->tmp, inner, it->u.loop.var2, item, NULL);
        } else {
            flux_scope_bind(x->tmp, inner, it->u.loop.var, seq.t == FLUX_T_DICT ? key : item, NULL);
        }
        flux_scope_bind(x->tmp, inner, "loop", flux_scope_loop(x->tmp, i, n), NULL);
        /* the context outlives the iteration (the checks' notes name the
         * loop variable's value), so it and that value are kept */
        flux_ctx *ctx = flux_arena_alloc(x->a, sizeof *ctx);
        ctx->kind = FLUX_CTX_LOOP;
        ctx->span = head;
        ctx->name = it->u.loop.var;
        ctx->value = flux_value_copy(x->a, seq.t == FLUX_T_DICT && !pairs ? key : pairs ? key : item);
        ctx->index = i;
        ctx->parent = saved;
        x->ctx = ctx;
        flux_expand_body(x, &it->u.loop.body, inner, tg);
        flux_arena_release(x->tmp, m);
    }
    x->ctx = saved;
}

static void do_if(expander *x, const flux_item *it, flux_scope *scope, target *tg)
{
    for (size_t i = 0; i < it->u.cond.n; i++) {
        flux_value c;
        if (!flux_expand_static(x, scope, it->u.cond.conds[i], "an {% if %} condition", &c))
            return;
        if (flux_truthy(c)) {
            flux_expand_body(x, &it->u.cond.bodies[i], scope, tg);
            return;
        }
    }
    if (it->u.cond.else_body)
        flux_expand_body(x, it->u.cond.else_body, scope, tg);
}

static void do_macro(expander *x, const flux_item *it, flux_scope *scope)
{
    flux_value v;
    v.t = FLUX_T_MACRO;
    v.u.p = it;
    for (size_t i = 0; i < it->u.macro.nparams; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(it->u.macro.params[i].name, it->u.macro.params[j].name) == 0)
                flux_expand_error(x, it->u.macro.params[i].span, "macro-args", NULL, "duplicate parameter '%s'",
                      it->u.macro.params[i].name);
    flux_scope_bind(x->tmp, scope, it->u.macro.name, v, NULL);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static void do_include(expander *x, const flux_item *it, flux_scope *scope, target *tg)
{
    const char *rel = flux_tstr_plain(it->u.include.path);
    flux_span ps = it->u.include.path->span;
    if (!rel || !*rel) {
        flux_expand_error(x, ps, "include", NULL, "include needs a file name");
        return;
    }
    if (x->include_depth >= INCLUDE_MAX_DEPTH) {
        flux_expand_error(x, ps, "include", NULL, "includes nested deeper than %d files", INCLUDE_MAX_DEPTH);
        return;
    }
    const flux_source *cur = flux_sources_get(&x->c->sources, x->file);
    if (rel[0] == '/') {
        /* never a file outside the pipelines' tree: its lines would be
         * quoted by the diagnostics and stored by a deploy */
        flux_expand_error(x, ps, "include", "write the path relative to the including file, inside its tree",
                          "include '%s' is an absolute path", rel);
        return;
    }
    char *dir = dir_of(cur->path);
    char *path = rel[0] == '/' ? strdup(rel) : NULL;
    if (!path) {
        size_t n = strlen(dir) + strlen(rel) + 2;
        path = malloc(n);
        if (!path)
            abort();
        snprintf(path, n, "%s/%s", strcmp(dir, ".") == 0 ? "." : dir, rel);
        if (strncmp(path, "./", 2) == 0)
            memmove(path, path + 2, strlen(path + 2) + 1);
    }
    free(dir);
    char *at = flux_sources_path(&x->c->sources, path);
    char *real = realpath(at, NULL);
    free(at);
    size_t rl = cur->root ? strlen(cur->root) : 0;
    if (real && cur->root && !(strncmp(real, cur->root, rl) == 0 && (real[rl] == '/' || (rl == 1 && cur->root[0] == '/')))) {
        flux_expand_error(x, ps, "include", "an include names only files under the directory given to flux (for a "
                          "file given alone, under its own directory)", "include '%s' leaves the pipelines' tree", rel);
        free(real);
        free(path);
        return;
    }
    if (!real) {
        int e = errno;
        flux_expand_error(x, ps, "include", "paths are relative to the including file", "cannot include '%s': %s", rel,
              strerror(e));
        free(path);
        return;
    }
    for (include_frame *f = x->includes; f; f = f->parent) {
        if (strcmp(f->path, real) == 0) {
            flux_diag *g = flux_expand_error(x, ps, "include-cycle", "a file must not include itself, directly or through others",
                                 "include cycle: '%s' is already being included", rel);
            (void)g;
            free(real);
            free(path);
            return;
        }
    }
    flux_file *f = NULL;
    for (size_t i = 0; i < x->ninc && !f; i++)
        if (strcmp(x->inc_paths[i], real) == 0)
            f = x->inc_files[i];
    flux_ctx *ctx = flux_arena_alloc(x->a, sizeof *ctx);
    ctx->kind = FLUX_CTX_INCLUDE;
    ctx->span = it->span;
    ctx->parent = x->ctx;
    size_t before = x->d->n;
    if (!f) {
        uint32_t id = flux_sources_load(&x->c->sources, path);
        if (!id) {
            int e = errno;
            flux_expand_error(x, ps, "include", NULL, "cannot include '%s': %s", rel,
                  e == EINVAL ? "not a regular file" : strerror(e));
            free(real);
            free(path);
            return;
        }
        flux_source *inc = (flux_source *)flux_sources_get(&x->c->sources, id);
        if (cur->root && !inc->root)
            inc->root = flux_xstrdup(cur->root); /* nested includes stay under the same tree */
        f = flux_parse_file(x->a, x->d, &x->c->sources, id);
        if (x->ninc == x->inc_cap) {
            x->inc_cap = x->inc_cap ? 2 * x->inc_cap : 8;
            const char **np = flux_arena_alloc(x->a, x->inc_cap * sizeof *np);
            flux_file **nf = flux_arena_alloc(x->a, x->inc_cap * sizeof *nf);
            if (x->ninc) {
                memcpy(np, x->inc_paths, x->ninc * sizeof *np);
                memcpy(nf, x->inc_files, x->ninc * sizeof *nf);
            }
            x->inc_paths = np;
            x->inc_files = nf;
        }
        x->inc_paths[x->ninc] = flux_arena_strdup(x->a, real);
        x->inc_files[x->ninc++] = f;

    }
    free(path);
    uint32_t id = f->source;
    if (f->syntax_errors) {
        x->partial = true;
        /* the parser knows nothing of includes: say which include read it */
        for (size_t i = before; i < x->d->n; i++)
            flux_ctx_notes(x->d->v[i], ctx);
    }
    include_frame fr = {flux_arena_strdup(x->tmp, real), x->includes};
    free(real);
    const flux_ctx *saved = x->ctx;
    uint32_t saved_file = x->file;
    x->ctx = ctx;
    x->includes = &fr;
    x->file = id;
    x->include_depth++;
    flux_expand_body(x, &f->body, scope, tg);
    x->include_depth--;
    x->file = saved_file;
    x->includes = fr.parent;
    x->ctx = saved;
}

/* whether an item leaves nothing in the scope it stands in: a {% set %}, a
 * {% macro %}, and an {% if %}, an include or a params block (whose bodies
 * stand in that scope) bind names there; the others open a scope of their
 * own if any, so their scratch is given back when they end */
static bool binds_nothing(flux_ikind k)
{
    switch (k) {
    case FLUX_I_PIPELINE: case FLUX_I_TASK: case FLUX_I_ATTR: case FLUX_I_DEPS: case FLUX_I_FOR: case FLUX_I_BLOCK:
        return true;
    default:
        return false;
    }
}

static void expand_item(expander *x, const flux_item *it, flux_scope *scope, target *tg)
{
    if (tg->w == W_PARAMS && it->kind != FLUX_I_ATTR && it->kind != FLUX_I_FOR && it->kind != FLUX_I_IF &&
        it->kind != FLUX_I_SET && it->kind != FLUX_I_INCLUDE && it->kind != FLUX_I_DEPS) {
        misplaced(x, it, it->kind == FLUX_I_TASK ? "a task" : "this item", "in a pipeline, outside params { }", tg->w);
        return;
    }
    if (tg->w == W_BLOCK && it->kind != FLUX_I_ATTR && it->kind != FLUX_I_FOR && it->kind != FLUX_I_IF &&
        it->kind != FLUX_I_SET && it->kind != FLUX_I_INCLUDE && it->kind != FLUX_I_DEPS) {
        misplaced(x, it, it->kind == FLUX_I_TASK ? "a task" : "this item", "in a pipeline, outside the block",
                  tg->w);
        return;
    }
    bool scratch = binds_nothing(it->kind);
    flux_arena_mark m = flux_arena_mark_now(x->tmp);
    switch (it->kind) {
    case FLUX_I_PIPELINE: do_pipeline(x, it, scope, tg); break;
    case FLUX_I_TASK: do_task(x, it, scope, tg); break;
    case FLUX_I_PARAMS: do_params(x, it, scope, tg); break;
    case FLUX_I_ATTR: do_attr(x, it, scope, tg); break;
    case FLUX_I_DEPS: do_deps(x, it, scope, tg); break;
    case FLUX_I_FOR: do_for(x, it, scope, tg); break;
    case FLUX_I_IF: do_if(x, it, scope, tg); break;
    case FLUX_I_SET: do_set(x, it, scope); break;
    case FLUX_I_MACRO: do_macro(x, it, scope); break;
    case FLUX_I_INCLUDE: do_include(x, it, scope, tg); break;
    case FLUX_I_BLOCK: do_block(x, it, scope, tg); break;
    }
    if (scratch)
        flux_arena_release(x->tmp, m);
}

void flux_expand_body(expander *x, const flux_body *b, flux_scope *scope, target *tg)
{
    for (size_t i = 0; i < b->n && flux_expand_budget(x, b->v[i]->span); i++)
        expand_item(x, b->v[i], scope, tg);
}

void flux_expand_file(flux_compilation *c, flux_file *file)
{
    expander x;
    memset(&x, 0, sizeof x);
    x.c = c;
    x.a = c->arena;
    x.tmp = flux_arena_new();
    x.d = &c->diags;
    x.file = file->source;
    x.partial = file->syntax_errors > 0;
    const flux_source *src = flux_sources_get(&c->sources, file->source);
    char *real = realpath(src->path, NULL);
    include_frame top = {real ? flux_arena_strdup(x.a, real) : src->path, NULL};
    free(real);
    x.includes = &top;
    flux_scope *scope = flux_arena_alloc(x.tmp, sizeof *scope);
    target tg = {W_FILE, NULL, NULL, NULL};
    size_t first = c->npipelines;
    flux_expand_body(&x, &file->body, scope, &tg);
    /* every pipeline of a file records the files that file included: a
     * plan names all the sources it came from */
    if (x.ninc) {
        uint32_t *ids = flux_arena_alloc(x.a, x.ninc * sizeof *ids);
        for (size_t i = 0; i < x.ninc; i++)
            ids[i] = x.inc_files[i]->source;
        for (size_t i = first; i < c->npipelines; i++) {
            c->pipelines[i]->includes = ids;
            c->pipelines[i]->nincludes = x.ninc;
        }
    }
    /* in a file with syntax errors, the item that read a name may be the
     * one that was dropped */
    for (size_t i = 0; i < x.nsets && !x.partial; i++) {
        const flux_item *it = x.sets[i]->item;
        if (x.sets[i]->used)
            continue;
        flux_diag *g = flux_warning(x.d, it->u.set.name_span, "unused-set", "'%s' is set but never used",
                                    it->u.set.name);
        flux_diag_help(g, "remove the {%% set %%}, or use it as {{ %s }}", it->u.set.name);
    }
    flux_buf_free(&x.name);
    flux_interner_free(&x.names);
    flux_arena_free(x.tmp);
}
