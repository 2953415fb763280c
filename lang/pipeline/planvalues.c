/* planvalues — the plan reader's typed values: fields, attributes, params. */
#include "planvalues.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "parse.h"
#include "planfmt.h"
#include "text.h"
#include "utf8.h"

/* ---- typed values ---- */

/* Bounded depth of an expression: recursion stops at the limit, so a
 * million-deep chain costs no more stack than the limit. */
static bool expr_depth_ok(const flux_expr *x, int depth)
{
    if (!x)
        return true;
    if (depth > PLAN_MAX_EXPR_DEPTH)
        return false;
    switch (x->kind) {
    case FLUX_X_LIST: case FLUX_X_DICT:
        for (size_t i = 0; i < x->u.list.n; i++)
            if (!expr_depth_ok(x->u.list.v[i], depth + 1))
                return false;
        return true;
    case FLUX_X_ATTR: return expr_depth_ok(x->u.attr.obj, depth + 1);
    case FLUX_X_INDEX: return expr_depth_ok(x->u.index.obj, depth + 1) && expr_depth_ok(x->u.index.index, depth + 1);
    case FLUX_X_UNARY: return expr_depth_ok(x->u.unary.arg, depth + 1);
    case FLUX_X_BINARY: return expr_depth_ok(x->u.binary.lhs, depth + 1) && expr_depth_ok(x->u.binary.rhs, depth + 1);
    case FLUX_X_FILTER:
        if (!expr_depth_ok(x->u.filter.arg, depth + 1))
            return false;
        for (size_t i = 0; i < x->u.filter.args.n; i++)
            if (!expr_depth_ok(x->u.filter.args.v[i], depth + 1))
                return false;
        return true;
    case FLUX_X_CALL:
        for (size_t i = 0; i < x->u.call.args.n; i++)
            if (!expr_depth_ok(x->u.call.args.v[i], depth + 1))
                return false;
        return true;
    case FLUX_X_COND:
        return expr_depth_ok(x->u.cond.cond, depth + 1) && expr_depth_ok(x->u.cond.then, depth + 1) &&
               expr_depth_ok(x->u.cond.other, depth + 1);
    default: return true;
    }
}

static bool brace_literal(const flux_expr *x)
{
    if (!x || x->kind != FLUX_X_STRING || x->u.str.len == 0)
        return false;
    for (size_t i = 0; i < x->u.str.len; i++)
        if (x->u.str.s[i] != '{')
            return false;
    return true;
}

/* A field's name in messages: its source name without the plan's name
 * ("summary.sql"), as the line:col already says which file. */
static const char *label(const reader *r, const char *where)
{
    size_t n = strlen(r->name);
    return strncmp(where, r->name, n) == 0 && where[n] == ':' ? where + n + 1 : where;
}

static bool stmt_depth_ok(const flux_tstmt *st)
{
    switch (st->kind) {
    case FLUX_TS_SET: return expr_depth_ok(st->u.set.val, 1);
    case FLUX_TS_FOR: return expr_depth_ok(st->u.loop.iter, 1);
    case FLUX_TS_IF:
        for (size_t i = 0; i < st->u.cond.n; i++)
            if (!expr_depth_ok(st->u.cond.conds[i], 1))
                return false;
        return true;
    }
    return true;
}

/* "{{ "{{" }}" is how the writer spells a literal "{{": back to text, and
 * neighbouring texts merged, so the parts read are the parts written; in
 * the bodies of statements too. False for an expression nested too deep. */
