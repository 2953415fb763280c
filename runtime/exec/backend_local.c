/* backend_local — the `local` executor backend: each try a process of this
 * host, flux-wrap started with posix_spawn in a session of its own, with a
 * clean environment, and watched through a pidfd; the command and the
 * secrets to mask reach it through descriptors, never argv or environ; the
 * run's journal lets a new runner adopt what a killed one left running
 * (see backend.h, journal.h, wrap.h).
 */
#define _GNU_SOURCE /* posix_spawn's SETSID and addchdir_np, memfd_create, mkostemp */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "alloc.h"
#include "journal.h"
#include "rundir.h"

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

/* ---- a watched process ---- */

static flux_proc *proc_new(local_backend *b, void *ud, int pid)
{
    flux_proc *p = flux_xcalloc(1, sizeof *p);
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
    if (p->pidfd >= 0) {
        /* closed now (libuv allows it once the handle is stopped), not when
         * the handle is: the executor counts it free once done() is called */
        close(p->pidfd);
        p->pidfd = -1;
    }
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

/* What the task's processes get from the runner's environment: nothing
 * else, so the runner's secrets (FLUX_CONN_*, FLUX_DB_PASSWORD, a
 * password_env variable) reach no task. README.md, "What a task sees". */
static const char *const passthrough[] = {
    "PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TZDIR", "USER", "LOGNAME", "SHELL", "TMPDIR", /* and LC_* */
    "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", /* flux's own processes in a sanitizer build */
    NULL};

/* what a task leaves in its session when its main process exits gets this
 * long (ms) between SIGTERM and SIGKILL: short and fixed, those processes
 * have no business running; the executor's grace is for the tasks it stops */
#define LEFTOVER_GRACE "5000"

static bool passes(const char *entry)
{
    size_t n = strcspn(entry, "=");
    if (!entry[n])
        return false;
    if (n > 3 && strncmp(entry, "LC_", 3) == 0)
        return true;
    for (const char *const *p = passthrough; *p; p++)
        if (strlen(*p) == n && strncmp(entry, *p, n) == 0)
            return true;
    return false;
}

typedef struct strv {
    char **v;
    size_t n, cap;
} strv;

/* NAME=VALUE, replacing an earlier NAME */
static void env_put(strv *e, char *entry)
{
    size_t n = strcspn(entry, "=");
    for (size_t i = 0; i < e->n; i++)
        if (strncmp(e->v[i], entry, n + 1) == 0) {
            free(e->v[i]);
            e->v[i] = entry;
            return;
        }
    if (e->n + 1 >= e->cap) {
        e->cap = e->cap ? 2 * e->cap : 32;
        e->v = realloc(e->v, e->cap * sizeof *e->v);
        if (!e->v)
            abort();
    }
    e->v[e->n++] = entry;
    e->v[e->n] = NULL;
}

static void env_putf(strv *e, const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 2;
    char *s = flux_xcalloc(n, 1);
    snprintf(s, n, "%s=%s", name, value);
    env_put(e, s);
}

/* the passthrough list, then what the task declares (its `env`, an
 * operator's settings), then the variables that say which try it is and
 * the FLUX_HOME it runs under (so `flux lineage` in a task reads the same
 * store, on SQLite; FLUX_DB is not passed, it may hold a password) */
static char **build_env(const flux_try_desc *t, const flux_op_cmd *cmd)
{
    strv e = {0};
    for (size_t i = 0; environ[i]; i++)
        if (passes(environ[i]))
            env_put(&e, flux_xstrdup(environ[i]));
    for (size_t i = 0; cmd->env && cmd->env[i]; i++)
        if (strchr(cmd->env[i], '='))
            env_put(&e, flux_xstrdup(cmd->env[i]));
    char num[16];
    snprintf(num, sizeof num, "%d", t->try_number);
    env_putf(&e, "FLUX_PIPELINE", t->pipeline);
    env_putf(&e, "FLUX_RUN_ID", t->run_id);
    env_putf(&e, "FLUX_TASK", t->task);
    env_putf(&e, "FLUX_TRY_NUMBER", num);
    env_putf(&e, "FLUX_HOME", t->home);
    return e.v;
}

static void free_strv(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* what the wrapper is given: the script, the secrets, the run's directory */
enum { FD_SCRIPT, FD_SECRETS, FD_DIR, NFDS };

/* a descriptor above the ones the spawned process is given (0 to 5), so no
 * dup2 of the spawn overwrites another's source */
static int high_fd(int fd)
{
    if (fd < 0 || fd >= 10)
        return fd;
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    close(fd);
    return h;
}

/* An anonymous file holding a then b, read from its start: memory only
 * (memfd), else a file of the run's private directory, unlinked at once.
 * How a command and the secrets reach the wrapper without argv or environ.
 * -1 with errno. */
static int anon_file(const char *dir, const char *a, size_t alen, const char *b, size_t blen)
{
    int fd = memfd_create("flux-task", MFD_CLOEXEC);
    if (fd < 0) {
        char path[1200];
        snprintf(path, sizeof path, "%s/.flux-task.XXXXXX", dir);
        fd = mkostemp(path, O_CLOEXEC);
        if (fd < 0)
            return -1;
        unlink(path);
    }
    /* written at offsets (pwrite): the descriptor's own offset stays at
     * the start for its reader, with no lseek */
    const char *parts[2] = {a, b};
    size_t lens[2] = {alen, blen};
    off_t at = 0;
    for (int i = 0; i < 2; i++)
        for (size_t off = 0; off < lens[i];) {
            ssize_t w = pwrite(fd, parts[i] + off, lens[i] - off, at);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                int e = errno;
                close(fd);
                errno = e;
                return -1;
            }
            off += (size_t)w;
            at += w;
        }
    return high_fd(fd);
}

/* posix_spawn (a vfork underneath) rather than uv_spawn's fork: the
 * runner's address space is not copied for every task. Descriptors: 0, 1
 * and 2 /dev/null, 3 the script and 4 the secrets when given, 5 the run's
 * directory. 0 or errno. */
static int spawn_in_session(pid_t *pid, const char *file, const int fds[NFDS], const char *cwd, char **args,
                            char **env)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    /* the wrapper writes the log itself (--log), made at its first byte */
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (fds[FD_SCRIPT] >= 0)
        posix_spawn_file_actions_adddup2(&fa, fds[FD_SCRIPT], 3);
    if (fds[FD_SECRETS] >= 0)
        posix_spawn_file_actions_adddup2(&fa, fds[FD_SECRETS], 4);
    posix_spawn_file_actions_adddup2(&fa, fds[FD_DIR], 5);
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

/* `SHELL -c TEXT` of the bash operator, SHELL one of the two it names: the
 * text is handed to the wrapper on a descriptor, never in argv */
static bool is_shell(const flux_op_cmd *cmd)
{
    return cmd->argv[0] && cmd->argv[1] && cmd->argv[2] && !cmd->argv[3] &&
           (!strcmp(cmd->argv[0], "/bin/sh") || !strcmp(cmd->argv[0], "/bin/bash")) && !strcmp(cmd->argv[1], "-c");
}

/* the script and secrets descriptors of a try (-1: none); -1 with a note */
static int task_files(const flux_try_desc *t, const flux_op_cmd *cmd, const char *const *secrets, size_t nsecrets,
                      int *script, int *sfd, char *note, size_t notelen)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s", t->log_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    *script = *sfd = -1;
    if (is_shell(cmd)) {
        /* read by the shell from descriptor 3, which the script closes
         * first so the commands it runs do not inherit it; on the same
         * line, so the command's line numbers are its own */
        static const char close3[] = "exec 3<&- ; ";
        *script = anon_file(dir, close3, sizeof close3 - 1, cmd->argv[2], strlen(cmd->argv[2]));
        if (*script < 0) {
            snprintf(note, notelen, "cannot hand the command to the task: %s", strerror(errno));
            return -1;
        }
    }
    if (nsecrets) {
        flux_buf b = {0};
        for (size_t i = 0; i < nsecrets; i++) {
            flux_buf_puts(&b, secrets[i]);
            flux_buf_putc(&b, '\0');
        }
        *sfd = anon_file(dir, b.data, b.len, "", 0);
        flux_buf_free(&b);
        if (*sfd < 0) {
            snprintf(note, notelen, "cannot hand the secrets to the task's wrapper: %s", strerror(errno));
            if (*script >= 0)
                close(*script);
            *script = -1;
            return -1;
        }
    }
    return 0;
}

