/* test_layout — runtime/web/layout.c: a plan's SVG has one group per task
 * with its id and operator class (Graphviz writes their '-' as "&#45;") and one edge per dependency, is the same
 * bytes every time, takes a run's states into its classes, shows one
 * task's neighbourhood (up and down, not siblings), and is cached in
 * memory and on disk (a second cache over the same directory lays out
 * nothing: a broken pipeline given to it proves it). Ends with "N passed,
 * N failed". */
#include "compile.h"
#include "layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

static const char *SRC = "pipeline g {\n"
                         "    schedule = \"@daily\"\n"
                         "    start    = \"2026-11-01T00:00:00Z\"\n"
                         "    task a : bash { command = \"true\" }\n"
                         "    task b : bash { command = \"true\" }\n"
                         "    task c : bash { command = \"true\" }\n"
                         "    task d : bash { command = \"true\" }\n"
                         "    task e : time_sensor { until = \"{{ interval_end }}\" }\n"
                         "    a >> b >> c\n"
                         "    e >> b\n"
                         "    a >> d\n"
                         "}\n";

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

int main(void)
{
    flux_compilation c;
    flux_compilation_init(&c);
    flux_compile_text(&c, "g.flux", SRC, strlen(SRC));
    if (!check(c.diags.errors == 0 && c.npipelines == 1, "the pipeline compiles")) {
        flux_diags_print(&c.diags, stdout, false);
        return 1;
    }
    const flux_pipeline *p = c.pipelines[0];
    char err[256] = "", *svg = NULL, *again = NULL;
    size_t len = 0, len2 = 0;
    check(flux_layout_svg(p, NULL, &svg, &len, err, sizeof err) == 0, "laid out: %s", err);
    check(svg && strlen(svg) == len && !strncmp(svg, "<?xml", 5), "an SVG document");
    check(svg && count(svg, "<g id=\"task&#45;") == 5, "one group per task");
    check(svg && strstr(svg, "<g id=\"task&#45;e\" class=\"node op&#45;time_sensor\"") != NULL, "its id and operator class");
    check(svg && count(svg, "class=\"edge\"") == 4, "one edge per dependency");
    check(flux_layout_svg(p, NULL, &again, &len2, err, sizeof err) == 0 && len2 == len && svg &&
              !memcmp(svg, again, len),
          "the same bytes every time");
    free(again);

    /* a run's states into the classes; a task without one keeps its own */
    flux_layout_state st[] = {{"a", "success"}, {"b", "running"}, {"e", "up_for_reschedule"}};
    size_t olen = 0;
    char *with = svg ? flux_layout_states(svg, len, st, 3, &olen) : NULL;
    check(with && strstr(with, "<g id=\"task&#45;a\" class=\"node op&#45;bash state&#45;success\"") &&
              strstr(with, "<g id=\"task&#45;b\" class=\"node op&#45;bash state&#45;running\"") &&
              strstr(with, "class=\"node op&#45;time_sensor state&#45;up_for_reschedule\"") &&
              strstr(with, "<g id=\"task&#45;c\" class=\"node op&#45;bash\"") && strlen(with) == olen,
          "states in the classes");
    free(with);

    /* the neighbourhood of b at depth 1: a and e up, c down; d is a's other
     * child, a sibling: not shown */
    bool keep[5];
    flux_layout_neighbourhood(p, 1, 1, keep);
    check(keep[0] && keep[1] && keep[2] && !keep[3] && keep[4], "b's neighbourhood: a, b, c, e");
    flux_layout_neighbourhood(p, 0, 2, keep);
    check(keep[0] && keep[1] && keep[2] && keep[3] && !keep[4], "a's at depth 2: a, b, c, d (not e, b's parent)");

    /* the cache: memory, then disk across caches */
    char dir[] = "/tmp/flux-graph.XXXXXX";
    char *tmp = getenv("TMPDIR"), path[512];
    snprintf(path, sizeof path, "%s/flux-graph.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    char *d = mkdtemp(path) ? path : mkdtemp(dir);
    flux_layout_cache *gc = flux_layout_cache_new(d, 2, 1 << 20);
    const char *id = "0123456789abcdef";
    char *got = NULL;
    size_t glen = 0;
    check(flux_layout_cached(gc, id, p, NULL, 0, &got, &glen, err, sizeof err) == 0 && glen == len && svg &&
              !memcmp(got, svg, len),
          "cached: the plan's SVG");
    free(got);
    check(flux_layout_cached(gc, id, p, "b", 1, &got, &glen, err, sizeof err) == 0 && got &&
              count(got, "<g id=\"task&#45;") == 4,
          "cached: b's neighbourhood");
    free(got);
    check(flux_layout_cached(gc, id, p, "nope", 1, &got, &glen, err, sizeof err) == 1, "an unknown focus: 1");
    check(flux_layout_cached(gc, "../x", p, NULL, 0, &got, &glen, err, sizeof err) == -1, "a key that is a path: refused");
    flux_layout_cache_free(gc);
    /* a new cache on the same directory answers from the files: an empty
     * pipeline would lay out to a graph without tasks */
    flux_pipeline empty = {.name = "g"};
    gc = flux_layout_cache_new(d, 2, 1 << 20);
    check(flux_layout_cached(gc, id, &empty, NULL, 0, &got, &glen, err, sizeof err) == 0 && glen == len,
          "from the disk cache after a restart");
    free(got);
    flux_layout_cache_free(gc);
    /* memory bounded by bytes: room for one of these SVGs; the older goes,
     * and one bigger than the budget is kept on disk only */
    gc = flux_layout_cache_new(d, 8, len + 100);
    check(flux_layout_cached(gc, id, p, NULL, 0, &got, &glen, err, sizeof err) == 0, "the plan");
    free(got);
    size_t one = flux_layout_cache_bytes(gc);
    check(one == len, "the plan's SVG in memory (%zu of %zu bytes)", one, len);
    check(flux_layout_cached(gc, id, p, "a", 1, &got, &glen, err, sizeof err) == 0, "a's neighbourhood");
    free(got);
    check(flux_layout_cache_bytes(gc) == glen && glen < len, "only a's neighbourhood left (%zu bytes)",
          flux_layout_cache_bytes(gc));
    flux_layout_cache_free(gc);
    gc = flux_layout_cache_new(d, 8, len - 1);
    check(flux_layout_cached(gc, id, p, NULL, 0, &got, &glen, err, sizeof err) == 0 && glen == len && got &&
              !memcmp(got, svg, len) && flux_layout_cache_bytes(gc) == 0,
          "an SVG over the budget: served, not held");
    free(got);
    flux_layout_cache_free(gc);
    char rm[600];
    snprintf(rm, sizeof rm, "rm -rf '%s'", d);
    check(system(rm) == 0, "cleaned up");
    free(svg);
    flux_compilation_free(&c);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
