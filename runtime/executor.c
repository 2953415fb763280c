/* executor — runs task instances of one or more runs on a libuv loop. */
#define _GNU_SOURCE /* posix_spawn's SETSID and addchdir_np */
#include "executor.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <uv.h>

#include "eval.h"
#include "ops.h"
#include "parse.h"
#include "registry.h"

void flux_print_duration(int64_t ms, flux_buf *out); /* lang/parse.c */

extern char **environ;

typedef struct ex_run ex_run;

#define FLUX_MAX_POOLS 64

typedef enum { W_IDLE, W_QUEUED, W_PROCESS, W_ADOPTED, W_POKE_WAIT, W_RETRY_WAIT, W_DONE } ex_phase;

typedef struct ex_task {
    ex_run *run;
    uint32_t idx;
    const flux_task *t;
    flux_op_run how;
    int rule;              /* trigger_rule, parsed once */
    /* graph bookkeeping */
    uint32_t waiting;      /* parents not finished */
    uint32_t n_success, n_failed, n_skipped, n_upfailed;
    bool decided;          /* trigger rule applied (run, skip or upstream_failed) */
    /* current try */
    ex_phase phase;
    flux_ti_state state;
    int try_number;
    int64_t ti_id;
    int pid;
    int64_t started_ms, first_poke_ms, deadline_ms, handoff_from_us;
    uint64_t handoff_serial; /* the parent's end event that made it ready */
    int64_t poke_delay_ms;
    bool timed_out, interrupted;
    char reason[256];      /* a poke process's last "not yet" error, for the timeout's note */
    int pool;              /* pool slot held while running, -1 none */
    bool needs_row;        /* queued in memory; its try's row is written at start */
    bool holds_slot;       /* counted in running until task_finished */
    char log_path[1024];
    char *outputs;         /* JSON, malloc'd */
    int pidfd;             /* -1 when none */
    uv_poll_t poll;        /* readable when the process has exited */
    uv_timer_t timer;      /* retry, poke, adoption polling */
    uv_timer_t deadline;   /* timeout of a process */
    bool timer_init, deadline_init, proc_active, poll_closing;
    flux_ti_state recover_from; /* the store's unfinished state when its run was activated */
    struct ex_task *next_ready;
} ex_task;

struct ex_run {
    flux_executor *ex;
    const flux_pipeline *p;
    const flux_tz *tz;
    flux_run_row row;
    flux_value params;
    ex_task *tasks;
    size_t n;
    uint32_t *child_start, *children; /* CSR of children by task */
    size_t unfinished;
    bool ended, active, dir_made;
    int64_t started_ms;
    int group;             /* index in ex->groups: the pipeline's max_active_tasks */
    int max_tasks;         /* 0: no limit of its own */
    bool freeing;
    size_t closing;        /* handles still closing before the run is freed */
    ex_run *next;
};

/* task processes running per pipeline, across its runs (max_active_tasks) */
typedef struct ex_group {
    char *pipeline;
    int running;
} ex_group;

struct flux_executor {
    uv_loop_t loop;
    flux_store *store;
    flux_exec_opts o;
    ex_run *runs, *runs_tail;
    size_t nruns, runs_done, runs_failed, active_runs;
    ex_task *ready_head, *ready_tail;
    int running; /* process slots in use */
    int pool_used[FLUX_MAX_POOLS + 1];
    size_t total, done, failed, in_flight;
    bool stopping;
    uv_signal_t sigint, sigterm;
    uv_timer_t progress, stop_timer;
    int64_t t0_ms;
    char host[128];
    int64_t *handoffs;
    size_t nhandoffs, handoffs_cap;
    flux_arena *arena;
    char wrap[PATH_MAX];  /* flux-wrap beside flux, or flux itself with __wrap */
    bool wrap_is_own;
    uint64_t serial;      /* event number: a hand-off is measured within one event */
    ex_group *groups;
    size_t ngroups;
    bool draining;        /* service stop: no new task; running ones may finish */
    bool dispatching, redispatch;
    uv_timer_t drain_timer;
};

static void task_finished(ex_task *k, flux_ti_state st, const char *note, int exit_status);
static void evaluate(ex_task *k);

/* a process slot, counted globally (-j) and for the pipeline */
static void take_slot(ex_task *k)
{
    k->holds_slot = true;
    k->run->ex->running++;
    k->run->ex->groups[k->run->group].running++;
}

static void drain_check(flux_executor *ex);

static void give_slot(ex_task *k)
{
    if (!k->holds_slot)
        return;
    k->holds_slot = false;
    k->run->ex->running--;
    k->run->ex->groups[k->run->group].running--;
    drain_check(k->run->ex);
}
static void dispatch(flux_executor *ex);
static void start_try(ex_task *k);
static void enqueue(ex_task *k);

/* ---- small helpers ---- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const flux_field *attr(const flux_task *t, const char *key)
{
    for (size_t i = 0; i < t->attrs.n; i++)
        if (strcmp(t->attrs.v[i].key, key) == 0)
            return &t->attrs.v[i].val;
    return NULL;
}

static int64_t attr_int(const flux_task *t, const char *key, int64_t dflt)
{
    const flux_field *f = attr(t, key);
    return f && f->kind == FLUX_F_INT ? f->u.i : dflt;
}

static int64_t attr_ms(const flux_task *t, const char *key, int64_t dflt)
{
    const flux_field *f = attr(t, key);
    return f && f->kind == FLUX_F_DURATION ? f->u.ms : dflt;
}

static const char *attr_word(const flux_task *t, const char *key, const char *dflt)
{
    const flux_field *f = attr(t, key);
    return f && (f->kind == FLUX_F_IDENT || f->kind == FLUX_F_STRING) ? f->u.str.s : dflt;
}

static bool attr_bool(const flux_task *t, const char *key, bool dflt)
{
    const flux_field *f = attr(t, key);
    return f && f->kind == FLUX_F_BOOL ? f->u.b : dflt;
}

static bool terminal(flux_ti_state s)
{
    return s == FLUX_TI_SUCCESS || s == FLUX_TI_FAILED || s == FLUX_TI_SKIPPED || s == FLUX_TI_UPSTREAM_FAILED;
}

static void say(flux_executor *ex, const ex_task *k, const char *what, const char *extra)
{
    if (ex->o.quiet || ex->o.progress_tty)
        return;
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    fprintf(ex->o.out, "%02d:%02d:%02d %s %s %s%s%s\n", tm.tm_hour, tm.tm_min, tm.tm_sec, k->run->row.run_id,
            k->t->id, what, extra ? " " : "", extra ? extra : "");
    fflush(ex->o.out);
}

static void store_fail(flux_executor *ex, const char *what)
{
    /* a transition that cannot be recorded must not happen silently: stop
     * starting tasks, the next runner resumes from the store */
    fprintf(stderr, "flux: state store: %s: %s\n", what, flux_store_error(ex->store));
    ex->stopping = true;
}

static void mkdirs(const char *path)
{
    /* the leaf first: its parents exist for every task but the first */
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return;
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    }
    mkdir(tmp, 0755);
}

static void try_paths(const ex_task *k, int try_number, char *log, size_t n)
{
    /* run ids hold ':' and '+': fine in file names; '/' is not allowed in
     * names, so each part is one directory level */
    snprintf(log, n, "%s/logs/%s/%s/%s.%d.log", k->run->ex->o.home, k->run->p->name, k->run->row.run_id, k->t->id,
             try_number);
}

/* a process that is gone, or a zombie nobody reaps (an orphaned wrapper
 * whose runner died: PID 1 of a container may never reap it) */
