/* check — checks expanded pipelines against the registry and each other.
 *
 * Everything is reported, nothing stops at the first error: unknown and
 * duplicate names, dependency cycles (the whole path, every edge's place),
 * operator parameters (unknown, missing, wrong type), pipeline attributes
 * (schedule, start, timezone ...), every run-time template (params, conn,
 * tasks.ID.outputs) and, given a flux.yaml, the connections and pools named. Nothing here changes a pipeline: lowering
 * (compiler/lower) does, after the checks.
 *
 * This file is the driver and what the checks share (reporting, the task
 * table); the checks themselves are check_attrs.c, check_schema.c,
 * check_templates.c, check_names.c and check_deps.c.
 */
#include "check.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "expand.h"
#include "suggest.h"

flux_diag *flux_check_report(checker *k, flux_severity sev, flux_span span, const flux_ctx *ctx, const char *code,
                         const char *help, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flux_diag *g = flux_diag_vreport(k->d, sev, span, code, help, fmt, ap);
    va_end(ap);
    flux_ctx_notes(g, ctx);
    return g;
}

char *flux_check_did_you_mean(checker *k, const char *best)
{
    return best ? flux_arena_printf(k->a, "did you mean '%s'?", best) : NULL;
}

/* ---- task table ---- */

static void report_duplicate(void *ud, const flux_task *t, const flux_task *first)
{
    checker *k = ud;
    flux_diag *g = ERR(k, t->id_span, t->ctx, "duplicate-task", "give each task a unique name",
                       "duplicate task '%s' in pipeline '%s'", t->id, k->p->name);
    flux_diag_note(g, first->id_span, "first defined here");
}

flux_task *flux_check_task_find(checker *k, const char *name)
{
    return flux_tasktable_find(&k->table, name);
}

const char *flux_check_suggest_task(checker *k, const char *name)
{
    flux_suggester s;
    flux_suggest_init(&s, name);
    for (size_t i = 0; i < k->p->ntasks; i++)
        flux_suggest_feed(&s, k->p->tasks[i]->id);
    return flux_suggest_best(&s);
}

static void check_pipeline(checker *k, flux_pipeline *p)
{
    k->p = p;
    k->nrefs = 0;
    flux_tasktable_build(&k->table, p, report_duplicate, k);
    flux_check_pipeline_attrs(k);
    for (size_t i = 0; i < p->ntasks && !flux_diags_full(k->d); i++)
        flux_check_task(k, p->tasks[i]);
    if (flux_diags_full(k->d))
        return;
    flux_check_deps(k);
}

void flux_check(flux_compilation *c)
{
    checker k;
    memset(&k, 0, sizeof k);
    k.c = c;
    k.a = c->arena;
    k.d = &c->diags;
    /* pipeline names are unique across everything compiled together */
    for (size_t i = 0; i < c->npipelines; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(c->pipelines[i]->name, c->pipelines[j]->name) == 0) {
                flux_diag *g = ERR(&k, c->pipelines[i]->name_span, c->pipelines[i]->ctx, "duplicate-pipeline",
                                   "give each pipeline a unique name", "duplicate pipeline '%s'",
                                   c->pipelines[i]->name);
                flux_diag_note(g, c->pipelines[j]->name_span, "first defined here");
                break;
            }
        }
    }
    for (size_t i = 0; i < c->npipelines; i++)
        check_pipeline(&k, c->pipelines[i]);
    flux_check_notifier_templates(&k);
    flux_tasktable_free(&k.table);
    free(k.refs);
    free(k.names);
}
