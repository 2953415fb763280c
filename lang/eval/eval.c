/* eval — evaluates template expressions: scopes, names, operators, calls of
 * the filters and functions of filters.c, and folding of compile-time parts. */
#include "eval.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "evalkit.h"
#include "filters.h"
#include "isotime.h"
#include "suggest.h"
#include "timefmt.h"


/* ---- names of the run-time context ---- */

static const char *const runtime_names[] = {
    "conn", "data_interval_end", "data_interval_start", "ds", "ds_nodash", "interval_end",
    "interval_start", "logical_date", "params", "pipeline", "run_id", "task", "tasks",
    "try_number", "ts", "ts_nodash",
};

const char *const *flux_runtime_names(size_t *n)
{
    *n = sizeof runtime_names / sizeof *runtime_names;
    return runtime_names;
}

bool flux_is_runtime_name(const char *name)
{
    size_t n;
    const char *const *v = flux_runtime_names(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], name) == 0)
            return true;
    return false;
}

/* ---- the evaluator ---- */

static flux_eval_status eval(flux_eval *ev, const flux_expr *x, flux_value *out);

static void suggest_names(flux_eval *ev, flux_suggester *s)
{
    for (const flux_scope *sc = ev->scope; sc; sc = sc->parent)
        for (size_t i = 0; i < sc->n; i++)
            flux_suggest_feed(s, sc->v[i].name);
    if (ev->compile_time) {
        size_t n;
        const char *const *v = flux_runtime_names(&n);
        for (size_t i = 0; i < n; i++)
            flux_suggest_feed(s, v[i]);
    }
}

static flux_eval_status eval_name(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    const flux_binding *b = flux_scope_find(ev->scope, x->u.name);
    if (b) {
        if (b->used)
            *b->used = true;
        if (b->val.t == FLUX_T_ERROR)
            return FLUX_EVAL_ERROR; /* its own error was reported where it was set */
        *out = b->val;
        return b->val.t == FLUX_T_RUNTIME ? FLUX_EVAL_RUNTIME : FLUX_EVAL_OK;
    }
    if (ev->compile_time && flux_is_runtime_name(x->u.name)) {
        out->t = FLUX_T_RUNTIME;
        out->u.p = x->u.name;
        return FLUX_EVAL_RUNTIME;
    }
    if (flux_diags_full(ev->diags))
        return FLUX_EVAL_ERROR;
    flux_suggester s;
    flux_suggest_init(&s, x->u.name);
    suggest_names(ev, &s);
    const char *best = flux_suggest_best(&s);
    if (best) {
        char *h = flux_arena_printf(ev->arena, "did you mean '%s'?", best);
        return flux_evalkit_error(ev, x->span, h, "unknown variable '%s'", x->u.name);
    }
    return flux_evalkit_error(ev, x->span, "variables are {% set %} names, loop variables, macro parameters and the run context (ds, params, ...)",
               "unknown variable '%s'", x->u.name);
}

static int num(flux_value v, double *d)
{
    if (v.t == FLUX_T_INT) {
        *d = (double)v.u.i;
        return 1;
    }
    if (v.t == FLUX_T_FLOAT) {
        *d = v.u.f;
        return 1;
    }
    return 0;
}

static int compare(flux_value a, flux_value b, int *c)
{
    double x, y;
    if (a.t == FLUX_T_INT && b.t == FLUX_T_INT) {
        *c = (a.u.i > b.u.i) - (a.u.i < b.u.i);
        return 0;
    }
    if (num(a, &x) && num(b, &y)) {
        *c = (x > y) - (x < y);
        return 0;
    }
    if (a.t == FLUX_T_STR && b.t == FLUX_T_STR) {
        size_t n = a.u.s.len < b.u.s.len ? a.u.s.len : b.u.s.len;
        int r = memcmp(a.u.s.s, b.u.s.s, n);
        *c = r ? (r > 0) - (r < 0) : (a.u.s.len > b.u.s.len) - (a.u.s.len < b.u.s.len);
        return 0;
    }
    if ((a.t == FLUX_T_DURATION && b.t == FLUX_T_DURATION) || (a.t == FLUX_T_TIME && b.t == FLUX_T_TIME)) {
        *c = (a.u.ms > b.u.ms) - (a.u.ms < b.u.ms);
        return 0;
    }
    return -1;
}

