/* time_sensor — met once the clock passes `until`: a poke the runner does
 * itself, so a waiting sensor holds nothing but a timer. */
#include <stdio.h>

#include "operators.h"
#include "schedule.h"

int op_poke_time_sensor(const flux_op_fields *f, const flux_poke_ctx *ctx, char *err, size_t errlen)
{
    char a[4096];
    const char *until = flux_op_text(f, "until", a, sizeof a);
    int64_t t;
    bool zone;
    flux_sched_error e;
    if (!until || flux_time_parse(until, &t, &zone, &e) != 0) {
        snprintf(err, errlen, "until is not a time: %s", until ? e.msg : "missing");
        return -1;
    }
    if (ctx->now_ms >= t)
        return 1;
    snprintf(err, errlen, "waiting until %s", until);
    return 0;
}
