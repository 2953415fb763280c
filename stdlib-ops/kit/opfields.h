/* opfields — what the runner hands an operator that it runs itself (bash's
 * command, a poked sensor): the task's rendered fields, the process to
 * start, a poke's context. Operators get nothing of the runtime's internals. */
#ifndef FLUX_OPFIELDS_H
#define FLUX_OPFIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline.h"

/* A task's rendered fields, by name. */
typedef struct flux_op_fields {
    const char *const *keys;
    const flux_field *vals;
    size_t n;
} flux_op_fields;

const flux_field *flux_op_get(const flux_op_fields *f, const char *key);

/* The text of a string (or identifier) field copied into buf, NULL when
 * absent or of another kind; a bool field's value, dflt when absent. */
const char *flux_op_text(const flux_op_fields *f, const char *key, char *buf, size_t len);
bool flux_op_flag(const flux_op_fields *f, const char *key, bool dflt);

/* A process to start (by the runner, through `flux __wrap`). */
typedef struct flux_op_cmd {
    char **argv;  /* NULL-terminated, malloc'd */
    char **env;   /* extra NAME=VALUE entries, NULL-terminated, malloc'd */
    char *cwd;    /* NULL: the runner's */
} flux_op_cmd;

void flux_op_cmd_free(flux_op_cmd *c);

/* Where a process operator runs: `self` is the flux binary (operators
 * other than bash run as `flux __op OPERATOR FIELDS_JSON`), `fields_path` a
 * private file the runner wrote with the task's rendered fields as JSON. */
typedef struct flux_op_where {
    const char *self;
    const char *fields_path;
} flux_op_where;

/* What a sensor poke needs from the runner. */
typedef struct flux_poke_ctx {
    int64_t now_ms;
    const char *pipeline, *run_id;
    int64_t logical_ms; /* the run's interval start */
    /* external_task_sensor: the state of a task in another pipeline's
     * newest run for the interval starting at logical_ms; "success",
     * "failed"... or NULL when it has none */
    const char *(*task_state)(void *ud, const char *pipeline, int64_t logical_ms, const char *task);
    void *ud;
} flux_poke_ctx;

#endif
