/* depgraph — a pipeline's dependencies as task indices. */
#include "depgraph.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* keeps the first of each (a, b) among the live edges */
static void merge_repeats(flux_depgraph *g)
{
    if (g->nlive < 2)
        return;
    size_t cap = 16;
    while (cap < 2 * g->nlive)
        cap *= 2;
    uint64_t *seen = flux_xcalloc(cap, sizeof *seen);
    size_t w = 0;
    for (size_t l = 0; l < g->nlive; l++) {
        uint32_t e = g->live[l];
        uint64_t key = ((uint64_t)g->a[e] << 32 | g->b[e]) + 1;
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
        g->live[w++] = e;
    }
    g->nlive = w;
    free(seen);
}

/* out-edges per task, compressed: counts, prefix sums, then a fill */
static void index_out_edges(flux_depgraph *g, size_t ntasks)
{
    g->start = flux_xcalloc(ntasks + 1, sizeof *g->start);
    g->idx = flux_xmalloc((g->nlive ? g->nlive : 1) * sizeof *g->idx);
    for (size_t l = 0; l < g->nlive; l++)
        g->start[g->a[g->live[l]] + 1]++;
    for (size_t i = 0; i < ntasks; i++)
        g->start[i + 1] += g->start[i];
    uint32_t *fill = flux_xmalloc((ntasks + 1) * sizeof *fill);
    memcpy(fill, g->start, (ntasks + 1) * sizeof *fill);
    for (size_t l = 0; l < g->nlive; l++)
        g->idx[fill[g->a[g->live[l]]]++] = g->live[l];
    free(fill);
}

void flux_depgraph_build(flux_depgraph *g, const flux_pipeline *p, const flux_tasktable *tt)
{
    size_t ne = p->nedges;
    g->a = flux_xcalloc(ne, sizeof *g->a);
    g->b = flux_xcalloc(ne, sizeof *g->b);
    g->live = flux_xmalloc((ne ? ne : 1) * sizeof *g->live);
    g->nlive = 0;
    for (size_t e = 0; e < ne; e++) {
        const flux_task *a = flux_tasktable_find(tt, p->edges[e].from), *b = flux_tasktable_find(tt, p->edges[e].to);
        if (!a || !b)
            continue;
        g->a[e] = (uint32_t)a->index;
        g->b[e] = (uint32_t)b->index;
        g->live[g->nlive++] = (uint32_t)e;
    }
    merge_repeats(g);
    index_out_edges(g, p->ntasks);
}

void flux_depgraph_free(flux_depgraph *g)
{
    free(g->a);
    free(g->b);
    free(g->live);
    free(g->start);
    free(g->idx);
    memset(g, 0, sizeof *g);
}
