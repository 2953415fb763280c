/* checker — what the checks of compiler/check share: the checker's state,
 * reporting with the expansion context's notes, the task table, and each
 * check's entry. Internal to compiler/check. No check changes a pipeline. */
#ifndef FLUX_CHECKER_H
#define FLUX_CHECKER_H

#include <stdbool.h>
#include <stdint.h>

#include "compilation.h"
#include "registry.h"
#include "tasktable.h"

typedef struct checker {
    flux_compilation *c;
    flux_arena *a;
    flux_diags *d;
    flux_pipeline *p;
    flux_tasktable table;
    /* tasks.ID.outputs references, checked against the graph at the end */
    struct outref { uint32_t reader, source; flux_span span; const flux_ctx *ctx; } *refs;
    size_t nrefs, refs_cap;
    /* check_names.c: each connection and pool name met, looked up once */
    struct name_slot { const char *name; bool pool; const void *conn; } *names;
    size_t nnames, names_cap;
} checker;

/* ---- check.c ---- */

flux_diag *flux_check_report(checker *k, flux_severity sev, flux_span span, const flux_ctx *ctx, const char *code,
                             const char *help, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

#define ERR(k, span, ctx, code, help, ...) flux_check_report((k), FLUX_SEV_ERROR, (span), (ctx), (code), (help), __VA_ARGS__)
#define WARN(k, span, ctx, code, help, ...) flux_check_report((k), FLUX_SEV_WARNING, (span), (ctx), (code), (help), __VA_ARGS__)

/* "did you mean 'best'?", or NULL without a best */
char *flux_check_did_you_mean(checker *k, const char *best);

/* the first task of the pipeline with that name, or NULL */
flux_task *flux_check_task_find(checker *k, const char *name);

/* the closest task name of the pipeline, or NULL */
const char *flux_check_suggest_task(checker *k, const char *name);

/* ---- check_attrs.c ---- */

/* the span of bytes [off, off+len) inside a string literal's text, when the
 * literal has no escapes (so text offsets equal source offsets) */
flux_span flux_check_inner_span(checker *k, const flux_field *f, size_t off, size_t len);

void flux_check_pipeline_attrs(checker *k);

/* ---- check_schema.c ---- */

/* "a string", "a duration" ... as a parameter type is described in help */
const char *flux_check_type_desc(flux_param_type t);

/* f against the type of parameter key of schema ps */
void flux_check_type(checker *k, const flux_param_schema *ps, flux_param_type type, const flux_field *f,
                     const char *key, const flux_ctx *ctx);

void flux_check_task(checker *k, const flux_task *t);

/* ---- check_slurm.c ---- */

/* executor and slurm { } of task t together: a sensor is never a Slurm
 * job, settings of a task that runs locally, slurm.time against timeout */
void flux_check_slurm(checker *k, const flux_task *t, const flux_operator *op);

/* ---- check_templates.c ---- */

/* the run-time templates of f, a value of task t (NULL: a pipeline
 * attribute) of type type; tasks.ID.outputs references go to k->refs */
void flux_check_templates(checker *k, const flux_field *f, const flux_task *t, flux_param_type type,
                          const flux_ctx *ctx);

/* ---- check_names.c ---- */

/* at, a value of parameter ps of operator op (NULL: a pipeline attribute):
 * a connection defined (flux.yaml or FLUX_CONN_*) with a type op accepts,
 * a pool declared in flux.yaml */
void flux_check_notifier_templates(checker *k);
void flux_check_names_attr(checker *k, const flux_operator *op, const flux_param_schema *ps, const flux_attr *at);

/* conn.NAME in a template: a connection defined */
void flux_check_conn_ref(checker *k, const char *name, flux_span span, const flux_ctx *ctx);

/* ---- check_deps.c ---- */

/* dependencies: unknown names, cycles, and outputs read from tasks that are
 * not upstream */
void flux_check_deps(checker *k);

#endif