static bool plain_braces(reader *r, const flux_tpart *in, size_t n, flux_tbody *out)
{
    flux_tpart *parts = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *parts);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        flux_tpart p = in[i];
        if (p.expr && !expr_depth_ok(p.expr, 1))
            return false;
        if (p.stmt) {
            /* a copy: the parser's statement stays as it was read */
            flux_tstmt *st = flux_arena_memdup(r->arena, p.stmt, sizeof *st);
            if (!stmt_depth_ok(st))
                return false;
            bool ok = true;
            if (st->kind == FLUX_TS_FOR) {
                ok = plain_braces(r, st->u.loop.body.parts, st->u.loop.body.n, &st->u.loop.body);
            } else if (st->kind == FLUX_TS_IF) {
                flux_tbody *b = flux_arena_alloc(r->arena, (st->u.cond.n ? st->u.cond.n : 1) * sizeof *b);
                for (size_t j = 0; j < st->u.cond.n && ok; j++)
                    ok = plain_braces(r, st->u.cond.bodies[j].parts, st->u.cond.bodies[j].n, &b[j]);
                st->u.cond.bodies = b;
                if (ok && st->u.cond.else_body) {
                    flux_tbody *e = flux_arena_alloc(r->arena, sizeof *e);
                    ok = plain_braces(r, st->u.cond.else_body->parts, st->u.cond.else_body->n, e);
                    st->u.cond.else_body = e;
                }
            }
            if (!ok)
                return false;
            p.stmt = st;
        }
        if (brace_literal(p.expr)) {
            p.text = p.expr->u.str.s;
            p.len = p.expr->u.str.len;
            p.expr = NULL;
        }
        if (p.text && k > 0 && parts[k - 1].text) {
            flux_tpart *q = &parts[k - 1];
            char *m = flux_arena_alloc(r->arena, q->len + p.len + 1);
            memcpy(m, q->text, q->len);
            memcpy(m + q->len, p.text, p.len);
            q->text = m;
            q->len += p.len;
            q->span = flux_span_join(q->span, p.span);
            continue;
        }
        parts[k++] = p;
    }
    out->parts = parts;
    out->n = k;
    return true;
}

/* Parses a stored template. The text becomes a source of its own (named
 * after the plan and the field) so run-time errors can point into it. */
static bool read_template(reader *r, const node *nd, const char *where, flux_field *f)
{
    uint32_t id = flux_sources_add(r->sources, where, nd->s, nd->len);
    if (!id)
        return FAIL_AT(r, nd, "%s: cannot keep the template: %s", label(r, where), strerror(errno));
    flux_diags d;
    flux_diags_init(&d, r->sources);
    flux_tstr *t = flux_parse_template(r->arena, &d, r->sources, id, 0, (uint32_t)nd->len);
    if (t->broken || d.errors) {
        const flux_diag *g = NULL;
        for (size_t i = 0; i < d.n && !g; i++)
            if (d.v[i]->sev == FLUX_SEV_ERROR)
                g = d.v[i];
        unsigned line = 1, col = 1;
        if (g && g->span.file == id)
            flux_source_linecol((flux_source *)flux_sources_get(r->sources, id), g->span.begin, &line, &col);
        FAIL_AT(r, nd, "bad template in %s: %s (template line %u, column %u)", label(r, where),
                g ? g->msg : "syntax error", line, col);
        flux_diags_free(&d);
        return false;
    }
    flux_diags_free(&d);
    flux_tbody body;
    if (!plain_braces(r, t->parts, t->n, &body))
        return FAIL_AT(r, nd, "bad template in %s: expression nested deeper than %d levels", label(r, where),
                       PLAN_MAX_EXPR_DEPTH);
    f->kind = FLUX_F_TEMPLATE;
    f->u.tmpl.parts = body.parts;
    f->u.tmpl.n = body.n;
    return true;
}

/* Distinct keys of a user mapping (attributes, params of a task, map values):
 * sorting finds a repeat in n log n even in a huge mapping. */
typedef struct key_ref {
    const node *k;
    size_t pos;
} key_ref;

