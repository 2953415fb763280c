/* plandiff — what changed between two plans, task by task. */
#include "plandiff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "parse.h"

static bool field_equal(const flux_field *x, const flux_field *y);

/* A template's parts as one canonical text: both plans went through the
 * same reader, so equal templates give equal text. */
static void template_text(const flux_field *f, flux_buf *out)
{
    flux_tparts_print(f->u.tmpl.parts, f->u.tmpl.n, NULL, out);
}

static bool template_equal(const flux_field *x, const flux_field *y)
{
    flux_buf a = {0}, b = {0};
    template_text(x, &a);
    template_text(y, &b);
    bool eq = a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
    flux_buf_free(&a);
    flux_buf_free(&b);
    return eq;
}

static bool list_equal(const flux_field *x, const flux_field *y)
{
    if (x->u.list.n != y->u.list.n)
        return false;
    for (size_t i = 0; i < x->u.list.n; i++)
        if (!field_equal(&x->u.list.v[i], &y->u.list.v[i]))
            return false;
    return true;
}

static bool map_equal(const flux_field *x, const flux_field *y)
{
    if (x->u.map.n != y->u.map.n)
        return false;
    for (size_t i = 0; i < x->u.map.n; i++)
        if (strcmp(x->u.map.keys[i], y->u.map.keys[i]) != 0 || !field_equal(&x->u.map.v[i], &y->u.map.v[i]))
            return false;
    return true;
}

static bool field_equal(const flux_field *x, const flux_field *y)
{
    if (x->kind != y->kind)
        return false;
    switch (x->kind) {
    case FLUX_F_STRING:
    case FLUX_F_IDENT:
        return x->u.str.len == y->u.str.len && memcmp(x->u.str.s, y->u.str.s, x->u.str.len) == 0;
    case FLUX_F_TEMPLATE: return template_equal(x, y);
    case FLUX_F_INT: return x->u.i == y->u.i;
    case FLUX_F_FLOAT: return memcmp(&x->u.f, &y->u.f, sizeof x->u.f) == 0; /* -0.0 is written apart from 0.0 */
    case FLUX_F_BOOL: return x->u.b == y->u.b;
    case FLUX_F_DURATION: return x->u.ms == y->u.ms;
    case FLUX_F_LIST: return list_equal(x, y);
    case FLUX_F_MAP: return map_equal(x, y);
    }
    return false;
}

static int cmp_attr(const void *x, const void *y)
{
    return strcmp((*(const flux_attr *const *)x)->key, (*(const flux_attr *const *)y)->key);
}

/* parameters compared by name, as the plan writes them (sorted) */
static bool attrs_equal(const flux_attrs *x, const flux_attrs *y)
{
    if (x->n != y->n)
        return false;
    const flux_attr **a = flux_xmalloc((x->n ? x->n : 1) * sizeof *a), **b = flux_xmalloc((x->n ? x->n : 1) * sizeof *b);
    for (size_t i = 0; i < x->n; i++) {
        a[i] = &x->v[i];
        b[i] = &y->v[i];
    }
    qsort(a, x->n, sizeof *a, cmp_attr);
    qsort(b, x->n, sizeof *b, cmp_attr);
    bool eq = true;
    for (size_t i = 0; i < x->n && eq; i++)
        eq = strcmp(a[i]->key, b[i]->key) == 0 && field_equal(&a[i]->val, &b[i]->val);
    free(a);
    free(b);
    return eq;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* a task's upstream tasks as the plan lists them: by task index, each once */
static size_t upstream_of(const flux_pipeline *p, size_t task, const char ***out)
{
    uint32_t *up = flux_xmalloc((p->nedges ? p->nedges : 1) * sizeof *up);
    size_t n = 0;
    for (size_t e = 0; e < p->nedges; e++)
        if (p->edges[e].b == task && p->edges[e].a < p->ntasks)
            up[n++] = p->edges[e].a;
    qsort(up, n, sizeof *up, cmp_u32);
    const char **v = flux_xmalloc((n ? n : 1) * sizeof *v);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || up[i - 1] != up[i])
            v[w++] = p->tasks[up[i]]->id;
    free(up);
    *out = v;
    return w;
}

