/* test_dag — the executor's pure graph rules (runtime/exec/dag.c): every
 * trigger rule against every mix of parents' outcomes, retry and poke
 * delays, and the graph's rows of children.
 *
 * The shell test tests/runtime/trigger_rules.sh runs the same rules through
 * real processes; here every count, early decisions included, is covered
 * in a millisecond.
 */
#include "dag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"


static const char *const rules[FLUX_RULE_COUNT] = {
    "all_success", "all_failed", "all_done", "all_skipped", "one_success", "one_failed",
    "one_done", "none_failed", "none_failed_min_one_success", "none_skipped", "always"};

static const char *dname(flux_dag_decision d)
{
    static const char *const n[] = {"wait", "run", "skip", "upstream_failed"};
    return n[d];
}

/* Airflow's documentation of each rule, written as "what is certain now":
 * a rule decides as soon as no later parent can change its outcome. */
static flux_dag_decision oracle(const char *rule, const flux_dag_counts *c)
{
    bool s = c->success, f = c->failed || c->upstream_failed, sk = c->skipped, wait = c->waiting > 0;
    if (!strcmp(rule, "always"))
        return FLUX_DAG_RUN;
    if (!strcmp(rule, "all_success"))
        return f ? FLUX_DAG_UPSTREAM : sk ? FLUX_DAG_SKIP : wait ? FLUX_DAG_WAIT : FLUX_DAG_RUN;
    if (!strcmp(rule, "all_failed"))
        return s || sk ? FLUX_DAG_SKIP : wait ? FLUX_DAG_WAIT : FLUX_DAG_RUN;
    if (!strcmp(rule, "all_done"))
        return wait ? FLUX_DAG_WAIT : FLUX_DAG_RUN;
    if (!strcmp(rule, "all_skipped"))
        return s || f ? FLUX_DAG_SKIP : wait ? FLUX_DAG_WAIT : FLUX_DAG_RUN;
    if (!strcmp(rule, "one_success"))
        return s ? FLUX_DAG_RUN : wait ? FLUX_DAG_WAIT : f ? FLUX_DAG_UPSTREAM : FLUX_DAG_SKIP;
    if (!strcmp(rule, "one_failed"))
        return f ? FLUX_DAG_RUN : wait ? FLUX_DAG_WAIT : FLUX_DAG_SKIP;
    if (!strcmp(rule, "one_done")) /* an upstream_failed parent did not run: not "done" */
        return s || c->failed ? FLUX_DAG_RUN : wait ? FLUX_DAG_WAIT : FLUX_DAG_SKIP;
    if (!strcmp(rule, "none_failed"))
        return f ? FLUX_DAG_UPSTREAM : wait ? FLUX_DAG_WAIT : FLUX_DAG_RUN;
    if (!strcmp(rule, "none_failed_min_one_success"))
        return f ? FLUX_DAG_UPSTREAM : wait ? FLUX_DAG_WAIT : s ? FLUX_DAG_RUN : FLUX_DAG_SKIP;
    if (!strcmp(rule, "none_skipped"))
        return sk ? FLUX_DAG_SKIP : wait ? FLUX_DAG_WAIT : FLUX_DAG_RUN;
    return FLUX_DAG_WAIT;
}

static void test_rule_names(void)
{
    for (int i = 0; i < FLUX_RULE_COUNT; i++) {
        check(flux_dag_rule(rules[i]) == (flux_rule)i, "rule %s parses to %d", rules[i], i);
        check(!strcmp(flux_dag_rule_name((flux_rule)i), rules[i]), "rule %d is named %s", i, rules[i]);
    }
    check(flux_dag_rule(NULL) == FLUX_RULE_ALL_SUCCESS, "no trigger_rule is all_success");
    check(flux_dag_rule("all_sucess") == FLUX_RULE_ALL_SUCCESS, "an unknown rule is all_success");
}

/* every rule, every count of success/failed/skipped/upstream_failed parents
 * from 0 to 2, with 0 to 2 parents still running */
