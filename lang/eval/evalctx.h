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

/* The SQL the sql filter writes literals for: the database the rendered
 * text runs on. UNKNOWN at compile time (the connection is resolved at run
 * time) and for text that feeds no SQL connection (a bash command). */
typedef enum {
    FLUX_SQL_UNKNOWN, /* compile time: left for run time where it matters; run time: as MySQL */
    FLUX_SQL_MYSQL,   /* a backslash in a string is an escape, so it is doubled */
    FLUX_SQL_SQLITE   /* standard SQL: only the quote is doubled */
} flux_sql_dialect;

typedef struct flux_eval {
    flux_arena *arena;
    flux_diags *diags;
    const flux_scope *scope;
    /* compile time: names of the run-time context are RUNTIME markers */
    bool compile_time;
    /* adds "in iteration ... of this loop" notes to an error */
    void (*notes)(void *ud, flux_diag *g);
    void *ud;
    flux_sql_dialect sql; /* what the sql filter quotes for */
} flux_eval;

#endif
