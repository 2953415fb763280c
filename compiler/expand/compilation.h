/* compilation — what every stage of the compiler works on: the arena,
 * sources, diagnostics and pipelines of one compilation. The driver that runs
 * the stages is compile.h (compiler/plan). */
#ifndef FLUX_COMPILATION_H
#define FLUX_COMPILATION_H

#include <stdbool.h>

#include "arena.h"
#include "diag.h"
#include "pipeline.h"
#include "source.h"

typedef struct flux_compilation {
    flux_arena *arena;
    flux_sources sources;
    flux_diags diags;
    flux_pipeline **pipelines; /* in source order across files */
    size_t npipelines, cap;
    size_t ntasks, nedges;     /* totals, for summaries and benchmarks */
} flux_compilation;

void flux_compilation_init(flux_compilation *c);
void flux_compilation_free(flux_compilation *c);

#endif
