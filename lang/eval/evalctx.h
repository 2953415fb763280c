/* evalctx — the evaluator's context (arena, diagnostics, scope, compile or
 * run time) and its result status, shared by the evaluator and its filters. */
#ifndef FLUX_EVALCTX_H
#define FLUX_EVALCTX_H

#include <stdbool.h>

#include "ast.h"
#include "diag.h"
#include "scope.h"
#include "value.h"

typedef enum { FLUX_EVAL_OK, FLUX_EVAL_RUNTIME, FLUX_EVAL_ERROR } flux_eval_status;

typedef struct flux_eval {
    flux_arena *arena;
    flux_diags *diags;
    const flux_scope *scope;
    /* compile time: names of the run-time context are RUNTIME markers */
    bool compile_time;
    /* adds "in iteration ... of this loop" notes to an error */
    void (*notes)(void *ud, flux_diag *g);
    void *ud;
} flux_eval;

#endif
