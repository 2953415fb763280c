/* expand_fields — names and values of the expander: templated names
 * rendered at compile time, and values turned into typed fields with their
 * compile-time parts computed and their run-time parts folded and kept. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "expander.h"
#include "text.h"
#include "parse.h"

/* ---- names ---- */

const char *flux_expand_runtime_name_in(const flux_expr *e, const flux_scope *scope)
{
    if (!e)
        return NULL;
    const char *r = NULL;
    switch (e->kind) {
    case FLUX_X_NAME:
        return !flux_scope_find(scope, e->u.name) && flux_is_runtime_name(e->u.name) ? e->u.name : NULL;
    case FLUX_X_ATTR: return flux_expand_runtime_name_in(e->u.attr.obj, scope);
    case FLUX_X_INDEX:
        return (r = flux_expand_runtime_name_in(e->u.index.obj, scope)) ? r : flux_expand_runtime_name_in(e->u.index.index, scope);
    case FLUX_X_UNARY: return flux_expand_runtime_name_in(e->u.unary.arg, scope);
    case FLUX_X_BINARY:
        return (r = flux_expand_runtime_name_in(e->u.binary.lhs, scope)) ? r : flux_expand_runtime_name_in(e->u.binary.rhs, scope);
    case FLUX_X_FILTER:
        if ((r = flux_expand_runtime_name_in(e->u.filter.arg, scope)))
            return r;
        for (size_t i = 0; i < e->u.filter.args.n && !r; i++)
            r = flux_expand_runtime_name_in(e->u.filter.args.v[i], scope);
        /* a text with a backslash is quoted once its database is known */
        return r ? r : strcmp(e->u.filter.name, "sql") == 0 ? "sql" : NULL;
    case FLUX_X_CALL:
        for (size_t i = 0; i < e->u.call.args.n && !r; i++)
            r = flux_expand_runtime_name_in(e->u.call.args.v[i], scope);
        return r;
    case FLUX_X_LIST: case FLUX_X_DICT:
        for (size_t i = 0; i < e->u.list.n && !r; i++)
            r = flux_expand_runtime_name_in(e->u.list.v[i], scope);
        return r;
    case FLUX_X_COND:
        if ((r = flux_expand_runtime_name_in(e->u.cond.cond, scope)) || (r = flux_expand_runtime_name_in(e->u.cond.then, scope)))
            return r;
        return flux_expand_runtime_name_in(e->u.cond.other, scope);
    default: return NULL;
    }
}

bool flux_expand_static(expander *x, const flux_scope *scope, const flux_expr *e, const char *what, flux_value *out)
{
    flux_eval ev = flux_expand_evaluator(x, scope);
    flux_eval_status s = flux_eval_expr(&ev, e, out);
    if (s == FLUX_EVAL_OK)
        return true;
    if (s == FLUX_EVAL_RUNTIME) {
        const char *n = flux_expand_runtime_name_in(e, scope);
        if (n && strcmp(n, "sql") == 0) {
            flux_expand_error(x, e->span, "runtime-in-static",
                  "apply sql where the value meets the SQL text: {{ value | sql }}",
                  "'sql' of a text holding a backslash is quoted at run time, for the database the text runs on, "
                  "and %s is decided at compile time", what);
            return false;
        }
        flux_expand_error(x, e->span, "runtime-in-static",
              "compile-time values are {% set %} names, loop variables and macro parameters",
              "'%s' is a run-time value and %s is decided at compile time", n ? n : "this", what);
    }
    return false;
}