typedef enum { ARITH_OK, ARITH_NONE, ARITH_OVERFLOW, ARITH_DIVZERO } arith_result;

/* integer op integer, exactly; ARITH_NONE for an operator that does not take
 * two integers */
static arith_result arith_int(flux_xop op, int64_t i, int64_t j, flux_value *out)
{
    int64_t r;
    switch (op) {
    case FLUX_OP_ADD:
        if (__builtin_add_overflow(i, j, &r))
            return ARITH_OVERFLOW;
        *out = flux_int(r);
        return ARITH_OK;
    case FLUX_OP_SUB:
        if (__builtin_sub_overflow(i, j, &r))
            return ARITH_OVERFLOW;
        *out = flux_int(r);
        return ARITH_OK;
    case FLUX_OP_MUL:
        if (__builtin_mul_overflow(i, j, &r))
            return ARITH_OVERFLOW;
        *out = flux_int(r);
        return ARITH_OK;
    case FLUX_OP_DIV:
        if (j == 0)
            return ARITH_DIVZERO;
        *out = flux_float((double)i / (double)j);
        return ARITH_OK;
    case FLUX_OP_IDIV: case FLUX_OP_MOD: {
        if (j == 0)
            return ARITH_DIVZERO;
        if (i == INT64_MIN && j == -1)
            return ARITH_OVERFLOW;
        int64_t qd = i / j, m = i % j;
        if (m != 0 && ((m < 0) != (j < 0))) { /* floor semantics, as in Jinja */
            qd--;
            m += j;
        }
        *out = flux_int(op == FLUX_OP_IDIV ? qd : m);
        return ARITH_OK;
    }
    default: return ARITH_NONE;
    }
    return ARITH_NONE;
}

/* p // q or p % q on floats, as Python computes them: floor(p / q) rounds
 * p / q first (1.0 // 0.1 would be 10.0, though 0.1 is a little more than
 * a tenth) and p - floor(p / q) * q loses the remainder of large p (1e20 % 3
 * would be 0.0). fmod is exact, the remainder takes the divisor's sign, and
 * the quotient is (p - r) / q, an exact multiple up to one rounding, snapped
 * to the nearest integer. Zeros keep Python's signs. q is not zero. */
static double float_divmod(double p, double q, bool want_mod)
{
    double r = fmod(p, q);
    double d = (p - r) / q;
    if (r != 0) {
        if ((q < 0) != (r < 0)) {
            r += q;
            d -= 1.0;
        }
    } else {
        r = copysign(0.0, q);
    }
    if (want_mod)
        return r;
    if (d == 0)
        return copysign(0.0, p / q);
    double fl = floor(d);
    if (d - fl > 0.5)
        fl += 1.0;
    return fl;
}

