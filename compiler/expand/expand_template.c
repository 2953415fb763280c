/* expand_template — the template of a string value rendered as far as
 * compile time allows.
 *
 * Text and every {{ }} known at compile time become text; {% set %},
 * {% if %} and {% for %} run now when what they read is known now (a loop
 * over a compile-time list is unrolled, a compile-time condition keeps one
 * branch). What reads a run-time value (ds, params, task outputs ...) is kept,
 * its compile-time sub-expressions folded into literals, for the runtime to
 * render per task instance. Every expression is evaluated here either way, so
 * its unknown names, filters and arguments are errors now; a branch that a
 * compile-time condition drops is not evaluated, as at statement level.
 *
 * Scopes are Jinja's: the string has its own, {% if %} opens none, each loop
 * iteration opens one. A kept statement must bind at run time what it bound
 * here, so a {% set %} inside a kept branch or loop is kept too, and a name
 * set in a kept branch is a run-time value after it.
 *
 * Memory (expander.h): scopes, loop dicts and computed values are the
 * expander's scratch (x->tmp); the parts kept for run time, their folded
 * expressions and literals go into the compilation's arena (x->a). */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "expander.h"

/* a string rendered at compile time longer than this is a runaway loop */
#define TEMPLATE_MAX_TEXT (16u << 20)

typedef struct tout {
    flux_tpart *v; /* malloc'd until frozen */
    size_t n, cap;
    flux_buf text; /* text not yet made a part */
    flux_span text_span;
} tout;

typedef struct folder {
    expander *x;
    size_t text; /* bytes of text made so far, for the limit */
    bool too_long;
} folder;

static bool fold_parts(folder *fd, const flux_tpart *parts, size_t n, flux_scope *scope, bool kept, tout *out);

static void flush_text(folder *fd, tout *out)
{
    if (!out->text.len)
        return;
    out->v = flux_xgrow(out->v, out->n, &out->cap, sizeof *out->v, 8);
    flux_tpart *p = &out->v[out->n++];
    memset(p, 0, sizeof *p);
    p->text = flux_arena_strndup(fd->x->a, out->text.data, out->text.len);
    p->len = out->text.len;
    p->span = out->text_span;
    out->text.len = 0;
}

static void put_part(folder *fd, tout *out, flux_tpart p)
{
    flush_text(fd, out);
    out->v = flux_xgrow(out->v, out->n, &out->cap, sizeof *out->v, 8);
    out->v[out->n++] = p;
}

static void append_text(tout *out, const char *s, size_t n, flux_span span)
{
    if (!out->text.len)
        out->text_span = span;
    flux_buf_put(&out->text, s, n);
}

/* new text, counted against the limit */
static bool put_text(folder *fd, tout *out, const char *s, size_t n, flux_span span)
{
    if (fd->too_long)
        return false;
    fd->text += n;
    if (fd->text > TEMPLATE_MAX_TEXT) {
        fd->too_long = true;
        flux_expand_error(fd->x, span, "too-large", "loop over less, or build the text at run time",
                          "a string renders to more than %u MiB at compile time", TEMPLATE_MAX_TEXT >> 20);
        return false;
    }
    append_text(out, s, n, span);
    return true;
}

static flux_tbody freeze(folder *fd, tout *out)
{
    flush_text(fd, out);
    flux_tbody b = {flux_arena_memdup(fd->x->a, out->v ? (const void *)out->v : "", out->n * sizeof *out->v), out->n};
    free(out->v);
    flux_buf_free(&out->text);
    memset(out, 0, sizeof *out);
    return b;
}

static void tout_free(tout *out)
{
    free(out->v);
    flux_buf_free(&out->text);
}

static flux_value runtime_marker(const char *name)
{
    flux_value v = {.t = FLUX_T_RUNTIME};
    v.u.p = name;
    return v;
}

/* a value holding a run-time one: the loop of a kept loop, whole */
static bool has_runtime(flux_value v)
{
    if (v.t == FLUX_T_RUNTIME)
        return true;
    if (v.t == FLUX_T_LIST || v.t == FLUX_T_DICT)
        for (size_t i = 0; i < v.u.list.n; i++)
            if (has_runtime(v.u.list.v[i]))
                return true;
    return false;
}

