/* opmain — `flux __op OPERATOR FIELDS_JSON`: the process of one task of an
 * operator other than bash, and the "__run" object the runner writes for
 * it. Reads the fields the runner wrote to a private file (with the run
 * under "__run" and the task's connections, passwords included, under
 * "__conns": opconns.c), so no password travels in arguments or the
 * environment, and calls the operator's row of the runner's table. A
 * fields file without "__conns" (written by hand) has its connections
 * resolved here, from flux.yaml and the environment. */
#include <stdlib.h>
#include <string.h>

#include "opkit.h"
#include "runner.h"
#include "schedule.h"
#include "value.h"

/* The runner's half of the fields file: what flux_op_main reads back. */
void flux_op_run_json(flux_buf *b, const char *pipeline, const char *run_id, const char *task, int try_number,
                      int64_t ti, int64_t interval_start_ms, int64_t interval_end_ms)
{
    flux_buf start = {0}, end = {0};
    flux_time_iso(interval_start_ms, 0, &start);
    flux_time_iso(interval_end_ms, 0, &end);
    flux_buf_puts(b, "\"__run\": {\"pipeline\": ");
    flux_value_json(flux_str(pipeline, strlen(pipeline)), b);
    flux_buf_puts(b, ", \"run_id\": ");
    flux_value_json(flux_str(run_id, strlen(run_id)), b);
    flux_buf_puts(b, ", \"task\": ");
    flux_value_json(flux_str(task, strlen(task)), b);
    flux_buf_printf(b, ", \"try\": %d, \"ti\": %lld, \"interval_start\": \"%s\", \"interval_end\": \"%s\"}",
                    try_number, (long long)ti, flux_buf_cstr(&start), flux_buf_cstr(&end));
    flux_buf_free(&start);
    flux_buf_free(&end);
}

/* what an operator returns is what the runner reads */
_Static_assert((int)OPKIT_BAD_TASK == (int)FLUX_OP_BAD_TASK && (int)OPKIT_NOT_YET == (int)FLUX_OP_NOT_YET &&
                   (int)OPKIT_NOT_YET_ERROR == (int)FLUX_OP_NOT_YET_ERROR,
               "opkit.h and ops.h agree on exit statuses");

static int64_t run_time(json_t *run, const char *key)
{
    json_t *v = json_object_get(run, key);
    int64_t ms = 0;
    bool zone;
    flux_sched_error e;
    if (json_is_string(v) && flux_time_parse(json_string_value(v), &ms, &zone, &e) == 0)
        return ms;
    return 0;
}

int flux_op_main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: flux __op OPERATOR FIELDS_JSON\n", stderr);
        return OPKIT_BAD_TASK;
    }
    const flux_op_runner *r = flux_runner_find(argv[0]);
    if (!r || !r->run) {
        fprintf(stderr, "flux: operator '%s' is not implemented in this build of flux\n", argv[0]);
        return OPKIT_BAD_TASK;
    }
    json_error_t je;
    json_t *fields = json_load_file(argv[1], 0, &je);
    if (!json_is_object(fields)) {
        fprintf(stderr, "flux: cannot read the task's fields %s: %s\n", argv[1], fields ? "not an object" : je.text);
        json_decref(fields);
        return OPKIT_BAD_TASK;
    }
    flux_arena *a = flux_arena_new();
    flux_conns conns;
    char err[512] = "";
    const char *path = getenv("FLUX_CONNECTIONS");
    /* the connections the runner resolved for this task (the process
     * inherits no FLUX_CONN_* or password variable to resolve them from);
     * a fields file written by hand (`flux __op` from a shell, as the
     * operators' tests do) has them resolved here, as `flux connections` does */
    int crc = json_object_get(fields, "__conns")
                  ? flux_op_conns_read(a, fields, &conns, err, sizeof err)
                  : flux_conns_load(a, &conns, path ? path : "flux.yaml", path != NULL, err, sizeof err);
    if (crc != 0) {
        fprintf(stderr, "flux: %s\n", err);
        json_decref(fields);
        flux_arena_free(a);
        return OPKIT_BAD_TASK;
    }
    json_t *run = json_object_get(fields, "__run");
    opkit_task t = {
        .op = argv[0],
        .fields = fields,
        .conns = &conns,
        .pipeline = json_string_value(json_object_get(run, "pipeline")),
        .run_id = json_string_value(json_object_get(run, "run_id")),
        .task = json_string_value(json_object_get(run, "task")),
        .try_number = (int)json_integer_value(json_object_get(run, "try")),
        .ti = json_integer_value(json_object_get(run, "ti")),
        .interval_start_ms = run_time(run, "interval_start"),
        .interval_end_ms = run_time(run, "interval_end"),
    };
    int rc = r->run(&t);
    fflush(stdout);
    json_decref(fields);
    flux_arena_free(a);
    return rc;
}
