/* render — run-time rendering of a task's templated parameters.
 *
 * Builds the run context (ds, ts, interval_start, params, conn,
 * ...) for one run of a plan and evaluates the templates kept in it. Times are
 * instants shown in the pipeline's zone (ds is the local date of
 * interval_start). Secrets (connection passwords) are masked by value in
 * everything rendered for display or storage.
 */
#ifndef FLUX_RENDER_H
#define FLUX_RENDER_H

#include "conn.h"
#include "diag.h"
#include "eval.h"
#include "pipeline.h"
#include "schedule.h"
#include "tz.h"
#include "value.h"

typedef struct flux_run {
    const flux_pipeline *pipeline;
    const flux_tz *tz;
    flux_interval iv;
    const char *run_id;
    flux_value params; /* dict: name -> typed value (defaults with overrides) */
} flux_run;

typedef struct flux_renderer {
    flux_arena *arena;
    flux_diags *diags;          /* evaluation errors at run time */
    const flux_conns *conns;
    bool mask;                  /* replace secrets with *** in results */
    /* task outputs: NULL prints {{ tasks.ID.outputs.KEY }} as written (dry-run) */
    bool (*output)(void *ud, const char *task, const char *key, flux_value *out);
    void *ud;
    /* the parameter naming the connection that SQL parameter `param` of
     * operator `op` runs on, NULL for any other (flux_registry_sql_conn):
     * the sql filter quotes for that connection's type. NULL: the sql
     * filter quotes as for MySQL everywhere */
    const char *(*sql_conn)(const char *op, const char *param);
    /* secrets seen while rendering, masked by value */
    const char **secrets;
    size_t nsecrets, secrets_cap;
    char err[512];              /* a run-time condition that stopped rendering */
} flux_renderer;

/* The params dict of a run: defaults of the pipeline, overridden by
 * "name=value" strings parsed to the default's type. -1 with err. */
int flux_run_params(flux_arena *a, const flux_pipeline *p, char **overrides, size_t n, flux_value *out, char *err,
                    size_t errlen);
/* A param whose value is a secret, by its name (as Airflow decides):
 * password, passwd, secret, token, api_key, apikey, private_key,
 * passphrase, credential or authorization in it, in any case. Its string
 * value is masked wherever a rendered value is shown or a log written. */
bool flux_param_secret(const char *name);

/* run_id of a scheduled run: scheduled__2026-11-01T00:00:00Z */
const char *flux_run_id(flux_arena *a, const char *kind, int64_t interval_start_ms);

/* Renders one field of a task: templates become strings, structure is kept;
 * the sql filter quotes as for MySQL (flux_render_task knows the field's
 * connection). -1 on a run-time error (message in r->err or in diags). */
int flux_render_field(flux_renderer *r, const flux_run *run, const flux_task *t, int try_number,
                      const flux_field *in, flux_field *out);

/* Every field of a task, rendered: keys[i] = vals[i], in r->arena. */
typedef struct flux_task_fields {
    const char **keys;
    flux_field *vals;
    size_t n;
} flux_task_fields;

/* Renders every field of t, in attribute order or sorted by name (as a plan
 * shows them), stopping at the first that fails: -1 then, with the message in
 * r->err or in diags, and out->n the fields rendered before it. */
int flux_render_task(flux_renderer *r, const flux_run *run, const flux_task *t, int try_number, bool sorted,
                     flux_task_fields *out);

/* Display text of a rendered field: strings as they are, others in the
 * language's syntax (10s, true, [a, b], {k = v}). Secrets masked when r->mask. */
void flux_field_text(flux_renderer *r, const flux_field *f, flux_buf *out);

/* JSON of a rendered field: secrets masked in strings when r->mask, durations as their
 * text, lists and maps as arrays and objects. */
void flux_field_json(flux_renderer *r, const flux_field *f, flux_buf *out);

/* Replaces every secret seen so far with *** in a buffer (by value). */
void flux_render_mask(flux_renderer *r, flux_buf *b);

/* Scope of a run for evaluating expressions (shared with the runtime). */
flux_scope *flux_run_scope(flux_renderer *r, const flux_run *run, const flux_task *t, int try_number);

#endif
