/* depgraph — a pipeline's dependencies as task indices, without changing
 * the pipeline: each edge's tasks (found by the task table), the live edges
 * (both ends known, a repeated a >> b once, at its first place, in source
 * order) and each task's out-edges. The checks walk it; lowering writes it
 * into the pipeline, so both make the same choices. */
#ifndef FLUX_DEPGRAPH_H
#define FLUX_DEPGRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline.h"
#include "tasktable.h"

typedef struct flux_depgraph {
    uint32_t *a, *b;  /* per edge of the pipeline: its tasks' indices, when both are known */
    uint32_t *live;   /* indices of the live edges, in source order */
    size_t nlive;
    uint32_t *start;  /* out-edges of task i: edge indices idx[start[i] .. start[i+1]), live order */
    uint32_t *idx;
} flux_depgraph;

void flux_depgraph_build(flux_depgraph *g, const flux_pipeline *p, const flux_tasktable *tt);
void flux_depgraph_free(flux_depgraph *g);

#endif