const char *flux_expand_name(expander *x, const flux_scope *scope, const flux_tstr *t, const char *what)
{
    if (t->broken)
        return NULL; /* its syntax error was reported */
    const char *plain = flux_tstr_plain(t);
    if (plain)
        return plain;
    flux_buf *b = &x->name;
    b->len = 0;
    for (size_t i = 0; i < t->n; i++) {
        const flux_tpart *p = &t->parts[i];
        if (p->text) {
            flux_buf_put(b, p->text, p->len);
            continue;
        }
        if (!p->expr) { /* a statement: only strings hold them */
            flux_expand_error(x, p->span, "bad-name", NULL, "a %s name cannot hold a statement", what);
            return NULL;
        }
        flux_value v;
        flux_eval ev = flux_expand_evaluator(x, scope);
        flux_eval_status s = flux_eval_expr(&ev, p->expr, &v);
        if (s == FLUX_EVAL_RUNTIME) {
            const char *n = flux_expand_runtime_name_in(p->expr, scope);
            char *m = flux_arena_printf(x->tmp, "%s names are fixed when the pipeline compiles; use a loop variable or a {%% set %%} value",
                                        what);
            flux_expand_error(x, p->expr->span, "runtime-in-name", m, "'%s' is a run-time value and cannot be used in a %s name",
                  n ? n : "this", what);
        }
        if (s != FLUX_EVAL_OK)
            return NULL;
        if (v.t == FLUX_T_LIST || v.t == FLUX_T_DICT || v.t == FLUX_T_MACRO) {
            flux_expand_error(x, p->expr->span, "bad-name", NULL, "%s cannot be part of a %s name", flux_type_a(v.t), what);
            return NULL;
        }
        flux_value_render(v, b);
    }
    /* a name is checked where it was rendered, and kept once however often
     * it is rendered: a task's, again in each dependency on it */
    const char *r = flux_buf_cstr(b);
    if (!strcmp(r, ".") || !strcmp(r, "..")) {
        flux_expand_error(x, t->span, "bad-name", "names become parts of paths (logs, journals): use a letter or a digit",
                          "invalid %s name '%s': it names a directory", what, r);
        return NULL;
    }
    if (!flux_text_is_name(r)) {
        flux_expand_error(x, t->span, "bad-name", "names hold letters, digits, '_', '-' and '.'", "invalid %s name '%s'",
                          what, r);
        return NULL;
    }
    return flux_intern(&x->names, x->a, b->data, b->len);
}

/* ---- values ---- */

static bool field_from_value(expander *x, flux_value v, flux_span span, flux_field *f);

bool flux_expand_field(expander *x, const flux_scope *scope, const flux_val *v, flux_field *f)
{
    memset(f, 0, sizeof *f);
    f->span = v->span;
    switch (v->kind) {
    case FLUX_V_INT: f->kind = FLUX_F_INT; f->u.i = v->u.i; return true;
    case FLUX_V_FLOAT: f->kind = FLUX_F_FLOAT; f->u.f = v->u.f; return true;
    case FLUX_V_BOOL: f->kind = FLUX_F_BOOL; f->u.b = v->u.b; return true;
    case FLUX_V_DURATION: f->kind = FLUX_F_DURATION; f->u.ms = v->u.ms; return true;
    case FLUX_V_IDENT: {
        const flux_tstr *t = v->u.str;
        if (t->n == 1 && t->parts[0].expr) {
            /* a value that is exactly {{ expr }}: a typed compile-time value */
            flux_value val;
            if (!flux_expand_static(x, scope, t->parts[0].expr, "a value written without quotes", &val))
                return false;
            bool r = field_from_value(x, val, v->span, f);
            f->computed = true;
            return r;
        }
        const char *s = flux_expand_name(x, scope, t, "value");
        if (!s)
            return false;
        f->kind = FLUX_F_IDENT;
        f->u.str.s = s;
        f->u.str.len = strlen(s);
        return true;
    }
    case FLUX_V_STRING: return flux_expand_template(x, scope, v->u.str, f);
    case FLUX_V_LIST: {
        f->kind = FLUX_F_LIST;
        f->u.list.n = v->u.list.n;
        f->u.list.v = flux_arena_alloc(x->a, (v->u.list.n ? v->u.list.n : 1) * sizeof *f->u.list.v);
        bool ok = true;
        for (size_t i = 0; i < v->u.list.n; i++)
            ok &= flux_expand_field(x, scope, v->u.list.v[i], &f->u.list.v[i]);
        return ok;
    }
    case FLUX_V_MAP: {
        size_t n = v->u.map.n;
        f->kind = FLUX_F_MAP;
        f->u.map.n = n;
        f->u.map.keys = flux_arena_alloc(x->a, (n ? n : 1) * sizeof(char *));
        f->u.map.key_spans = flux_arena_alloc(x->a, (n ? n : 1) * sizeof(flux_span));
        f->u.map.v = flux_arena_alloc(x->a, (n ? n : 1) * sizeof(flux_field));
        bool ok = true;
        for (size_t i = 0; i < n; i++) {
            const flux_tstr *k = v->u.map.v[i].key;
            const char *key = flux_tstr_plain(k);
            if (!key) {
                /* a quoted key may hold compile-time templates too */
                flux_field kf;
                flux_val kv = {FLUX_V_STRING, k->span, {.str = (flux_tstr *)k}};
                if (!flux_expand_field(x, scope, &kv, &kf)) {
                    ok = false;
                    continue;
                }
                if (kf.kind != FLUX_F_STRING) {
                    flux_expand_error(x, k->span, "runtime-in-static", NULL, "map keys are decided at compile time");
                    ok = false;
                    continue;
                }
                key = kf.u.str.s;
            }
            for (size_t j = 0; j < i; j++) {
                if (f->u.map.keys[j] && strcmp(f->u.map.keys[j], key) == 0) {
                    flux_diag *g = flux_expand_error(x, k->span, "duplicate-key", NULL, "duplicate key '%s' in map", key);
                    flux_diag_note(g, f->u.map.key_spans[j], "first given here");
                    ok = false;
                }
            }
            f->u.map.keys[i] = key;
            f->u.map.key_spans[i] = k->span;
            ok &= flux_expand_field(x, scope, v->u.map.v[i].val, &f->u.map.v[i]);
        }
        return ok;
    }
    }
    return false;
}