/* evaluates e: OK with its value, RUNTIME with *folded the expression to
 * keep, or ERROR (reported) */
static flux_eval_status eval_or_fold(folder *fd, const flux_scope *scope, const flux_expr *e, flux_value *v,
                                     flux_expr **folded)
{
    flux_eval ev = flux_expand_evaluator(fd->x, scope);
    flux_eval_status s = flux_eval_expr(&ev, e, v);
    if (s == FLUX_EVAL_OK && has_runtime(*v)) {
        *folded = (flux_expr *)e;
        return FLUX_EVAL_RUNTIME;
    }
    if (s != FLUX_EVAL_RUNTIME)
        return s;
    ev.arena = fd->x->a; /* the folded expression is kept */
    *folded = flux_fold(&ev, (flux_expr *)e);
    return *folded ? FLUX_EVAL_RUNTIME : FLUX_EVAL_ERROR;
}

/* a macro named where a value stands, as the evaluator words a call */
static bool not_a_value(folder *fd, flux_value v, flux_span span)
{
    const flux_item *m = v.u.p;
    flux_expand_error(fd->x, span, "template", "call it alone on its own line: {{ name(...) }}",
                      "macro '%s' expands to tasks and attributes, not to a value", m->u.macro.name);
    return false;
}

static bool fold_expr(folder *fd, const flux_tpart *p, const flux_scope *scope, tout *out)
{
    flux_value v;
    flux_expr *folded = NULL;
    flux_eval_status s = eval_or_fold(fd, scope, p->expr, &v, &folded);
    if (s == FLUX_EVAL_ERROR)
        return false;
    if (s == FLUX_EVAL_RUNTIME) {
        put_part(fd, out, (flux_tpart){.expr = folded, .span = p->span});
        return true;
    }
    if (v.t == FLUX_T_MACRO)
        return not_a_value(fd, v, p->expr->span);
    flux_buf b = {0};
    flux_value_render(v, &b);
    bool ok = put_text(fd, out, b.data ? b.data : "", b.len, p->span);
    flux_buf_free(&b);
    return ok;
}

static flux_tstmt *new_stmt(folder *fd, const flux_tstmt *like)
{
    flux_tstmt *st = flux_arena_alloc(fd->x->a, sizeof *st);
    st->kind = like->kind;
    st->span = like->span;
    return st;
}

/* kept: inside a kept branch or loop, where a compile-time set must still
 * be made at run time for what reads the name after the block */
static bool fold_set(folder *fd, const flux_tstmt *st, flux_scope *scope, bool kept, tout *out)
{
    flux_value v;
    flux_expr *folded = NULL;
    flux_eval_status s = eval_or_fold(fd, scope, st->u.set.val, &v, &folded);
    if (s == FLUX_EVAL_ERROR) {
        flux_value err = {.t = FLUX_T_ERROR}; /* reading it later fails quietly */
        flux_scope_bind(fd->x->tmp, scope, st->u.set.name, err, NULL);
        return false;
    }
    if (s == FLUX_EVAL_OK && v.t == FLUX_T_MACRO)
        return not_a_value(fd, v, st->u.set.val->span);
    if (s == FLUX_EVAL_OK && kept)
        folded = flux_value_expr(fd->x->a, v, st->u.set.val->span);
    if (folded) {
        flux_tstmt *k = new_stmt(fd, st);
        k->u.set = st->u.set;
        k->u.set.val = folded;
        put_part(fd, out, (flux_tpart){.stmt = k, .span = st->span});
    }
    flux_scope_bind(fd->x->tmp, scope, st->u.set.name, s == FLUX_EVAL_OK ? v : runtime_marker(st->u.set.name), NULL);
    return true;
}

/* whether scope binds name itself (not through its parents) */
static bool binds(const flux_scope *scope, const char *name)
{
    for (size_t i = 0; i < scope->n; i++)
        if (strcmp(scope->v[i].name, name) == 0)
            return true;
    return false;
}

/* A name set in a kept branch is known after it only at run time. When it
 * had a compile-time value before, that value is set at run time before
 * the branch, for the runs that do not take the branch. */
