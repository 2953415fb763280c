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

/* names, each once, in the order met (arrays in the compilation's arena) */
typedef struct flux_names {
    const char **v;
    size_t n, cap;
} flux_names;

struct flux_conns;

typedef struct flux_compilation {
    flux_arena *arena;
    flux_sources sources;
    flux_diags diags;
    flux_pipeline **pipelines; /* in source order across files */
    size_t npipelines, cap;
    size_t ntasks, nedges;     /* totals, for summaries and benchmarks */
    /* the connections and pools the names of tasks and templates are checked
     * against (flux check sets it, read into these sources; NULL: none are).
     * Without a flux.yaml (file NULL) only FLUX_CONN_* variables define
     * connections, and the names nothing could check are gathered here */
    const struct flux_conns *conns;
    flux_names unchecked_conns, unchecked_pools;
} flux_compilation;

void flux_compilation_init(flux_compilation *c);
void flux_compilation_free(flux_compilation *c);

#endif