static flux_eval_status arith(flux_eval *ev, const flux_expr *x, flux_value a, flux_value b, flux_value *out)
{
    flux_xop op = x->u.binary.op;
    double p, q;
    int64_t r;
    if (a.t == FLUX_T_INT && b.t == FLUX_T_INT) {
        arith_result ar = arith_int(op, a.u.i, b.u.i, out);
        if (ar == ARITH_OK)
            return FLUX_EVAL_OK;
        if (ar == ARITH_OVERFLOW)
            goto overflow;
        if (ar == ARITH_DIVZERO)
            goto divzero;
    }
    if (num(a, &p) && num(b, &q)) {
        double f;
        switch (op) {
        case FLUX_OP_ADD: f = p + q; break;
        case FLUX_OP_SUB: f = p - q; break;
        case FLUX_OP_MUL: f = p * q; break;
        case FLUX_OP_DIV:
            if (q == 0)
                goto divzero;
            f = p / q;
            break;
        case FLUX_OP_IDIV: case FLUX_OP_MOD:
            if (q == 0)
                goto divzero;
            f = float_divmod(p, q, op == FLUX_OP_MOD);
            break;
        default: goto mismatch;
        }
        /* infinities and NaN have no literal: they could not be kept in a
         * plan, and a pipeline never means them */
        if (!isfinite(f))
            return flux_evalkit_error(ev, x->span, NULL, "number out of range");
        *out = flux_float(f);
        return FLUX_EVAL_OK;
    }
mismatch:
    if (op == FLUX_OP_ADD && a.t == FLUX_T_STR && b.t == FLUX_T_STR) {
        flux_buf s = {0};
        flux_buf_put(&s, a.u.s.s, a.u.s.len);
        flux_buf_put(&s, b.u.s.s, b.u.s.len);
        *out = flux_evalkit_str(ev, &s);
        return FLUX_EVAL_OK;
    }
    if (op == FLUX_OP_ADD && a.t == FLUX_T_LIST && b.t == FLUX_T_LIST) {
        size_t n = a.u.list.n + b.u.list.n;
        flux_value *v = flux_arena_alloc(ev->arena, (n ? n : 1) * sizeof *v);
        memcpy(v, a.u.list.v, a.u.list.n * sizeof *v);
        memcpy(v + a.u.list.n, b.u.list.v, b.u.list.n * sizeof *v);
        out->t = FLUX_T_LIST;
        out->u.list.v = v;
        out->u.list.n = n;
        return FLUX_EVAL_OK;
    }
    if ((op == FLUX_OP_ADD || op == FLUX_OP_SUB) && b.t == FLUX_T_DURATION &&
        (a.t == FLUX_T_DURATION || a.t == FLUX_T_TIME)) {
        bool bad = op == FLUX_OP_ADD ? __builtin_add_overflow(a.u.ms, b.u.ms, &r)
                                     : __builtin_sub_overflow(a.u.ms, b.u.ms, &r);
        if (bad)
            goto overflow;
        *out = a.t == FLUX_T_TIME ? flux_time_shift(a, r) : flux_duration(r);
        return FLUX_EVAL_OK;
    }
    if (op == FLUX_OP_SUB && a.t == FLUX_T_TIME && b.t == FLUX_T_TIME) {
        if (__builtin_sub_overflow(a.u.ms, b.u.ms, &r))
            goto overflow;
        *out = flux_duration(r);
        return FLUX_EVAL_OK;
    }
    if (op == FLUX_OP_MUL && a.t == FLUX_T_DURATION && b.t == FLUX_T_INT) {
        if (__builtin_mul_overflow(a.u.ms, b.u.i, &r))
            goto overflow;
        *out = flux_duration(r);
        return FLUX_EVAL_OK;
    }
    if (op == FLUX_OP_MUL && a.t == FLUX_T_STR && b.t == FLUX_T_INT) {
        if (b.u.i < 0 || (b.u.i > 0 && a.u.s.len * (uint64_t)b.u.i > STRING_MAX))
            return flux_evalkit_error(ev, x->span, NULL, "string repetition out of range");
        flux_buf s = {0};
        for (int64_t i = 0; i < b.u.i; i++)
            flux_buf_put(&s, a.u.s.s, a.u.s.len);
        *out = flux_evalkit_str(ev, &s);
        return FLUX_EVAL_OK;
    }
    return flux_evalkit_error(ev, x->span, op == FLUX_OP_ADD && (a.t == FLUX_T_STR || b.t == FLUX_T_STR) ? "join text with '~', e.g. a ~ \"_\" ~ b" : NULL,
               "cannot apply '%s' to %s and %s", flux_xop_text(op), flux_evalkit_tname(a), flux_evalkit_tname(b));
overflow:
    return flux_evalkit_error(ev, x->span, NULL, "arithmetic overflow");
divzero:
    return flux_evalkit_error(ev, x->u.binary.rhs->span, NULL, "division by zero");
}

