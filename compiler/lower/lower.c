/* lower — checked pipelines into the form a plan holds (see lower.h). The
 * checks (compiler/check) read pipelines only; every change is made here. */
#include "lower.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "attr.h"
#include "depgraph.h"
#include "registry.h"
#include "tasktable.h"

/* Pipeline-level values of task parameters (retries, retry_delay ...) are
 * defaults for every task: copy them into each task that does not set them,
 * so the plan holds each task's resolved parameters. */
/* a map of fixed keys (slurm { }) set on both: the pipeline's keys the task
 * does not set are added to the task's, so each key is inherited alone */
static void inherit_keys(flux_arena *a, flux_field *tf, const flux_field *pf)
{
    if (tf->kind != FLUX_F_MAP || pf->kind != FLUX_F_MAP)
        return;
    size_t n = tf->u.map.n, more = 0;
    for (size_t i = 0; i < pf->u.map.n; i++) {
        bool has = false;
        for (size_t j = 0; j < n && !has; j++)
            has = strcmp(tf->u.map.keys[j], pf->u.map.keys[i]) == 0;
        more += !has;
    }
    if (!more)
        return;
    const char **keys = flux_arena_alloc(a, (n + more) * sizeof *keys);
    flux_span *spans = flux_arena_alloc(a, (n + more) * sizeof *spans);
    flux_field *v = flux_arena_alloc(a, (n + more) * sizeof *v);
    for (size_t j = 0; j < n; j++)
        keys[j] = tf->u.map.keys[j], spans[j] = tf->u.map.key_spans[j], v[j] = tf->u.map.v[j];
    size_t m = n;
    for (size_t i = 0; i < pf->u.map.n; i++) {
        bool has = false;
        for (size_t j = 0; j < n && !has; j++)
            has = strcmp(tf->u.map.keys[j], pf->u.map.keys[i]) == 0;
        if (!has)
            keys[m] = pf->u.map.keys[i], spans[m] = pf->u.map.key_spans[i], v[m++] = pf->u.map.v[i];
    }
    tf->u.map.keys = keys;
    tf->u.map.key_spans = spans;
    tf->u.map.v = v;
    tf->u.map.n = m;
}

static void inherit_defaults(flux_arena *a, const flux_pipeline *p, flux_task *t, const flux_operator *op)
{
    for (size_t i = 0; i < p->attrs.n; i++) {
        const flux_attr *pa = &p->attrs.v[i];
        const flux_param_schema *ps = flux_registry_pipeline_param(pa->key);
        if (!ps || !(ps->flags & FLUX_PF_TASK_DEFAULT) || pa->invalid || !flux_registry_param(op, pa->key))
            continue;
        flux_attr *own = (flux_attr *)flux_attr_find(&t->attrs, pa->key);
        if (own && ps->keys && !own->invalid)
            inherit_keys(a, &own->val, &pa->val);
        if (own)
            continue;
        flux_attr *at = flux_attr_append(a, &t->attrs);
        *at = *pa;
        at->inherited = true;
    }
}

/* Kahn's algorithm taking the lowest-numbered ready task first: the order is
 * a function of the source alone. */
static void order_tasks(flux_arena *a, flux_pipeline *p, const flux_depgraph *g)
{
    size_t n = p->ntasks;
    uint32_t *indeg = flux_xcalloc(n ? n : 1, sizeof *indeg);
    uint32_t *heap = flux_xmalloc((n ? n : 1) * sizeof *heap);
    p->order = flux_arena_alloc(a, (n ? n : 1) * sizeof *p->order);
    for (size_t l = 0; l < g->nlive; l++)
        indeg[g->b[g->live[l]]]++;
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
            uint32_t w = g->b[g->idx[j]];
            if (--indeg[w] == 0)
                HPUSH(w);
        }
    }
#undef HPUSH
    free(indeg);
    free(heap);
}

/* Edges get their tasks' indices; an edge naming an unknown task (reported
 * by the checks) is dropped, and so is a repeated a >> b (its first place is
 * kept): the live edges of the dependency graph, in source order. */
static void keep_live_edges(flux_pipeline *p, const flux_depgraph *g)
{
    for (size_t l = 0; l < g->nlive; l++) {
        uint32_t e = g->live[l];
        p->edges[e].a = g->a[e];
        p->edges[e].b = g->b[e];
        p->edges[l] = p->edges[e];
    }
    p->nedges = g->nlive;
}

static void lower_pipeline(flux_compilation *c, flux_pipeline *p, flux_tasktable *tt)
{
    for (size_t i = 0; i < p->ntasks; i++) {
        flux_task *t = p->tasks[i];
        const flux_operator *op = flux_registry_find(t->op);
        if (!op)
            continue;
        t->kind = flux_op_kind_name(op->kind);
        inherit_defaults(c->arena, p, t, op);
    }
    flux_tasktable_build(tt, p, NULL, NULL);
    flux_depgraph g;
    flux_depgraph_build(&g, p, tt);
    if (c->diags.errors == 0)
        order_tasks(c->arena, p, &g);
    keep_live_edges(p, &g);
    flux_depgraph_free(&g);
}

void flux_lower(flux_compilation *c)
{
    flux_tasktable tt = {0};
    for (size_t i = 0; i < c->npipelines; i++) {
        lower_pipeline(c, c->pipelines[i], &tt);
        c->ntasks += c->pipelines[i]->ntasks;
        c->nedges += c->pipelines[i]->nedges;
    }
    flux_tasktable_free(&tt);
}
