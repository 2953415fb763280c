/* try — the life of one try of a task: queued, started through the
 * backend, ended (its report recorded, a retry or a timeout decided),
 * recovered from a previous runner; and what its end means for its
 * children (the trigger rules of dag.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec_int.h"
#include "registry.h"
#include "rundir.h"

static bool terminal(flux_ti_state s)
{
    return s == FLUX_TI_SUCCESS || s == FLUX_TI_FAILED || s == FLUX_TI_SKIPPED || s == FLUX_TI_UPSTREAM_FAILED;
}

void flux_try_desc_of(const ex_task *k, flux_try_desc *d)
{
    const flux_attrs *at = &k->t->attrs;
    *d = (flux_try_desc){k->run->ex->o.home, k->run->p->name, k->run->row.run_id, k->t->id, k->try_number,
                         k->log_path, flux_exec_task_nofile(), flux_attr_int(at, "max_output_value", 65536),
                         flux_attr_int(at, "max_outputs", 1048576), flux_attr_int(at, "max_log_size", 1073741824),
                         -1, k->ti_id, k->run->row.id,
                         k->how == FLUX_OP_RUN_POKE_PROCESS ? 0 : flux_attr_ms(at, "timeout", 0),
                         k->run->ex->o.grace_ms, at};
}

void flux_try_paths(ex_task *k)
{
    /* run ids hold ':' and '+': fine in file names; '/' is not allowed in
     * names, so each part is one directory level */
    snprintf(k->log_path, sizeof k->log_path, "%s/logs/%s/%s/%s.%d.log", k->run->ex->o.home, k->run->p->name,
             k->run->row.run_id, k->t->id, k->try_number);
}

void flux_try_signal(ex_task *k, int sig)
{
    if (k->proc)
        k->backend->ops->signal(k->proc, sig);
}

/* ---- timeouts ---- */

static void on_kill_timer(uv_timer_t *t)
{
    flux_try_signal(t->data, SIGKILL);
}

static void on_deadline(uv_timer_t *t)
{
    ex_task *k = t->data;
    k->timed_out = true;
    flux_try_signal(k, SIGTERM);
    uv_timer_stop(t);
    /* the deadline timer is reused for the SIGKILL that follows the grace */
    t->data = k;
    uv_timer_start(t, on_kill_timer, (uint64_t)k->run->ex->o.grace_ms, 0);
}

static void start_deadline(ex_task *k, int64_t ms)
{
    k->deadline.data = k;
    uv_timer_start(&k->deadline, on_deadline, (uint64_t)(ms > 0 ? ms : 0), 0);
}

/* ---- the end of a process ---- */

/* What the try reported (its wrapper's report file, never its log: see
 * backend.h), into the store: its outputs, its counts and lineage, how much
 * of its log was dropped; a failed try's last line into last. -1 with a
 * note when an output went over its limits, or a task that says it
 * succeeded did not account for every record. */
