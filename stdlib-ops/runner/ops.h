/* ops — the operator API the runtime sees: what to run for a task, how to
 * poke a sensor, what a finished task produced. Operators get the task's
 * rendered fields and nothing of the runtime's internals. */
#ifndef FLUX_OPS_H
#define FLUX_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "pipeline.h"

/* A task's rendered fields, by name. */
typedef struct flux_op_fields {
    const char *const *keys;
    const flux_field *vals;
    size_t n;
} flux_op_fields;

const flux_field *flux_op_get(const flux_op_fields *f, const char *key);

/* A process to start (by the runner, through `flux __wrap`). */
typedef struct flux_op_cmd {
    char **argv;  /* NULL-terminated, malloc'd */
    char **env;   /* extra NAME=VALUE entries, NULL-terminated, malloc'd */
    char *cwd;    /* NULL: the runner's */
} flux_op_cmd;

void flux_op_cmd_free(flux_op_cmd *c);

typedef enum {
    FLUX_OP_RUN_PROCESS, /* flux_op_command gives the process */
    FLUX_OP_RUN_POKE,    /* a sensor poked in the runner (cheap, non-blocking checks) */
    FLUX_OP_RUN_POKE_PROCESS, /* a sensor whose every poke is a short process (a query, a
                               * broker round trip): exit 0 met, FLUX_OP_NOT_YET (100) or
                               * FLUX_OP_NOT_YET_ERROR (101, the log says why) poke later,
                               * holding no slot in between; anything else fails */
    FLUX_OP_RUN_MISSING  /* registered, not implemented in this build */
} flux_op_run;

flux_op_run flux_op_how(const char *op);

enum { FLUX_OP_NOT_YET = 100, FLUX_OP_NOT_YET_ERROR = 101 };

/* Where a process operator runs: `self` is the flux binary (operators
 * other than bash run as `flux __op OPERATOR FIELDS_JSON`), `fields_path` a
 * private file the runner wrote with the task's rendered fields as JSON. */
typedef struct flux_op_where {
    const char *self;
    const char *fields_path;
} flux_op_where;

/* The "__run" member of the fields file (written after the last field; the
 * caller adds the comma): what an operator process knows of its run. */
void flux_op_run_json(flux_buf *out, const char *pipeline, const char *run_id, const char *task, int try_number,
                      int64_t ti, int64_t interval_start_ms, int64_t interval_end_ms);

/* The process of a task of a process operator. -1 with err. */
int flux_op_command(const char *op, const flux_op_fields *f, const flux_op_where *w, flux_op_cmd *out, char *err,
                    size_t errlen);

/* `flux __op OPERATOR FIELDS_JSON`: runs one task of an operator in this
 * process, output to stdout/stderr (the task's log), `::output` lines for
 * its outputs. Returns the exit status. */
int flux_op_main(int argc, char **argv);

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

/* 1 when the condition holds, 0 not yet, -1 on an error (err says why:
 * the sensor fails). */
int flux_op_poke(const char *op, const flux_op_fields *f, const flux_poke_ctx *ctx, char *err, size_t errlen);

/* What a finished task addressed to the runner in its log: `::output
 * key=value` lines (its outputs, a JSON object, keys in first-seen order, a
 * later value wins), `::counts read=R written=W rejected=J bytes=B` (the last
 * such line) and `::lineage {json}` lines (a JSON array of {direction, kind,
 * name, detail}). has_counts false when it printed none. Any task may print
 * them: a bash step that transforms data can report what it moved. */
typedef struct flux_op_report {
    char *outputs_json; /* malloc'd; "{}" when none */
    bool has_counts;
    int64_t read, written, rejected, bytes;
    char *lineage_json; /* malloc'd; "[]" when none */
} flux_op_report;

int flux_op_read_report(const char *log_path, flux_op_report *out);

/* `flux connections test`: opens a real connection (a login, a metadata
 * request...). 0 with what answered in msg, -1 with why not; ms the time
 * it took. Never puts the password in msg. */
int flux_op_conn_test(const flux_conn *c, char *msg, size_t len, int64_t *ms);
void flux_op_report_free(flux_op_report *r);

#endif
