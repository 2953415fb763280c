/* backend_local — the `local` executor backend: each try a process of this
 * host, started with posix_spawn in a session of its own and watched
 * through a pidfd; the run's journal lets a new runner adopt what a killed
 * one left running (see backend.h, journal.h).
 */
#define _GNU_SOURCE /* posix_spawn's SETSID and addchdir_np */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "journal.h"

extern char **environ;

typedef struct local_backend local_backend;

struct flux_proc {
    local_backend *b;
    void *ud;
    int pid, pidfd;
    bool adopted;     /* not our child: polled until gone, its status from the journal */
    bool use_poll;    /* watched by poll (a pidfd), else by timer */
    uv_poll_t poll;   /* readable when the process has exited */
    uv_timer_t timer; /* waitpid polling without pidfd (kernels before 5.3), or adoption */
    char journal[1100], task[1024];
    int try_number;
    flux_proc *prev, *next; /* watched or closing, freed by the backend's free() if still here */
};

struct local_backend {
    flux_backend base;
    uv_loop_t *loop;
    char wrap[PATH_MAX]; /* flux-wrap beside flux, or flux itself with __wrap */
    bool wrap_is_own;
    flux_proc *procs;
};

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort(); /* the allocation policy: abort on OOM */
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

/* ---- a watched process ---- */

static flux_proc *proc_new(local_backend *b, void *ud, int pid)
{
    flux_proc *p = xcalloc(1, sizeof *p);
    p->b = b;
    p->ud = ud;
    p->pid = pid;
    p->pidfd = -1;
    p->next = b->procs;
    if (b->procs)
        b->procs->prev = p;
    b->procs = p;
    return p;
}

static void proc_unlink_free(flux_proc *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        p->b->procs = p->next;
    if (p->next)
        p->next->prev = p->prev;
    if (p->pidfd >= 0)
        close(p->pidfd);
    free(p);
}

static void proc_closed(uv_handle_t *h)
{
    proc_unlink_free(h->data);
}

/* stops watching; the proc is freed once its handle is closed */
static void proc_end(flux_proc *p, int status)
{
    local_backend *b = p->b;
    void *ud = p->ud;
    uv_handle_t *h = p->use_poll ? (uv_handle_t *)&p->poll : (uv_handle_t *)&p->timer;
    if (p->use_poll)
        uv_poll_stop(&p->poll);
    else
        uv_timer_stop(&p->timer);
    h->data = p;
    uv_close(h, proc_closed);
    b->base.done(ud, status);
}

/* reaps our child; -1 while it still runs */
static int reap(int pid)
{
    int st;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR))
        return -1;
    if (r < 0)
        return 255;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static void on_pidfd(uv_poll_t *h, int status, int events)
{
    (void)status, (void)events;
    flux_proc *p = h->data;
    int code = reap(p->pid);
    if (code >= 0)
        proc_end(p, code);
}

static void on_reap_timer(uv_timer_t *t)
{
    flux_proc *p = t->data;
    int code = reap(p->pid);
    if (code >= 0)
        proc_end(p, code);
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

/* an adopted process: polled until gone, then its exit line read */
static void on_adopt_poll(uv_timer_t *t)
{
    flux_proc *p = t->data;
    if (process_alive(p->pid))
        return;
    flux_journal_entry e = flux_journal_lookup(p->journal, p->task, p->try_number);
    proc_end(p, e.has_exit ? e.code : FLUX_TRY_LOST);
}

static void local_signal(flux_proc *p, int sig)
{
    if (p && p->pid > 0)
        kill(-p->pid, sig);
}

static int local_pid(const flux_proc *p)
{
    return p ? p->pid : 0;
}

/* ---- starting ---- */

static char **build_env(const flux_try_desc *t, const flux_op_cmd *cmd, const char *const *secrets, size_t nsecrets)
{
    size_t n = 0, extra = 0;
    while (environ[n])
        n++;
    while (cmd->env && cmd->env[extra])
        extra++;
    char **env = xcalloc(n + extra + 12, sizeof *env);
    size_t k2 = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "FLUX_SECRETS=", 13) != 0)
            env[k2++] = xstrdup(environ[i]);
    for (size_t i = 0; i < extra; i++)
        env[k2++] = xstrdup(cmd->env[i]);
    char buf[2048];
    snprintf(buf, sizeof buf, "FLUX_PIPELINE=%s", t->pipeline);
    env[k2++] = xstrdup(buf);
    snprintf(buf, sizeof buf, "FLUX_RUN_ID=%s", t->run_id);
    env[k2++] = xstrdup(buf);
    snprintf(buf, sizeof buf, "FLUX_TASK=%s", t->task);
    env[k2++] = xstrdup(buf);
    snprintf(buf, sizeof buf, "FLUX_TRY_NUMBER=%d", t->try_number);
    env[k2++] = xstrdup(buf);
    flux_buf b = {0};
    flux_buf_puts(&b, "FLUX_SECRETS=");
    for (size_t i = 0; i < nsecrets; i++) {
        if (strchr(secrets[i], '\n'))
            continue; /* a multi-line secret cannot be passed this way; never seen in practice */
        flux_buf_puts(&b, secrets[i]);
        flux_buf_putc(&b, '\n');
    }
    env[k2++] = xstrdup(flux_buf_cstr(&b));
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