static flux_eval_status eval_binary(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    flux_value a, b;
    flux_xop op = x->u.binary.op;
    flux_eval_status sa = eval(ev, x->u.binary.lhs, &a);
    if (sa == FLUX_EVAL_ERROR)
        return sa;
    if (op == FLUX_OP_AND || op == FLUX_OP_OR) {
        if (sa == FLUX_EVAL_OK) {
            bool t = flux_truthy(a);
            if ((op == FLUX_OP_AND && !t) || (op == FLUX_OP_OR && t)) {
                *out = a;
                return FLUX_EVAL_OK;
            }
            return eval(ev, x->u.binary.rhs, out);
        }
        /* run-time left side: still check the right side's names now */
        flux_eval_status sb = eval(ev, x->u.binary.rhs, &b);
        return sb == FLUX_EVAL_ERROR ? sb : FLUX_EVAL_RUNTIME;
    }
    flux_eval_status sb = eval(ev, x->u.binary.rhs, &b);
    if (sb == FLUX_EVAL_ERROR)
        return sb;
    if (sa == FLUX_EVAL_RUNTIME || sb == FLUX_EVAL_RUNTIME)
        return FLUX_EVAL_RUNTIME;
    int c;
    switch (op) {
    case FLUX_OP_EQ: *out = flux_bool(flux_value_equal(a, b)); return FLUX_EVAL_OK;
    case FLUX_OP_NE: *out = flux_bool(!flux_value_equal(a, b)); return FLUX_EVAL_OK;
    case FLUX_OP_LT: case FLUX_OP_LE: case FLUX_OP_GT: case FLUX_OP_GE:
        if (compare(a, b, &c) != 0)
            return flux_evalkit_error(ev, x->span, NULL, "cannot compare %s with %s", flux_evalkit_tname(a), flux_evalkit_tname(b));
        *out = flux_bool(op == FLUX_OP_LT ? c < 0 : op == FLUX_OP_LE ? c <= 0 : op == FLUX_OP_GT ? c > 0 : c >= 0);
        return FLUX_EVAL_OK;
    case FLUX_OP_CONCAT: {
        flux_buf s = {0};
        flux_value_render(a, &s);
        flux_value_render(b, &s);
        if (s.len > STRING_MAX) {
            flux_buf_free(&s);
            return flux_evalkit_error(ev, x->span, NULL, "string too long");
        }
        *out = flux_evalkit_str(ev, &s);
        return FLUX_EVAL_OK;
    }
    case FLUX_OP_IN: case FLUX_OP_NOT_IN: {
        bool found = false;
        if (b.t == FLUX_T_LIST) {
            for (size_t i = 0; i < b.u.list.n && !found; i++)
                found = flux_value_equal(a, b.u.list.v[i]);
        } else if (b.t == FLUX_T_DICT) {
            for (size_t i = 0; i < b.u.list.n && !found; i += 2)
                found = flux_value_equal(a, b.u.list.v[i]);
        } else if (b.t == FLUX_T_STR && a.t == FLUX_T_STR) {
            found = a.u.s.len == 0;
            for (size_t i = 0; !found && i + a.u.s.len <= b.u.s.len; i++)
                found = memcmp(b.u.s.s + i, a.u.s.s, a.u.s.len) == 0;
        } else {
            return flux_evalkit_error(ev, x->span, NULL, "'in' needs a list, dict or string on the right, found %s", flux_evalkit_tname(b));
        }
        *out = flux_bool(op == FLUX_OP_IN ? found : !found);
        return FLUX_EVAL_OK;
    }
    default: return arith(ev, x, a, b, out);
    }
}

static flux_eval_status eval_args(flux_eval *ev, const flux_exprs *args, flux_value *v)
{
    flux_eval_status st = FLUX_EVAL_OK;
    for (size_t i = 0; i < args->n; i++) {
        flux_eval_status s = eval(ev, args->v[i], &v[i]);
        if (s == FLUX_EVAL_ERROR)
            return s;
        if (s == FLUX_EVAL_RUNTIME) {
            v[i].t = FLUX_T_RUNTIME;
            st = s;
        }
    }
    return st;
}

/* the known arguments of a call whose result is left for run time must
 * still have the right types: a mistake in a literal is a compile error */
static flux_eval_status check_args(flux_eval *ev, const char *what, const char *name, const char *spec,
                                   const flux_exprs *args, const flux_value *v)
{
    for (size_t i = 0; i < args->n && spec[i]; i++) {
        flux_type t = v[i].t;
        if (t == FLUX_T_RUNTIME || spec[i] == '*')
            continue;
        flux_type want = spec[i] == 'd' ? FLUX_T_DURATION : spec[i] == 'i' ? FLUX_T_INT : FLUX_T_STR;
        if (t != want)
            return flux_evalkit_error(ev, args->v[i]->span, spec[i] == 'd' ? "write a duration such as 1h or 30m" : NULL,
                       "argument %zu of %s '%s' must be %s, found %s", i + 1, what, name, flux_type_a(want),
                       flux_type_a(t));
        if (strcmp(name, "date") == 0 || (strcmp(name, "ds_format") == 0 && i == 2)) {
            flux_buf b = {0};
            char bad = 0;
            int r = flux_timefmt_format(0, 0, v[i].u.s.s, v[i].u.s.len, &b, &bad);
            flux_buf_free(&b);
            if (r != 0) {
                char *h = flux_arena_printf(ev->arena, "directives are %s", FLUX_TIMEFMT_DIRECTIVES);
                if (!bad)
                    return flux_evalkit_error(ev, args->v[i]->span, h, "date format ends with a lone '%%'");
                return flux_evalkit_error(ev, args->v[i]->span, h, "unknown date directive '%%%c'", bad);
            }
        }
    }
    return FLUX_EVAL_OK;
}