static void test_every_combination(void)
{
    int cases = 0;
    for (int r = 0; r < FLUX_RULE_COUNT; r++)
        for (uint32_t w = 0; w <= 2; w++)
            for (uint32_t s = 0; s <= 2; s++)
                for (uint32_t f = 0; f <= 2; f++)
                    for (uint32_t sk = 0; sk <= 2; sk++)
                        for (uint32_t uf = 0; uf <= 2; uf++) {
                            flux_dag_counts c = {w, s, f, sk, uf};
                            flux_dag_decision got = flux_dag_decide((flux_rule)r, &c);
                            flux_dag_decision want = oracle(rules[r], &c);
                            cases++;
                            check(got == want,
                                  "%s with waiting %u success %u failed %u skipped %u upstream_failed %u: %s, "
                                  "expected %s",
                                  rules[r], w, s, f, sk, uf, dname(got), dname(want));
                        }
    check(cases == FLUX_RULE_COUNT * 243, "%d combinations", cases);
}

/* the table of tests/runtime/trigger_rules.sh: parents ok | bad | skip |
 * ok+bad | ok+skip, all finished; "success" there is "run" here */
static void test_shell_table(void)
{
    static const struct {
        const char *rule, *want[5];
    } t[] = {
        {"all_success", {"run", "upstream_failed", "skip", "upstream_failed", "skip"}},
        {"all_failed", {"skip", "run", "skip", "skip", "skip"}},
        {"all_done", {"run", "run", "run", "run", "run"}},
        {"all_skipped", {"skip", "skip", "run", "skip", "skip"}},
        {"one_success", {"run", "upstream_failed", "skip", "run", "run"}},
        {"one_failed", {"skip", "run", "skip", "run", "skip"}},
        {"one_done", {"run", "run", "skip", "run", "run"}},
        {"none_failed", {"run", "upstream_failed", "run", "upstream_failed", "run"}},
        {"none_failed_min_one_success", {"run", "upstream_failed", "skip", "upstream_failed", "run"}},
        {"none_skipped", {"run", "run", "skip", "run", "skip"}},
        {"always", {"run", "run", "run", "run", "run"}},
    };
    static const struct {
        uint32_t n;
        flux_dag_outcome o[2];
    } sets[5] = {{1, {FLUX_DAG_SUCCESS}}, {1, {FLUX_DAG_FAILED}}, {1, {FLUX_DAG_SKIPPED}},
                 {2, {FLUX_DAG_SUCCESS, FLUX_DAG_FAILED}}, {2, {FLUX_DAG_SUCCESS, FLUX_DAG_SKIPPED}}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        for (int j = 0; j < 5; j++) {
            uint32_t n = sets[j].n;
            flux_dag_counts c = {n, 0, 0, 0, 0};
            for (uint32_t p = 0; p < n; p++)
                flux_dag_parent_done(&c, sets[j].o[p]);
            const char *got = dname(flux_dag_decide(flux_dag_rule(t[i].rule), &c));
            check(!strcmp(got, t[i].want[j]), "%s over set %d: %s, expected %s", t[i].rule, j, got, t[i].want[j]);
        }
}

static void test_parent_done(void)
{
    flux_dag_counts c = {2, 0, 0, 0, 0};
    flux_dag_parent_done(&c, FLUX_DAG_UPSTREAM_FAILED);
    check(c.waiting == 1 && c.upstream_failed == 1, "a parent's end is counted and not waited for");
    flux_dag_parent_done(&c, FLUX_DAG_SKIPPED);
    flux_dag_parent_done(&c, FLUX_DAG_SUCCESS); /* never more ends than parents; if so, no wrap */
    check(c.waiting == 0 && c.skipped == 1 && c.success == 1, "waiting stops at 0");
    /* upstream_failed propagates down a chain: a parent upstream_failed makes all_success upstream_failed */
    flux_dag_counts d = {1, 0, 0, 0, 0};
    flux_dag_parent_done(&d, FLUX_DAG_UPSTREAM_FAILED);
    check(flux_dag_decide(FLUX_RULE_ALL_SUCCESS, &d) == FLUX_DAG_UPSTREAM, "upstream_failed propagates");
    /* a task without parents runs at once under every rule but the ones that need a parent to run */
    flux_dag_counts none = {0, 0, 0, 0, 0};
    check(flux_dag_decide(FLUX_RULE_ALL_SUCCESS, &none) == FLUX_DAG_RUN, "a root runs");
}

static void test_retry_delay(void)
{
    flux_retry_policy constant = {300000, false, 1000};
    for (int t = 1; t <= 5; t++)
        check(flux_dag_retry_delay(&constant, t) == 300000, "constant delay after try %d, max ignored", t);
    flux_retry_policy exp = {100, true, 0};
    int64_t want[] = {100, 200, 400, 800, 1600};
    for (int t = 1; t <= 5; t++)
        check(flux_dag_retry_delay(&exp, t) == want[t - 1], "exponential after try %d: %lld", t,
              (long long)flux_dag_retry_delay(&exp, t));
    flux_retry_policy capped = {300, true, 400};
    check(flux_dag_retry_delay(&capped, 1) == 300, "first retry 300ms");
    check(flux_dag_retry_delay(&capped, 2) == 400, "second retry capped at max_retry_delay");
    check(flux_dag_retry_delay(&capped, 50) == 400, "later retries stay capped");
    flux_retry_policy huge = {86400000, true, 0};
    int64_t d = flux_dag_retry_delay(&huge, 1000);
    check(d > 0 && d >= INT64_MAX / 4, "doubling saturates without overflow: %lld", (long long)d);
}

static void test_poke_delay(void)
{
    check(flux_dag_poke_delay(0, 60000, false, 0) == 60000, "first wait is poke_interval");
    check(flux_dag_poke_delay(60000, 60000, false, 0) == 60000, "then the same");
    check(flux_dag_poke_delay(60000, 60000, false, 1000) == 60000, "max_wait changes nothing without backoff");
    check(flux_dag_poke_delay(0, 1000, true, 0) == 1000, "exponential starts at poke_interval");
    check(flux_dag_poke_delay(1000, 1000, true, 0) == 2000, "and doubles");
    check(flux_dag_poke_delay(3000000, 1000, true, 0) == 3600000, "up to an hour");
    check(flux_dag_poke_delay(3600000, 1000, true, 0) == 3600000, "and stays there");
    check(flux_dag_poke_delay(7200000, 7200000, true, 0) == 7200000,
          "a poke_interval over an hour: the wait never shrinks below it");
    /* max_wait caps the doubling: 100, 200, 300, 300 ... */
    int64_t d = 0, seen[6];
    for (int i = 0; i < 6; i++)
        seen[i] = d = flux_dag_poke_delay(d, 100, true, 300);
    check(seen[0] == 100 && seen[1] == 200 && seen[2] == 300 && seen[3] == 300 && seen[5] == 300,
          "max_wait caps: %lld %lld %lld %lld %lld %lld", (long long)seen[0], (long long)seen[1],
          (long long)seen[2], (long long)seen[3], (long long)seen[4], (long long)seen[5]);
    check(flux_dag_poke_delay(0, 5000, true, 2000) == 2000, "max_wait caps the first wait too");
    check(flux_dag_poke_delay(3600000, 1000, true, 7200000) == 7200000, "a max_wait over an hour lifts the hour cap");
    check(flux_dag_poke_delay(INT64_MAX / 2 + 1, 1000, true, 0) == 3600000, "doubling saturates without overflow");
}

static void test_graph(void)
{
    /* 0 >> 1, 0 >> 2, 1 >> 3, 2 >> 3 */
    flux_edge e[4];
    memset(e, 0, sizeof e);
    uint32_t ab[4][2] = {{0, 1}, {0, 2}, {1, 3}, {2, 3}};
    for (int i = 0; i < 4; i++)
        e[i].a = ab[i][0], e[i].b = ab[i][1];
    flux_dag g;
    flux_dag_build(&g, 4, e, 4);
    check(g.start[0] == 0 && g.start[1] == 2 && g.start[2] == 3 && g.start[3] == 4 && g.start[4] == 4,
          "rows of children");
    check(g.children[0] == 1 && g.children[1] == 2 && g.children[2] == 3 && g.children[3] == 3,
          "children in edge order");
    check(g.nparents[0] == 0 && g.nparents[1] == 1 && g.nparents[2] == 1 && g.nparents[3] == 2, "parents counted");
    check(!flux_dag_is_leaf(&g, 0) && flux_dag_is_leaf(&g, 3), "leaves");
    flux_dag_free(&g);
    flux_dag empty;
    flux_dag_build(&empty, 0, NULL, 0);
    check(empty.n == 0 && empty.start[0] == 0, "an empty graph");
    flux_dag_free(&empty);
}

int main(void)
{
    test_rule_names();
    test_every_combination();
    test_shell_table();
    test_parent_done();
    test_retry_delay();
    test_poke_delay();
    test_graph();
    printf("test_dag: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