static bool process_alive(int pid)
{
    if (pid <= 0 || kill(pid, 0) != 0)
        return false;
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return true;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *rp = strrchr(buf, ')');
    return !(rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X'));
}

/* The journal of a run (logs/PIPELINE/RUN_ID/journal) is where the processes
 * of its tasks say what a new runner needs to adopt them, one appended line
 * each: "spawn TASK TRY" (the runner, just before the fork), "pid TASK TRY
 * PID" (the task's shell or wrapper, first thing), "exit TASK TRY STATUS"
 * (the same, last thing). Appends of a few bytes with O_APPEND do not
 * interleave, and one file per run rather than per task matters: creating
 * inodes is the most expensive thing a task does on these filesystems. */
typedef struct jentry {
    bool spawned, has_pid, has_exit;
    int pid, code;
} jentry;

static jentry journal_lookup(const char *journal, const char *task, int try_number)
{
    jentry e = {false, false, false, 0, 0};
    FILE *f = fopen(journal, "r");
    if (!f)
        return e;
    char line[1400], kind[16], name[1200];
    int tr, v;
    while (fgets(line, sizeof line, f)) {
        int n = sscanf(line, "%15s %1199s %d %d", kind, name, &tr, &v);
        if (n < 3 || tr != try_number || strcmp(name, task) != 0)
            continue;
        if (!strcmp(kind, "spawn")) /* a sensor's try spawns once per poke: the last counts */
            e = (jentry){true, false, false, 0, 0};
        else if (!strcmp(kind, "pid") && n == 4)
            e.has_pid = true, e.pid = v;
        else if (!strcmp(kind, "exit") && n == 4)
            e.has_exit = true, e.code = v;
    }
    fclose(f);
    return e;
}

static void journal_path(const ex_task *k, char *out, size_t n)
{
    snprintf(out, n, "%s/logs/%s/%s/journal", k->run->ex->o.home, k->run->p->name, k->run->row.run_id);
}

/* ---- progress ---- */

static void progress_line(flux_executor *ex)
{
    if (!ex->o.progress_tty || ex->o.quiet)
        return;
    double el = (double)(now_ms() - ex->t0_ms) / 1000.0;
    fprintf(ex->o.out, "\r\033[K[%zu/%zu done] %zu running, %zu failed, %.1fs", ex->done, ex->total, ex->in_flight,
            ex->failed, el);
    fflush(ex->o.out);
}

static void on_progress(uv_timer_t *t)
{
    progress_line(t->data);
}

/* ---- rendering ---- */

typedef struct render_ctx {
    ex_run *run;
} render_ctx;

static bool output_of(void *ud, const char *task, const char *key, flux_value *out)
{
    ex_run *run = ud;
    for (size_t i = 0; i < run->n; i++) {
        if (strcmp(run->tasks[i].t->id, task) != 0)
            continue;
        if (!run->tasks[i].outputs)
            return false;
        json_error_t je;
        json_t *o = json_loads(run->tasks[i].outputs, 0, &je);
        json_t *v = o ? json_object_get(o, key) : NULL;
        bool ok = v && json_is_string(v);
        if (ok)
            *out = flux_cstr(run->ex->arena, json_string_value(v));
        json_decref(o);
        return ok;
    }
    return false;
}

/* "__run": the run an operator process works for (its interval above all) */
static void run_json(ex_task *k, bool comma, flux_buf *b)
{
    if (comma)
        flux_buf_puts(b, ", ");
    flux_op_run_json(b, k->run->p->name, k->run->row.run_id, k->t->id, k->try_number, k->ti_id,
                     k->run->row.interval_start, k->run->row.interval_end);
}

/* renders every field of the task for this try: raw for running it,
 * masked JSON for the store. -1 with a note. */
static int render_task(ex_task *k, flux_arena *a, flux_op_fields *fields, char **masked_json, char **raw_json,
                       const char ***secrets, size_t *nsecrets, char *note, size_t notelen)
{
    flux_sources src;
    flux_sources_init(&src);
    flux_diags d;
    flux_diags_init(&d, &src);
    flux_renderer r = {.arena = a, .diags = &d, .conns = k->run->ex->o.conns, .mask = false,
                       .output = output_of, .ud = k->run};
    flux_run run = {k->run->p, k->run->tz, {k->run->row.interval_start, k->run->row.interval_end,
                                            k->run->row.interval_end},
                    k->run->row.run_id, k->run->params};
    size_t n = k->t->attrs.n;
    const char **keys = flux_arena_alloc(a, (n ? n : 1) * sizeof *keys);
    flux_field *vals = flux_arena_alloc(a, (n ? n : 1) * sizeof *vals);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        keys[i] = k->t->attrs.v[i].key;
        rc = flux_render_field(&r, &run, k->t, k->try_number, &k->t->attrs.v[i].val, &vals[i]);
    }
    if (rc != 0) {
        if (r.err[0])
            snprintf(note, notelen, "%s", r.err);
        else if (d.n)
            snprintf(note, notelen, "template failed: %s", d.v[0]->msg);
        else
            snprintf(note, notelen, "template failed to render");
    } else {
        /* masked for the store; as rendered for an operator's process */
        for (int pass = 0; pass < 2; pass++) {
            r.mask = pass == 0;
            flux_buf b = {0};
            flux_buf_putc(&b, '{');
            for (size_t i = 0; i < n; i++) {
                if (i)
                    flux_buf_puts(&b, ", ");
                flux_value_json(flux_str(keys[i], strlen(keys[i])), &b);
                flux_buf_puts(&b, ": ");
                flux_field_json(&r, &vals[i], &b);
            }
            if (pass == 1)
                run_json(k, n > 0, &b);
            flux_buf_putc(&b, '}');
            if (pass == 0)
                *masked_json = strdup(b.data);
            else if (raw_json)
                *raw_json = strdup(b.data);
            flux_buf_free(&b);
        }
        fields->keys = keys;
        fields->vals = vals;
        fields->n = n;
        *secrets = r.secrets;
        *nsecrets = r.nsecrets;
    }
    flux_diags_free(&d);
    flux_sources_free(&src);
    return rc;
}

/* ---- processes ---- */

static void on_deadline(uv_timer_t *t);

static void stop_deadline(ex_task *k)
{
    if (k->deadline_init)
        uv_timer_stop(&k->deadline);
}

/* The counts and lineage a transfer printed, into the store. -1 with a
 * note when a task that says it succeeded did not account for every record. */
static int record_report(ex_task *k, int code, char *note, size_t notelen)
{
    flux_executor *ex = k->run->ex;
    flux_op_report r;
    free(k->outputs);
    k->outputs = NULL;
    if (flux_op_read_report(k->log_path, &r) != 0) {
        flux_op_report_free(&r);
        return 0;
    }
    k->outputs = r.outputs_json;
    r.outputs_json = NULL;
    int rc = 0;
    if (r.has_counts) {
        if (flux_store_put_counts(ex->store, k->ti_id, r.read, r.written, r.rejected, r.bytes) != 0)
            store_fail(ex, "record transfer counts");
        if (code == 0 && r.read != r.written + r.rejected) {
            snprintf(note, notelen, "counts do not reconcile: read %lld != written %lld + rejected %lld",
                     (long long)r.read, (long long)r.written, (long long)r.rejected);
            rc = -1;
        }
    }
    json_t *arr = json_loads(r.lineage_json, 0, NULL);
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        char *detail = json_dumps(json_object_get(o, "detail"), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        if (flux_store_put_lineage(ex->store, k->ti_id, json_string_value(json_object_get(o, "direction")),
                                   json_string_value(json_object_get(o, "kind")),
                                   json_string_value(json_object_get(o, "name")), detail ? detail : "{}") != 0)
            store_fail(ex, "record lineage");
        free(detail);
    }
    json_decref(arr);
    flux_op_report_free(&r);
    return rc;
}

/* The last "flux: ..." line of a log: why a poke could not tell. */
static void last_reason(const char *log_path, char *out, size_t outlen)
{
    out[0] = '\0';
    FILE *fp = fopen(log_path, "rb");
    if (!fp)
        return;
    char line[1024];
    while (fgets(line, sizeof line, fp))
        if (strncmp(line, "flux: ", 6) == 0) {
            line[strcspn(line, "\r\n")] = '\0';
            size_t n = strlen(line + 6) < outlen - 1 ? strlen(line + 6) : outlen - 1;
            memcpy(out, line + 6, n);
            out[n] = '\0';
        }
    fclose(fp);
}

static void not_yet(ex_task *k, int64_t now, char *note, size_t notelen);