static flux_eval_status arity(flux_eval *ev, const flux_expr *x, flux_span span, const char *what, const char *name,
                              size_t n, size_t min, size_t max)
{
    (void)x;
    if (n >= min && n <= max)
        return FLUX_EVAL_OK;
    if (min == max)
        return flux_evalkit_error(ev, span, NULL, "%s '%s' takes %zu argument%s, found %zu", what, name, min, min == 1 ? "" : "s", n);
    return flux_evalkit_error(ev, span, NULL, "%s '%s' takes %zu to %zu arguments, found %zu", what, name, min, max, n);
}

static flux_eval_status eval_filter(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    const flux_filter *f = flux_filter_find(x->u.filter.name);
    flux_value in;
    flux_eval_status si = eval(ev, x->u.filter.arg, &in);
    if (si == FLUX_EVAL_ERROR)
        return si;
    if (!f) {
        size_t nf;
        const char *const *names = flux_filter_names(&nf);
        const char *best = flux_suggest(x->u.filter.name, names, nf);
        char *h = best ? flux_arena_printf(ev->arena, "did you mean '%s'?", best) : NULL;
        return flux_evalkit_error(ev, x->u.filter.name_span, h ? h : "see the list of filters in lang/REFERENCE.md", "unknown filter '%s'",
                   x->u.filter.name);
    }
    size_t n = x->u.filter.args.n;
    if (arity(ev, x, x->u.filter.name_span, "filter", f->name, n, f->min, f->max))
        return FLUX_EVAL_ERROR;
    flux_value args[4];
    flux_eval_status sa = eval_args(ev, &x->u.filter.args, args);
    if (sa == FLUX_EVAL_ERROR)
        return sa;
    if (si == FLUX_EVAL_RUNTIME || sa == FLUX_EVAL_RUNTIME) {
        if (check_args(ev, "filter", f->name, f->args, &x->u.filter.args, args))
            return FLUX_EVAL_ERROR;
        return FLUX_EVAL_RUNTIME;
    }
    return f->fn(ev, x, in, args, n, out);
}

static flux_eval_status eval_call(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    const char *name = x->u.call.name;
    const flux_binding *b = flux_scope_find(ev->scope, name);
    if (b && b->val.t == FLUX_T_MACRO) {
        if (b->used)
            *b->used = true;
        return flux_evalkit_error(ev, x->span, "call it alone on its own line: {{ name(...) }}",
                   "macro '%s' expands to tasks and attributes, not to a value", name);
    }
    const flux_function *f = flux_function_find(name);
    if (!f) {
        flux_suggester s;
        flux_suggest_init(&s, name);
        size_t nfn;
        const char *const *fns = flux_function_names(&nfn);
        for (size_t i = 0; i < nfn; i++)
            flux_suggest_feed(&s, fns[i]);
        for (const flux_scope *sc = ev->scope; sc; sc = sc->parent)
            for (size_t i = 0; i < sc->n; i++)
                if (sc->v[i].val.t == FLUX_T_MACRO)
                    flux_suggest_feed(&s, sc->v[i].name);
        const char *best = flux_suggest_best(&s);
        if (!best && flux_filter_find(name))
            return flux_evalkit_error(ev, x->u.call.name_span, flux_arena_printf(ev->arena, "'%s' is a filter: write value | %s", name, name),
                       "unknown function '%s'", name);
        char *h = best ? flux_arena_printf(ev->arena, "did you mean '%s'?", best) : NULL;
        return flux_evalkit_error(ev, x->u.call.name_span, h ? h : "functions are range, ds_add and ds_format, and your macros",
                   "unknown function '%s'", name);
    }
    size_t n = x->u.call.args.n;
    if (arity(ev, x, x->u.call.name_span, "function", name, n, f->min, f->max))
        return FLUX_EVAL_ERROR;
    flux_value args[4];
    flux_eval_status sa = eval_args(ev, &x->u.call.args, args);
    if (sa == FLUX_EVAL_RUNTIME && check_args(ev, "function", f->name, f->args, &x->u.call.args, args))
        return FLUX_EVAL_ERROR;
    if (sa != FLUX_EVAL_OK)
        return sa;
    return f->fn(ev, x, args, n, out);
}