static int record_report(ex_task *k, int code, char *note, size_t notelen, char *last, size_t lastlen)
{
    flux_executor *ex = k->run->ex;
    flux_op_report r;
    flux_try_desc d;
    flux_try_desc_of(k, &d);
    free(k->outputs);
    k->outputs = NULL;
    const flux_operator *op = flux_registry_find(k->t->op);
    /* a transfer that says nothing of what it moved cannot be reconciled
     * (a try that printed no report line at all has no report file) */
    bool uncounted = code == 0 && op && op->kind == FLUX_OP_TRANSFER;
    if (k->backend->ops->report(k->backend, &d, &r) != 0) {
        flux_op_report_free(&r);
        if (uncounted)
            snprintf(note, notelen, "a transfer must print ::counts read=R written=W rejected=J before it exits");
        return uncounted ? -1 : 0;
    }
    k->outputs = r.outputs_json;
    r.outputs_json = NULL;
    if (r.last)
        snprintf(last, lastlen, "%s", r.last);
    int rc = 0;
    if (uncounted && !r.has_counts) {
        snprintf(note, notelen, "a transfer must print ::counts read=R written=W rejected=J before it exits");
        rc = -1;
    }
    if (r.has_counts) {
        if (flux_store_put_counts(ex->store, k->ti_id, r.read, r.written, r.rejected, r.bytes) != 0)
            flux_exec_store_fail(k->run, k, "record transfer counts");
        if (code == 0 && r.read != r.written + r.rejected) {
            snprintf(note, notelen, "counts do not reconcile: read %lld != written %lld + rejected %lld",
                     (long long)r.read, (long long)r.written, (long long)r.rejected);
            rc = -1;
        }
    }
    if (r.refused) {
        /* an output too long for its children's commands and the store */
        snprintf(note, notelen, "%s", r.refused);
        rc = -1;
    }
    if (r.log_dropped > 0 && flux_store_put_log_cut(ex->store, k->ti_id, r.log_dropped, r.log_max) != 0)
        flux_exec_store_fail(k->run, k, "record a log's cut");
    json_t *arr = json_loads(r.lineage_json, 0, NULL);
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        char *detail = json_dumps(json_object_get(o, "detail"), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        if (flux_store_put_lineage(ex->store, k->ti_id, json_string_value(json_object_get(o, "direction")),
                                   json_string_value(json_object_get(o, "kind")),
                                   json_string_value(json_object_get(o, "name")), detail ? detail : "{}") != 0)
            flux_exec_store_fail(k->run, k, "record lineage");
        free(detail);
    }
    json_decref(arr);
    flux_op_report_free(&r);
    return rc;
}

static void reason(ex_task *k, char *out, size_t n)
{
    flux_try_desc d;
    flux_try_desc_of(k, &d);
    flux_backend *b = k->backend ? k->backend : k->run->ex->backend;
    b->ops->reason(b, &d, out, n);
}

/* why a try that ran to its end ended so: the state and a note; last is
 * the last line it printed when it failed (wrap_tail.h) */
static flux_ti_state end_state(ex_task *k, int code, flux_ti_state st, char *note, size_t notelen,
                               const char *last)
{
    if (k->interrupted) {
        snprintf(note, notelen, "interrupted by the runner's stop; runs again with the next flux run");
        return FLUX_TI_SCHEDULED;
    }
    if (k->timed_out) {
        st = FLUX_TI_FAILED;
        flux_buf d = {0};
        flux_print_duration(flux_attr_ms(&k->t->attrs, "timeout", 0), &d);
        if (k->how == FLUX_OP_RUN_POKE_PROCESS) {
            /* the wait ran out during a poke: say what the pokes said */
            char why[256];
            reason(k, why, sizeof why);
            if (!why[0])
                snprintf(why, sizeof why, "%s", k->reason);
            snprintf(note, notelen, "sensor timed out after %s%s%s%s", d.data, why[0] ? " (last poke: " : "", why,
                     why[0] ? ")" : "");
            flux_sensor_log(k, flux_clock_wall_ms(), "%s", note);
            k->final_why = "a sensor's timeout is final";
            if (flux_attr_bool(&k->t->attrs, "soft_fail", false))
                st = FLUX_TI_SKIPPED;
        } else {
            snprintf(note, notelen, "timed out after %s; its process group was killed", d.data);
        }
        flux_buf_free(&d);
    } else if (code != 0 && !strcmp(k->t->op, "bash") && code == flux_attr_int(&k->t->attrs, "skip_exit_code", 99)) {
        st = FLUX_TI_SKIPPED;
        snprintf(note, notelen, "skipped: exit status %d is its skip_exit_code", code);
    } else if (code == FLUX_OP_BAD_TASK && strcmp(k->t->op, "bash") != 0 && !note[0]) {
        char why[400] = "";
        reason(k, why, sizeof why);
        snprintf(note, notelen, "exit status %d%s%s", code, why[0] ? ": " : "", why);
        k->final_why = "the operator says the task cannot run as written";
    } else if (code != 0 && !note[0]) {
        /* an operator's last word on why, else (bash's command, which
         * prints what it likes) the last line it printed: a shell's
         * "command not found" or "syntax error" says what to fix */
        char why[400] = "";
        if (strcmp(k->t->op, "bash") != 0)
            reason(k, why, sizeof why);
        if (!why[0])
            snprintf(why, sizeof why, "%s", last);
        snprintf(note, notelen, "exit status %d%s%s", code, why[0] ? ": " : "", why);
    }
    return st;
}

