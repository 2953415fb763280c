/* graph — a pipeline's DAG as DOT, Mermaid or JSON, byte-for-byte
 * deterministic (plan order, edges sorted). */
#ifndef FLUX_GRAPH_H
#define FLUX_GRAPH_H

#include "arena.h"
#include "pipeline.h"

typedef enum { FLUX_GRAPH_DOT, FLUX_GRAPH_MERMAID, FLUX_GRAPH_JSON } flux_graph_format;

/* p must be in plan order (flux_compile_plan). */
void flux_graph_write(const flux_pipeline *p, flux_graph_format f, flux_buf *out);

#endif