static void process_ended(ex_task *k, int code)
{
    flux_executor *ex = k->run->ex;
    stop_deadline(k);
    ex->in_flight--;
    ex->serial++;
    k->handoff_from_us = mono_us();
    char note[512] = "";
    flux_ti_state st = code == 0 ? FLUX_TI_SUCCESS : FLUX_TI_FAILED;
    if (strcmp(k->t->op, "bash") != 0) {
        /* the fields may hold secrets: gone once the task is */
        char fields_path[1100];
        snprintf(fields_path, sizeof fields_path, "%.*s.fields.json", (int)strlen(k->log_path) - 4, k->log_path);
        unlink(fields_path);
    }
    if (record_report(k, code, note, sizeof note) != 0)
        st = FLUX_TI_FAILED;
    if (k->how == FLUX_OP_RUN_POKE_PROCESS && !k->interrupted && !k->timed_out &&
        (code == FLUX_OP_NOT_YET || code == FLUX_OP_NOT_YET_ERROR)) {
        /* a poke said "not yet": give the slot back and poke again later */
        give_slot(k);
        if (k->pool >= 0) {
            ex->pool_used[k->pool]--;
            k->pool = -1;
        }
        if (code == FLUX_OP_NOT_YET_ERROR)
            last_reason(k->log_path, k->reason, sizeof k->reason);
        else
            k->reason[0] = '\0';
        not_yet(k, now_ms(), note, sizeof note);
        dispatch(ex);
        if (ex->stopping && ex->in_flight == 0)
            uv_stop(&ex->loop);
        return;
    }
    if (k->interrupted) {
        st = FLUX_TI_SCHEDULED;
        snprintf(note, sizeof note, "interrupted by the runner's stop; runs again with the next flux run");
    } else if (k->timed_out) {
        st = FLUX_TI_FAILED;
        flux_buf d = {0};
        flux_print_duration(attr_ms(k->t, "timeout", 0), &d);
        if (k->how == FLUX_OP_RUN_POKE_PROCESS) {
            /* the wait ran out during a poke: say what the pokes said */
            char why[256];
            last_reason(k->log_path, why, sizeof why);
            if (!why[0])
                snprintf(why, sizeof why, "%s", k->reason);
            snprintf(note, sizeof note, "sensor timed out after %s%s%s%s", d.data, why[0] ? " (last poke: " : "", why,
                     why[0] ? ")" : "");
            if (attr_bool(k->t, "soft_fail", false))
                st = FLUX_TI_SKIPPED;
        } else {
            snprintf(note, sizeof note, "timed out after %s; its process group was killed", d.data);
        }
        flux_buf_free(&d);
    } else if (code != 0 && !strcmp(k->t->op, "bash") && code == attr_int(k->t, "skip_exit_code", 99)) {
        st = FLUX_TI_SKIPPED;
        snprintf(note, sizeof note, "skipped: exit status %d is its skip_exit_code", code);
    } else if (code != 0 && !note[0]) {
        /* an operator's last word on why, for the views */
        char why[400] = "";
        if (strcmp(k->t->op, "bash") != 0)
            last_reason(k->log_path, why, sizeof why);
        snprintf(note, sizeof note, "exit status %d%s%s", code, why[0] ? ": " : "", why);
    }
    task_finished(k, st, note[0] ? note : NULL, code);
    dispatch(ex);
    /* stopping: done once the last signalled task has been recorded */
    if (ex->stopping && ex->in_flight == 0)
        uv_stop(&ex->loop);
}

static void exited(ex_task *k, int code)
{
    /* the shell's (or wrapper's) own status is the command's: the journal's
     * exit line is only for a runner that was not there to see it */
    k->proc_active = false;
    process_ended(k, code);
}

static void run_handle_closed(uv_handle_t *h);

static void pidfd_closed(uv_handle_t *h)
{
    ex_task *k = h->data;
    if (k->pidfd >= 0)
        close(k->pidfd);
    k->pidfd = -1;
    k->poll_closing = false;
    if (k->run->freeing) /* the run ended meanwhile: this was its last open handle of k */
        run_handle_closed(h);
}

/* reaps our child; -1 while it still runs */
static int reap(ex_task *k)
{
    int st;
    pid_t r = waitpid(k->pid, &st, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR))
        return -1;
    if (r < 0)
        return 255;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static void on_pidfd(uv_poll_t *h, int status, int events)
{
    (void)status, (void)events;
    ex_task *k = h->data;
    int code = reap(k);
    if (code < 0)
        return;
    uv_poll_stop(h);
    k->poll_closing = true;
    uv_close((uv_handle_t *)h, pidfd_closed);
    exited(k, code);
}

/* without pidfd (kernels before 5.3): poll our child with waitpid */
static void on_reap_timer(uv_timer_t *t)
{
    ex_task *k = t->data;
    int code = reap(k);
    if (code < 0)
        return;
    uv_timer_stop(t);
    exited(k, code);
}

static void kill_group(ex_task *k, int sig)
{
    if (k->pid > 0)
        kill(-k->pid, sig);
}

static void on_kill_timer(uv_timer_t *t)
{
    ex_task *k = t->data;
    kill_group(k, SIGKILL);
}

static void on_deadline(uv_timer_t *t)
{
    ex_task *k = t->data;
    k->timed_out = true;
    kill_group(k, SIGTERM);
    uv_timer_stop(t);
    /* the deadline timer is reused for the SIGKILL that follows the grace */
    t->data = k;
    uv_timer_start(t, on_kill_timer, (uint64_t)k->run->ex->o.grace_ms, 0);
}

static char **build_env(ex_task *k, const flux_op_cmd *cmd, const char *const *secrets, size_t nsecrets)
{
    size_t n = 0, extra = 0;
    while (environ[n])
        n++;
    while (cmd->env && cmd->env[extra])
        extra++;
    char **env = calloc(n + extra + 12, sizeof *env);
    size_t k2 = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "FLUX_SECRETS=", 13) != 0)
            env[k2++] = strdup(environ[i]);
    for (size_t i = 0; i < extra; i++)
        env[k2++] = strdup(cmd->env[i]);
    char buf[2048];
    snprintf(buf, sizeof buf, "FLUX_PIPELINE=%s", k->run->p->name);
    env[k2++] = strdup(buf);
    snprintf(buf, sizeof buf, "FLUX_RUN_ID=%s", k->run->row.run_id);
    env[k2++] = strdup(buf);
    snprintf(buf, sizeof buf, "FLUX_TASK=%s", k->t->id);
    env[k2++] = strdup(buf);
    snprintf(buf, sizeof buf, "FLUX_TRY_NUMBER=%d", k->try_number);
    env[k2++] = strdup(buf);
    flux_buf b = {0};
    flux_buf_puts(&b, "FLUX_SECRETS=");
    for (size_t i = 0; i < nsecrets; i++) {
        if (strchr(secrets[i], '\n'))
            continue; /* a multi-line secret cannot be passed this way; never seen in practice */
        flux_buf_puts(&b, secrets[i]);
        flux_buf_putc(&b, '\n');
    }
    env[k2++] = strdup(flux_buf_cstr(&b));
    flux_buf_free(&b);
    env[k2] = NULL;
    return env;
}