static flux_eval_status eval_attr(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    flux_value o;
    flux_eval_status s = eval(ev, x->u.attr.obj, &o);
    if (s != FLUX_EVAL_OK)
        return s;
    if (o.t == FLUX_T_DICT) {
        flux_suggester sg;
        flux_suggest_init(&sg, x->u.attr.name);
        for (size_t i = 0; i + 1 < o.u.list.n; i += 2) {
            flux_value k = o.u.list.v[i];
            if (k.t == FLUX_T_STR && strcmp(k.u.s.s, x->u.attr.name) == 0) {
                *out = o.u.list.v[i + 1];
                /* the loop of a loop kept for run time: keys known, values not */
                return out->t == FLUX_T_RUNTIME ? FLUX_EVAL_RUNTIME : FLUX_EVAL_OK;
            }
            if (k.t == FLUX_T_STR)
                flux_suggest_feed(&sg, k.u.s.s);
        }
        const char *best = flux_suggest_best(&sg);
        char *h = best ? flux_arena_printf(ev->arena, "did you mean '%s'?", best) : NULL;
        return flux_evalkit_error(ev, x->u.attr.name_span, h, "no key '%s' in this dict", x->u.attr.name);
    }
    return flux_evalkit_error(ev, x->u.attr.name_span, NULL, "%s has no attribute '%s'", flux_type_a(o.t), x->u.attr.name);
}

static flux_eval_status eval_index(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    flux_value o, k;
    flux_eval_status s = eval(ev, x->u.index.obj, &o);
    if (s == FLUX_EVAL_ERROR)
        return s;
    flux_eval_status sk = eval(ev, x->u.index.index, &k);
    if (sk == FLUX_EVAL_ERROR)
        return sk;
    if (s == FLUX_EVAL_RUNTIME || sk == FLUX_EVAL_RUNTIME)
        return FLUX_EVAL_RUNTIME;
    if (o.t == FLUX_T_LIST || o.t == FLUX_T_STR) {
        if (k.t != FLUX_T_INT)
            return flux_evalkit_error(ev, x->u.index.index->span, NULL, "index must be an integer, found %s", flux_evalkit_tname(k));
        int64_t n = o.t == FLUX_T_LIST ? (int64_t)o.u.list.n : (int64_t)o.u.s.len;
        int64_t i = k.u.i < 0 ? n + k.u.i : k.u.i;
        if (i < 0 || i >= n)
            return flux_evalkit_error(ev, x->u.index.index->span, NULL, "index %" PRId64 " out of range for length %" PRId64, k.u.i, n);
        if (o.t == FLUX_T_LIST)
            *out = o.u.list.v[i];
        else
            *out = flux_str(flux_arena_strndup(ev->arena, o.u.s.s + i, 1), 1);
        return FLUX_EVAL_OK;
    }
    if (o.t == FLUX_T_DICT) {
        for (size_t i = 0; i + 1 < o.u.list.n; i += 2) {
            if (flux_value_equal(o.u.list.v[i], k)) {
                *out = o.u.list.v[i + 1];
                return out->t == FLUX_T_RUNTIME ? FLUX_EVAL_RUNTIME : FLUX_EVAL_OK;
            }
        }
        flux_buf b = {0};
        flux_value_json(k, &b);
        flux_eval_status r = flux_evalkit_error(ev, x->u.index.index->span, NULL, "no key %s in this dict", b.data ? b.data : "");
        flux_buf_free(&b);
        return r;
    }
    return flux_evalkit_error(ev, x->u.index.obj->span, NULL, "cannot index %s", flux_type_a(o.t));
}

