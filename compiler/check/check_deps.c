/* check_deps — dependencies: unknown task names (with did-you-mean, or the
 * pipeline the task belongs to), cycles found by an iterative Tarjan and
 * printed as their shortest path, and outputs read from a task that is not
 * upstream. The pipeline is not changed: the checks walk its dependencies
 * as depgraph.c sees them, as lowering (compiler/lower) does. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "checker.h"
#include "depgraph.h"

static void report_cycle(checker *k, uint32_t *path_edges, size_t len)
{
    flux_pipeline *p = k->p;
    flux_buf b = {0};
    for (size_t i = 0; i < len; i++) {
        flux_edge *e = &p->edges[path_edges[i]];
        if (i == 0)
            flux_buf_printf(&b, "%s", e->from);
        flux_buf_printf(&b, " >> %s", e->to);
    }
    flux_edge *first = &p->edges[path_edges[0]];
    flux_diag *g = ERR(k, first->to_span, first->ctx, "cycle", "remove one of these dependencies to break the cycle",
                       "dependency cycle: %s", b.data ? b.data : "");
    flux_buf_free(&b);
    for (size_t i = 0; i < len && i < 20; i++) {
        flux_edge *e = &p->edges[path_edges[i]];
        flux_diag_note(g, e->to_span, "'%s' >> '%s' declared here", e->from, e->to);
    }
}

/* Tarjan's strongly connected components, iteratively (chains of 100,000
 * tasks must not overflow the stack): comp[v] for every task; returns how
 * many components there are. */