static bool field_from_value(expander *x, flux_value v, flux_span span, flux_field *f)
{
    memset(f, 0, sizeof *f);
    f->span = span;
    switch (v.t) {
    case FLUX_T_BOOL: f->kind = FLUX_F_BOOL; f->u.b = v.u.b; return true;
    case FLUX_T_INT: f->kind = FLUX_F_INT; f->u.i = v.u.i; return true;
    case FLUX_T_FLOAT: f->kind = FLUX_F_FLOAT; f->u.f = v.u.f; return true;
    case FLUX_T_DURATION: f->kind = FLUX_F_DURATION; f->u.ms = v.u.ms; return true;
    case FLUX_T_STR: case FLUX_T_TIME: {
        flux_buf b = {0};
        flux_value_render(v, &b);
        f->kind = FLUX_F_STRING;
        f->u.str.s = flux_arena_strndup(x->a, b.data ? b.data : "", b.len);
        f->u.str.len = b.len;
        flux_buf_free(&b);
        return true;
    }
    case FLUX_T_LIST: {
        f->kind = FLUX_F_LIST;
        f->u.list.n = v.u.list.n;
        f->u.list.v = flux_arena_alloc(x->a, (v.u.list.n ? v.u.list.n : 1) * sizeof(flux_field));
        for (size_t i = 0; i < v.u.list.n; i++)
            if (!field_from_value(x, v.u.list.v[i], span, &f->u.list.v[i]))
                return false;
        return true;
    }
    case FLUX_T_DICT: {
        size_t n = v.u.list.n / 2;
        f->kind = FLUX_F_MAP;
        f->u.map.n = n;
        f->u.map.keys = flux_arena_alloc(x->a, (n ? n : 1) * sizeof(char *));
        f->u.map.key_spans = flux_arena_alloc(x->a, (n ? n : 1) * sizeof(flux_span));
        f->u.map.v = flux_arena_alloc(x->a, (n ? n : 1) * sizeof(flux_field));
        for (size_t i = 0; i < n; i++) {
            flux_buf b = {0};
            flux_value_render(v.u.list.v[2 * i], &b);
            f->u.map.keys[i] = flux_arena_strndup(x->a, b.data ? b.data : "", b.len);
            f->u.map.key_spans[i] = span;
            flux_buf_free(&b);
            if (!field_from_value(x, v.u.list.v[2 * i + 1], span, &f->u.map.v[i]))
                return false;
        }
        return true;
    }
    default:
        flux_expand_error(x, span, "bad-value", NULL, "%s cannot be an attribute value", flux_type_a(v.t));
        return false;
    }
}