static bool upstream_equal(const flux_pipeline *pa, size_t ta, const flux_pipeline *pb, size_t tb)
{
    const char **a, **b;
    size_t na = upstream_of(pa, ta, &a), nb = upstream_of(pb, tb, &b);
    bool eq = na == nb;
    for (size_t i = 0; i < na && eq; i++)
        eq = strcmp(a[i], b[i]) == 0;
    free(a);
    free(b);
    return eq;
}

static bool task_equal(const flux_pipeline *pa, size_t ta, const flux_pipeline *pb, size_t tb)
{
    const flux_task *a = pa->tasks[ta], *b = pb->tasks[tb];
    return strcmp(a->op, b->op) == 0 && strcmp(a->kind ? a->kind : "", b->kind ? b->kind : "") == 0 &&
           attrs_equal(&a->attrs, &b->attrs) && upstream_equal(pa, ta, pb, tb);
}

/* the index of the first task named id, or -1 */
static ptrdiff_t task_index(const flux_pipeline *p, const char *id)
{
    for (size_t i = 0; p && i < p->ntasks; i++)
        if (strcmp(p->tasks[i]->id, id) == 0)
            return (ptrdiff_t)i;
    return -1;
}

void flux_plan_diff_tasks(flux_arena *a, const flux_plan *old, const flux_plan *new_, flux_plan_diff *out)
{
    const flux_pipeline *po = old ? old->pipeline : NULL, *pn = new_ ? new_->pipeline : NULL;
    size_t no = po ? po->ntasks : 0, nn = pn ? pn->ntasks : 0;
    memset(out, 0, sizeof *out);
    out->added = flux_arena_alloc(a, (nn ? nn : 1) * sizeof *out->added);
    out->changed = flux_arena_alloc(a, (nn ? nn : 1) * sizeof *out->changed);
    out->removed = flux_arena_alloc(a, (no ? no : 1) * sizeof *out->removed);
    for (size_t i = 0; i < nn; i++) {
        const char *id = pn->tasks[i]->id;
        ptrdiff_t j = task_index(po, id);
        if (j < 0)
            out->added[out->nadded++] = id;
        else if (!task_equal(po, (size_t)j, pn, i))
            out->changed[out->nchanged++] = id;
    }
    for (size_t i = 0; i < no; i++)
        if (task_index(pn, po->tasks[i]->id) < 0)
            out->removed[out->nremoved++] = po->tasks[i]->id;
}

void flux_plan_diff_summary(const flux_plan_diff *d, bool have_old, flux_buf *out)
{
    const char *kinds[3] = {"added", "removed", "changed"};
    const char *const *lists[3] = {d->added, d->removed, d->changed};
    size_t counts[3] = {d->nadded, d->nremoved, d->nchanged};
    bool any = false;
    for (int k = 0; k < 3; k++) {
        if (!counts[k])
            continue;
        flux_buf_printf(out, "%s%zu task%s %s (", any ? "; " : "", counts[k], counts[k] == 1 ? "" : "s", kinds[k]);
        for (size_t i = 0; i < counts[k]; i++)
            flux_buf_printf(out, "%s%s", i ? ", " : "", lists[k][i]);
        flux_buf_putc(out, ')');
        any = true;
    }
    /* the same tasks, changed elsewhere: attributes, params, edges, the source hash */
    if (!any)
        flux_buf_puts(out, have_old ? "tasks unchanged; pipeline attributes or source changed" : "first version");
}

void flux_plan_diff_text(const char *old_text, size_t old_len, const char *new_text, size_t new_len, flux_buf *out)
{
    flux_arena *a = flux_arena_new();
    flux_sources sources;
    flux_sources_init(&sources);
    char err[256];
    const flux_plan *old = old_text ? flux_plan_read(a, &sources, "old plan", old_text, old_len, err, sizeof err) : NULL;
    const flux_plan *new_ = new_text ? flux_plan_read(a, &sources, "new plan", new_text, new_len, err, sizeof err) : NULL;
    flux_plan_diff d;
    flux_plan_diff_tasks(a, old, new_, &d);
    flux_plan_diff_summary(&d, old_text != NULL, out);
    flux_sources_free(&sources);
    flux_arena_free(a);
}
