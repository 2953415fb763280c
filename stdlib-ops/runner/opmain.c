/* opmain — `flux __op OPERATOR FIELDS_JSON`: the process of one task of an
 * operator other than bash. Reads the fields the runner wrote to a private
 * file (with the run under "__run"), resolves connections here, in the
 * task's process, so no password travels in arguments, and calls the
 * operator. */
#include <stdlib.h>
#include <string.h>

#include "opkit.h"
#include "ops.h"
#include "schedule.h"

typedef int (*op_fn)(const opkit_task *);

static const struct {
    const char *name;
    op_fn fn;
} ops[] = {
    {"file_to_kafka", opkit_run_file_to_kafka},   {"file_to_mysql", opkit_run_file_to_mysql},
    {"http", opkit_run_http},                     {"kafka_produce", opkit_run_kafka_produce},
    {"kafka_sensor", opkit_run_kafka_sensor},     {"kafka_to_file", opkit_run_kafka_to_file},
    {"kafka_to_mysql", opkit_run_kafka_to_mysql}, {"mysql", opkit_run_mysql},
    {"mysql_to_file", opkit_run_mysql_to_file},   {"mysql_to_kafka", opkit_run_mysql_to_kafka},
    {"sql_sensor", opkit_run_sql_sensor},         {"sqlite", opkit_run_sqlite},
};

static op_fn find(const char *name)
{
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, name) == 0)
            return ops[i].fn;
    return NULL;
}

bool flux_op_implemented(const char *op)
{
    return find(op) != NULL;
}

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
    op_fn fn = find(argv[0]);
    if (!fn) {
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
    int rc;
    if (flux_conns_load(a, &conns, path ? path : "flux.yaml", path != NULL, err, sizeof err) != 0) {
        fprintf(stderr, "flux: %s\n", err);
        rc = OPKIT_BAD_TASK;
    } else {
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
        rc = fn(&t);
    }
    fflush(stdout);
    json_decref(fields);
    flux_arena_free(a);
    return rc;
}
