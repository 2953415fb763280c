/* layout — a plan's DAG as SVG, laid out by Graphviz's dot in this process
 * (libgvc), for the web UI's graph view: one group per task,
 * <g id="task-ID" class="node op-OPERATOR">, so a page can find, colour and
 * link each task. Layouts cost about 0.3 ms per task and grow faster than
 * that, so they are cached per plan (a plan never changes: its id is its
 * hash), in memory and on disk; a run's states are put into the cached
 * SVG's classes without laying it out again. A plan too big to read whole
 * is shown as one task's neighbourhood. */
#ifndef FLUX_LAYOUT_H
#define FLUX_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline.h"

/* The tasks a view of a big plan shows: focus (an index into p->tasks) and
 * every task at most depth edges upstream or downstream of it. keep has
 * p->ntasks entries. */
void flux_layout_neighbourhood(const flux_pipeline *p, size_t focus, int depth, bool *keep);

/* The SVG of p's tasks for which keep is true (keep NULL: all of them),
 * malloc'd in *svg (NUL-terminated, *len bytes). 0, or -1 with err. Lays
 * out under a lock: Graphviz is not thread-safe. */
int flux_layout_svg(const flux_pipeline *p, const bool *keep, char **svg, size_t *len, char *err, size_t errlen);

/* A task's state for flux_layout_states: sorted by task id. */
typedef struct flux_layout_state {
    const char *task, *state;
} flux_layout_state;
/* The SVG with each task's group given the class state-STATE of its entry
 * in states (sorted by task; n entries); tasks without one keep their
 * classes. malloc'd. */
char *flux_layout_states(const char *svg, size_t len, const flux_layout_state *states, size_t n, size_t *outlen);

/* A cache of laid-out SVGs keyed by plan id and view (focus and depth),
 * bounded in memory (at most max_entries SVGs of max_bytes in all; one
 * bigger than that is kept on disk only); dir (may be NULL) keeps them
 * across restarts. Safe to use from several threads. */
typedef struct flux_layout_cache flux_layout_cache;
flux_layout_cache *flux_layout_cache_new(const char *dir, size_t max_entries, size_t max_bytes);
void flux_layout_cache_free(flux_layout_cache *c);
/* The bytes of SVG the cache holds in memory now. */
size_t flux_layout_cache_bytes(flux_layout_cache *c);
/* The SVG for plan_id's view, laid out from p when not cached yet; a
 * malloc'd copy. focus NULL: the whole plan. 0, 1 when focus names no task
 * of p, or -1 with err. */
int flux_layout_cached(flux_layout_cache *c, const char *plan_id, const flux_pipeline *p, const char *focus, int depth,
                      char **svg, size_t *len, char *err, size_t errlen);

#endif
