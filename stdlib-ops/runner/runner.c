/* runner — the operator table (runner.h) and the answers the runtime asks
 * of it: how a task runs, which process to start, one poke of a sensor.
 * Adding an operator is a schema row in registry.c and a row here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "runner.h"

#define RUN(name, how) {#name, how, op_run_##name, NULL, NULL}
#define COMMAND(name) {#name, FLUX_OP_RUN_PROCESS, NULL, op_command_##name, NULL}
#define POKE(name) {#name, FLUX_OP_RUN_POKE, NULL, NULL, op_poke_##name}

/* Sorted by name, as the registry is. */
static const flux_op_runner runners[] = {
    COMMAND(bash),
    POKE(external_task_sensor),
    POKE(file_sensor),
    RUN(file_to_kafka, FLUX_OP_RUN_PROCESS),
    RUN(file_to_mysql, FLUX_OP_RUN_PROCESS),
    RUN(http, FLUX_OP_RUN_PROCESS),
    RUN(kafka_produce, FLUX_OP_RUN_PROCESS),
    RUN(kafka_sensor, FLUX_OP_RUN_POKE_PROCESS),
    RUN(kafka_to_file, FLUX_OP_RUN_PROCESS),
    RUN(kafka_to_mysql, FLUX_OP_RUN_PROCESS),
    RUN(mysql, FLUX_OP_RUN_PROCESS),
    RUN(mysql_to_file, FLUX_OP_RUN_PROCESS),
    RUN(mysql_to_kafka, FLUX_OP_RUN_PROCESS),
    RUN(sql_sensor, FLUX_OP_RUN_POKE_PROCESS),
    RUN(sqlite, FLUX_OP_RUN_PROCESS),
    POKE(time_sensor),
};

const flux_op_runner *flux_runner_all(size_t *n)
{
    *n = sizeof runners / sizeof runners[0];
    return runners;
}

const flux_op_runner *flux_runner_find(const char *op)
{
    for (size_t i = 0; i < sizeof runners / sizeof runners[0]; i++)
        if (strcmp(runners[i].name, op) == 0)
            return &runners[i];
    return NULL;
}

/* an operator of one's own (manifest.h): its executable is the process */
static const flux_operator *own(const char *op)
{
    const flux_operator *o = flux_registry_find(op);
    return o && o->executable ? o : NULL;
}

flux_op_run flux_op_how(const char *op)
{
    const flux_op_runner *r = flux_runner_find(op);
    const flux_operator *o = r ? NULL : own(op);
    if (o) /* a sensor of one's own: one short process per poke, as sql_sensor */
        return o->kind == FLUX_OP_SENSOR ? FLUX_OP_RUN_POKE_PROCESS : FLUX_OP_RUN_PROCESS;
    return r ? r->how : FLUX_OP_RUN_MISSING;
}

int flux_op_command(const char *op, const flux_op_fields *f, const flux_op_where *w, flux_op_cmd *out, char *err,
                    size_t errlen)
{
    memset(out, 0, sizeof *out);
    const flux_op_runner *r = flux_runner_find(op);
    if (r && r->command)
        return r->command(f, out, err, errlen);
    const flux_operator *o = r ? NULL : own(op);
    if ((!o && (!r || !r->run)) || !w || !w->self || !w->fields_path) {
        snprintf(err, errlen, "operator '%s' does not run a process", op);
        return -1;
    }
    out->argv = calloc(5, sizeof *out->argv);
    if (o) {
        /* an operator of one's own: EXECUTABLE FIELDS_JSON */
        out->argv[0] = strdup(o->executable);
        out->argv[1] = strdup(w->fields_path);
    } else {
        /* every other process operator is this binary: `flux __op OPERATOR FIELDS_JSON` */
        out->argv[0] = strdup(w->self);
        out->argv[1] = strdup("__op");
        out->argv[2] = strdup(op);
        out->argv[3] = strdup(w->fields_path);
    }
    /* the runner gives a task a clean environment: what the operator's own
     * code and libraries read from theirs is passed on by name */
    static const char *const settings[] = {
        "FLUX_KAFKA_TIMEOUT", "FLUX_KAFKA_TEST_OFFSETS_FOR_TIMES", /* kafka_read.c */
        "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE",          /* TLS trust (libcurl, librdkafka) */
        "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY", /* libcurl */
    };
    size_t ns = sizeof settings / sizeof *settings, k = 0;
    out->env = calloc(ns + 1, sizeof *out->env);
    for (size_t i = 0; i < ns; i++) {
        const char *v = getenv(settings[i]);
        if (!v)
            continue;
        size_t len = strlen(settings[i]) + strlen(v) + 2;
        out->env[k] = malloc(len);
        snprintf(out->env[k++], len, "%s=%s", settings[i], v);
    }
    return 0;
}

int flux_op_poke(const char *op, const flux_op_fields *f, const flux_poke_ctx *ctx, char *err, size_t errlen)
{
    const flux_op_runner *r = flux_runner_find(op);
    if (!r || !r->poke) {
        snprintf(err, errlen, "operator '%s' is not a sensor the runner can poke", op);
        return -1;
    }
    return r->poke(f, ctx, err, errlen);
}