/* posix_spawn (a vfork underneath) rather than uv_spawn's fork: the
 * runner's address space is not copied for every task. 0 or errno. */
static int spawn_in_session(pid_t *pid, const char *file, int logfd, const char *cwd, char **args, char **env)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, logfd, 1);
    posix_spawn_file_actions_adddup2(&fa, logfd, 2);
    if (cwd)
        posix_spawn_file_actions_addchdir_np(&fa, cwd);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    /* its own session: survives us, and a timeout kills its whole group */
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int r = posix_spawn(pid, file, &fa, &at, args, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    return r;
}

static flux_proc *local_start(flux_backend *base, const flux_try_desc *t, const flux_op_cmd *cmd,
                              const char *const *secrets, size_t nsecrets, void *ud, char *note, size_t notelen)
{
    local_backend *b = (local_backend *)base;
    char journal[1100], key[1100];
    flux_journal_path(t->home, t->pipeline, t->run_id, journal, sizeof journal);
    snprintf(key, sizeof key, "%s %d", t->task, t->try_number);
    /* "spawn" before the fork: a runner that dies between the fork and the
     * task's "pid" line leaves it behind, and the next runner waits for the
     * pid instead of starting the command a second time */
    if (flux_journal_spawn(journal, key, note, notelen) != 0)
        return NULL;
    int fd = open(t->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(note, notelen, "cannot open log %.300s: %s", t->log_path, strerror(errno));
        return NULL;
    }
    size_t na = 0;
    while (cmd->argv[na])
        na++;
    char **args = xcalloc(na + 6, sizeof *args), **a = args;
    char **env = build_env(t, cmd, secrets, nsecrets);
    bool direct = nsecrets == 0 && na == 3 && !strcmp(cmd->argv[0], "/bin/sh") && !strcmp(cmd->argv[1], "-c");
    char script[4800];
    const char *file = b->wrap;
    if (direct) {
        /* no secret to mask: the shell records its own pid and exit status
         * (the same lines flux-wrap writes), one exec per task like ninja */
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
        if (!grown)
            abort();
        env = grown;
        size_t cl = strlen(cmd->argv[2]) + 16;
        env[ne] = xcalloc(cl, 1);
        snprintf(env[ne], cl, "FLUX_COMMAND=%s", cmd->argv[2]);
        env[ne + 1] = NULL;
    } else {
        *a++ = b->wrap;
        if (!b->wrap_is_own)
            *a++ = "__wrap";
        *a++ = journal;
        *a++ = key;
        *a++ = "--";
        for (size_t i = 0; i < na; i++)
            *a++ = cmd->argv[i];
    }
    pid_t pid;
    int r = spawn_in_session(&pid, file, fd, cmd->cwd, args, env);
    close(fd);
    free(args);
    free_strv(env);
    if (r != 0) {
        snprintf(note, notelen, "cannot start the task: %s", strerror(r));
        return NULL;
    }
    flux_proc *p = proc_new(b, ud, pid);
    p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (p->pidfd >= 0) {
        p->use_poll = true;
        uv_poll_init(b->loop, &p->poll, p->pidfd);
        p->poll.data = p;
        uv_poll_start(&p->poll, UV_READABLE, on_pidfd);
    } else {
        uv_timer_init(b->loop, &p->timer);
        p->timer.data = p;
        uv_timer_start(&p->timer, on_reap_timer, 2, 2);
    }
    return p;
}

