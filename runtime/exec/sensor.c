/* sensor — sensors between their pokes: the ones the runner checks itself
 * (a file, a time, another pipeline's task), the wait until the next poke
 * (mode = reschedule: without a slot, up_for_reschedule; mode = poke: the
 * process slot and pool slot kept, running, as Airflow's poke mode keeps
 * its worker), the waits' growth (exponential_backoff, max_wait), the
 * timeout that bounds the whole wait (final: a sensor that timed out is not
 * retried), and the sensor's log: one line per poke with its time, result
 * and reason.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec_int.h"
#include "isotime.h"
#include "rundir.h"

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

void flux_sensor_log(ex_task *k, int64_t now, const char *fmt, ...)
{
    /* a line that cannot be written is not the sensor's failure: the check
     * of its directory when it started said what was wrong */
    char note[512], name[600], line[1200], t[40];
    int d = flux_rundir_open(k->run->ex->o.home, k->run->p->name, k->run->row.run_id, note, sizeof note);
    if (d < 0)
        return;
    snprintf(name, sizeof name, "%s.%d.log", k->t->id, k->try_number);
    int fd = flux_rundir_file(d, "", name, O_WRONLY | O_CREAT | O_APPEND, note, sizeof note);
    close(d);
    if (fd < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    dprintf(fd, "%s %s\n", flux_time_iso_into(now, FLUX_ISO_MILLIS, t, sizeof t), line);
    close(fd);
}

/* each secret in text (n bytes) replaced by ***: a reason names what the
 * poke looked at, which a template may have filled with a secret */
static void mask(char *text, size_t n, const char **secrets, size_t nsecrets)
{
    char *out = malloc(n);
    if (!out)
        abort(); /* the allocation policy: abort on OOM */
    for (size_t i = 0; i < nsecrets; i++) {
        size_t len = strlen(secrets[i]), o = 0;
        if (!len || !strstr(text, secrets[i]))
            continue;
        for (const char *p = text; *p && o + 1 < n;) {
            if (!strncmp(p, secrets[i], len)) {
                for (int j = 0; j < 3 && o + 1 < n; j++)
                    out[o++] = '*';
                p += len;
            } else {
                out[o++] = *p++;
            }
        }
        out[o] = '\0';
        memcpy(text, out, o + 1);
    }
    free(out);
}

void flux_sensor_poked(ex_task *k, int64_t now, int code)
{
    k->pokes++;
    if (k->timed_out)
        flux_sensor_log(k, now, "poke %d: stopped by the sensor's timeout", k->pokes);
    else if (code == FLUX_OP_NOT_YET || code == FLUX_OP_NOT_YET_ERROR)
        flux_sensor_log(k, now, "poke %d: not yet%s%s", k->pokes, k->reason[0] ? ": " : "", k->reason);
    else if (code == 0)
        flux_sensor_log(k, now, "poke %d: met", k->pokes);
    else
        flux_sensor_log(k, now, "poke %d: failed: exit status %d", k->pokes, code);
}

void flux_sensor_poke(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    flux_arena *a = flux_arena_new();
    flux_op_fields f;
    char *masked = NULL, note[512] = "";
    const char **secrets = NULL;
    size_t nsecrets = 0;
    int64_t now = flux_clock_wall_ms(); /* what the condition is checked against, and the log's time */
    if (!k->first_poke_mono)
        k->first_poke_mono = flux_clock_mono_ms();
    int r;
    if (flux_fields_render(k, a, &f, &masked, NULL, &secrets, &nsecrets, note, sizeof note) != 0) {
        k->final_why = "its fields render the same way on every try";
        r = -1;
    } else {
        flux_poke_ctx ctx = {now, k->run->p->name, k->run->row.run_id, k->run->row.logical_date, ext_task_state, ex};
        r = flux_op_poke(k->t->op, &f, &ctx, note, sizeof note);
        mask(note, sizeof note, secrets, nsecrets);
    }
    free(masked);
    flux_arena_free(a);
    k->pokes++;
    if (r == 1) {
        flux_sensor_log(k, now, "poke %d: met", k->pokes);
        ex->in_flight--;
        flux_try_finished(k, FLUX_TI_SUCCESS, NULL, 0);
        flux_exec_dispatch(ex);
        return;
    }
    if (r < 0) {
        flux_sensor_log(k, now, "poke %d: failed: %s", k->pokes, note);
        ex->in_flight--;
        flux_try_finished(k, FLUX_TI_FAILED, note, -1);
        flux_exec_dispatch(ex);
        return;
    }
    snprintf(k->reason, sizeof k->reason, "%.*s", (int)sizeof k->reason - 1, note);
    flux_sensor_log(k, now, "poke %d: not yet%s%s", k->pokes, note[0] ? ": " : "", note);
    note[0] = '\0';
    flux_sensor_not_yet(k, now, note, sizeof note);
}

