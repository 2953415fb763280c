/* sensor — sensors between their pokes: the ones the runner checks itself
 * (a file, a time, another pipeline's task), the wait without a slot until
 * the next poke, and the timeout that bounds the whole wait.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_int.h"

/* external_task_sensor: the state of another pipeline's task, from the store */
static const char *ext_task_state(void *ud, const char *pipeline, int64_t logical_ms, const char *task)
{
    flux_executor *ex = ud;
    static char state[32];
    flux_ti_row row;
    memset(&row, 0, sizeof row);
    if (flux_store_latest_ti_at(ex->store, pipeline, logical_ms, task, &row) != 0)
        return NULL;
    snprintf(state, sizeof state, "%s", flux_ti_state_name(row.state));
    flux_ti_row_free(&row);
    return state;
}

void flux_sensor_poke(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    flux_arena *a = flux_arena_new();
    flux_op_fields f;
    char *masked = NULL, note[512] = "";
    const char **secrets;
    size_t nsecrets;
    int64_t now = flux_clock_wall_ms();
    if (!k->first_poke_ms)
        k->first_poke_ms = now;
    int r;
    if (flux_fields_render(k, a, &f, &masked, NULL, &secrets, &nsecrets, note, sizeof note) != 0) {
        r = -1;
    } else {
        flux_poke_ctx ctx = {now, k->run->p->name, k->run->row.run_id, k->run->row.logical_date, ext_task_state, ex};
        r = flux_op_poke(k->t->op, &f, &ctx, note, sizeof note);
    }
    free(masked);
    flux_arena_free(a);
    if (r == 1) {
        ex->in_flight--;
        flux_try_finished(k, FLUX_TI_SUCCESS, NULL, 0);
        flux_exec_dispatch(ex);
        return;
    }
    if (r < 0) {
        ex->in_flight--;
        flux_try_finished(k, FLUX_TI_FAILED, note, -1);
        flux_exec_dispatch(ex);
        return;
    }
    flux_sensor_not_yet(k, now, note, sizeof note);
}

/* A sensor whose condition does not hold yet: fail (or skip, soft_fail) at
 * its timeout, else wait for the next poke without a slot. */
void flux_sensor_not_yet(ex_task *k, int64_t now, char *note, size_t notelen)
{
    flux_executor *ex = k->run->ex;
    int64_t limit = flux_attr_ms(&k->t->attrs, "timeout", 7LL * 86400000);
    if (now - k->first_poke_ms >= limit) {
        ex->in_flight--;
        flux_buf d = {0};
        flux_print_duration(limit, &d);
        snprintf(note, notelen, "sensor timed out after %s%s%s%s", d.data, k->reason[0] ? " (last poke: " : "",
                 k->reason, k->reason[0] ? ")" : "");
        flux_buf_free(&d);
        if (flux_attr_bool(&k->t->attrs, "soft_fail", false))
            flux_try_finished(k, FLUX_TI_SKIPPED, note, -1);
        else
            flux_try_finished(k, FLUX_TI_FAILED, note, -1);
        flux_exec_dispatch(ex);
        return;
    }
    /* not yet: wait without a slot */
    if (k->state != FLUX_TI_UP_FOR_RESCHEDULE) {
        k->state = FLUX_TI_UP_FOR_RESCHEDULE;
        if (flux_store_ti_update(ex->store, k->ti_id, &(flux_ti_patch){.state = k->state}) != 0)
            flux_exec_store_fail(k->run, k, "sensor reschedule");
        flux_exec_say(k, FLUX_EXEC_RESCHEDULED, k->state, 0, NULL);
    }
    k->poke_delay_ms = flux_dag_poke_delay(k->poke_delay_ms, flux_attr_ms(&k->t->attrs, "poke_interval", 60000),
                                           flux_attr_bool(&k->t->attrs, "exponential_backoff", false));
    int64_t left = limit - (now - k->first_poke_ms);
    int64_t wait = k->poke_delay_ms < left ? k->poke_delay_ms : left;
    k->phase = W_POKE_WAIT;
    uv_timer_start(&k->timer, flux_sensor_on_poke, (uint64_t)(wait > 0 ? wait : 0), 0);
}

void flux_sensor_on_poke(uv_timer_t *t)
{
    ex_task *k = t->data;
    if (k->run->ex->stopping)
        return;
    if (k->how == FLUX_OP_RUN_POKE_PROCESS) {
        /* the next poke is a process again: it queues for a slot */
        k->run->ex->in_flight--;
        flux_exec_enqueue(k);
        flux_exec_dispatch(k->run->ex);
        return;
    }
    flux_sensor_poke(k);
}