static void forget_sets(folder *fd, flux_scope **branches, size_t nb, flux_scope *scope, flux_span at, tout *out)
{
    for (size_t b = 0; b < nb; b++) {
        for (size_t i = 0; i < branches[b]->n; i++) {
            const char *name = branches[b]->v[i].name;
            bool seen = false;
            for (size_t c = 0; c < b && !seen; c++)
                seen = binds(branches[c], name);
            const flux_binding *before = flux_scope_find(scope, name);
            if (seen || !before || before->val.t == FLUX_T_ERROR || has_runtime(before->val))
                continue;
            flux_expr *lit = flux_value_expr(fd->x->a, before->val, at);
            if (!lit)
                continue;
            flux_tstmt *st = flux_arena_alloc(fd->x->a, sizeof *st);
            st->kind = FLUX_TS_SET;
            st->span = at;
            st->u.set.name = name;
            st->u.set.name_span = at;
            st->u.set.val = lit;
            put_part(fd, out, (flux_tpart){.stmt = st, .span = at});
        }
    }
    for (size_t b = 0; b < nb; b++)
        for (size_t i = 0; i < branches[b]->n; i++)
            flux_scope_bind(fd->x->tmp, scope, branches[b]->v[i].name, runtime_marker(branches[b]->v[i].name), NULL);
}

static bool fold_if(folder *fd, const flux_tstmt *st, flux_scope *scope, bool kept, tout *out)
{
    flux_tstmt *k = NULL; /* the if kept for run time, once a condition is only known then */
    size_t n = st->u.cond.n;
    flux_expr **conds = NULL;
    flux_tbody *bodies = NULL;
    size_t nk = 0;
    flux_scope **branch_scopes = NULL;
    bool ok = true, done = false;
    for (size_t i = 0; i <= n && !done && ok; i++) {
        const flux_tbody *body = i < n ? &st->u.cond.bodies[i] : st->u.cond.else_body;
        if (!body)
            break;
        flux_value c = flux_bool(true);
        flux_expr *folded = NULL;
        if (i < n) {
            flux_eval_status s = eval_or_fold(fd, scope, st->u.cond.conds[i], &c, &folded);
            if (s == FLUX_EVAL_ERROR) {
                ok = false;
                break;
            }
            if (s == FLUX_EVAL_OK && !flux_truthy(c))
                continue;
        }
        if (!folded && !k) {
            /* the first branch known to be taken: its body stands here */
            ok = fold_parts(fd, body->parts, body->n, scope, kept, out);
            done = true;
            break;
        }
        if (!k) {
            k = new_stmt(fd, st);
            conds = flux_arena_alloc(fd->x->a, (n ? n : 1) * sizeof *conds);
            bodies = flux_arena_alloc(fd->x->a, (n + 1) * sizeof *bodies);
            branch_scopes = flux_arena_alloc(fd->x->tmp, (n + 1) * sizeof *branch_scopes);
        }
        flux_scope *bs = flux_arena_alloc(fd->x->tmp, sizeof *bs);
        bs->parent = scope;
        tout bo = {0};
        ok = fold_parts(fd, body->parts, body->n, bs, true, &bo);
        branch_scopes[nk] = bs;
        bodies[nk] = freeze(fd, &bo);
        if (folded) {
            conds[nk++] = folded;
        } else {
            /* known true after run-time conditions: the else of the kept if */
            k->u.cond.else_body = flux_arena_alloc(fd->x->a, sizeof(flux_tbody));
            *k->u.cond.else_body = bodies[nk];
            done = true;
        }
    }
    if (!k || !ok)
        return ok;
    k->u.cond.conds = conds;
    k->u.cond.bodies = bodies;
    k->u.cond.n = nk;
    forget_sets(fd, branch_scopes, nk + (k->u.cond.else_body ? 1 : 0), scope, st->span, out);
    put_part(fd, out, (flux_tpart){.stmt = k, .span = st->span});
    return true;
}

/* the loop of a loop kept for run time: its keys known, its values not,
 * so loop.indx is still an error now */
static flux_value runtime_loop(folder *fd)
{
    flux_value d = flux_scope_loop(fd->x->tmp, 0, 1);
    for (size_t k = 1; k < d.u.list.n; k += 2)
        d.u.list.v[k] = runtime_marker("loop");
    return d;
}

/* whether a folded body binds a name at run time where it stands (its kept
 * sets, also inside kept ifs, which open no scope) */