/* ---- recovering ---- */

static flux_recovery local_recover(flux_backend *base, const flux_try_desc *t, void *ud, int *status,
                                   flux_proc **out)
{
    local_backend *b = (local_backend *)base;
    char journal[1100];
    flux_journal_path(t->home, t->pipeline, t->run_id, journal, sizeof journal);
    flux_journal_entry e = flux_journal_lookup(journal, t->task, t->try_number);
    *out = NULL;
    if (e.has_exit) {
        *status = e.code;
        return FLUX_RECOVER_FINISHED;
    }
    if (e.spawned && !e.has_pid) {
        /* a fork may be under way: its shell writes its pid first thing, so
         * two seconds without it means it never started */
        for (int i = 0; i < 40 && !e.has_pid; i++) {
            usleep(50000);
            e = flux_journal_lookup(journal, t->task, t->try_number);
        }
        if (e.has_exit) {
            *status = e.code;
            return FLUX_RECOVER_FINISHED_STARTING;
        }
    }
    if (e.has_pid && process_alive(e.pid)) {
        flux_proc *p = proc_new(b, ud, e.pid);
        p->adopted = true;
        snprintf(p->journal, sizeof p->journal, "%s", journal);
        snprintf(p->task, sizeof p->task, "%s", t->task);
        p->try_number = t->try_number;
        uv_timer_init(b->loop, &p->timer);
        p->timer.data = p;
        uv_timer_start(&p->timer, on_adopt_poll, 20, 20);
        *out = p;
        return FLUX_RECOVER_ADOPTED;
    }
    if (e.has_pid) {
        /* gone: it may have written its exit line between the read above
         * and now (the line is its last act), so read again before calling
         * it lost */
        e = flux_journal_lookup(journal, t->task, t->try_number);
        if (e.has_exit) {
            *status = e.code;
            return FLUX_RECOVER_FINISHED;
        }
        return FLUX_RECOVER_GONE;
    }
    /* no pid: never started (queued, or forked and gone before its first line) */
    return FLUX_RECOVER_NOT_STARTED;
}

/* ---- reporting ---- */

static int local_report(flux_backend *b, const flux_try_desc *t, flux_op_report *r)
{
    (void)b;
    return flux_op_read_report(t->log_path, r);
}

/* The last "flux: ..." line of a log: why a poke could not tell, or why an operator failed. */
static void local_reason(flux_backend *b, const flux_try_desc *t, char *out, size_t outlen)
{
    (void)b;
    out[0] = '\0';
    FILE *fp = fopen(t->log_path, "rb");
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

static void local_free(flux_backend *base)
{
    local_backend *b = (local_backend *)base;
    while (b->procs) /* their handles were closed with the loop */
        proc_unlink_free(b->procs);
    free(b);
}

static const flux_backend_ops local_ops = {
    .name = "local",
    .start = local_start,
    .signal = local_signal,
    .pid = local_pid,
    .recover = local_recover,
    .report = local_report,
    .reason = local_reason,
    .free = local_free,
};

flux_backend *flux_backend_local_new(struct uv_loop_s *loop, const char *self, flux_backend_done done)
{
    local_backend *b = xcalloc(1, sizeof *b);
    b->base.ops = &local_ops;
    b->base.done = done;
    b->loop = loop;
    snprintf(b->wrap, sizeof b->wrap, "%s", self);
    char *slash = strrchr(b->wrap, '/');
    if (slash) {
        snprintf(slash + 1, sizeof b->wrap - (size_t)(slash + 1 - b->wrap), "flux-wrap");
        b->wrap_is_own = access(b->wrap, X_OK) == 0;
    }
    if (!b->wrap_is_own)
        snprintf(b->wrap, sizeof b->wrap, "%s", self);
    return &b->base;
}
