/* dag — readiness, trigger rules and retry delays, with no I/O (see dag.h). */
#include "dag.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static const char *const rule_names[FLUX_RULE_COUNT] = {
    "all_success", "all_failed", "all_done", "all_skipped", "one_success", "one_failed",
    "one_done", "none_failed", "none_failed_min_one_success", "none_skipped", "always"};

flux_rule flux_dag_rule(const char *name)
{
    for (size_t i = 0; name && i < FLUX_RULE_COUNT; i++)
        if (strcmp(name, rule_names[i]) == 0)
            return (flux_rule)i;
    return FLUX_RULE_ALL_SUCCESS;
}

const char *flux_dag_rule_name(flux_rule r)
{
    return (unsigned)r < FLUX_RULE_COUNT ? rule_names[r] : "all_success";
}

void flux_dag_parent_done(flux_dag_counts *c, flux_dag_outcome o)
{
    if (c->waiting)
        c->waiting--;
    switch (o) {
    case FLUX_DAG_SUCCESS: c->success++; break;
    case FLUX_DAG_FAILED: c->failed++; break;
    case FLUX_DAG_SKIPPED: c->skipped++; break;
    case FLUX_DAG_UPSTREAM_FAILED: c->upstream_failed++; break;
    }
}

flux_dag_decision flux_dag_decide(flux_rule r, const flux_dag_counts *c)
{
    uint32_t s = c->success, f = c->failed, sk = c->skipped, uf = c->upstream_failed;
    bool done = c->waiting == 0;
    flux_dag_decision when_done = done ? FLUX_DAG_RUN : FLUX_DAG_WAIT;
    switch (r) {
    case FLUX_RULE_ALWAYS: return FLUX_DAG_RUN;
    case FLUX_RULE_ALL_DONE: return when_done;
    case FLUX_RULE_ALL_SUCCESS: return f || uf ? FLUX_DAG_UPSTREAM : sk ? FLUX_DAG_SKIP : when_done;
    case FLUX_RULE_ALL_FAILED: return s || sk ? FLUX_DAG_SKIP : when_done;
    case FLUX_RULE_ALL_SKIPPED: return s || f || uf ? FLUX_DAG_SKIP : when_done;
    case FLUX_RULE_ONE_SUCCESS:
        if (s)
            return FLUX_DAG_RUN;
        return !done ? FLUX_DAG_WAIT : f || uf ? FLUX_DAG_UPSTREAM : FLUX_DAG_SKIP;
    case FLUX_RULE_ONE_FAILED: return f || uf ? FLUX_DAG_RUN : done ? FLUX_DAG_SKIP : FLUX_DAG_WAIT;
    case FLUX_RULE_ONE_DONE: return s || f ? FLUX_DAG_RUN : done ? FLUX_DAG_SKIP : FLUX_DAG_WAIT;
    case FLUX_RULE_NONE_FAILED: return f || uf ? FLUX_DAG_UPSTREAM : when_done;
    case FLUX_RULE_NONE_FAILED_MIN_ONE_SUCCESS:
        if (f || uf)
            return FLUX_DAG_UPSTREAM;
        return !done ? FLUX_DAG_WAIT : s ? FLUX_DAG_RUN : FLUX_DAG_SKIP;
    case FLUX_RULE_NONE_SKIPPED: return sk ? FLUX_DAG_SKIP : when_done;
    }
    return when_done;
}

int64_t flux_dag_retry_delay(const flux_retry_policy *p, int try_number)
{
    int64_t d = p->delay_ms;
    if (p->exponential) {
        for (int i = 1; i < try_number && d < INT64_MAX / 2; i++)
            d *= 2;
        if (p->max_delay_ms > 0 && d > p->max_delay_ms)
            d = p->max_delay_ms;
    }
    return d;
}

int64_t flux_dag_poke_delay(int64_t previous_ms, int64_t interval_ms, bool exponential, int64_t max_wait_ms)
{
    if (!exponential)
        return interval_ms;
    int64_t d = !previous_ms ? interval_ms : previous_ms > INT64_MAX / 2 ? INT64_MAX : previous_ms * 2;
    /* max_wait caps every wait, the first included (as Airflow's does);
     * without it the doubling stops at an hour, or at poke_interval when
     * that is longer, so a wait never shrinks */
    int64_t cap = max_wait_ms > 0 ? max_wait_ms : interval_ms > FLUX_DAG_POKE_CAP_MS ? interval_ms : FLUX_DAG_POKE_CAP_MS;
    return d > cap ? cap : d;
}

void flux_dag_build(flux_dag *g, size_t ntasks, const flux_edge *edges, size_t nedges)
{
    g->n = ntasks;
    g->start = flux_xcalloc(ntasks + 1, sizeof *g->start);
    g->children = flux_xcalloc(nedges, sizeof *g->children);
    g->nparents = flux_xcalloc(ntasks, sizeof *g->nparents);
    for (size_t e = 0; e < nedges; e++) {
        g->start[edges[e].a + 1]++;
        g->nparents[edges[e].b]++;
    }
    for (size_t i = 0; i < ntasks; i++)
        g->start[i + 1] += g->start[i];
    uint32_t *fill = flux_xcalloc(ntasks + 1, sizeof *fill);
    memcpy(fill, g->start, (ntasks + 1) * sizeof *fill);
    for (size_t e = 0; e < nedges; e++)
        g->children[fill[edges[e].a]++] = edges[e].b;
    free(fill);
}

void flux_dag_free(flux_dag *g)
{
    free(g->start);
    free(g->children);
    free(g->nparents);
    memset(g, 0, sizeof *g);
}