static void process_ended(ex_task *k, int code)
{
    flux_executor *ex = k->run->ex;
    if (k->deadline_init)
        uv_timer_stop(&k->deadline);
    ex->in_flight--;
    ex->end_iteration = ex->iteration;
    ex->end_us = flux_clock_mono_us();
    char note[512] = "", last[256] = "";
    flux_ti_state st = code == 0 ? FLUX_TI_SUCCESS : FLUX_TI_FAILED;
    if (strcmp(k->t->op, "bash") != 0) {
        /* the fields may hold secrets: gone once the task is */
        char fields_path[1100];
        snprintf(fields_path, sizeof fields_path, "%.*s.fields.json", (int)strlen(k->log_path) - 4, k->log_path);
        unlink(fields_path);
    }
    if (record_report(k, code, note, sizeof note, last, sizeof last) != 0)
        st = FLUX_TI_FAILED;
    bool not_yet = code == FLUX_OP_NOT_YET || code == FLUX_OP_NOT_YET_ERROR;
    if (k->how == FLUX_OP_RUN_POKE_PROCESS && !k->interrupted) {
        /* what the poke said, for the sensor's log and the timeout's note */
        if (not_yet)
            reason(k, k->reason, sizeof k->reason);
        flux_sensor_poked(k, flux_clock_wall_ms(), code);
    }
    if (k->how == FLUX_OP_RUN_POKE_PROCESS && !k->interrupted && !k->timed_out && not_yet) {
        /* a poke said "not yet": poke again later, the slot given back
         * (mode = reschedule) or kept (mode = poke) by not_yet; the wait
         * between pokes counts in in_flight, as a sensor the runner checks
         * itself does (a stop lets it go: exec_int.h) */
        ex->in_flight++;
        flux_sensor_not_yet(k, flux_clock_wall_ms(), note, sizeof note);
        flux_exec_dispatch(ex);
        if (ex->stopping && ex->in_flight == 0)
            uv_stop(&ex->loop);
        return;
    }
    st = end_state(k, code, st, note, sizeof note, last);
    flux_try_finished(k, st, note[0] ? note : NULL, code);
    flux_exec_dispatch(ex);
    /* stopping: done once the last signalled task has been recorded */
    if (ex->stopping && ex->in_flight == 0)
        uv_stop(&ex->loop);
}

void flux_try_done(void *ud, int status)
{
    ex_task *k = ud;
    flux_executor *ex = k->run->ex;
    k->proc = NULL;
    flux_exec_recheck(ex);
    if (k->run->detached) {
        /* its end is the journal's to tell whoever adopts the run */
        flux_exec_detached_proc_done(k);
        return;
    }
    if (status == FLUX_TRY_TIMED_OUT) {
        /* stopped by its timeout where it ran (a backend that enforces it) */
        k->timed_out = true;
        process_ended(k, 128 + SIGTERM);
        return;
    }
    if (status != FLUX_TRY_LOST) {
        /* the shell's (or wrapper's) own status is the command's: the journal's
         * exit line is only for a runner that was not there to see it */
        process_ended(k, status);
        return;
    }
    ex->in_flight--;
    char why[512];
    reason(k, why, sizeof why); /* a backend's own word on how it was lost (slurm: the job's state) */
    flux_try_finished(k, FLUX_TI_FAILED, why[0] ? why : "process gone: it ended without recording its exit status",
                      -1);
    flux_exec_dispatch(ex);
}

/* ---- queueing and starting ---- */