static int cmp_key_ref(const void *x, const void *y)
{
    const key_ref *a = x, *b = y;
    size_t n = a->k->len < b->k->len ? a->k->len : b->k->len;
    int c = memcmp(a->k->s, b->k->s, n);
    if (c)
        return c;
    if (a->k->len != b->k->len)
        return a->k->len < b->k->len ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static bool keys_distinct(reader *r, const node *m, const char *what)
{
    size_t n = m->n / 2;
    for (size_t i = 0; i < n; i++) {
        const node *k = m->kids[2 * i];
        if (k->kind != FLUX_YNODE_SCALAR || k->tag)
            return FAIL_AT(r, k, "keys of %s must be strings, found %s", what, flux_planread_node_desc(k));
    }
    if (n < 2)
        return true;
    key_ref *v = malloc(n * sizeof *v);
    if (!v)
        abort();
    for (size_t i = 0; i < n; i++)
        v[i] = (key_ref){m->kids[2 * i], i};
    qsort(v, n, sizeof *v, cmp_key_ref);
    const node *dup = NULL;
    size_t dup_pos = SIZE_MAX;
    for (size_t i = 1; i < n; i++) {
        const node *a = v[i - 1].k, *b = v[i].k;
        if (a->len == b->len && memcmp(a->s, b->s, a->len) == 0 && v[i].pos < dup_pos) {
            dup = b;
            dup_pos = v[i].pos;
        }
    }
    free(v);
    if (dup)
        return FAIL_AT(r, dup, "duplicate key '%s' in %s", flux_planread_shown(r, dup->s, dup->len), what);
    return true;
}

static bool read_field(reader *r, const node *nd, flux_buf *where, flux_field *f);

static bool read_scalar_field(reader *r, const node *nd, flux_buf *where, flux_field *f)
{
    const char *full = flux_buf_cstr(where), *w = label(r, full);
    if (nd->tag) {
        if (strcmp(nd->tag, "!template") == 0)
            return read_template(r, nd, full, f);
        if (strcmp(nd->tag, "!duration") == 0) {
            const char *s = nd->s;
            size_t n = nd->len;
            bool neg = n > 0 && s[0] == '-';
            int64_t ms = 0;
            flux_sched_error e;
            if (flux_duration_parse(s + neg, n - neg, &ms, &e) != 0)
                return FAIL_AT(r, nd, "%s: bad duration '%s': %s", w, flux_planread_shown(r, s, n), e.msg);
            f->kind = FLUX_F_DURATION;
            f->u.ms = neg ? -ms : ms;
            return true;
        }
        if (strcmp(nd->tag, "!enum") == 0) {
            bool ok = nd->len > 0 && !memchr(nd->s, '\0', nd->len);
            if (!ok)
                return FAIL_AT(r, nd, "%s: an !enum needs a name", w);
            f->kind = FLUX_F_IDENT;
            f->u.str.s = flux_arena_strndup(r->arena, nd->s, nd->len);
            f->u.str.len = nd->len;
            return true;
        }
        return FAIL_AT(r, nd, "%s: unknown tag '%s' (plans use !duration, !enum and !template)", w,
                       flux_planread_shown(r, nd->tag, strlen(nd->tag)));
    }
    if (nd->style != YAML_PLAIN_SCALAR_STYLE) {
        f->kind = FLUX_F_STRING;
        f->u.str.s = flux_arena_strndup(r->arena, nd->s, nd->len);
        f->u.str.len = nd->len;
        return true;
    }
    switch (flux_planread_plain_kind(nd)) {
    case P_BOOL:
        f->kind = FLUX_F_BOOL;
        f->u.b = nd->s[0] == 't' || nd->s[0] == 'T';
        return true;
    case P_INT: f->kind = FLUX_F_INT; return flux_planread_int(r, nd, w, &f->u.i);
    case P_FLOAT: {
        const char *s = nd->s;
        bool neg = s[0] == '-';
        const char *t = s + (s[0] == '-' || s[0] == '+');
        f->kind = FLUX_F_FLOAT;
        if (t[0] == '.' && (t[1] == 'i' || t[1] == 'I'))
            f->u.f = neg ? -INFINITY : INFINITY;
        else if (t[0] == '.' && (t[1] == 'n' || t[1] == 'N'))
            f->u.f = NAN;
        else
            f->u.f = strtod(s, NULL); /* out of range gives inf, as in the language */
        return true;
    }
    case P_NULL:
        return FAIL_AT(r, nd, "%s has no value", w);
    case P_STRING: break;
    }
    return FAIL_AT(r, nd,
                   "%s: '%s' is not a value; write a string in double quotes, or a number, a boolean, "
                   "or a tagged !duration, !enum or !template",
                   w, flux_planread_shown(r, nd->s, nd->len));
}

static bool read_field(reader *r, const node *nd, flux_buf *where, flux_field *f)
{
    memset(f, 0, sizeof *f);
    if (nd->kind == FLUX_YNODE_SCALAR)
        return read_scalar_field(r, nd, where, f);
    if (nd->tag)
        return FAIL_AT(r, nd, "%s: unknown tag '%s' on %s", label(r, flux_buf_cstr(where)), flux_planread_shown(r, nd->tag, strlen(nd->tag)),
                       flux_planread_node_desc(nd));
    size_t mark = where->len;
    if (nd->kind == FLUX_YNODE_SEQ) {
        f->kind = FLUX_F_LIST;
        f->u.list.n = nd->n;
        f->u.list.v = flux_arena_alloc(r->arena, (nd->n ? nd->n : 1) * sizeof *f->u.list.v);
        for (size_t i = 0; i < nd->n; i++) {
            where->len = mark;
            flux_buf_printf(where, "[%zu]", i);
            if (!read_field(r, nd->kids[i], where, &f->u.list.v[i]))
                return false;
        }
        where->len = mark;
        return true;
    }
    if (!keys_distinct(r, nd, label(r, flux_buf_cstr(where))))
        return false;
    size_t n = nd->n / 2;
    f->kind = FLUX_F_MAP;
    f->u.map.n = n;
    f->u.map.keys = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *f->u.map.keys);
    f->u.map.key_spans = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *f->u.map.key_spans);
    f->u.map.v = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *f->u.map.v);
    for (size_t i = 0; i < n; i++) {
        const char *k = flux_planread_string(r, nd->kids[2 * i], "a map key", false, NULL);
        if (!k)
            return false;
        if (memchr(nd->kids[2 * i]->s, '\0', nd->kids[2 * i]->len)) {
            where->len = mark;
            return FAIL_AT(r, nd->kids[2 * i], "%s: a map key holds a NUL character", label(r, flux_buf_cstr(where)));
        }
        f->u.map.keys[i] = k;
        where->len = mark;
        flux_buf_printf(where, ".%s", k);
        if (!read_field(r, nd->kids[2 * i + 1], where, &f->u.map.v[i]))
            return false;
    }
    where->len = mark;
    return true;
}