/* the log's name in the run's directory */
static const char *log_name(const flux_try_desc *t)
{
    const char *slash = strrchr(t->log_path, '/');
    return slash ? slash + 1 : t->log_path;
}

/* the try's report file (wrap_report.h): its log's name with .report for .log */
static void report_name(const flux_try_desc *t, bool whole_path, char *out, size_t n)
{
    const char *log = t->log_path, *slash = strrchr(log, '/');
    const char *from = whole_path || !slash ? log : slash + 1;
    size_t len = strlen(from);
    if (len > 4 && !strcmp(from + len - 4, ".log"))
        len -= 4;
    snprintf(out, n, "%.*s.report", (int)len, from);
}

/* the wrapper's arguments after its own name: the journal, the try, its
 * descriptors (with a script, the shell that reads it), its report and its
 * limits, then the command (none with a script). NULL-terminated, the
 * strings in nums. */
static char **wrap_args(const local_backend *b, const flux_try_desc *t, const flux_op_cmd *cmd, const int fds[NFDS],
                        char *journal, char *key, char *report, char nums[4][24])
{
    size_t na = 0;
    while (cmd->argv[na])
        na++;
    char **args = flux_xcalloc(na + 24, sizeof *args), **a = args;
    *a++ = (char *)b->wrap;
    if (!b->wrap_is_own)
        *a++ = "__wrap";
    *a++ = journal;
    *a++ = key;
    *a++ = "--grace";
    *a++ = LEFTOVER_GRACE;
    if (t->nofile > 0) {
        snprintf(nums[3], 24, "%ld", t->nofile);
        *a++ = "--nofile";
        *a++ = nums[3];
    }
    if (fds[FD_SCRIPT] >= 0) {
        *a++ = "--script-fd";
        *a++ = "3";
        *a++ = "--shell";
        *a++ = cmd->argv[0];
    }
    if (fds[FD_SECRETS] >= 0) {
        *a++ = "--secrets-fd";
        *a++ = "4";
    }
    const char *names[3] = {"--max-value", "--max-outputs", "--max-log"};
    int64_t vals[3] = {t->max_output_value, t->max_outputs, t->max_log_size};
    for (int i = 0; i < 3; i++) {
        snprintf(nums[i], 24, "%lld", (long long)vals[i]);
        *a++ = (char *)names[i];
        *a++ = nums[i];
    }
    *a++ = "--dir-fd";
    *a++ = "5";
    *a++ = "--report";
    *a++ = report;
    *a++ = "--log";
    *a++ = (char *)log_name(t);
    *a++ = "--";
    if (fds[FD_SCRIPT] < 0)
        for (size_t i = 0; i < na; i++)
            *a++ = cmd->argv[i];
    return args;
}