/* a new try row in state queued (or the row a previous runner queued) */
void flux_try_queue(ex_task *k)
{
    if (k->ti_id == 0 || terminal(k->state) || k->state == FLUX_TI_UP_FOR_RETRY || k->state == FLUX_TI_SCHEDULED ||
        k->state == FLUX_TI_NONE) {
        /* the try's row is written when it leaves the queue: a task that
         * unblocks ten thousand children must start the first two at once,
         * not after ten thousand inserts; a try still in memory when the
         * runner dies had not begun, and is simply queued again */
        k->try_number++;
        k->needs_row = true;
        k->ready_ms = flux_clock_wall_ms();
    }
    k->state = FLUX_TI_QUEUED;
    k->timed_out = k->interrupted = false;
    k->final_why = NULL;
    k->first_poke_mono = 0;
    k->poke_delay_ms = 0;
    k->pokes = 0;
    k->reason[0] = '\0';
    flux_try_paths(k);
    flux_exec_enqueue(k);
}

/* the directory of the try's log, for messages */
static void log_dir(const ex_task *k, char *out, size_t n)
{
    const char *slash = strrchr(k->log_path, '/');
    snprintf(out, n, "%.*s", slash ? (int)(slash - k->log_path) : 0, k->log_path);
}

/* a refusal of rundir.h is final: the next try would be refused the same way */
static int refused(ex_task *k, int rc)
{
    if (rc == FLUX_RUNDIR_REFUSED)
        k->final_why = "a retry would write to the same place";
    return rc;
}

int flux_try_open_dir(ex_task *k, char *note, size_t notelen)
{
    return refused(k, flux_rundir_open(k->run->ex->o.home, k->run->p->name, k->run->row.run_id, note, notelen));
}

int flux_try_open_file(ex_task *k, int dirfd, const char *name, int flags, char *note, size_t notelen)
{
    char dir[1024];
    log_dir(k, dir, sizeof dir);
    return refused(k, flux_rundir_file(dirfd, dir, name, flags, note, notelen));
}

/* name in the run's directory d, made (empty, 0600) when missing: the
 * backend and the task's shell then open it by its path, a regular file
 * in a checked directory */
