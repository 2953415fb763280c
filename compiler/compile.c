/* compile — the compiler's driver: parse, expand, check. */
#include "compile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "expand.h"
#include "parse.h"

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
        free(c->pipelines[i]->tasks);
        free(c->pipelines[i]->edges);
    }
    flux_diags_free(&c->diags);
    flux_sources_free(&c->sources);
    flux_arena_free(c->arena);
    memset(c, 0, sizeof *c);
}

static void compile_source(flux_compilation *c, uint32_t id)
{
    flux_file *f = flux_parse_file(c->arena, &c->diags, &c->sources, id);
    flux_expand_file(c, f);
}

void flux_compile_finish(flux_compilation *c)
{
    flux_check(c);
    flux_diags_sort(&c->diags);
}

int flux_compile_text(flux_compilation *c, const char *name, const char *text, size_t len)
{
    uint32_t id = flux_sources_add(&c->sources, name, text, len);
    if (!id) {
        flux_error(&c->diags, flux_nowhere(), "io", "%s: %s", name, strerror(errno));
        return -1;
    }
    compile_source(c, id);
    flux_compile_finish(c);
    return 0;
}

int flux_compile_file(flux_compilation *c, const char *path)
{
    uint32_t id = flux_sources_load(&c->sources, path);
    if (!id) {
        flux_error(&c->diags, flux_nowhere(), "io", "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    compile_source(c, id);
    return 0;
}