static void free_strv(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static int spawn(ex_task *k, const flux_op_cmd *cmd, const char *const *secrets, size_t nsecrets, char *note,
                 size_t notelen)
{
    flux_executor *ex = k->run->ex;
    char dir[1024], journal[1100], key[1100];
    snprintf(dir, sizeof dir, "%s", k->log_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    if (!k->run->dir_made) {
        mkdirs(dir);
        k->run->dir_made = true;
    }
    journal_path(k, journal, sizeof journal);
    snprintf(key, sizeof key, "%s %d", k->t->id, k->try_number);
    /* "spawn" before the fork: a runner that dies between the fork and the
     * task's "pid" line leaves it behind, and the next runner waits for the
     * pid instead of starting the command a second time */
    int jfd = open(journal, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (jfd >= 0) {
        char line[1200];
        int ln = snprintf(line, sizeof line, "spawn %s\n", key);
        if (write(jfd, line, (size_t)ln) != ln) {
            snprintf(note, notelen, "cannot write the run's journal %.300s: %s", journal, strerror(errno));
            close(jfd);
            return -1;
        }
        close(jfd);
    }
    int fd = open(k->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(note, notelen, "cannot open log %.300s: %s", k->log_path, strerror(errno));
        return -1;
    }
    size_t na = 0;
    while (cmd->argv[na])
        na++;
    char **args = calloc(na + 6, sizeof *args), **a = args;
    char **env = build_env(k, cmd, secrets, nsecrets);
    bool direct = nsecrets == 0 && na == 3 && !strcmp(cmd->argv[0], "/bin/sh") && !strcmp(cmd->argv[1], "-c");
    char script[4800];
    const char *file = ex->wrap;
    if (direct) {
        /* no secret to mask: the shell records its own pid and exit status
         * (the same files flux-wrap writes), one exec per task like ninja */
        snprintf(script, sizeof script,
                 "echo \"pid %s $$\" >>'%s'; (eval \"$FLUX_COMMAND\"); flux_rc=$?; "
                 "echo \"exit %s $flux_rc\" >>'%s'; exit $flux_rc",
                 key, journal, key, journal);
        file = "/bin/sh";
        *a++ = "/bin/sh";
        *a++ = "-c";
        *a++ = script;
        size_t ne = 0;
        while (env[ne])
            ne++;
        char **grown = realloc(env, (ne + 2) * sizeof *grown);
        env = grown;
        size_t cl = strlen(cmd->argv[2]) + 16;
        env[ne] = malloc(cl);
        snprintf(env[ne], cl, "FLUX_COMMAND=%s", cmd->argv[2]);
        env[ne + 1] = NULL;
    } else {
        *a++ = (char *)ex->wrap;
        if (!ex->wrap_is_own)
            *a++ = "__wrap";
        *a++ = journal;
        *a++ = key;
        *a++ = "--";
        for (size_t i = 0; i < na; i++)
            *a++ = cmd->argv[i];
    }
    /* posix_spawn (a vfork underneath) rather than uv_spawn's fork: the
     * runner's address space is not copied for every task */
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fd, 1);
    posix_spawn_file_actions_adddup2(&fa, fd, 2);
    if (cmd->cwd)
        posix_spawn_file_actions_addchdir_np(&fa, cmd->cwd);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    /* its own session: survives us, and a timeout kills its whole group */
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int r = posix_spawn(&pid, file, &fa, &at, args, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(fd);
    free(args);
    free_strv(env);
    if (r != 0) {
        snprintf(note, notelen, "cannot start the task: %s", strerror(r));
        return -1;
    }
    k->proc_active = true;
    k->pid = pid;
    k->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (k->pidfd >= 0) {
        uv_poll_init(&ex->loop, &k->poll, k->pidfd);
        k->poll.data = k;
        uv_poll_start(&k->poll, UV_READABLE, on_pidfd);
    } else {
        uv_timer_start(&k->timer, on_reap_timer, 2, 2);
    }
    return 0;
}

/* ---- sensors ---- */

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

static void on_poke(uv_timer_t *t);

static void poke(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    flux_arena *a = flux_arena_new();
    flux_op_fields f;
    char *masked = NULL, note[512] = "";
    const char **secrets;
    size_t nsecrets;
    int64_t now = now_ms();
    if (!k->first_poke_ms)
        k->first_poke_ms = now;
    int r;
    if (render_task(k, a, &f, &masked, NULL, &secrets, &nsecrets, note, sizeof note) != 0) {
        r = -1;
    } else {
        flux_poke_ctx ctx = {now, k->run->p->name, k->run->row.run_id, k->run->row.logical_date, ext_task_state, ex};
        r = flux_op_poke(k->t->op, &f, &ctx, note, sizeof note);
    }
    free(masked);
    flux_arena_free(a);
    if (r == 1) {
        ex->in_flight--;
        task_finished(k, FLUX_TI_SUCCESS, NULL, 0);
        dispatch(ex);
        return;
    }
    if (r < 0) {
        ex->in_flight--;
        task_finished(k, FLUX_TI_FAILED, note, -1);
        dispatch(ex);
        return;
    }
    not_yet(k, now, note, sizeof note);
}

/* A sensor whose condition does not hold yet: fail (or skip, soft_fail) at
 * its timeout, else wait for the next poke without a slot. */
static void not_yet(ex_task *k, int64_t now, char *note, size_t notelen)
{
    flux_executor *ex = k->run->ex;
    int64_t limit = attr_ms(k->t, "timeout", 7LL * 86400000);
    if (now - k->first_poke_ms >= limit) {
        ex->in_flight--;
        flux_buf d = {0};
        flux_print_duration(limit, &d);
        snprintf(note, notelen, "sensor timed out after %s%s%s%s", d.data, k->reason[0] ? " (last poke: " : "",
                 k->reason, k->reason[0] ? ")" : "");
        flux_buf_free(&d);
        if (attr_bool(k->t, "soft_fail", false))
            task_finished(k, FLUX_TI_SKIPPED, note, -1);
        else
            task_finished(k, FLUX_TI_FAILED, note, -1);
        dispatch(ex);
        return;
    }
    /* not yet: wait without a slot */
    if (k->state != FLUX_TI_UP_FOR_RESCHEDULE) {
        k->state = FLUX_TI_UP_FOR_RESCHEDULE;
        if (flux_store_ti_update(ex->store, k->ti_id, &(flux_ti_patch){.state = k->state}) != 0)
            store_fail(ex, "sensor reschedule");
        say(ex, k, "up_for_reschedule", NULL);
    }
    int64_t base = attr_ms(k->t, "poke_interval", 60000);
    if (!k->poke_delay_ms)
        k->poke_delay_ms = base;
    else if (attr_bool(k->t, "exponential_backoff", false))
        k->poke_delay_ms = k->poke_delay_ms * 2 > 3600000 ? 3600000 : k->poke_delay_ms * 2;
    int64_t left = limit - (now - k->first_poke_ms);
    int64_t wait = k->poke_delay_ms < left ? k->poke_delay_ms : left;
    k->phase = W_POKE_WAIT;
    uv_timer_start(&k->timer, on_poke, (uint64_t)(wait > 0 ? wait : 0), 0);
}

static void on_poke(uv_timer_t *t)
{
    ex_task *k = t->data;
    if (k->run->ex->stopping)
        return;
    if (k->how == FLUX_OP_RUN_POKE_PROCESS) {
        /* the next poke is a process again: it queues for a slot */
        k->run->ex->in_flight--;
        enqueue(k);
        dispatch(k->run->ex);
        return;
    }
    poke(k);
}

/* ---- the life of a try ---- */

static void enqueue(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    k->phase = W_QUEUED;
    k->next_ready = NULL;
    if (ex->ready_tail)
        ex->ready_tail->next_ready = k;
    else
        ex->ready_head = k;
    ex->ready_tail = k;
}

/* a new try row in state queued (or the row a previous runner queued) */
static int queue_try(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    (void)ex;
    if (k->ti_id == 0 || terminal(k->state) || k->state == FLUX_TI_UP_FOR_RETRY || k->state == FLUX_TI_SCHEDULED ||
        k->state == FLUX_TI_NONE) {
        /* the try's row is written when it leaves the queue: a task that
         * unblocks ten thousand children must start the first two at once,
         * not after ten thousand inserts; a try still in memory when the
         * runner dies had not begun, and is simply queued again */
        k->try_number++;
        k->needs_row = true;
    }
    k->state = FLUX_TI_QUEUED;
    k->timed_out = k->interrupted = false;
    k->first_poke_ms = 0;
    k->poke_delay_ms = 0;
    k->reason[0] = '\0';
    try_paths(k, k->try_number, k->log_path, sizeof k->log_path);
    enqueue(k);
    return 0;
}

static void start_try(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    char note[512] = "";
    if (k->needs_row) {
        k->needs_row = false;
        if (flux_store_ti_insert(ex->store, k->run->row.id, k->t->id, k->try_number, FLUX_TI_QUEUED, now_ms(),
                                 &k->ti_id) != 0) {
            store_fail(ex, "queue a task");
            return;
        }
    }
    ex->in_flight++;
    if (k->how == FLUX_OP_RUN_MISSING) {
        snprintf(note, sizeof note, "operator '%s' is not implemented in this build of flux yet", k->t->op);
        ex->in_flight--;
        task_finished(k, FLUX_TI_FAILED, note, -1);
        return;
    }
    bool repoke = k->how == FLUX_OP_RUN_POKE_PROCESS && k->first_poke_ms;
    k->state = FLUX_TI_RUNNING;
    if (!repoke)
        k->started_ms = now_ms();
    if (k->how == FLUX_OP_RUN_POKE_PROCESS && !k->first_poke_ms)
        k->first_poke_ms = k->started_ms;
    if (k->how == FLUX_OP_RUN_POKE) {
        if (flux_store_ti_update(ex->store, k->ti_id,
                                 &(flux_ti_patch){.state = FLUX_TI_RUNNING, .started_ms = k->started_ms,
                                                  .host = ex->host}) != 0) {
            store_fail(ex, "start a sensor");
            return;
        }
        say(ex, k, "running", NULL);
        poke(k);
        return;
    }
    flux_arena *a = flux_arena_new();
    flux_op_fields f;
    char *masked = NULL;
    const char **secrets = NULL;
    size_t nsecrets = 0;
    flux_op_cmd cmd;
    memset(&cmd, 0, sizeof cmd);
    char *raw = NULL;
    int rc = render_task(k, a, &f, &masked, &raw, &secrets, &nsecrets, note, sizeof note);
    char fields_path[1100] = "";
    if (rc == 0 && strcmp(k->t->op, "bash") != 0) {
        /* an operator process reads its fields from a private file */
        char dir[1024];
        snprintf(dir, sizeof dir, "%s", k->log_path);
        char *sl = strrchr(dir, '/');
        if (sl)
            *sl = '\0';
        if (!k->run->dir_made) {
            mkdirs(dir);
            k->run->dir_made = true;
        }
        snprintf(fields_path, sizeof fields_path, "%.*s.fields.json", (int)strlen(k->log_path) - 4, k->log_path);
        int ffd = open(fields_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (ffd < 0 || write(ffd, raw, strlen(raw)) != (ssize_t)strlen(raw)) {
            snprintf(note, sizeof note, "cannot write the task's fields: %s", strerror(errno));
            rc = -1;
        }
        if (ffd >= 0)
            close(ffd);
    }
    free(raw);
    flux_op_where where = {ex->o.self, fields_path};
    if (rc == 0)
        rc = flux_op_command(k->t->op, &f, &where, &cmd, note, sizeof note);
    if (rc == 0)
        rc = spawn(k, &cmd, secrets, nsecrets, note, sizeof note);
    flux_op_cmd_free(&cmd);
    flux_arena_free(a);
    if (rc != 0) {
        free(masked);
        ex->in_flight--;
        task_finished(k, FLUX_TI_FAILED, note, -1);
        return;
    }
    k->phase = W_PROCESS;
    take_slot(k);
    if (flux_store_ti_update(ex->store, k->ti_id,
                             &(flux_ti_patch){.state = FLUX_TI_RUNNING, .started_ms = k->started_ms, .pid = k->pid,
                                              .host = ex->host, .log_path = k->log_path, .rendered = masked}) != 0)
        store_fail(ex, "record a started task");
    free(masked);
    int64_t timeout = attr_ms(k->t, "timeout", 0);
    if (timeout > 0 && k->how == FLUX_OP_RUN_POKE_PROCESS) /* a sensor's timeout is its whole wait */
        timeout = timeout - (now_ms() - k->first_poke_ms) > 1 ? timeout - (now_ms() - k->first_poke_ms) : 1;
    if (timeout > 0) {
        k->deadline.data = k;
        uv_timer_start(&k->deadline, on_deadline, (uint64_t)timeout, 0);
    }
    /* a hand-off: started in the same event as the end of the parent that
     * made it ready (a child that waited for a free slot is queueing, not
     * hand-off) */
    if (k->handoff_from_us && k->handoff_serial == ex->serial) {
        int64_t d = mono_us() - k->handoff_from_us;
        if (ex->nhandoffs == ex->handoffs_cap) {
            ex->handoffs_cap = ex->handoffs_cap ? 2 * ex->handoffs_cap : 1024;
            ex->handoffs = realloc(ex->handoffs, ex->handoffs_cap * sizeof *ex->handoffs);
        }
        ex->handoffs[ex->nhandoffs++] = d;
    }
    say(ex, k, "running", NULL);
}

/* the pool a task draws from, or -1 (pools of flux.yaml; an unknown pool
 * name has one slot, so a typo does not turn into unlimited parallelism) */
static int pool_of(flux_executor *ex, const ex_task *k)
{
    const char *name = attr_word(k->t, "pool", NULL);
    if (!name)
        return -1;
    const flux_conns *c = ex->o.conns;
    for (size_t i = 0; c && i < c->npools && i < FLUX_MAX_POOLS; i++)
        if (!strcmp(c->pool_names[i], name))
            return (int)i;
    return FLUX_MAX_POOLS; /* the shared one-slot pool of unknown names */
}

static int pool_slots(flux_executor *ex, int p)
{
    return p < FLUX_MAX_POOLS && ex->o.conns ? ex->o.conns->pool_slots[p] : 1;
}

static void dispatch_once(flux_executor *ex);

/* Not reentrant: starting a task can finish it at once (a sensor whose first
 * poke succeeds) and that asks for a dispatch from inside this one; the
 * inner request is a second pass of the outer loop instead. */
static void dispatch(flux_executor *ex)
{
    if (ex->dispatching) {
        ex->redispatch = true;
        return;
    }
    ex->dispatching = true;
    do {
        ex->redispatch = false;
        dispatch_once(ex);
    } while (ex->redispatch);
    ex->dispatching = false;
    progress_line(ex);
}

static void dispatch_once(flux_executor *ex)
{
    /* first in, first out, skipping a task whose pool is full */
    ex_task *prev = NULL;
    for (ex_task *k = ex->ready_head; k && !ex->stopping && !ex->draining;) {
        bool needs_slot = k->how == FLUX_OP_RUN_PROCESS || k->how == FLUX_OP_RUN_POKE_PROCESS;
        if (needs_slot && ex->running >= ex->o.slots)
            break;
        int p = needs_slot ? pool_of(ex, k) : -1;
        bool full = needs_slot && k->run->max_tasks > 0 && ex->groups[k->run->group].running >= k->run->max_tasks;
        if (full || (p >= 0 && ex->pool_used[p] >= pool_slots(ex, p))) {
            prev = k;
            k = k->next_ready;
            continue;
        }
        ex_task *next = k->next_ready;
        if (prev)
            prev->next_ready = next;
        else
            ex->ready_head = next;
        if (ex->ready_tail == k)
            ex->ready_tail = prev;
        k->pool = p;
        if (p >= 0)
            ex->pool_used[p]++;
        start_try(k);
        if (ex->redispatch)
            return; /* the queue changed under us: start over */
        k = next;
    }
}

static void on_retry(uv_timer_t *t)
{
    ex_task *k = t->data;
    if (k->run->ex->stopping)
        return;
    if (queue_try(k) == 0)
        dispatch(k->run->ex);
}

static int64_t retry_delay(const ex_task *k)
{
    int64_t d = attr_ms(k->t, "retry_delay", 300000);
    if (strcmp(attr_word(k->t, "retry_backoff", "constant"), "exponential") == 0) {
        for (int i = 1; i < k->try_number && d < INT64_MAX / 2; i++)
            d *= 2;
        int64_t cap = attr_ms(k->t, "max_retry_delay", 0);
        if (cap > 0 && d > cap)
            d = cap;
    }
    return d;
}

/* ---- graph ---- */

static void run_maybe_done(ex_run *run);

static void finalize(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    k->phase = W_DONE;
    ex->done++;
    if (k->state == FLUX_TI_FAILED || k->state == FLUX_TI_UPSTREAM_FAILED)
        ex->failed++;
    k->run->unfinished--;
    for (uint32_t j = k->run->child_start[k->idx]; j < k->run->child_start[k->idx + 1]; j++) {
        ex_task *c = &k->run->tasks[k->run->children[j]];
        if (c->waiting)
            c->waiting--;
        switch (k->state) {
        case FLUX_TI_SUCCESS: c->n_success++; break;
        case FLUX_TI_FAILED: c->n_failed++; break;
        case FLUX_TI_SKIPPED: c->n_skipped++; break;
        default: c->n_upfailed++; break;
        }
        c->handoff_from_us = k->handoff_from_us;
        c->handoff_serial = ex->serial;
        evaluate(c);
    }
    run_maybe_done(k->run);
}

static void task_finished(ex_task *k, flux_ti_state st, const char *note, int exit_status)
{
    flux_executor *ex = k->run->ex;
    /* every try ends here, whatever path it took: the slot and the pool
     * place it held are given back exactly once */
    give_slot(k);
    if (k->pool >= 0) {
        ex->pool_used[k->pool]--;
        k->pool = -1;
    }
    int64_t now = now_ms();
    bool retry = st == FLUX_TI_FAILED && k->try_number <= attr_int(k->t, "retries", 0) && !k->interrupted;
    flux_ti_state rec = retry ? FLUX_TI_UP_FOR_RETRY : st;
    if (flux_store_ti_update(ex->store, k->ti_id,
                             &(flux_ti_patch){.state = rec, .ended_ms = now, .set_exit = true,
                                              .exit_status = exit_status, .outputs = k->outputs, .note = note}) != 0)
        store_fail(ex, "record a task's end");
    k->state = rec;
    char extra[600];
    snprintf(extra, sizeof extra, "(%.2fs%s%s)", k->started_ms ? (double)(now - k->started_ms) / 1000.0 : 0.0,
             note ? ", " : "", note ? note : "");
    say(ex, k, flux_ti_state_name(rec), extra);
    if (st == FLUX_TI_SCHEDULED) {
        /* interrupted: not finished, the next runner starts it again */
        k->phase = W_IDLE;
        return;
    }
    if (retry) {
        int64_t d = retry_delay(k);
        k->phase = W_RETRY_WAIT;
        uv_timer_start(&k->timer, on_retry, (uint64_t)d, 0);
        return;
    }
    finalize(k);
}

/* Airflow's trigger rules, parsed once per task: evaluate() runs on every
 * parent's end, ten thousand times for the sink of a wide DAG */
typedef enum {
    R_ALL_SUCCESS, R_ALL_FAILED, R_ALL_DONE, R_ALL_SKIPPED, R_ONE_SUCCESS, R_ONE_FAILED, R_ONE_DONE,
    R_NONE_FAILED, R_NONE_FAILED_MIN_ONE_SUCCESS, R_NONE_SKIPPED, R_ALWAYS
} trigger_rule;

static trigger_rule parse_rule(const flux_task *t)
{
    static const char *const names[] = {"all_success", "all_failed", "all_done", "all_skipped", "one_success",
                                        "one_failed", "one_done", "none_failed", "none_failed_min_one_success",
                                        "none_skipped", "always"};
    const char *rule = attr_word(t, "trigger_rule", "all_success");
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(rule, names[i]) == 0)
            return (trigger_rule)i;
    return R_ALL_SUCCESS; /* the compiler accepts only the names above */
}

/* The state to take over the parents' outcomes (SCHEDULED means run it),
 * or NONE to keep waiting. */
static flux_ti_state trigger(const ex_task *k)
{
    uint32_t s = k->n_success, f = k->n_failed, sk = k->n_skipped, uf = k->n_upfailed;
    bool done = k->waiting == 0;
    flux_ti_state when_done = done ? FLUX_TI_SCHEDULED : FLUX_TI_NONE;
    switch (k->rule) {
    case R_ALWAYS: return FLUX_TI_SCHEDULED;
    case R_ALL_DONE: return when_done;
    case R_ALL_SUCCESS: return f || uf ? FLUX_TI_UPSTREAM_FAILED : sk ? FLUX_TI_SKIPPED : when_done;
    case R_ALL_FAILED: return s || sk ? FLUX_TI_SKIPPED : when_done;
    case R_ALL_SKIPPED: return s || f || uf ? FLUX_TI_SKIPPED : when_done;
    case R_ONE_SUCCESS:
        if (s)
            return FLUX_TI_SCHEDULED;
        return !done ? FLUX_TI_NONE : f || uf ? FLUX_TI_UPSTREAM_FAILED : FLUX_TI_SKIPPED;
    case R_ONE_FAILED: return f || uf ? FLUX_TI_SCHEDULED : done ? FLUX_TI_SKIPPED : FLUX_TI_NONE;
    case R_ONE_DONE: return s || f ? FLUX_TI_SCHEDULED : done ? FLUX_TI_SKIPPED : FLUX_TI_NONE;
    case R_NONE_FAILED: return f || uf ? FLUX_TI_UPSTREAM_FAILED : when_done;
    case R_NONE_FAILED_MIN_ONE_SUCCESS:
        if (f || uf)
            return FLUX_TI_UPSTREAM_FAILED;
        return !done ? FLUX_TI_NONE : s ? FLUX_TI_SCHEDULED : FLUX_TI_SKIPPED;
    case R_NONE_SKIPPED: return sk ? FLUX_TI_SKIPPED : when_done;
    }
    return when_done;
}

static void evaluate(ex_task *k)
{
    if (k->decided || k->run->ex->stopping)
        return;
    flux_ti_state d = trigger(k);
    if (d == FLUX_TI_NONE)
        return;
    k->decided = true;
    flux_executor *ex = k->run->ex;
    if (d == FLUX_TI_SCHEDULED) {
        queue_try(k);
        return;
    }
    /* skipped or upstream_failed without running: one row says so */
    k->try_number++;
    int64_t now = now_ms();
    if (flux_store_ti_insert(ex->store, k->run->row.id, k->t->id, k->try_number, d, now, &k->ti_id) != 0 ||
        flux_store_ti_update(ex->store, k->ti_id, &(flux_ti_patch){.state = d, .ended_ms = now}) != 0)
        store_fail(ex, "record a skipped task");
    k->state = d;
    say(ex, k, flux_ti_state_name(d), NULL);
    finalize(k);
}

/* ---- runs ---- */

static void maybe_start_runs(flux_executor *ex);

static void run_freed(ex_run *run)
{
    for (size_t i = 0; i < run->n; i++)
        free(run->tasks[i].outputs);
    free(run->tasks);
    free(run->child_start);
    free(run->children);
    free(run);
}

static void run_handle_closed(uv_handle_t *h)
{
    ex_task *k = h->data;
    ex_run *run = k->run;
    if (--run->closing == 0)
        run_freed(run);
}

/* A long-running service frees each run once it ended: unlinked now, its
 * memory once the loop has closed its timers. */
static void free_run_later(ex_run *run)
{
    flux_executor *ex = run->ex;
    ex_run *prev = NULL;
    for (ex_run *r = ex->runs; r && r != run; r = r->next)
        prev = r;
    if (prev)
        prev->next = run->next;
    else
        ex->runs = run->next;
    if (ex->runs_tail == run)
        ex->runs_tail = prev;
    ex->nruns--;
    ex->runs_done--;
    ex->total -= run->n;
    ex->done -= run->n;
    run->freeing = true;
    for (size_t i = 0; i < run->n; i++) {
        ex_task *k = &run->tasks[i];
        k->timer.data = k->deadline.data = k;
        if (k->timer_init) {
            run->closing++;
            uv_close((uv_handle_t *)&k->timer, run_handle_closed);
        }
        if (k->deadline_init) {
            run->closing++;
            uv_close((uv_handle_t *)&k->deadline, run_handle_closed);
        }
        if (k->proc_active && k->pidfd >= 0 && !k->poll_closing) {
            /* cannot happen while each try ends once (a run ends after its
             * last task); if it did, the handle must not outlive the run */
            assert(!"a run ended while one of its processes was watched");
            uv_poll_stop(&k->poll);
            k->poll_closing = true;
            uv_close((uv_handle_t *)&k->poll, pidfd_closed);
            run->closing++;
        } else if (k->poll_closing) { /* its pidfd's close is under way */
            run->closing++;
        }
    }
    if (run->closing == 0)
        run_freed(run);
}

static void run_maybe_done(ex_run *run)
{
    if (run->unfinished || run->ended)
        return;
    run->ended = true;
    flux_executor *ex = run->ex;
    /* success when every leaf succeeded or was skipped, as Airflow decides */
    bool ok = true;
    for (size_t i = 0; i < run->n; i++) {
        bool leaf = run->child_start[i] == run->child_start[i + 1];
        flux_ti_state st = run->tasks[i].state;
        if (leaf && st != FLUX_TI_SUCCESS && st != FLUX_TI_SKIPPED)
            ok = false;
    }
    run->row.state = ok ? FLUX_RUN_SUCCESS : FLUX_RUN_FAILED;
    if (flux_store_set_run_state(ex->store, run->row.id, run->row.state, now_ms()) != 0)
        store_fail(ex, "record a run's end");
    ex->runs_done++;
    if (run->active)
        ex->active_runs--;
    if (!ok)
        ex->runs_failed++;
    if (!ex->o.quiet) {
        if (ex->o.progress_tty)
            fputs("\r\033[K", ex->o.out);
        fprintf(ex->o.out, "run %s of %s: %s\n", run->row.run_id, run->p->name, ok ? "success" : "failed");
        fflush(ex->o.out);
    }
    if (ex->o.run_ended)
        ex->o.run_ended(ex->o.ud, &run->row);
    if (ex->o.service)
        free_run_later(run);
    maybe_start_runs(ex);
    if (ex->runs_done == ex->nruns && !ex->o.service)
        uv_stop(&ex->loop);
}

/* adopts a process a previous runner started: poll until it is gone, then
 * read the exit status the wrapper left */
static void on_adopt_poll(uv_timer_t *t)
{
    ex_task *k = t->data;
    if (process_alive(k->pid))
        return;
    uv_timer_stop(t);
    char journal[1100];
    journal_path(k, journal, sizeof journal);
    jentry e = journal_lookup(journal, k->t->id, k->try_number);
    flux_executor *ex = k->run->ex;
    if (e.has_exit) {
        process_ended(k, e.code);
    } else {
        ex->in_flight--;
        task_finished(k, FLUX_TI_FAILED, "process gone: it ended without recording its exit status", -1);
        dispatch(ex);
    }
}

static void recover_adopt(ex_task *k, int pid)
{
    flux_executor *ex = k->run->ex;
    ex->in_flight++;
    if (!k->holds_slot) {
        take_slot(k); /* it holds a slot as if we had started it */
    }
    k->pid = pid;
    k->phase = W_ADOPTED;
    k->state = FLUX_TI_RUNNING;
    if (!k->started_ms)
        k->started_ms = now_ms();
    say(ex, k, "adopted", "(still running from the previous runner)");
    uv_timer_start(&k->timer, on_adopt_poll, 20, 20);
    int64_t timeout = attr_ms(k->t, "timeout", 0);
    if (timeout > 0) {
        int64_t left = k->started_ms + timeout - now_ms();
        uv_timer_start(&k->deadline, on_deadline, (uint64_t)(left > 0 ? left : 0), 0);
    }
}

/* what a previous runner left in state running or queued */
static void recover(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    k->decided = true;
    char journal[1100];
    journal_path(k, journal, sizeof journal);
    jentry e = journal_lookup(journal, k->t->id, k->try_number);
    if (e.has_exit) {
        /* it finished while nobody watched: take its result, do not rerun it */
        ex->in_flight++;
        k->phase = W_QUEUED;
        say(ex, k, "recovered", "(finished while the runner was down)");
        process_ended(k, e.code);
        return;
    }
    if (e.spawned && !e.has_pid) {
        /* a fork may be under way: its shell writes its pid first thing, so
         * two seconds without it means it never started */
        for (int i = 0; i < 40 && !e.has_pid; i++) {
            usleep(50000);
            e = journal_lookup(journal, k->t->id, k->try_number);
        }
        if (e.has_exit) {
            ex->in_flight++;
            k->phase = W_QUEUED;
            process_ended(k, e.code);
            return;
        }
    }
    if (e.has_pid && process_alive(e.pid)) {
        recover_adopt(k, e.pid);
        return;
    }
    if (!e.has_pid) {
        /* never started (queued, or forked and gone before its first line):
         * start this same try */
        enqueue(k);
        return;
    }
    ex->in_flight++;
    task_finished(k, FLUX_TI_FAILED, "process gone: the runner stopped and the task did not finish", -1);
    ex->in_flight--;
}

static void activate_run(ex_run *run)
{
    flux_executor *ex = run->ex;
    run->active = true;
    ex->active_runs++;
    run->started_ms = now_ms();
    if (run->row.state != FLUX_RUN_RUNNING) {
        run->row.state = FLUX_RUN_RUNNING;
        if (flux_store_set_run_state(ex->store, run->row.id, FLUX_RUN_RUNNING, run->started_ms) != 0)
            store_fail(ex, "start a run");
    }
    /* Every try the store left unfinished is claimed before any is
     * recovered: recovering one may finish it and start its children, and a
     * child started that way is RUNNING in memory by the time this loop
     * reaches it; recovering it again would watch its one process twice and
     * finish its try twice (children released twice, the run ending while a
     * task still runs). A claimed try is decided, so evaluate() skips it. */
    for (size_t i = 0; i < run->n; i++) {
        ex_task *k = &run->tasks[i];
        k->recover_from = FLUX_TI_NONE;
        switch (k->state) {
        case FLUX_TI_RUNNING: case FLUX_TI_QUEUED: case FLUX_TI_UP_FOR_RETRY: case FLUX_TI_UP_FOR_RESCHEDULE:
            k->recover_from = k->state;
            k->decided = true;
            break;
        default: break;
        }
    }
    for (size_t i = 0; i < run->n; i++) {
        ex_task *k = &run->tasks[i];
        switch (k->recover_from) {
        case FLUX_TI_RUNNING: case FLUX_TI_QUEUED: recover(k); break;
        case FLUX_TI_UP_FOR_RETRY: {
            k->decided = true;
            k->phase = W_RETRY_WAIT;
            uv_timer_start(&k->timer, on_retry, 0, 0);
            break;
        }
        case FLUX_TI_UP_FOR_RESCHEDULE:
            k->decided = true;
            ex->in_flight++;
            k->phase = W_POKE_WAIT;
            uv_timer_start(&k->timer, on_poke, 0, 0);
            break;
        default: break;
        }
    }
    for (size_t i = 0; i < run->n; i++)
        evaluate(&run->tasks[i]);
    run_maybe_done(run);
}

static void maybe_start_runs(flux_executor *ex)
{
    for (ex_run *r = ex->runs; r; r = r->next) {
        if (r->active || r->ended)
            continue;
        if (ex->o.max_active_runs > 0 && (int)ex->active_runs >= ex->o.max_active_runs)
            break;
        activate_run(r);
    }
    dispatch(ex);
}

static int64_t pipeline_int(const flux_pipeline *p, const char *key, int64_t dflt)
{
    for (size_t i = 0; i < p->attrs.n; i++)
        if (!strcmp(p->attrs.v[i].key, key) && p->attrs.v[i].val.kind == FLUX_F_INT)
            return p->attrs.v[i].val.u.i;
    return dflt;
}

static int group_of(flux_executor *ex, const char *pipeline)
{
    for (size_t i = 0; i < ex->ngroups; i++)
        if (!strcmp(ex->groups[i].pipeline, pipeline))
            return (int)i;
    ex->groups = realloc(ex->groups, (ex->ngroups + 1) * sizeof *ex->groups);
    ex->groups[ex->ngroups].pipeline = strdup(pipeline);
    ex->groups[ex->ngroups].running = 0;
    return (int)ex->ngroups++;
}

int flux_exec_add_run(flux_executor *ex, const flux_pipeline *p, const char *plan_id, const flux_tz *tz,
                      const flux_interval *iv, const char *trigger, const char *run_id, flux_value params)
{
    ex_run *run = calloc(1, sizeof *run);
    run->ex = ex;
    run->p = p;
    run->tz = tz;
    run->params = params;
    run->group = group_of(ex, p->name);
    run->max_tasks = ex->o.service ? (int)pipeline_int(p, "max_active_tasks", 16) : 0;
    flux_run_row in;
    memset(&in, 0, sizeof in);
    snprintf(in.pipeline, sizeof in.pipeline, "%s", p->name);
    if (run_id)
        snprintf(in.run_id, sizeof in.run_id, "%s", run_id);
    else
        snprintf(in.run_id, sizeof in.run_id, "%s",
                 flux_run_id(ex->arena,
                             strcmp(trigger, "manual") == 0     ? "manual"
                             : strcmp(trigger, "backfill") == 0 ? "backfill"
                                                                : "scheduled",
                             iv->start_ms));
    snprintf(in.plan_id, sizeof in.plan_id, "%s", plan_id);
    snprintf(in.trigger, sizeof in.trigger, "%s", trigger);
    in.state = FLUX_RUN_QUEUED;
    in.interval_start = iv->start_ms;
    in.interval_end = iv->end_ms;
    in.logical_date = iv->start_ms;
    bool created;
    if (flux_store_create_run(ex->store, &in, now_ms(), &run->row, &created) != 0) {
        fprintf(stderr, "flux: state store: %s\n", flux_store_error(ex->store));
        free(run);
        return -1;
    }
    run->n = p->ntasks;
    run->tasks = calloc(run->n ? run->n : 1, sizeof *run->tasks);
    run->child_start = calloc(run->n + 1, sizeof *run->child_start);
    run->children = malloc((p->nedges ? p->nedges : 1) * sizeof *run->children);
    for (size_t e = 0; e < p->nedges; e++)
        run->child_start[p->edges[e].a + 1]++;
    for (size_t i = 0; i < run->n; i++)
        run->child_start[i + 1] += run->child_start[i];
    uint32_t *fill = malloc((run->n + 1) * sizeof *fill);
    memcpy(fill, run->child_start, (run->n + 1) * sizeof *fill);
    for (size_t e = 0; e < p->nedges; e++)
        run->children[fill[p->edges[e].a]++] = p->edges[e].b;
    free(fill);
    for (size_t i = 0; i < run->n; i++) {
        ex_task *k = &run->tasks[i];
        k->run = run;
        k->idx = (uint32_t)i;
        k->t = p->tasks[i];
        k->how = flux_op_how(k->t->op);
        k->rule = parse_rule(k->t);
        k->state = FLUX_TI_NONE;
        k->pidfd = -1;
        k->pool = -1;
        uv_timer_init(&ex->loop, &k->timer);
        uv_timer_init(&ex->loop, &k->deadline);
        k->timer.data = k;
        k->deadline.data = k;
        k->timer_init = k->deadline_init = true;
    }
    for (size_t e = 0; e < p->nedges; e++)
        run->tasks[p->edges[e].b].waiting++;
    /* what the store knows: the latest try of each task */
    if (!created) {
        flux_ti_row *rows;
        size_t nrows;
        if (flux_store_list_tis(ex->store, run->row.id, &rows, &nrows) != 0) {
            fprintf(stderr, "flux: state store: %s\n", flux_store_error(ex->store));
            return -1;
        }
        for (size_t r = 0; r < nrows; r++) {
            for (size_t i = 0; i < run->n; i++) {
                ex_task *k = &run->tasks[i];
                if (strcmp(k->t->id, rows[r].task) != 0 || rows[r].try_number < k->try_number)
                    continue;
                k->try_number = rows[r].try_number;
                k->ti_id = rows[r].id;
                k->state = rows[r].state;
                k->pid = rows[r].pid;
                k->started_ms = rows[r].started;
                free(k->outputs);
                k->outputs = rows[r].outputs ? strdup(rows[r].outputs) : NULL;
                try_paths(k, k->try_number, k->log_path, sizeof k->log_path);
            }
        }
        flux_ti_rows_free(rows, nrows);
        /* finished tasks count as done for their children */
        for (size_t i = 0; i < run->n; i++) {
            ex_task *k = &run->tasks[i];
            if (!terminal(k->state))
                continue;
            k->decided = true;
            k->phase = W_DONE;
            ex->done++;
            for (uint32_t j = run->child_start[i]; j < run->child_start[i + 1]; j++) {
                ex_task *c = &run->tasks[run->children[j]];
                c->waiting--;
                switch (k->state) {
                case FLUX_TI_SUCCESS: c->n_success++; break;
                case FLUX_TI_FAILED: c->n_failed++; break;
                case FLUX_TI_SKIPPED: c->n_skipped++; break;
                default: c->n_upfailed++; break;
                }
            }
        }
    }
    for (size_t i = 0; i < run->n; i++)
        if (!terminal(run->tasks[i].state))
            run->unfinished++;
    ex->total += run->n;
    if (ex->runs_tail)
        ex->runs_tail->next = run;
    else
        ex->runs = run;
    ex->runs_tail = run;
    ex->nruns++;
    if (ex->o.service) /* the loop is running: start it now */
        maybe_start_runs(ex);
    return 0;
}

/* ---- stopping ---- */

static void on_stop_timer(uv_timer_t *t)
{
    flux_executor *ex = t->data;
    for (ex_run *r = ex->runs; r; r = r->next)
        for (size_t i = 0; i < r->n; i++)
            if (r->tasks[i].proc_active || r->tasks[i].phase == W_ADOPTED)
                kill_group(&r->tasks[i], SIGKILL);
}

static void on_signal(uv_signal_t *h, int sig)
{
    flux_executor *ex = h->data;
    if (ex->stopping) {
        /* a second signal: do not wait any longer */
        on_stop_timer(&ex->stop_timer);
        return;
    }
    ex->stopping = true;
    if (!ex->o.quiet)
        fprintf(ex->o.out, "%sflux: %s received: no new tasks; stopping running ones (grace %" PRId64 "s)\n",
                ex->o.progress_tty ? "\r\033[K" : "", sig == SIGINT ? "SIGINT" : "SIGTERM", ex->o.grace_ms / 1000);
    bool any = false;
    for (ex_run *r = ex->runs; r; r = r->next) {
        for (size_t i = 0; i < r->n; i++) {
            ex_task *k = &r->tasks[i];
            if (k->phase != W_ADOPTED)
                uv_timer_stop(&k->timer); /* retries and pokes wait for the next runner */
            if (k->phase == W_POKE_WAIT) {
                /* waiting between pokes: nothing to stop, up_for_reschedule in
                 * the store is where the next runner picks it up */
                k->phase = W_IDLE;
                ex->in_flight--;
            }
            if ((k->phase == W_PROCESS && k->proc_active) || k->phase == W_ADOPTED) {
                k->interrupted = true;
                kill_group(k, SIGTERM);
                any = true;
            }
        }
    }
    uv_timer_start(&ex->stop_timer, on_stop_timer, (uint64_t)ex->o.grace_ms, 0);
    if (!any)
        uv_stop(&ex->loop);
}

/* ---- a service's stop ---- */

static void drain_check(flux_executor *ex)
{
    if (ex->draining && ex->running == 0 && !ex->stopping) {
        /* nothing runs: the rest (retries, pokes) waits for the next start */
        ex->stopping = true;
        uv_stop(&ex->loop);
    }
}

static void on_drain_timer(uv_timer_t *t)
{
    flux_executor *ex = t->data;
    if (ex->stopping)
        return;
    /* the grace period is over: stop what still runs, as a SIGTERM would */
    uv_signal_t h;
    h.data = ex;
    on_signal(&h, SIGTERM);
}

void flux_exec_drain(flux_executor *ex, int64_t grace_ms)
{
    if (ex->draining) {
        on_drain_timer(&ex->drain_timer);
        return;
    }
    ex->draining = true;
    for (ex_run *r = ex->runs; r; r = r->next)
        for (size_t i = 0; i < r->n; i++) {
            ex_task *k = &r->tasks[i];
            if (k->phase == W_RETRY_WAIT || k->phase == W_POKE_WAIT)
                uv_timer_stop(&k->timer);
        }
    uv_timer_init(&ex->loop, &ex->drain_timer);
    ex->drain_timer.data = ex;
    uv_timer_start(&ex->drain_timer, on_drain_timer, (uint64_t)(grace_ms > 0 ? grace_ms : 0), 0);
    drain_check(ex);
}

struct uv_loop_s *flux_exec_loop(flux_executor *ex)
{
    return &ex->loop;
}

size_t flux_exec_active(const flux_executor *ex)
{
    return ex->nruns - ex->runs_done;
}

/* ---- public ---- */

flux_executor *flux_exec_new(flux_store *store, const flux_exec_opts *opts)
{
    flux_executor *ex = calloc(1, sizeof *ex);
    ex->store = store;
    ex->o = *opts;
    if (ex->o.slots < 1)
        ex->o.slots = 1;
    if (ex->o.grace_ms <= 0)
        ex->o.grace_ms = 10000;
    if (!ex->o.out)
        ex->o.out = stdout;
    ex->arena = flux_arena_new();
    snprintf(ex->wrap, sizeof ex->wrap, "%s", ex->o.self);
    char *slash = strrchr(ex->wrap, '/');
    if (slash) {
        snprintf(slash + 1, sizeof ex->wrap - (size_t)(slash + 1 - ex->wrap), "flux-wrap");
        ex->wrap_is_own = access(ex->wrap, X_OK) == 0;
    }
    if (!ex->wrap_is_own)
        snprintf(ex->wrap, sizeof ex->wrap, "%s", ex->o.self);
    uv_loop_init(&ex->loop);
    gethostname(ex->host, sizeof ex->host - 1);
    return ex;
}

int flux_exec_run(flux_executor *ex)
{
    ex->t0_ms = now_ms();
    if (!ex->o.service) { /* a service's owner handles signals (flux_exec_drain) */
        uv_signal_init(&ex->loop, &ex->sigint);
        uv_signal_init(&ex->loop, &ex->sigterm);
        ex->sigint.data = ex->sigterm.data = ex;
        uv_signal_start(&ex->sigint, on_signal, SIGINT);
        uv_signal_start(&ex->sigterm, on_signal, SIGTERM);
    }
    uv_timer_init(&ex->loop, &ex->stop_timer);
    ex->stop_timer.data = ex;
    uv_timer_init(&ex->loop, &ex->progress);
    ex->progress.data = ex;
    if (ex->o.progress_tty && !ex->o.quiet)
        uv_timer_start(&ex->progress, on_progress, 200, 200);
    maybe_start_runs(ex);
    if (ex->runs_done < ex->nruns || ex->stopping || ex->o.service)
        uv_run(&ex->loop, UV_RUN_DEFAULT);
    /* after a stop: let the signalled processes end and record them */
    while (ex->stopping && ex->in_flight > 0 && uv_run(&ex->loop, UV_RUN_ONCE))
        ;
    if (ex->o.progress_tty && !ex->o.quiet) {
        fputs("\r\033[K", ex->o.out);
        fflush(ex->o.out);
    }
    if (ex->stopping)
        return 1;
    return ex->runs_failed ? 1 : 0;
}

static void close_all(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

void flux_exec_free(flux_executor *ex)
{
    if (!ex)
        return;
    uv_walk(&ex->loop, close_all, NULL);
    /* a uv_stop() left pending makes the first uv_run return at once */
    while (uv_run(&ex->loop, UV_RUN_DEFAULT))
        ;
    uv_loop_close(&ex->loop);
    for (ex_run *r = ex->runs, *n; r; r = n) {
        n = r->next;
        for (size_t i = 0; i < r->n; i++)
            free(r->tasks[i].outputs);
        free(r->tasks);
        free(r->child_start);
        free(r->children);
        free(r);
    }
    free(ex->handoffs);
    for (size_t i = 0; i < ex->ngroups; i++)
        free(ex->groups[i].pipeline);
    free(ex->groups);
    flux_arena_free(ex->arena);
    free(ex);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

const int64_t *flux_exec_handoffs(const flux_executor *ex, size_t *n)
{
    if (ex->nhandoffs)
        qsort(ex->handoffs, ex->nhandoffs, sizeof *ex->handoffs, cmp_i64);
    *n = ex->nhandoffs;
    return ex->handoffs;
}
