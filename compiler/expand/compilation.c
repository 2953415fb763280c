/* compilation — the state of one compilation, made and freed. */
#include "compilation.h"

#include <stdlib.h>
#include <string.h>

void flux_compilation_init(flux_compilation *c)
{
    memset(c, 0, sizeof *c);
    c->arena = flux_arena_new();
    flux_sources_init(&c->sources);
    flux_diags_init(&c->diags, &c->sources);
}

void flux_compilation_free(flux_compilation *c)
{
    for (size_t i = 0; i < c->npipelines; i++) {
        if (c->pipelines[i]->arena_arrays)
            continue;
        free(c->pipelines[i]->tasks);
        free(c->pipelines[i]->edges);
    }
    flux_diags_free(&c->diags);
    flux_sources_free(&c->sources);
    flux_arena_free(c->arena);
    memset(c, 0, sizeof *c);
}
