/* dag — the pure rules of a run's graph: who is ready, Airflow's eleven
 * trigger rules, retry and poke delays.
 *
 * No libuv, no store, no I/O: every function is a computation on counts the
 * executor keeps, so each rule is checked by C unit tests (tests/unit/
 * test_dag.c) against every mix of parents' outcomes. The executor applies
 * a rule on each parent's end, ten thousand times for the sink of a wide
 * DAG: a rule is parsed once, and deciding is a switch on five counters.
 */
#ifndef FLUX_DAG_H
#define FLUX_DAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline.h"

/* Airflow's trigger rules, in the order of its documentation */
typedef enum {
    FLUX_RULE_ALL_SUCCESS, FLUX_RULE_ALL_FAILED, FLUX_RULE_ALL_DONE, FLUX_RULE_ALL_SKIPPED,
    FLUX_RULE_ONE_SUCCESS, FLUX_RULE_ONE_FAILED, FLUX_RULE_ONE_DONE, FLUX_RULE_NONE_FAILED,
    FLUX_RULE_NONE_FAILED_MIN_ONE_SUCCESS, FLUX_RULE_NONE_SKIPPED, FLUX_RULE_ALWAYS
} flux_rule;
#define FLUX_RULE_COUNT 11

/* How a finished task counts for its children. */
typedef enum { FLUX_DAG_SUCCESS, FLUX_DAG_FAILED, FLUX_DAG_SKIPPED, FLUX_DAG_UPSTREAM_FAILED } flux_dag_outcome;

/* What a task's parents have done so far. */
typedef struct flux_dag_counts {
    uint32_t waiting; /* parents not finished */
    uint32_t success, failed, skipped, upstream_failed;
} flux_dag_counts;

/* What becomes of a task: keep waiting, run it, or end it without running. */
typedef enum { FLUX_DAG_WAIT, FLUX_DAG_RUN, FLUX_DAG_SKIP, FLUX_DAG_UPSTREAM } flux_dag_decision;

/* A rule by name; NULL is the default, all_success. The compiler accepts
 * only the eleven names, so an unknown one (never seen) is all_success too. */
flux_rule flux_dag_rule(const char *name);
const char *flux_dag_rule_name(flux_rule r);

/* One parent ended with o: counted, and no longer waited for. */
void flux_dag_parent_done(flux_dag_counts *c, flux_dag_outcome o);
/* The rule applied to the parents' outcomes so far. A rule decides as soon
 * as its outcome is certain (one_success runs at its first successful
 * parent); the executor applies the first decision other than WAIT and
 * never asks again. */
flux_dag_decision flux_dag_decide(flux_rule r, const flux_dag_counts *c);

/* retry_delay, retry_backoff and max_retry_delay of a task */
typedef struct flux_retry_policy {
    int64_t delay_ms;     /* before the first retry */
    bool exponential;     /* doubled for each later one */
    int64_t max_delay_ms; /* the cap of exponential delays; 0: none */
} flux_retry_policy;
/* The wait before the retry that follows try try_number (1 for the first). */
int64_t flux_dag_retry_delay(const flux_retry_policy *p, int try_number);
/* A sensor's next wait between pokes, after previous_ms (0 before the
 * first): poke_interval (interval_ms) every time; with exponential_backoff
 * poke_interval first, then doubled each time, capped by max_wait_ms (its
 * first wait too), or without one (0) by an hour or poke_interval when that
 * is longer. */
#define FLUX_DAG_POKE_CAP_MS 3600000
int64_t flux_dag_poke_delay(int64_t previous_ms, int64_t interval_ms, bool exponential, int64_t max_wait_ms);

/* A run's graph: the children of task i are children[start[i] .. start[i+1]),
 * in edge order; nparents[i] is how many parents it waits for. */
typedef struct flux_dag {
    size_t n;
    uint32_t *start, *children, *nparents;
} flux_dag;

/* From a pipeline's resolved edges (a: parent, b: child). Aborts on OOM. */
void flux_dag_build(flux_dag *g, size_t ntasks, const flux_edge *edges, size_t nedges);
void flux_dag_free(flux_dag *g);
static inline bool flux_dag_is_leaf(const flux_dag *g, size_t i)
{
    return g->start[i] == g->start[i + 1];
}

#endif
