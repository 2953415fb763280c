/* slurm_job — the job's side of a Slurm try (see slurm_job.h). The spec
 * file holds what the job needs and may not travel through sbatch: the
 * store's password and the task's secrets. The job claims the try with a
 * statement conditional on its token (a duplicate, requeued or late job
 * finds it taken or lost and runs nothing), deletes the spec, runs the
 * command exactly as the local backend does on this node, and records
 * its exit status and report in the store in one conditional statement.
 */
#define _GNU_SOURCE /* memfd */
#include "slurm_job.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "clock.h"
#include "store.h"

/* ---- the spec ---- */

static json_t *strings(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; v && (n ? i < n : v[i] != NULL); i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

int flux_slurm_spec_write(int dirfd, const char *name, const flux_try_desc *t, const flux_op_cmd *cmd,
                          const char *const *secrets, size_t nsecrets, const char *store_url,
                          const char *store_password, const char *token, char *note, size_t notelen)
{
    json_t *o = json_object();
    json_object_set_new(o, "store", json_string(store_url));
    if (store_password)
        json_object_set_new(o, "store_password", json_string(store_password));
    json_object_set_new(o, "token", json_string(token));
    json_object_set_new(o, "ti", json_integer(t->ti_id));
    json_object_set_new(o, "home", json_string(t->home));
    json_object_set_new(o, "pipeline", json_string(t->pipeline));
    json_object_set_new(o, "run_id", json_string(t->run_id));
    json_object_set_new(o, "task", json_string(t->task));
    json_object_set_new(o, "try", json_integer(t->try_number));
    json_object_set_new(o, "log", json_string(t->log_path));
    json_object_set_new(o, "max_output_value", json_integer(t->max_output_value));
    json_object_set_new(o, "max_outputs", json_integer(t->max_outputs));
    json_object_set_new(o, "max_log_size", json_integer(t->max_log_size));
    json_object_set_new(o, "timeout_ms", json_integer(t->timeout_ms));
    json_object_set_new(o, "grace_ms", json_integer(t->grace_ms));
    json_object_set_new(o, "argv", strings(cmd->argv, 0));
    json_object_set_new(o, "env", strings(cmd->env, 0));
    if (cmd->cwd)
        json_object_set_new(o, "cwd", json_string(cmd->cwd));
    json_object_set_new(o, "secrets", strings((char *const *)secrets, nsecrets));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!text)
        abort(); /* the allocation policy: abort on OOM */
    int rc = -1;
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        snprintf(note, notelen, "cannot write the try's Slurm spec %s: %s", name, strerror(errno));
    else if (fchmod(fd, 0600) != 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        snprintf(note, notelen, "cannot write the try's Slurm spec %s: %s", name, strerror(errno));
    else
        rc = 0;
    if (fd >= 0)
        close(fd);
    free(text);
    return rc;
}

/* ---- the job ---- */

typedef struct job {
    uv_loop_t loop;
    flux_backend *local;
    flux_proc *proc;
    uv_timer_t deadline, kill;
    uv_signal_t term;
    int64_t grace_ms;
    bool timed_out, ended;
    int status;
} job;

static void on_done(void *ud, int status)
{
    job *j = ud;
    j->ended = true;
    j->proc = NULL;
    j->status = status;
    uv_timer_stop(&j->deadline);
    uv_timer_stop(&j->kill);
    uv_signal_stop(&j->term);
    uv_stop(&j->loop);
}

static void on_kill(uv_timer_t *t)
{
    job *j = t->data;
    if (j->proc)
        j->local->ops->signal(j->proc, SIGKILL);
}

/* SIGTERM to the task's whole group, SIGKILL after the grace */
static void stop_task(job *j)
{
    if (!j->proc || uv_is_active((uv_handle_t *)&j->kill))
        return;
    j->local->ops->signal(j->proc, SIGTERM);
    uv_timer_start(&j->kill, on_kill, (uint64_t)j->grace_ms, 0);
}

static void on_deadline(uv_timer_t *t)
{
    job *j = t->data;
    j->timed_out = true;
    stop_task(j);
}

/* scancel, or Slurm's own time limit: the task is stopped and its end still recorded */
static void on_term(uv_signal_t *h, int sig)
{
    (void)sig;
    stop_task(h->data);
}

static void close_handle(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static const char *sget(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static char **strv_of(json_t *a)
{
    size_t n = json_array_size(a);
    char **v = calloc(n + 1, sizeof *v);
    if (!v)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!(v[i] = strdup(json_string_value(json_array_get(a, i)) ? json_string_value(json_array_get(a, i)) : "")))
            abort();
    return v;
}

extern char **environ;

/* the task's environment and, after it, the job's own SLURM_* variables
 * (its job id, CPUs, memory, nodes: what srun and a task's own sizing
 * read; nothing secret), as a local try gets its runner's passthrough */
static char **env_of(json_t *a)
{
    char **v = strv_of(a);
    size_t n = json_array_size(a), more = 0;
    for (size_t i = 0; environ[i]; i++)
        more += !strncmp(environ[i], "SLURM_", 6);
    char **w = realloc(v, (n + more + 1) * sizeof *w);
    if (!w)
        abort();
    for (size_t i = 0; environ[i]; i++)
        if (!strncmp(environ[i], "SLURM_", 6) && !(w[n++] = strdup(environ[i])))
            abort();
    w[n] = NULL;
    return w;
}

/* the report flux-wrap wrote beside the log, as text (NULL when none) */
static char *read_report_text(const char *log, int64_t max)
{
    char path[1200];
    size_t len = strlen(log);
    if (len > 4 && !strcmp(log + len - 4, ".log"))
        len -= 4;
    snprintf(path, sizeof path, "%.*s.report", (int)len, log);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= max) {
        buf = malloc((size_t)st.st_size + 1);
        if (!buf)
            abort();
        ssize_t r = read(fd, buf, (size_t)st.st_size);
        buf[r > 0 ? r : 0] = '\0';
    }
    close(fd);
    return buf;
}

static int run_claimed(json_t *o, const char *self, flux_store *store, char *msg, size_t msglen)
{
    flux_try_desc d = {sget(o, "home"), sget(o, "pipeline"), sget(o, "run_id"), sget(o, "task"),
                       (int)json_integer_value(json_object_get(o, "try")), sget(o, "log"), 0,
                       json_integer_value(json_object_get(o, "max_output_value")),
                       json_integer_value(json_object_get(o, "max_outputs")),
                       json_integer_value(json_object_get(o, "max_log_size")), -1, 0, 0, 0, 0, NULL};
    flux_op_cmd cmd = {strv_of(json_object_get(o, "argv")), env_of(json_object_get(o, "env")), NULL};
    const char *cwd = json_string_value(json_object_get(o, "cwd"));
    if (cwd && !(cmd.cwd = strdup(cwd)))
        abort();
    char **secrets = strv_of(json_object_get(o, "secrets"));
    size_t nsecrets = json_array_size(json_object_get(o, "secrets"));
    int64_t timeout = json_integer_value(json_object_get(o, "timeout_ms"));

    job j;
    memset(&j, 0, sizeof j);
    j.grace_ms = json_integer_value(json_object_get(o, "grace_ms"));
    if (j.grace_ms <= 0)
        j.grace_ms = 10000;
    uv_loop_init(&j.loop);
    uv_timer_init(&j.loop, &j.deadline);
    uv_timer_init(&j.loop, &j.kill);
    uv_signal_init(&j.loop, &j.term);
    j.deadline.data = j.kill.data = j.term.data = &j;
    j.local = flux_backend_local_new(&j.loop, self, on_done);
    char note[512] = "";
    j.proc = j.local->ops->start(j.local, &d, &cmd, (const char *const *)secrets, nsecrets, &j, note, sizeof note);
    if (j.proc) {
        uv_signal_start(&j.term, on_term, SIGTERM);
        if (timeout > 0)
            uv_timer_start(&j.deadline, on_deadline, (uint64_t)timeout, 0);
        uv_run(&j.loop, UV_RUN_DEFAULT);
    } else {
        j.status = 127;
    }
    int status = j.timed_out ? FLUX_TRY_TIMED_OUT : j.status;
    char *report = NULL;
    if (j.proc == NULL && note[0]) {
        /* it could not start: the reason is the report's */
        size_t n = strlen(note) + 32;
        if (!(report = malloc(n)))
            abort();
        snprintf(report, n, "::reason %s\n::end\n", note);
    } else {
        report = read_report_text(d.log_path, 16 * d.max_outputs + d.max_output_value + (64 << 10));
    }
    int rc = flux_store_slurm_outcome(store, d.ti_id ? d.ti_id : json_integer_value(json_object_get(o, "ti")),
                                      sget(o, "token"), status, report, flux_clock_wall_ms());
    if (rc < 0)
        snprintf(msg, msglen, "flux: cannot record the try's outcome in the state store: %s", flux_store_error(store));
    else if (rc == 0)
        snprintf(msg, msglen, "flux: the try was marked lost while this job ran; its outcome is not recorded");
    else if (note[0])
        snprintf(msg, msglen, "flux: %s", note);
    free(report);
    uv_walk(&j.loop, close_handle, NULL);
    uv_run(&j.loop, UV_RUN_DEFAULT);
    j.local->ops->free(j.local);
    uv_loop_close(&j.loop);
    for (size_t i = 0; secrets[i]; i++)
        free(secrets[i]);
    free(secrets);
    flux_op_cmd_free(&cmd);
    if (status == FLUX_TRY_TIMED_OUT)
        return 124;
    return status & 0xff;
}

int flux_slurm_job_run(const char *path, const char *self, char *msg, size_t msglen)
{
    msg[0] = '\0';
    json_error_t je;
    json_t *o = json_load_file(path, 0, &je);
    if (!o) {
        snprintf(msg, msglen, "flux: cannot read the try's spec %s: %s", path, je.text);
        return 2;
    }
    char err[1024];
    flux_store *store = NULL;
    /* a password given apart from the URL reaches the store's open the way
     * the runner's did, in this process only: the task's environment is
     * built from a list that never holds it */
    const char *pw = json_string_value(json_object_get(o, "store_password"));
    unsetenv("FLUX_DB_PASSWORD_FILE");
    if (pw)
        setenv("FLUX_DB_PASSWORD", pw, 1);
    int opened = flux_store_open(sget(o, "store"), &store, err, sizeof err);
    unsetenv("FLUX_DB_PASSWORD");
    if (opened != 0) {
        snprintf(msg, msglen, "flux: cannot open the state store: %s", err);
        json_decref(o);
        return 2;
    }
    char host[128] = "";
    gethostname(host, sizeof host - 1);
    int64_t ti = json_integer_value(json_object_get(o, "ti"));
    int claimed = flux_store_slurm_claim(store, ti, sget(o, "token"), host, flux_clock_wall_ms());
    int rc = 0;
    if (claimed < 0) {
        snprintf(msg, msglen, "flux: cannot claim the try in the state store: %s", flux_store_error(store));
        rc = 2;
    } else if (claimed == 0) {
        snprintf(msg, msglen, "flux: try %d of %s was claimed by another job or given up: this job runs nothing",
                 (int)json_integer_value(json_object_get(o, "try")), sget(o, "task"));
    } else {
        /* the secrets are in memory now: the file goes */
        unlink(path);
        rc = run_claimed(o, self, store, msg, msglen);
    }
    flux_store_close(store);
    json_decref(o);
    return rc;
}
