/* lower — checked pipelines into the form a plan holds (see lower.h). The
 * checks (compiler/check) read pipelines only; every change is made here. */
#include "lower.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "attr.h"
#include "registry.h"
#include "tasktable.h"

/* Pipeline-level values of task parameters (retries, retry_delay ...) are
 * defaults for every task: copy them into each task that does not set them,
 * so the plan holds each task's resolved parameters. */
static void inherit_defaults(flux_arena *a, const flux_pipeline *p, flux_task *t, const flux_operator *op)
{
    for (size_t i = 0; i < p->attrs.n; i++) {
        const flux_attr *pa = &p->attrs.v[i];
        const flux_param_schema *ps = flux_registry_pipeline_param(pa->key);
        if (!ps || !(ps->flags & FLUX_PF_TASK_DEFAULT) || pa->invalid || !flux_registry_param(op, pa->key))
            continue;
        if (flux_attr_find(&t->attrs, pa->key))
            continue;
        flux_attrs *as = &t->attrs;
        if (as->n == as->cap) {
            size_t cap = as->cap ? 2 * as->cap : 8;
            flux_attr *nv = flux_arena_alloc(a, cap * sizeof *nv);
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

/* Edges get their tasks' indices; an edge naming an unknown task (reported
 * by the checks) is dropped, and a >> b written twice is one dependency: its
 * first place is kept. The same choices as compiler/check/check_deps.c. */
static void resolve_edges(flux_pipeline *p, const flux_tasktable *tt)
{
    size_t w = 0;
    for (size_t e = 0; e < p->nedges; e++) {
        flux_edge *ed = &p->edges[e];
        flux_task *a = flux_tasktable_find(tt, ed->from), *b = flux_tasktable_find(tt, ed->to);
        if (!a || !b)
            continue;
        ed->a = (uint32_t)a->index;
        ed->b = (uint32_t)b->index;
        p->edges[w++] = *ed;
    }
    p->nedges = w;
    if (p->nedges < 2)
        return;
    size_t cap = 16;
    while (cap < 2 * p->nedges)
        cap *= 2;
    uint64_t *seen = flux_xcalloc(cap, sizeof *seen);
    w = 0;
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

typedef struct adj {
    uint32_t *start; /* CSR: out-edges of node i are idx[start[i] .. start[i+1]) */
    uint32_t *idx;   /* edge indices */
} adj;

static void build_adj(const flux_pipeline *p, adj *g)
{
    size_t n = p->ntasks;
    g->start = flux_xcalloc(n + 1, sizeof *g->start);
    g->idx = flux_xmalloc((p->nedges ? p->nedges : 1) * sizeof *g->idx);
    for (size_t e = 0; e < p->nedges; e++)
        g->start[p->edges[e].a + 1]++;
    for (size_t i = 0; i < n; i++)
        g->start[i + 1] += g->start[i];
    uint32_t *fill = flux_xmalloc((n + 1) * sizeof *fill);
    memcpy(fill, g->start, (n + 1) * sizeof *fill);
    for (size_t e = 0; e < p->nedges; e++)
        g->idx[fill[p->edges[e].a]++] = (uint32_t)e;
    free(fill);
}

/* Kahn's algorithm taking the lowest-numbered ready task first: the order is
 * a function of the source alone. */
static void order_tasks(flux_arena *a, flux_pipeline *p)
{
    size_t n = p->ntasks;
    uint32_t *indeg = flux_xcalloc(n ? n : 1, sizeof *indeg);
    uint32_t *heap = flux_xmalloc((n ? n : 1) * sizeof *heap);
    p->order = flux_arena_alloc(a, (n ? n : 1) * sizeof *p->order);
    adj g;
    build_adj(p, &g);
    for (size_t e = 0; e < p->nedges; e++)
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
        for (uint32_t j = g.start[v]; j < g.start[v + 1]; j++) {
            uint32_t w = p->edges[g.idx[j]].b;
            if (--indeg[w] == 0)
                HPUSH(w);
        }
    }
#undef HPUSH
    free(indeg);
    free(heap);
    free(g.start);
    free(g.idx);
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
    resolve_edges(p, tt);
    if (c->diags.errors == 0)
        order_tasks(c->arena, p);
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