/* up_for_reschedule, in the store and for the status callback: a sensor
 * between pokes that holds no slot. -1 when it could not be written. */
static int rescheduled(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    if (k->state == FLUX_TI_UP_FOR_RESCHEDULE)
        return 0;
    k->state = FLUX_TI_UP_FOR_RESCHEDULE;
    if (flux_store_ti_update(ex->store, k->ti_id, &(flux_ti_patch){.state = k->state}) != 0) {
        flux_exec_store_fail(k->run, k, "sensor reschedule");
        return -1;
    }
    flux_exec_say(k, FLUX_EXEC_RESCHEDULED, k->state, 0, NULL);
    return 0;
}

void flux_sensor_let_go(ex_task *k)
{
    flux_exec_give_slot(k);
    if (!k->run->detached && k->ti_id)
        rescheduled(k);
}

/* A sensor whose condition does not hold yet: fail (or skip, soft_fail) at
 * its timeout, else wait for the next poke: without a slot (reschedule), or
 * keeping it and running (poke). now: the wall clock, for the log; the
 * wait is measured on the monotonic clock. */
void flux_sensor_not_yet(ex_task *k, int64_t now, char *note, size_t notelen)
{
    flux_executor *ex = k->run->ex;
    int64_t limit = flux_attr_ms(&k->t->attrs, "timeout", 7LL * 86400000);
    int64_t waited = flux_clock_mono_ms() - k->first_poke_mono;
    if (waited >= limit) {
        ex->in_flight--;
        flux_buf d = {0};
        flux_print_duration(limit, &d);
        snprintf(note, notelen, "sensor timed out after %s%s%s%s", d.data, k->reason[0] ? " (last poke: " : "",
                 k->reason, k->reason[0] ? ")" : "");
        flux_buf_free(&d);
        flux_sensor_log(k, now, "%s", note);
        /* as in Airflow, the timeout bounds the whole wait: another try
         * would only wait past it */
        k->final_why = "a sensor's timeout is final";
        if (flux_attr_bool(&k->t->attrs, "soft_fail", false))
            flux_try_finished(k, FLUX_TI_SKIPPED, note, -1);
        else
            flux_try_finished(k, FLUX_TI_FAILED, note, -1);
        flux_exec_dispatch(ex);
        return;
    }
    bool leaving = ex->stopping || ex->draining;
    if (leaving || !k->poke_mode) {
        /* not yet: wait without a slot; or no next poke here at all, and
         * up_for_reschedule is where the next runner picks the wait up */
        flux_exec_give_slot(k);
        if (rescheduled(k) != 0)
            return;
    }
    if (leaving) {
        k->phase = W_IDLE;
        ex->in_flight--;
        return;
    }
    k->poke_delay_ms = flux_dag_poke_delay(k->poke_delay_ms, flux_attr_ms(&k->t->attrs, "poke_interval", 60000),
                                           flux_attr_bool(&k->t->attrs, "exponential_backoff", false),
                                           flux_attr_ms(&k->t->attrs, "max_wait", 0));
    int64_t left = limit - waited;
    int64_t wait = k->poke_delay_ms < left ? k->poke_delay_ms : left;
    k->phase = W_POKE_WAIT;
    /* from now, not from the loop's time at the start of this event (the
     * poke and its store writes may have taken a while): a wait is never
     * shorter than it says */
    uv_update_time(&ex->loop);
    uv_timer_start(&k->timer, flux_sensor_on_poke, (uint64_t)(wait > 0 ? wait : 0), 0);
}

void flux_sensor_on_poke(uv_timer_t *t)
{
    ex_task *k = t->data;
    if (k->run->ex->stopping)
        return;
    if (k->how == FLUX_OP_RUN_POKE_PROCESS || (k->poke_mode && !k->holds_slot)) {
        /* the next poke is a process again, or a poke-mode sensor resumed
         * from the store needs its slot back: it queues (one that holds
         * its slot already starts at the next dispatch, fenced like any) */
        k->run->ex->in_flight--;
        flux_exec_enqueue(k);
        flux_exec_dispatch(k->run->ex);
        return;
    }
    flux_sensor_poke(k);
}
