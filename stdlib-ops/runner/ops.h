/* ops — the operator API the runtime sees: what to run for a task, how to
 * poke a sensor, what a finished task produced. Operators get the task's
 * rendered fields and nothing of the runtime's internals. Every answer
 * comes from the runner's table (runner.h), one row per operator. */
#ifndef FLUX_OPS_H
#define FLUX_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "conntest.h"
#include "opfields.h"
#include "opreport.h"
#include "pipeline.h"

typedef enum {
    FLUX_OP_RUN_PROCESS, /* flux_op_command gives the process */
    FLUX_OP_RUN_POKE,    /* a sensor poked in the runner (cheap, non-blocking checks) */
    FLUX_OP_RUN_POKE_PROCESS, /* a sensor whose every poke is a short process (a query, a
                               * broker round trip): exit 0 met, FLUX_OP_NOT_YET (100) or
                               * FLUX_OP_NOT_YET_ERROR (101, the log says why) poke later,
                               * holding no slot in between; anything else fails */
    FLUX_OP_RUN_MISSING  /* not an operator of this build */
} flux_op_run;

flux_op_run flux_op_how(const char *op);

/* Exit statuses of an operator process the runner reads: FLUX_OP_BAD_TASK
 * says the task cannot run as written (a connection not defined, a field
 * that names nothing), so no retry can help and none is made; a sensor's
 * poke says not yet with the other two. */
enum { FLUX_OP_BAD_TASK = 2, FLUX_OP_NOT_YET = 100, FLUX_OP_NOT_YET_ERROR = 101 };

/* The "__run" member of the fields file (written after the last field; the
 * caller adds the comma): what an operator process knows of its run. */
void flux_op_run_json(flux_buf *out, const char *pipeline, const char *run_id, const char *task, int try_number,
                      int64_t ti, int64_t interval_start_ms, int64_t interval_end_ms);

/* The "__conns" member of the fields file (the caller adds the comma):
 * each connection the task's connection fields name, as conns resolves it
 * (FLUX_CONN_<NAME> first; its file read again, so an edit reaches the next
 * process), its password included. The operator's process takes its
 * connections from there, never from the runner's environment. */
void flux_op_conns_json(flux_buf *out, const char *op, const flux_op_fields *f, const flux_conns *conns);

/* The process of a task of a process operator. -1 with err. */
int flux_op_command(const char *op, const flux_op_fields *f, const flux_op_where *w, flux_op_cmd *out, char *err,
                    size_t errlen);

/* `flux __op OPERATOR FIELDS_JSON`: runs one task of an operator in this
 * process, output to stdout/stderr (the task's log), `::output` lines for
 * its outputs. Returns the exit status. */
int flux_op_main(int argc, char **argv);

/* 1 when the condition holds, 0 not yet (err says why, or is empty), -1 on
 * an error (err says why: the sensor fails). */
int flux_op_poke(const char *op, const flux_op_fields *f, const flux_poke_ctx *ctx, char *err, size_t errlen);

#endif
