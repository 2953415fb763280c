/* compile — the compiler's driver: parse, expand, check, lower. */
#include "compile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "expand.h"
#include "lower.h"
#include "parse.h"
#include "plan.h"
#include "registry.h"

static void compile_source(flux_compilation *c, uint32_t id)
{
    flux_file *f = flux_parse_file(c->arena, &c->diags, &c->sources, id);
    flux_expand_file(c, f);
}

void flux_compile_finish(flux_compilation *c)
{
    flux_check(c);
    flux_lower(c);
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
    return flux_compile_file_under(c, path, NULL);
}

int flux_compile_file_under(flux_compilation *c, const char *path, const char *root)
{
    uint32_t id = flux_sources_load(&c->sources, path);
    if (!id) {
        flux_error(&c->diags, flux_nowhere(), "io", "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    /* includes stay under root, else under the file's own directory */
    char *at = flux_sources_path(&c->sources, root ? root : path);
    if (!root) {
        char *slash = strrchr(at, '/');
        if (slash)
            slash[slash == at ? 1 : 0] = '\0';
        else
            snprintf(at, strlen(at) + 1, ".");
    }
    flux_source *src = (flux_source *)flux_sources_get(&c->sources, id);
    src->root = realpath(at, NULL);
    free(at);
    compile_source(c, id);
    return 0;
}

static flux_plan_source plan_source(flux_compilation *c, uint32_t id)
{
    const flux_source *src = flux_sources_get(&c->sources, id);
    flux_plan_source s;
    s.path = src->path;
    flux_sha256_hex(src->text, src->len, s.sha256);
    return s;
}

static int cmp_plan_op(const void *a, const void *b)
{
    return strcmp(((const flux_plan_operator *)a)->name, ((const flux_plan_operator *)b)->name);
}

/* the operators of one's own the tasks use, each once, by name: what a run
 * of the plan loads (and checks is unchanged) instead of the operators path */
static void plan_operators(flux_compilation *c, const flux_pipeline *p, flux_plan *out)
{
    out->operators = flux_arena_alloc(c->arena, (p->ntasks ? p->ntasks : 1) * sizeof *out->operators);
    for (size_t i = 0; i < p->ntasks; i++) {
        const flux_operator *op = flux_registry_find(p->tasks[i]->op);
        if (!op || !op->manifest)
            continue;
        size_t k = 0;
        while (k < out->noperators && strcmp(out->operators[k].name, op->name))
            k++;
        if (k < out->noperators)
            continue;
        flux_plan_operator *po = &out->operators[out->noperators++];
        po->name = op->name;
        po->manifest.path = op->manifest;
        memcpy(po->manifest.sha256, op->sha256, 65);
    }
    if (out->noperators)
        qsort(out->operators, out->noperators, sizeof *out->operators, cmp_plan_op);
}

void flux_compile_plan(flux_compilation *c, flux_pipeline *p, flux_plan *out)
{
    memset(out, 0, sizeof *out);
    if (p->from_plan) {
        /* read from a plan: already in plan order, sources as it names them */
        *out = *p->from_plan;
        return;
    }
    out->source = plan_source(c, p->source);
    out->nincludes = p->nincludes;
    out->includes = flux_arena_alloc(c->arena, (p->nincludes ? p->nincludes : 1) * sizeof *out->includes);
    for (size_t i = 0; i < p->nincludes; i++)
        out->includes[i] = plan_source(c, p->includes[i]);
    /* renumber tasks in plan order so that readers need no order table */
    if (p->order && !p->arena_arrays) {
        size_t n = p->ntasks;
        uint32_t *pos = flux_arena_alloc(c->arena, (n ? n : 1) * sizeof *pos);
        flux_task **tasks = malloc((n ? n : 1) * sizeof *tasks);
        if (!tasks)
            abort();
        for (size_t i = 0; i < n; i++) {
            tasks[i] = p->tasks[p->order[i]];
            pos[p->order[i]] = (uint32_t)i;
        }
        for (size_t i = 0; i < n; i++) {
            tasks[i]->index = i;
            p->order[i] = (uint32_t)i;
        }
        free(p->tasks);
        p->tasks = tasks;
        p->tasks_cap = n;
        for (size_t e = 0; e < p->nedges; e++) {
            p->edges[e].a = pos[p->edges[e].a];
            p->edges[e].b = pos[p->edges[e].b];
        }
    }
    out->pipeline = p;
    plan_operators(c, p, out);
}