static flux_eval_status eval(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    switch (x->kind) {
    case FLUX_X_NONE: *out = flux_none(); return FLUX_EVAL_OK;
    case FLUX_X_BOOL: *out = flux_bool(x->u.b); return FLUX_EVAL_OK;
    case FLUX_X_INT: *out = flux_int(x->u.i); return FLUX_EVAL_OK;
    case FLUX_X_FLOAT: *out = flux_float(x->u.f); return FLUX_EVAL_OK;
    case FLUX_X_STRING: *out = flux_str(x->u.str.s, x->u.str.len); return FLUX_EVAL_OK;
    case FLUX_X_DURATION: *out = flux_duration(x->u.ms); return FLUX_EVAL_OK;
    case FLUX_X_LIST: case FLUX_X_DICT: {
        size_t n = x->u.list.n;
        flux_value *v = flux_arena_alloc(ev->arena, (n ? n : 1) * sizeof *v);
        flux_eval_status s = eval_args(ev, &x->u.list, v);
        if (s != FLUX_EVAL_OK)
            return s;
        out->t = x->kind == FLUX_X_LIST ? FLUX_T_LIST : FLUX_T_DICT;
        out->u.list.v = v;
        out->u.list.n = n;
        return FLUX_EVAL_OK;
    }
    case FLUX_X_NAME: return eval_name(ev, x, out);
    case FLUX_X_ATTR: return eval_attr(ev, x, out);
    case FLUX_X_INDEX: return eval_index(ev, x, out);
    case FLUX_X_UNARY: {
        flux_value a;
        flux_eval_status s = eval(ev, x->u.unary.arg, &a);
        if (s != FLUX_EVAL_OK)
            return s;
        if (x->u.unary.op == FLUX_OP_NOT) {
            *out = flux_bool(!flux_truthy(a));
            return FLUX_EVAL_OK;
        }
        bool neg = x->u.unary.op == FLUX_OP_NEG;
        if (a.t == FLUX_T_INT) {
            if (neg && a.u.i == INT64_MIN)
                return flux_evalkit_error(ev, x->span, NULL, "arithmetic overflow");
            *out = flux_int(neg ? -a.u.i : a.u.i);
        } else if (a.t == FLUX_T_FLOAT) {
            *out = flux_float(neg ? -a.u.f : a.u.f);
        } else if (a.t == FLUX_T_DURATION) {
            if (neg && a.u.ms == INT64_MIN)
                return flux_evalkit_error(ev, x->span, NULL, "arithmetic overflow");
            *out = flux_duration(neg ? -a.u.ms : a.u.ms);
        } else {
            return flux_evalkit_error(ev, x->span, NULL, "cannot apply '%s' to %s", flux_xop_text(x->u.unary.op), flux_evalkit_tname(a));
        }
        return FLUX_EVAL_OK;
    }
    case FLUX_X_BINARY: return eval_binary(ev, x, out);
    case FLUX_X_FILTER: return eval_filter(ev, x, out);
    case FLUX_X_CALL: return eval_call(ev, x, out);
    case FLUX_X_COND: {
        flux_value c;
        flux_eval_status s = eval(ev, x->u.cond.cond, &c);
        if (s == FLUX_EVAL_ERROR)
            return s;
        if (s == FLUX_EVAL_OK)
            return eval(ev, flux_truthy(c) ? x->u.cond.then : x->u.cond.other, out);
        flux_value t;
        flux_eval_status a = eval(ev, x->u.cond.then, &t);
        flux_eval_status b = eval(ev, x->u.cond.other, &t);
        return a == FLUX_EVAL_ERROR || b == FLUX_EVAL_ERROR ? FLUX_EVAL_ERROR : FLUX_EVAL_RUNTIME;
    }
    }
    return flux_evalkit_error(ev, x->span, NULL, "cannot evaluate this expression");
}

flux_eval_status flux_eval_expr(flux_eval *ev, const flux_expr *x, flux_value *out)
{
    *out = flux_none();
    return eval(ev, x, out);
}

/* ---- folding ---- */