static int make_file(ex_task *k, int d, const char *name, char *note, size_t notelen)
{
    /* O_NONBLOCK kept: closed unused, its flags need no second call */
    int fd = flux_try_open_file(k, d, name, O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK, note, notelen);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

/* an operator process reads its fields from a private file beside its log */
static int write_fields(ex_task *k, int d, const char *raw, char *path, size_t pathlen, char *note, size_t notelen)
{
    char name[600];
    snprintf(name, sizeof name, "%s.%d.fields.json", k->t->id, k->try_number);
    snprintf(path, pathlen, "%.*s.fields.json", (int)strlen(k->log_path) - 4, k->log_path);
    int ffd = flux_try_open_file(k, d, name, O_WRONLY | O_CREAT | O_TRUNC, note, notelen);
    if (ffd < 0)
        return -1;
    int rc = 0;
    if (write(ffd, raw, strlen(raw)) != (ssize_t)strlen(raw)) {
        snprintf(note, notelen, "cannot write the task's fields: %s", strerror(errno));
        rc = -1;
    }
    close(ffd);
    return rc;
}

/* The run's directory and the try's files in it, checked before anything
 * is written there (a link planted under logs/ must not take the log, the
 * journal or the fields outside FLUX_HOME): its descriptor, or -1 with a
 * note. The journal is made here; a process's log is only checked: its
 * wrapper makes it at the first byte of output, so a try that prints
 * nothing creates no file (an inode made per task was a large part of a
 * task's start on a filesystem that has just deleted many). A log someone
 * else opens by its path (a sensor's, written by the runner; a Slurm
 * job's) is made (make_log). */
static int prepare_files(ex_task *k, bool make_log, char *note, size_t notelen)
{
    int d = flux_try_open_dir(k, note, notelen);
    if (d < 0)
        return -1;
    char log[600], dir[1024];
    snprintf(log, sizeof log, "%s.%d.log", k->t->id, k->try_number);
    log_dir(k, dir, sizeof dir);
    /* "journal": the run's journal, journal.h */
    if (make_file(k, d, "journal", note, notelen) != 0 ||
        (make_log ? make_file(k, d, log, note, notelen) : refused(k, flux_rundir_check(d, dir, log, note, notelen))) !=
            0) {
        close(d);
        return -1;
    }
    return d;
}

/* An operator process (flux __op) reads its connections itself, so no
 * password travels in its arguments: it gets the path of the flux.yaml the
 * runner read, however the runner found it (--connections, walking up from
 * its directory ...), and reads the same file wherever it runs. */
static void pass_conns(const flux_executor *ex, flux_op_cmd *cmd)
{
    const char *file = ex->o.conns ? ex->o.conns->file : NULL;
    char abs[PATH_MAX];
    if (!file || !realpath(file, abs))
        return;
    size_t n = 0;
    while (cmd->env && cmd->env[n])
        n++;
    char **env = realloc(cmd->env, (n + 2) * sizeof *env);
    size_t len = strlen(abs) + sizeof "FLUX_CONNECTIONS=";
    if (!env || !(env[n] = malloc(len)))
        abort(); /* the allocation policy: abort on OOM */
    snprintf(env[n], len, "FLUX_CONNECTIONS=%s", abs);
    env[n + 1] = NULL;
    cmd->env = env;
}

/* renders the fields, builds the operator's command and starts it; -1 with a note */
static int start_process(ex_task *k, char **masked, char *note, size_t notelen)
{
    flux_executor *ex = k->run->ex;
    flux_arena *a = flux_arena_new();
    flux_op_fields f;
    const char **secrets = NULL;
    size_t nsecrets = 0;
    flux_op_cmd cmd;
    memset(&cmd, 0, sizeof cmd);
    char *raw = NULL;
    /* the unmasked fields (with connections' passwords) only for an operator process's file */
    bool op_process = strcmp(k->t->op, "bash") != 0;
    int rc = flux_fields_render(k, a, &f, masked, op_process ? &raw : NULL, &secrets, &nsecrets, note, notelen);
    if (rc != 0)
        k->final_why = "its fields render the same way on every try";
    char fields_path[1100] = "";
    /* a Slurm job's log is opened by slurmd, with the job's umask: made
     * here, 0600, for it to append to */
    int d = rc == 0 ? prepare_files(k, k->backend == ex->slurm, note, notelen) : -1;
    if (d < 0)
        rc = -1;
    if (rc == 0 && op_process)
        rc = write_fields(k, d, raw, fields_path, sizeof fields_path, note, notelen);
    free(raw);
    flux_op_where where = {ex->o.self, fields_path};
    if (rc == 0 && (rc = flux_op_command(k->t->op, &f, &where, &cmd, note, notelen)) != 0)
        k->final_why = "its fields make no command";
    if (rc == 0 && op_process)
        pass_conns(ex, &cmd);
    if (rc == 0 && strchr(cmd.argv[0], '/') && access(cmd.argv[0], X_OK) != 0) {
        /* the program itself is gone (flux replaced under a running
         * runner, a removed interpreter): every try would fail to start */
        snprintf(note, notelen, "cannot start the task: %.300s: %s%s", cmd.argv[0], strerror(errno),
                 !strcmp(k->t->op, "bash") && !strcmp(cmd.argv[0], "/bin/bash")
                     ? " (a command that needs no bash can say shell = sh)"
                     : "");
        k->final_why = "its program is missing";
        rc = -1;
    }
    if (rc == 0) {
        flux_try_desc t;
        flux_try_desc_of(k, &t);
        t.dirfd = d; /* checked just now: the backend need not open it again */
        k->proc = k->backend->ops->start(k->backend, &t, &cmd, secrets, nsecrets, k, note, notelen);
        rc = k->proc ? 0 : -1;
    }
    if (d >= 0)
        close(d);
    flux_op_cmd_free(&cmd);
    flux_arena_free(a);
    return rc;
}

/* a hand-off: a start in the same loop iteration as a process's end, timed
 * from that end: the child it made ready, or the task that waited for the
 * slot it freed. How long a slot stays idle between two tasks, which is
 * what the runner adds to a DAG's critical path (a start after a timer, a
 * retry or a sensor's wait is not one). */
static void count_handoff(flux_executor *ex)
{
    if (!ex->end_us || ex->end_iteration != ex->iteration)
        return;
    int64_t d = flux_clock_mono_us() - ex->end_us;
    if (ex->nhandoffs == ex->handoffs_cap) {
        ex->handoffs_cap = ex->handoffs_cap ? 2 * ex->handoffs_cap : 1024;
        ex->handoffs = realloc(ex->handoffs, ex->handoffs_cap * sizeof *ex->handoffs);
        if (!ex->handoffs)
            abort();
    }
    ex->handoffs[ex->nhandoffs++] = d;
}

void flux_try_start(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    char note[512] = "";
    if (k->run->detached)
        return;
    if (k->needs_row) {
        k->needs_row = false;
        if (flux_store_ti_insert_ready(ex->store, k->run->row.id, k->t->id, k->try_number, FLUX_TI_QUEUED,
                                       k->ready_ms, flux_clock_wall_ms(), &k->ti_id) != 0) {
            flux_exec_store_fail(k->run, k, "queue a task");
            return;
        }
    }
    /* its row, and what made it ready, durable before it can start */
    if (k->how != FLUX_OP_RUN_MISSING && !flux_exec_flush(ex))
        return;
    ex->in_flight++;
    if (k->how == FLUX_OP_RUN_MISSING) {
        snprintf(note, sizeof note, "operator '%s' is not implemented in this build of flux yet", k->t->op);
        k->final_why = "this build of flux has no such operator";
        ex->in_flight--;
        flux_try_finished(k, FLUX_TI_FAILED, note, -1);
        return;
    }
    /* a sensor's later poke (or a resumed wait) keeps the try's start */
    bool repoke = (k->how == FLUX_OP_RUN_POKE_PROCESS || k->how == FLUX_OP_RUN_POKE) && k->first_poke_mono;
    bool kept = k->poke_mode && k->holds_slot; /* between pokes in mode = poke */
    k->state = FLUX_TI_RUNNING;
    if (!repoke)
        k->started_ms = flux_clock_wall_ms(), k->started_mono = flux_clock_mono_ms();
    if (k->how == FLUX_OP_RUN_POKE_PROCESS && !k->first_poke_mono)
        k->first_poke_mono = k->started_mono;
    if (k->how == FLUX_OP_RUN_POKE) {
        /* its log: one line per poke, written by the runner */
        int d = prepare_files(k, true, note, sizeof note);
        if (d < 0) {
            ex->in_flight--;
            flux_try_finished(k, FLUX_TI_FAILED, note, -1);
            return;
        }
        close(d);
        if (k->poke_mode)
            flux_exec_take_slot(k); /* kept until its wait ends (its pool place was taken by the dispatch) */
        if (flux_store_ti_update(ex->store, k->ti_id,
                                 &(flux_ti_patch){.state = FLUX_TI_RUNNING, .started_ms = k->started_ms,
                                                  .host = ex->host, .log_path = k->log_path}) != 0) {
            flux_exec_store_fail(k->run, k, "start a sensor");
            return;
        }
        flux_exec_say(k, FLUX_EXEC_STARTED, FLUX_TI_RUNNING, 0, NULL);
        flux_sensor_poke(k);
        return;
    }
    char *masked = NULL;
    k->backend = flux_exec_backend_of(k, note, sizeof note);
    if (!k->backend || start_process(k, &masked, note, sizeof note) != 0) {
        free(masked);
        ex->in_flight--;
        flux_try_finished(k, FLUX_TI_FAILED, note, -1);
        return;
    }
    k->phase = W_PROCESS;
    flux_exec_take_slot(k);
    if (flux_store_ti_update(ex->store, k->ti_id,
                             &(flux_ti_patch){.state = FLUX_TI_RUNNING, .started_ms = k->started_ms,
                                              .pid = k->backend->ops->pid(k->proc), .host = ex->host,
                                              .log_path = k->log_path, .rendered = masked}) != 0)
        flux_exec_store_fail(k->run, k, "record a started task");
    free(masked);
    int64_t timeout = flux_attr_ms(&k->t->attrs, "timeout", 0);
    if (k->backend->ops->enforces_timeout && k->how != FLUX_OP_RUN_POKE_PROCESS)
        timeout = 0; /* enforced where the try runs, from its real start */
    if (timeout > 0 && k->how == FLUX_OP_RUN_POKE_PROCESS) { /* a sensor's timeout is its whole wait */
        int64_t waited = flux_clock_mono_ms() - k->first_poke_mono;
        timeout = timeout - waited > 1 ? timeout - waited : 1;
    }
    if (timeout > 0)
        start_deadline(k, timeout);
    count_handoff(ex);
    /* a poke-mode sensor's next poke: it has been running all along */
    if (!(repoke && kept))
        flux_exec_say(k, FLUX_EXEC_STARTED, FLUX_TI_RUNNING, 0, NULL);
}

/* ---- the end of a try, and what it means for its children ---- */

void flux_try_on_retry(uv_timer_t *t)
{
    ex_task *k = t->data;
    if (k->run->ex->stopping)
        return;
    flux_try_queue(k);
    flux_exec_dispatch(k->run->ex);
}

static flux_dag_outcome outcome(flux_ti_state st)
{
    switch (st) {
    case FLUX_TI_SUCCESS: return FLUX_DAG_SUCCESS;
    case FLUX_TI_FAILED: return FLUX_DAG_FAILED;
    case FLUX_TI_SKIPPED: return FLUX_DAG_SKIPPED;
    default: return FLUX_DAG_UPSTREAM_FAILED;
    }
}

static void finalize(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    ex_run *run = k->run;
    k->phase = W_DONE;
    ex->done++;
    if (k->state == FLUX_TI_FAILED || k->state == FLUX_TI_UPSTREAM_FAILED)
        ex->failed++;
    run->unfinished--;
    flux_past_task_ended(k);
    for (uint32_t j = run->g.start[k->idx]; j < run->g.start[k->idx + 1]; j++) {
        ex_task *c = &run->tasks[run->g.children[j]];
        flux_dag_parent_done(&c->in, outcome(k->state));
        flux_try_evaluate(c);
    }
    flux_exec_run_done(run);
}

void flux_try_finished(ex_task *k, flux_ti_state st, const char *note, int exit_status)
{
    flux_executor *ex = k->run->ex;
    /* every try ends here, whatever path it took: the slot and the pool
     * place it held are given back exactly once */
    flux_exec_give_slot(k);
    if (k->run->detached)
        return; /* let go earlier in this same event (its counts could not be written): nothing more of it */
    int64_t now = flux_clock_wall_ms();
    /* tries count from the last clear: a cleared task gets all its retries again */
    bool could = st == FLUX_TI_FAILED && k->try_number - k->cleared_at <= flux_attr_int(&k->t->attrs, "retries", 0) &&
                 !k->interrupted;
    bool retry = could && !k->final_why;
    char why[1024];
    if (could && k->final_why) {
        /* a retry was due: say why none is made */
        snprintf(why, sizeof why, "%s; not retried: %s", note ? note : "failed", k->final_why);
        note = why;
    }
    flux_ti_state rec = retry ? FLUX_TI_UP_FOR_RETRY : st;
    flux_notice notices[16];
    char keys[16][81];
    size_t nn = flux_outbox_notices(k, rec, notices, keys, 16);
    if (flux_store_ti_update(ex->store, k->ti_id,
                             &(flux_ti_patch){.state = rec, .ended_ms = now, .set_exit = true,
                                              .exit_status = exit_status, .outputs = k->outputs, .note = note,
                                              .notices = notices, .nnotices = nn}) != 0)
        flux_exec_store_fail(k->run, k, "record a task's end");
    if (k->run->detached)
        return; /* nothing follows from an end that is not recorded */
    k->state = rec;
    flux_exec_say(k, FLUX_EXEC_ENDED, rec, k->started_mono ? flux_clock_mono_ms() - k->started_mono : 0, note);
    if (st == FLUX_TI_SCHEDULED) {
        /* interrupted: not finished, the next runner starts it again */
        k->phase = W_IDLE;
        return;
    }
    if (retry) {
        flux_retry_policy p = {flux_attr_ms(&k->t->attrs, "retry_delay", 300000),
                               strcmp(flux_attr_word(&k->t->attrs, "retry_backoff", "constant"), "exponential") == 0,
                               flux_attr_ms(&k->t->attrs, "max_retry_delay", 0)};
        k->phase = W_RETRY_WAIT;
        uv_timer_start(&k->timer, flux_try_on_retry, (uint64_t)flux_dag_retry_delay(&p, k->try_number), 0);
        return;
    }
    finalize(k);
}

void flux_try_unrun(ex_task *k, flux_ti_state st, const char *note)
{
    /* one row says so */
    flux_executor *ex = k->run->ex;
    k->try_number++;
    int64_t now = flux_clock_wall_ms();
    if (flux_store_ti_insert(ex->store, k->run->row.id, k->t->id, k->try_number, st, now, &k->ti_id) != 0 ||
        flux_store_ti_update(ex->store, k->ti_id, &(flux_ti_patch){.state = st, .ended_ms = now, .note = note}) != 0)
        flux_exec_store_fail(k->run, k, "record a skipped task");
    if (k->run->detached)
        return;
    k->state = st;
    flux_exec_say(k, FLUX_EXEC_DECIDED, st, 0, note);
    finalize(k);
}

void flux_try_evaluate(ex_task *k)
{
    if (k->decided || k->run->ex->stopping || k->run->detached)
        return;
    flux_dag_decision d = flux_dag_decide(k->rule, &k->in);
    if (d == FLUX_DAG_WAIT)
        return;
    k->decided = true;
    if (d == FLUX_DAG_RUN && k->depends_on_past)
        flux_past_gate(k); /* queued now, later, or never */
    else if (d == FLUX_DAG_RUN)
        flux_try_queue(k);
    else
        flux_try_unrun(k, d == FLUX_DAG_SKIP ? FLUX_TI_SKIPPED : FLUX_TI_UPSTREAM_FAILED, NULL);
}

/* ---- recovery: what a previous runner left in state running or queued ---- */

static void adopted(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    ex->in_flight++;
    if (!k->holds_slot)
        flux_exec_take_slot(k); /* it holds a slot as if we had started it */
    k->phase = W_ADOPTED;
    k->state = FLUX_TI_RUNNING;
    if (!k->started_ms)
        k->started_ms = flux_clock_wall_ms(), k->started_mono = flux_clock_mono_ms();
    flux_exec_say(k, FLUX_EXEC_ADOPTED, FLUX_TI_RUNNING, 0, NULL);
    int64_t timeout = flux_attr_ms(&k->t->attrs, "timeout", 0);
    if (timeout > 0 && !k->backend->ops->enforces_timeout)
        start_deadline(k, k->started_mono + timeout - flux_clock_mono_ms());
}

void flux_try_recover(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    k->decided = true;
    flux_try_desc d;
    flux_try_desc_of(k, &d);
    int status = 0;
    flux_proc *proc = NULL;
    k->backend = flux_exec_backend_of_recovered(k);
    switch (k->backend->ops->recover(k->backend, &d, k, &status, &proc)) {
    case FLUX_RECOVER_FINISHED:
        /* it finished while nobody watched: take its result, do not rerun it */
        ex->in_flight++;
        k->phase = W_QUEUED;
        flux_exec_say(k, FLUX_EXEC_RECOVERED, k->state, 0, NULL);
        process_ended(k, status);
        return;
    case FLUX_RECOVER_FINISHED_STARTING:
        ex->in_flight++;
        k->phase = W_QUEUED;
        process_ended(k, status);
        return;
    case FLUX_RECOVER_ADOPTED:
        k->proc = proc;
        adopted(k);
        return;
    case FLUX_RECOVER_NOT_STARTED:
        /* start this same try */
        flux_exec_enqueue(k);
        return;
    case FLUX_RECOVER_GONE: break;
    }
    ex->in_flight++;
    char why[512] = "";
    if (k->backend == ex->slurm)
        reason(k, why, sizeof why); /* how its job was given up */
    flux_try_finished(k, FLUX_TI_FAILED, why[0] ? why : "process gone: the runner stopped and the task did not finish",
                      -1);
    ex->in_flight--;
}
