/* test_runner — the runner's table against the registry: every operator of
 * the registry has exactly one runner row and every row an operator, a
 * sensor is poked (in the runner or as a process) and nothing else is, and
 * each row has the one entry point its way of running needs. */
#include "registry.h"
#include "runner.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"


static void test_same_operators(void)
{
    size_t nops, nrun;
    const flux_operator *ops = flux_registry_all(&nops);
    const flux_op_runner *run = flux_runner_all(&nrun);
    for (size_t i = 0; i < nops; i++) {
        size_t rows = 0;
        for (size_t j = 0; j < nrun; j++)
            rows += strcmp(run[j].name, ops[i].name) == 0;
        check(rows == 1, "operator '%s' has %zu runner rows, not 1", ops[i].name, rows);
    }
    for (size_t j = 0; j < nrun; j++)
        check(flux_registry_find(run[j].name) != NULL, "runner row '%s' is not in the registry", run[j].name);
    for (size_t j = 1; j < nrun; j++)
        check(strcmp(run[j - 1].name, run[j].name) < 0, "runner rows not sorted: '%s' before '%s'",
              run[j - 1].name, run[j].name);
}

static void test_kinds_agree(void)
{
    size_t nrun;
    const flux_op_runner *run = flux_runner_all(&nrun);
    for (size_t j = 0; j < nrun; j++) {
        const flux_op_runner *r = &run[j];
        const flux_operator *op = flux_registry_find(r->name);
        if (!op)
            continue;
        bool pokes = r->how == FLUX_OP_RUN_POKE || r->how == FLUX_OP_RUN_POKE_PROCESS;
        check(pokes == (op->kind == FLUX_OP_SENSOR), "'%s' is a %s but runs as %d", r->name,
              flux_op_kind_name(op->kind), (int)r->how);
        int entries = (r->run != NULL) + (r->command != NULL) + (r->poke != NULL);
        check(entries == 1, "'%s' has %d entry points, not 1", r->name, entries);
        switch (r->how) {
        case FLUX_OP_RUN_PROCESS:
            check(r->run || r->command, "'%s' runs a process but has no run or command", r->name);
            break;
        case FLUX_OP_RUN_POKE:
            check(r->poke != NULL, "'%s' is poked in the runner but has no poke", r->name);
            break;
        case FLUX_OP_RUN_POKE_PROCESS:
            check(r->run != NULL, "'%s' is poked by a process but has no run", r->name);
            break;
        case FLUX_OP_RUN_MISSING:
            check(0, "'%s' has a row that says it is missing", r->name);
            break;
        }
        check(flux_op_how(r->name) == r->how, "flux_op_how('%s') is not its row's", r->name);
    }
}

static void test_answers(void)
{
    check(flux_op_how("no_such_operator") == FLUX_OP_RUN_MISSING, "an unknown operator is missing");
    flux_op_cmd cmd;
    char err[128];
    flux_op_where w = {.self = "/bin/flux", .fields_path = "/tmp/fields.json"};
    check(flux_op_command("no_such_operator", NULL, &w, &cmd, err, sizeof err) == -1 &&
              strcmp(err, "operator 'no_such_operator' does not run a process") == 0,
          "no process for an unknown operator");
    check(flux_op_command("time_sensor", NULL, &w, &cmd, err, sizeof err) == -1, "no process for time_sensor");
    check(flux_op_command("http", NULL, NULL, &cmd, err, sizeof err) == -1, "no process without a where");
    check(flux_op_command("sql_sensor", NULL, &w, &cmd, err, sizeof err) == 0 && cmd.argv &&
              strcmp(cmd.argv[0], "/bin/flux") == 0 && strcmp(cmd.argv[1], "__op") == 0 &&
              strcmp(cmd.argv[2], "sql_sensor") == 0 && strcmp(cmd.argv[3], "/tmp/fields.json") == 0 && !cmd.argv[4],
          "sql_sensor runs as flux __op sql_sensor FIELDS");
    flux_op_cmd_free(&cmd);
    flux_op_fields none = {0};
    check(flux_op_command("bash", &none, &w, &cmd, err, sizeof err) == -1 &&
              strcmp(err, "bash task has no command") == 0,
          "bash without a command");
    flux_op_cmd_free(&cmd);
    check(flux_op_poke("http", &none, NULL, err, sizeof err) == -1 &&
              strcmp(err, "operator 'http' is not a sensor the runner can poke") == 0,
          "http is not poked");
}

int main(void)
{
    test_same_operators();
    test_kinds_agree();
    test_answers();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
