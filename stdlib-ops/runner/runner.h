/* runner — the operator table: one row per operator of the registry, saying
 * how a task of it runs and its entry point. flux_op_how, flux_op_command,
 * flux_op_poke and `flux __op` all answer from it; a unit test checks it
 * against the registry (same operators, kinds that agree). */
#ifndef FLUX_RUNNER_H
#define FLUX_RUNNER_H

#include <stddef.h>

#include "operators.h"
#include "ops.h"

typedef struct flux_op_runner {
    const char *name;
    flux_op_run how;
    /* exactly one of them, after how: run for PROCESS and POKE_PROCESS
     * (`flux __op`), command for a PROCESS the runner starts otherwise,
     * poke for POKE */
    int (*run)(const opkit_task *t);
    int (*command)(const flux_op_fields *f, flux_op_cmd *out, char *err, size_t errlen);
    int (*poke)(const flux_op_fields *f, const flux_poke_ctx *ctx, char *err, size_t errlen);
} flux_op_runner;

/* NULL when op has no row. */
const flux_op_runner *flux_runner_find(const char *op);

/* Every row, sorted by name. */
const flux_op_runner *flux_runner_all(size_t *n);

/* The connections of a fields file's "__conns", allocated in a; -1 with
 * err when the runner could not read them (flux.yaml broken meanwhile). */
int flux_op_conns_read(flux_arena *a, json_t *fields, flux_conns *out, char *err, size_t errlen);

#endif