static uint32_t components(const flux_depgraph *g, size_t n, uint32_t *comp)
{
    uint32_t *index = flux_xmalloc(n * sizeof *index), *low = flux_xmalloc(n * sizeof *low);
    uint32_t *stack = flux_xmalloc(n * sizeof *stack), *cs_node = flux_xmalloc(n * sizeof *cs_node);
    uint32_t *cs_edge = flux_xmalloc(n * sizeof *cs_edge);
    bool *on = flux_xcalloc(n, sizeof *on);
    const uint32_t UNSEEN = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        index[i] = UNSEEN;
        comp[i] = UNSEEN;
    }
    uint32_t next = 0, sp = 0, ncomp = 0;
    for (size_t root = 0; root < n; root++) {
        if (index[root] != UNSEEN)
            continue;
        size_t depth = 0;
        cs_node[0] = (uint32_t)root;
        cs_edge[0] = g->start[root];
        index[root] = low[root] = next++;
        stack[sp++] = (uint32_t)root;
        on[root] = true;
        while (depth != (size_t)-1) {
            uint32_t v = cs_node[depth];
            if (cs_edge[depth] < g->start[v + 1]) {
                uint32_t w = g->b[g->idx[cs_edge[depth]++]];
                if (index[w] == UNSEEN) {
                    index[w] = low[w] = next++;
                    stack[sp++] = w;
                    on[w] = true;
                    depth++;
                    cs_node[depth] = w;
                    cs_edge[depth] = g->start[w];
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            if (low[v] == index[v]) {
                uint32_t w;
                do {
                    w = stack[--sp];
                    on[w] = false;
                    comp[w] = ncomp;
                } while (w != v);
                ncomp++;
            }
            if (depth == 0)
                break;
            depth--;
            uint32_t u = cs_node[depth];
            if (low[v] < low[u])
                low[u] = low[v];
        }
    }
    free(index);
    free(low);
    free(stack);
    free(cs_node);
    free(cs_edge);
    free(on);
    return ncomp;
}

/* One cycle reported per cyclic component, the shortest through its lowest
 * task. */
static void find_cycles(checker *k, const flux_depgraph *g)
{
    size_t n = k->p->ntasks;
    const uint32_t UNSEEN = UINT32_MAX;
    uint32_t *comp = flux_xmalloc((n ? n : 1) * sizeof *comp);
    uint32_t ncomp = components(g, n, comp);
    /* a component is cyclic when it has an internal edge; walk it by BFS from
     * the lowest task back to itself for the shortest cycle through it */
    bool *reported = calloc(ncomp ? ncomp : 1, sizeof *reported);
    uint32_t *prev_edge = malloc((n ? n : 1) * sizeof *prev_edge);
    uint32_t *queue = malloc((n ? n : 1) * sizeof *queue);
    if (!reported || !prev_edge || !queue)
        abort();
    for (size_t v = 0; v < n; v++) {
        uint32_t c = comp[v];
        if (reported[c])
            continue;
        bool cyclic = false;
        for (uint32_t j = g->start[v]; j < g->start[v + 1] && !cyclic; j++)
            cyclic = comp[g->b[g->idx[j]]] == c;
        if (!cyclic)
            continue;
        reported[c] = true;
        for (size_t i = 0; i < n; i++)
            prev_edge[i] = UNSEEN;
        size_t qh = 0, qt = 0;
        queue[qt++] = (uint32_t)v;
        bool found = false;
        uint32_t last = UNSEEN;
        while (qh < qt && !found) {
            uint32_t u = queue[qh++];
            for (uint32_t j = g->start[u]; j < g->start[u + 1]; j++) {
                uint32_t e = g->idx[j];
                uint32_t w = g->b[e];
                if (comp[w] != c)
                    continue;
                if (w == v) {
                    last = e;
                    found = true;
                    break;
                }
                if (prev_edge[w] == UNSEEN) {
                    prev_edge[w] = e;
                    queue[qt++] = w;
                }
            }
        }
        if (!found)
            continue;
        size_t len = 1;
        for (uint32_t u = g->a[last]; u != v; u = g->a[prev_edge[u]])
            len++;
        uint32_t *path = malloc(len * sizeof *path);
        if (!path)
            abort();
        size_t i = len;
        path[--i] = last;
        for (uint32_t u = g->a[last]; u != v; u = g->a[prev_edge[u]])
            path[--i] = prev_edge[u];
        report_cycle(k, path, len);
        free(path);
    }
    free(reported);
    free(prev_edge);
    free(queue);
    free(comp);
}


/* An edge naming a task the pipeline does not have: did you mean, or the
 * pipeline it belongs to (dependencies stay inside one pipeline). */
static void report_unknown(checker *k)
{
    flux_pipeline *p = k->p;
    size_t ne = p->nedges;
    for (size_t e = 0; e < ne; e++) {
        const flux_edge *ed = &p->edges[e];
        flux_task *a = flux_check_task_find(k, ed->from), *b = flux_check_task_find(k, ed->to);
        const char *names[2] = {ed->from, ed->to};
        flux_span spans[2] = {ed->from_span, ed->to_span};
        flux_task *found[2] = {a, b};
        for (int i = 0; i < 2; i++) {
            /* in a file with syntax errors the declaration may have been dropped */
            if (found[i] || p->partial || flux_diags_full(k->d))
                continue;
            const char *best = flux_check_suggest_task(k, names[i]);
            char *h = best ? flux_check_did_you_mean(k, best)
                           : flux_arena_printf(k->a, "declare it with 'task %s : OPERATOR { ... }'", names[i]);
            for (size_t q = 0; q < k->c->npipelines && !best; q++) {
                flux_pipeline *o = k->c->pipelines[q];
                for (size_t j = 0; o != p && j < o->ntasks; j++) {
                    if (strcmp(o->tasks[j]->id, names[i]) == 0) {
                        h = flux_arena_printf(k->a,
                                              "'%s' is a task of pipeline '%s'; dependencies stay inside one pipeline "
                                              "(wait for another pipeline with external_task_sensor)",
                                              names[i], o->name);
                        break;
                    }
                }
                if (o != p && strncmp(h, "'", 1) == 0)
                    break;
            }
            ERR(k, spans[i], ed->ctx, "unknown-task", h, "unknown task '%s' in pipeline '%s'", names[i], p->name);
        }
    }
}

/* a task reading another's outputs must run after it: the source must be
 * upstream, or the value may not exist yet */
static void check_output_refs(checker *k, const flux_depgraph *rs)
{
    flux_pipeline *p = k->p;
    if (!k->nrefs)
        return;
    size_t n = p->ntasks;
    uint32_t *start = calloc(n + 1, sizeof *start), *idx = malloc((rs->nlive ? rs->nlive : 1) * sizeof *idx);
    uint32_t *mark = calloc(n ? n : 1, sizeof *mark), *queue = malloc((n ? n : 1) * sizeof *queue);
    if (!start || !idx || !mark || !queue)
        abort();
    for (size_t l = 0; l < rs->nlive; l++)
        start[rs->b[rs->live[l]] + 1]++;
    for (size_t i = 0; i < n; i++)
        start[i + 1] += start[i];
    uint32_t *fill = malloc((n + 1) * sizeof *fill);
    if (!fill)
        abort();
    memcpy(fill, start, (n + 1) * sizeof *fill);
    for (size_t l = 0; l < rs->nlive; l++)
        idx[fill[rs->b[rs->live[l]]]++] = rs->a[rs->live[l]]; /* reverse: parents of b */
    free(fill);
    for (size_t r = 0; r < k->nrefs; r++) {
        uint32_t stamp = (uint32_t)r + 1, reader = k->refs[r].reader, source = k->refs[r].source;
        size_t qh = 0, qt = 0;
        bool found = false;
        queue[qt++] = reader;
        mark[reader] = stamp;
        while (qh < qt && !found) {
            uint32_t v = queue[qh++];
            for (uint32_t j = start[v]; j < start[v + 1]; j++) {
                uint32_t u = idx[j];
                if (u == source) {
                    found = true;
                    break;
                }
                if (mark[u] != stamp) {
                    mark[u] = stamp;
                    queue[qt++] = u;
                }
            }
        }
        if (!found) {
            const char *a = p->tasks[source]->id, *b = p->tasks[reader]->id;
            char *h = flux_arena_printf(k->a, "add '%s >> %s' so that the output exists when '%s' runs", a, b, b);
            WARN(k, k->refs[r].span, k->refs[r].ctx, "output-not-upstream", h,
                 "task '%s' reads outputs of '%s', which is not upstream of it", b, a);
        }
    }
    free(start);
    free(idx);
    free(mark);
    free(queue);
    k->nrefs = 0;
}

void flux_check_deps(checker *k)
{
    report_unknown(k);
    flux_depgraph g;
    flux_depgraph_build(&g, k->p, &k->table);
    find_cycles(k, &g);
    check_output_refs(k, &g);
    flux_depgraph_free(&g);
}