static bool sets_at_runtime(const flux_tbody *b)
{
    for (size_t i = 0; i < b->n; i++) {
        const flux_tstmt *st = b->parts[i].stmt;
        if (!st)
            continue;
        if (st->kind == FLUX_TS_SET)
            return true;
        if (st->kind == FLUX_TS_IF) {
            for (size_t j = 0; j < st->u.cond.n; j++)
                if (sets_at_runtime(&st->u.cond.bodies[j]))
                    return true;
            if (st->u.cond.else_body && sets_at_runtime(st->u.cond.else_body))
                return true;
        }
    }
    return false;
}

static bool fold_loop_kept(folder *fd, const flux_tstmt *st, flux_expr *iter, flux_scope *scope, tout *out)
{
    flux_scope *inner = flux_arena_alloc(fd->x->tmp, sizeof *inner);
    inner->parent = scope;
    flux_scope_bind(fd->x->tmp, inner, st->u.loop.var, runtime_marker(st->u.loop.var), NULL);
    if (st->u.loop.var2)
        flux_scope_bind(fd->x->tmp, inner, st->u.loop.var2, runtime_marker(st->u.loop.var2), NULL);
    flux_scope_bind(fd->x->tmp, inner, "loop", runtime_loop(fd), NULL);
    tout bo = {0};
    if (!fold_parts(fd, st->u.loop.body.parts, st->u.loop.body.n, inner, true, &bo)) {
        tout_free(&bo);
        return false;
    }
    flux_tstmt *k = new_stmt(fd, st);
    k->u.loop = st->u.loop;
    k->u.loop.iter = iter;
    k->u.loop.body = freeze(fd, &bo);
    put_part(fd, out, (flux_tpart){.stmt = k, .span = st->span});
    return true;
}

/* iteration i of a loop over seq, folded into out */
static bool fold_iteration(folder *fd, const flux_tstmt *st, flux_value seq, size_t i, size_t n, flux_scope *scope,
                           tout *out)
{
    expander *x = fd->x;
    bool pairs = st->u.loop.var2 != NULL;
    flux_value item = seq.t == FLUX_T_LIST ? seq.u.list.v[i] : seq.u.list.v[2 * i + 1];
    flux_value key = seq.t == FLUX_T_DICT ? seq.u.list.v[2 * i] : flux_none();
    flux_scope *inner = flux_arena_alloc(x->tmp, sizeof *inner);
    inner->parent = scope;
    flux_scope_bind(x->tmp, inner, st->u.loop.var, seq.t == FLUX_T_DICT ? key : item, NULL);
    if (pairs)
        flux_scope_bind(x->tmp, inner, st->u.loop.var2, item, NULL);
    flux_scope_bind(x->tmp, inner, "loop", flux_scope_loop(x->tmp, i, n), NULL);
    /* read only by the notes of errors reported while it is current */
    flux_ctx *ctx = flux_arena_alloc(x->tmp, sizeof *ctx);
    const flux_ctx *saved = x->ctx;
    ctx->kind = FLUX_CTX_LOOP;
    ctx->span = st->span;
    ctx->name = st->u.loop.var;
    ctx->value = seq.t == FLUX_T_DICT ? key : item;
    ctx->index = i;
    ctx->parent = saved;
    x->ctx = ctx;
    tout bo = {0};
    bool ok = fold_parts(fd, st->u.loop.body.parts, st->u.loop.body.n, inner, false, &bo);
    x->ctx = saved;
    if (!ok) {
        tout_free(&bo);
        return false;
    }
    flux_tbody body = freeze(fd, &bo);
    if (!sets_at_runtime(&body)) {
        for (size_t j = 0; j < body.n; j++) {
            if (body.parts[j].text)
                append_text(out, body.parts[j].text, body.parts[j].len, body.parts[j].span);
            else
                put_part(fd, out, body.parts[j]);
        }
        return true;
    }
    /* a set made at run time must not outlive its iteration: the iteration
     * is kept as a loop over its one item, which opens the scope it needs */
    flux_tstmt *k = new_stmt(fd, st);
    k->u.loop = st->u.loop;
    flux_value one = {.t = seq.t};
    one.u.list.v = seq.t == FLUX_T_LIST ? &seq.u.list.v[i] : &seq.u.list.v[2 * i];
    one.u.list.n = seq.t == FLUX_T_LIST ? 1 : 2;
    k->u.loop.iter = flux_value_expr(x->a, one, st->u.loop.iter->span);
    k->u.loop.body = body;
    if (!k->u.loop.iter)
        return false;
    put_part(fd, out, (flux_tpart){.stmt = k, .span = st->span});
    return true;
}