flux_expr *flux_value_expr(flux_arena *a, flux_value v, flux_span span)
{
    flux_expr *x = flux_arena_alloc(a, sizeof *x);
    x->span = span;
    switch (v.t) {
    case FLUX_T_NONE: x->kind = FLUX_X_NONE; break;
    case FLUX_T_BOOL: x->kind = FLUX_X_BOOL; x->u.b = v.u.b; break;
    case FLUX_T_INT: x->kind = FLUX_X_INT; x->u.i = v.u.i; break;
    case FLUX_T_FLOAT: x->kind = FLUX_X_FLOAT; x->u.f = v.u.f; break;
    case FLUX_T_STR: /* copied: v may live in a scratch arena that is released before the literal is read */
        x->kind = FLUX_X_STRING;
        x->u.str.s = flux_arena_strndup(a, v.u.s.s, v.u.s.len);
        x->u.str.len = v.u.s.len;
        break;
    case FLUX_T_DURATION: x->kind = FLUX_X_DURATION; x->u.ms = v.u.ms; break;
    case FLUX_T_TIME: {
        flux_buf b = {0};
        flux_time_iso(v.u.ms, v.off, &b);
        x->kind = FLUX_X_STRING;
        x->u.str.s = flux_arena_strndup(a, b.data, b.len);
        x->u.str.len = b.len;
        flux_buf_free(&b);
        break;
    }
    case FLUX_T_LIST: case FLUX_T_DICT: {
        x->kind = v.t == FLUX_T_LIST ? FLUX_X_LIST : FLUX_X_DICT;
        size_t n = v.u.list.n;
        x->u.list.v = flux_arena_alloc(a, (n ? n : 1) * sizeof *x->u.list.v);
        x->u.list.n = n;
        for (size_t i = 0; i < n; i++) {
            x->u.list.v[i] = flux_value_expr(a, v.u.list.v[i], span);
            if (!x->u.list.v[i])
                return NULL;
        }
        break;
    }
    default: return NULL;
    }
    return x;
}

static bool fold_list(flux_eval *ev, flux_exprs *l)
{
    flux_expr **v = flux_arena_alloc(ev->arena, (l->n ? l->n : 1) * sizeof *v);
    for (size_t i = 0; i < l->n; i++)
        if (!(v[i] = flux_fold(ev, l->v[i])))
            return false;
    l->v = v;
    return true;
}

flux_expr *flux_fold(flux_eval *ev, flux_expr *x)
{
    flux_value v;
    flux_eval_status s = eval(ev, x, &v);
    if (s == FLUX_EVAL_ERROR)
        return NULL;
    if (s == FLUX_EVAL_OK) {
        flux_expr *lit = flux_value_expr(ev->arena, v, x->span);
        if (lit)
            return lit;
        return x;
    }
    flux_expr *c = flux_arena_memdup(ev->arena, x, sizeof *x);
    switch (x->kind) {
    case FLUX_X_LIST: case FLUX_X_DICT:
        return fold_list(ev, &c->u.list) ? c : NULL;
    case FLUX_X_ATTR:
        return (c->u.attr.obj = flux_fold(ev, x->u.attr.obj)) ? c : NULL;
    case FLUX_X_INDEX:
        c->u.index.obj = flux_fold(ev, x->u.index.obj);
        c->u.index.index = flux_fold(ev, x->u.index.index);
        return c->u.index.obj && c->u.index.index ? c : NULL;
    case FLUX_X_UNARY:
        return (c->u.unary.arg = flux_fold(ev, x->u.unary.arg)) ? c : NULL;
    case FLUX_X_BINARY:
        c->u.binary.lhs = flux_fold(ev, x->u.binary.lhs);
        c->u.binary.rhs = flux_fold(ev, x->u.binary.rhs);
        return c->u.binary.lhs && c->u.binary.rhs ? c : NULL;
    case FLUX_X_FILTER:
        c->u.filter.arg = flux_fold(ev, x->u.filter.arg);
        return c->u.filter.arg && fold_list(ev, &c->u.filter.args) ? c : NULL;
    case FLUX_X_CALL:
        return fold_list(ev, &c->u.call.args) ? c : NULL;
    case FLUX_X_COND:
        c->u.cond.cond = flux_fold(ev, x->u.cond.cond);
        c->u.cond.then = flux_fold(ev, x->u.cond.then);
        c->u.cond.other = flux_fold(ev, x->u.cond.other);
        return c->u.cond.cond && c->u.cond.then && c->u.cond.other ? c : NULL;
    default:
        return c;
    }
}