/* A mapping of name = value (pipeline attributes, a task's params) into
 * attrs, in the order written. */
bool flux_planvalues_attrs(reader *r, const node *m, const char *what, const char *owner, flux_attrs *out)
{
    if (m->kind != FLUX_YNODE_MAP || m->tag)
        return FAIL_AT(r, m, "%s must be a mapping, found %s", what, flux_planread_node_desc(m));
    if (!keys_distinct(r, m, what))
        return false;
    size_t n = m->n / 2;
    out->v = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *out->v);
    out->n = out->cap = n;
    flux_buf where = {0};
    for (size_t i = 0; i < n; i++) {
        flux_attr *a = &out->v[i];
        a->key = flux_planread_string(r, m->kids[2 * i], "a parameter name", true, NULL);
        if (!a->key)
            goto fail;
        where.len = 0;
        flux_buf_printf(&where, "%s:%s.%s", r->name, owner, a->key);
        if (!read_field(r, m->kids[2 * i + 1], &where, &a->val))
            goto fail;
    }
    flux_buf_free(&where);
    return true;
fail:
    flux_buf_free(&where);
    return false;
}


int flux_planvalues_cmp_name(const void *x, const void *y)
{
    const name_ref *a = x, *b = y;
    int c = strcmp(a->s, b->s);
    if (c)
        return c;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* v sorted; reports the earliest second use, at nodes[its position]. */
bool flux_planvalues_names_distinct(reader *r, const name_ref *v, size_t n, const node *const *nodes, const char *what)
{
    uint32_t dup = UINT32_MAX;
    for (size_t i = 1; i < n; i++)
        if (strcmp(v[i - 1].s, v[i].s) == 0 && v[i].i < dup)
            dup = v[i].i;
    if (dup == UINT32_MAX)
        return true;
    for (size_t i = 0; i < n; i++)
        if (v[i].i == dup)
            return FAIL_AT(r, nodes[dup], "%s '%s' is used twice", what, flux_planread_shown(r, v[i].s, strlen(v[i].s)));
    return false;
}

int64_t flux_planvalues_name_find(const name_ref *v, size_t n, const char *s)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v[mid].s, s);
        if (c == 0) {
            /* the first of equal names: ids are distinct once checked */
            while (mid > 0 && strcmp(v[mid - 1].s, s) == 0)
                mid--;
            return v[mid].i;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static const char *const param_types[] = {"string", "template", "integer", "number", "boolean",
                                          "duration", "enum", "list", "map"};

bool flux_planvalues_params(reader *r, const node *s, flux_attrs *out)
{
    if (s->kind != FLUX_YNODE_SEQ || s->tag)
        return FAIL_AT(r, s, "'params' must be a list, found %s", flux_planread_node_desc(s));
    out->v = flux_arena_alloc(r->arena, (s->n ? s->n : 1) * sizeof *out->v);
    out->n = out->cap = s->n;
    static const char *const keys[] = {"name", "type", "default"};
    flux_buf where = {0};
    name_ref *names = malloc((s->n ? s->n : 1) * sizeof *names);
    const node **name_nodes = malloc((s->n ? s->n : 1) * sizeof *name_nodes);
    if (!names || !name_nodes)
        abort();
    for (size_t i = 0; i < s->n; i++) {
        const node *v[3];
        flux_attr *a = &out->v[i];
        if (!flux_planread_check_struct(r, s->kids[i], "a param", keys, 3, 7, v))
            goto fail;
        a->key = flux_planread_string(r, v[0], "a param's name", true, NULL);
        if (!a->key)
            goto fail;
        names[i] = (name_ref){a->key, (uint32_t)i};
        name_nodes[i] = v[0];
        const char *type = flux_planread_string(r, v[1], "a param's type", true, NULL);
        if (!type)
            goto fail;
        size_t t = 0;
        while (t < sizeof param_types / sizeof *param_types && strcmp(param_types[t], type) != 0)
            t++;
        if (t == sizeof param_types / sizeof *param_types) {
            FAIL_AT(r, v[1], "param '%s': unknown type '%s'", a->key, flux_planread_shown(r, type, strlen(type)));
            goto fail;
        }
        where.len = 0;
        flux_buf_printf(&where, "%s:params.%s", r->name, a->key);
        if (!read_field(r, v[2], &where, &a->val))
            goto fail;
        if (strcmp(flux_plan_type_name(a->val.kind), type) != 0) {
            const char *found = flux_plan_type_name(a->val.kind);
            FAIL_AT(r, v[2], "param '%s' is declared as %s but its default is %s %s", a->key, type,
                    found[0] == 'i' || found[0] == 'e' ? "an" : "a", found);
            goto fail;
        }
    }
    qsort(names, s->n, sizeof *names, flux_planvalues_cmp_name);
    if (!flux_planvalues_names_distinct(r, names, s->n, name_nodes, "param name"))
        goto fail;
    flux_buf_free(&where);
    free(names);
    free(name_nodes);
    return true;
fail:
    flux_buf_free(&where);
    free(names);
    free(name_nodes);
    return false;
}