static bool fold_for(folder *fd, const flux_tstmt *st, flux_scope *scope, tout *out)
{
    expander *x = fd->x;
    flux_value seq;
    flux_expr *folded = NULL;
    flux_eval_status s = eval_or_fold(fd, scope, st->u.loop.iter, &seq, &folded);
    if (s == FLUX_EVAL_ERROR)
        return false;
    if (s == FLUX_EVAL_RUNTIME)
        return fold_loop_kept(fd, st, folded, scope, out);
    bool pairs = st->u.loop.var2 != NULL;
    size_t n;
    if (seq.t == FLUX_T_LIST) {
        n = seq.u.list.n;
        if (pairs) {
            flux_expand_error(x, st->u.loop.var2_span, "loop", "loop over a dict to get key and value: {% for k, v in d %}",
                              "two loop variables need a dict, found a list");
            return false;
        }
    } else if (seq.t == FLUX_T_DICT) {
        n = seq.u.list.n / 2;
    } else {
        flux_expand_error(x, st->u.loop.iter->span, "loop", "loop over a list, a dict or range(n)", "cannot loop over %s",
                          flux_type_a(seq.t));
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        /* what an iteration keeps is in x->a or out; its scope is its own */
        flux_arena_mark m = flux_arena_mark_now(x->tmp);
        ok = flux_expand_budget(x, st->span) && fold_iteration(fd, st, seq, i, n, scope, out);
        flux_arena_release(x->tmp, m);
    }
    return ok;
}

/* every part is folded even after a failure, so each mistake of a string is
 * reported in one run */
static bool fold_parts(folder *fd, const flux_tpart *parts, size_t n, flux_scope *scope, bool kept, tout *out)
{
    bool ok = true;
    for (size_t i = 0; i < n && !fd->too_long && !fd->x->too_large; i++) {
        const flux_tpart *p = &parts[i];
        if (p->text) {
            ok &= put_text(fd, out, p->text, p->len, p->span);
        } else if (p->expr) {
            ok &= fold_expr(fd, p, scope, out);
        } else if (p->stmt) {
            switch (p->stmt->kind) {
            case FLUX_TS_SET: ok &= fold_set(fd, p->stmt, scope, kept, out); break;
            case FLUX_TS_IF: ok &= fold_if(fd, p->stmt, scope, kept, out); break;
            case FLUX_TS_FOR: ok &= fold_for(fd, p->stmt, scope, out); break;
            }
        }
    }
    return ok && !fd->too_long && !fd->x->too_large;
}

bool flux_expand_template(expander *x, const flux_scope *scope, const flux_tstr *t, flux_field *f)
{
    if (t->broken)
        return false; /* its syntax error was reported */
    if (!t->has_expr && t->n <= 1 && (t->n == 0 || t->parts[0].len <= TEMPLATE_MAX_TEXT) && !x->too_large) {
        /* plain text: the parser's copy, unescaped and NUL-terminated, is
         * the value; every task of a loop shares it */
        f->kind = FLUX_F_STRING;
        f->u.str.s = t->n ? t->parts[0].text : "";
        f->u.str.len = t->n ? t->parts[0].len : 0;
        return true;
    }
    folder fd = {x, 0, false};
    flux_scope *own = flux_arena_alloc(x->tmp, sizeof *own); /* the string's {% set %} names */
    own->parent = scope;
    tout out = {0};
    if (!fold_parts(&fd, t->parts, t->n, own, false, &out)) {
        tout_free(&out);
        return false;
    }
    if (out.n == 0) {
        f->kind = FLUX_F_STRING;
        f->u.str.s = flux_arena_strndup(x->a, out.text.data ? out.text.data : "", out.text.len);
        f->u.str.len = out.text.len;
        tout_free(&out);
        return true;
    }
    flux_tbody b = freeze(&fd, &out);
    f->kind = FLUX_F_TEMPLATE;
    f->u.tmpl.parts = b.parts;
    f->u.tmpl.n = b.n;
    return true;
}
