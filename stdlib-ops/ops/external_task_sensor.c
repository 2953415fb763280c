/* external_task_sensor — met once a task of another pipeline succeeded for
 * the interval starting at this run's (minus `offset`); fails when that
 * task failed. The runner answers from the state store, so a poke is one
 * query in the runner's process. */
#include <stdio.h>
#include <string.h>

#include "operators.h"
#include "value.h"

int op_poke_external_task_sensor(const flux_op_fields *f, const flux_poke_ctx *ctx, char *err, size_t errlen)
{
    char b[512], c[512];
    const char *pl = flux_op_text(f, "pipeline", b, sizeof b), *task = flux_op_text(f, "task", c, sizeof c);
    if (!pl || !task || !ctx->task_state) {
        snprintf(err, errlen, "external_task_sensor needs pipeline and task");
        return -1;
    }
    const flux_field *off = flux_op_get(f, "offset");
    int64_t at = ctx->logical_ms - (off && off->kind == FLUX_F_DURATION ? off->u.ms : 0);
    const char *st = ctx->task_state(ctx->ud, pl, at, task);
    if (st && (strcmp(st, "failed") == 0 || strcmp(st, "upstream_failed") == 0)) {
        flux_buf when = {0};
        flux_time_iso(at, 0, &when);
        snprintf(err, errlen, "task '%s' of pipeline '%s' for the interval starting %s ended %s", task, pl,
                 flux_buf_cstr(&when), st);
        flux_buf_free(&when);
        return -1;
    }
    if (st && strcmp(st, "success") == 0)
        return 1;
    flux_buf when = {0};
    flux_time_iso(at, 0, &when);
    snprintf(err, errlen, "task '%s' of pipeline '%s' for the interval starting %s is %s", task, pl,
             flux_buf_cstr(&when), st ? st : "not in any run yet");
    flux_buf_free(&when);
    return 0;
}