static flux_proc *local_start(flux_backend *base, const flux_try_desc *t, const flux_op_cmd *cmd,
                              const char *const *secrets, size_t nsecrets, void *ud, char *note, size_t notelen)
{
    local_backend *b = (local_backend *)base;
    char journal[1100], key[1100], report[1100], nums[4][24];
    flux_journal_path(t->home, t->pipeline, t->run_id, journal, sizeof journal);
    snprintf(key, sizeof key, "%s %d", t->task, t->try_number);
    report_name(t, false, report, sizeof report);
    /* "spawn" before the fork: a runner that dies between the fork and the
     * task's "pid" line leaves it behind, and the next runner waits for the
     * pid instead of starting the command a second time */
    if (flux_journal_spawn(t->dirfd, journal, key, note, notelen) != 0)
        return NULL;
    /* the run's directory, opened without following a link: the wrapper
     * makes the try's report and its log's ring there */
    int dir = t->dirfd >= 0 ? fcntl(t->dirfd, F_DUPFD_CLOEXEC, 10)
                            : high_fd(flux_rundir_open(t->home, t->pipeline, t->run_id, note, notelen));
    if (dir < 0) {
        if (t->dirfd >= 0)
            snprintf(note, notelen, "cannot hand the run's directory to the task: %s", strerror(errno));
        return NULL;
    }
    int fds[NFDS] = {-1, -1, dir};
    if (task_files(t, cmd, secrets, nsecrets, &fds[FD_SCRIPT], &fds[FD_SECRETS], note, notelen) != 0) {
        close(fds[FD_DIR]);
        return NULL;
    }
    /* every task under flux-wrap: it writes the journal's pid and exit
     * lines, masks, bounds the log, takes the report lines, and stops what
     * the task leaves behind */
    char **args = wrap_args(b, t, cmd, fds, journal, key, report, nums);
    char **env = build_env(t, cmd);
    pid_t pid;
    int r = spawn_in_session(&pid, b->wrap, fds, cmd->cwd, args, env);
    for (int i = 0; i < NFDS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
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

/* The try's report file, never its log: flux-wrap took the report lines
 * from the output as it streamed and bounded them, so this read is small
 * whatever the task printed. Bounded here too (any file can be planted):
 * the limits allow about 14 bytes of file per byte of max_outputs. */
static int read_report(const flux_try_desc *t, flux_op_report *r)
{
    char path[1200];
    report_name(t, true, path, sizeof path);
    int64_t max = 16 * t->max_outputs + t->max_output_value + (64 << 10);
    int rc = flux_op_read_report(path, max, r);
    /* a report the wrapper did not finish writing (killed) is none */
    return rc == 0 && r->whole ? 0 : -1;
}

static int local_report(flux_backend *b, const flux_try_desc *t, flux_op_report *r)
{
    (void)b;
    return read_report(t, r);
}

/* The try's last "flux: ..." line, as its wrapper found it: why a poke
 * could not tell, or why an operator failed. */
static void local_reason(flux_backend *b, const flux_try_desc *t, char *out, size_t outlen)
{
    (void)b;
    flux_op_report r;
    out[0] = '\0';
    if (read_report(t, &r) == 0 && r.reason)
        snprintf(out, outlen, "%s", r.reason);
    flux_op_report_free(&r);
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
    /* the pidfd; the script, the secrets and the run's directory while
     * spawning (the log is the wrapper's), one more for a moment when one
     * is moved above descriptor 9 */
    .fds_held = 1,
    .fds_starting = 4,
};

flux_backend *flux_backend_local_new(struct uv_loop_s *loop, const char *self, flux_backend_done done)
{
    local_backend *b = flux_xcalloc(1, sizeof *b);
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
