/* wrap — flux-wrap (or `flux __wrap`): the parent process of every task.
 *
 * The runner starts it as the leader of a session of its own, so a runner
 * killed with SIGKILL leaves the task running to completion. It records what
 * a new runner needs to adopt the task in the run's journal: "pid TASK TRY
 * PID" at once, "exit TASK TRY STATUS" at the end.
 *
 * Nothing it is handed shows in `ps` or in /proc/PID/environ: a shell
 * command comes as a file on a descriptor (the shell reads it from
 * /dev/fd/3), the secrets to mask on another descriptor, read and closed
 * before the command starts. With secrets, the command's output comes
 * through a pipe and is copied to the log with each secret replaced by
 * `***`; without, the command writes to the log itself.
 *
 * The task ends when its main process exits, whatever it left behind
 * holding the output: the processes it started that still run (in its
 * session or out of it: the wrapper is their child subreaper) are sent
 * SIGTERM, SIGKILL after the grace, and one line of the log says how many
 * there were.
 */
#define _GNU_SOURCE /* pipe2, environ */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wrap.h"

static pid_t child = -1;
static int chld_pipe[2] = {-1, -1}; /* written by SIGCHLD: wakes the copy loop's poll */

static void on_signal(int sig)
{
    /* passed on to the command; the wrapper stays to record the end */
    if (child > 0)
        kill(child, sig);
}

static void on_chld(int sig)
{
    (void)sig;
    int saved = errno;
    if (chld_pipe[1] >= 0 && write(chld_pipe[1], "c", 1) < 0) {
        /* full: a wake-up is already pending */
    }
    errno = saved;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* one write of a few bytes: a reader that finds the file empty knows the
 * writer did not get that far (no rename, no fsync: what matters is a
 * runner killed with SIGKILL, not a power cut) */
static int write_small(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_APPEND | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;
    size_t n = strlen(text);
    int ok = write(fd, text, n) == (ssize_t)n;
    ok &= close(fd) == 0;
    return ok ? 0 : -1;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

/* ---- the secrets: NUL-separated on their descriptor ---- */

typedef struct secrets {
    char *data;
    char **v;
    size_t n, longest;
} secrets;

static int load_secrets(int fd, secrets *s)
{
    memset(s, 0, sizeof *s);
    size_t len = 0, cap = 4096;
    s->data = malloc(cap + 1);
    if (!s->data)
        return -1;
    for (;;) {
        if (len == cap) {
            char *grown = realloc(s->data, 2 * cap + 1);
            if (!grown)
                return -1;
            s->data = grown;
            cap *= 2;
        }
        ssize_t r = read(fd, s->data + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        len += (size_t)r;
    }
    s->data[len] = '\0';
    size_t count = 1;
    for (size_t i = 0; i < len; i++)
        count += s->data[i] == '\0';
    s->v = calloc(count, sizeof *s->v);
    if (!s->v)
        return -1;
    for (size_t i = 0; i < len; i += strlen(s->data + i) + 1) {
        size_t sl = strlen(s->data + i);
        if (!sl)
            continue;
        s->v[s->n++] = s->data + i;
        if (sl > s->longest)
            s->longest = sl;
    }
    return 0;
}

/* ---- the copy of the output, secrets replaced by *** ---- */

typedef struct masker {
    const secrets *s;
    int in, out;
    bool eof;
    char *buf;
    size_t len, cap;
} masker;

/* writes what was read, all but a tail that could be the start of a
 * secret split between two reads (everything at the end) */
static void mask_flush(masker *m, bool all)
{
    const secrets *s = m->s;
    char *buf = m->buf;
    size_t len = m->len;
    size_t keep = all ? 0 : (s->longest ? s->longest - 1 : 0);
    size_t limit = len > keep ? len - keep : 0, i = 0, from = 0;
    while (i < limit) {
        size_t hit = 0;
        for (size_t k = 0; k < s->n; k++) {
            size_t sl = strlen(s->v[k]);
            if (i + sl <= len && memcmp(buf + i, s->v[k], sl) == 0 && sl > hit)
                hit = sl;
        }
        if (hit) {
            write_all(m->out, buf + from, i - from);
            write_all(m->out, "***", 3);
            i += hit;
            from = i;
        } else {
            i++;
        }
    }
    if (i > len)
        i = len;
    write_all(m->out, buf + from, i - from);
    memmove(buf, buf + i, len - i);
    m->len = len - i;
}

/* one read of the pipe (non-blocking), masked out */
static void mask_read(masker *m)
{
    if (m->eof)
        return;
    ssize_t r = read(m->in, m->buf + m->len, m->cap - m->len);
    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (r <= 0) {
        m->eof = true;
        return;
    }
    m->len += (size_t)r;
    mask_flush(m, false);
}

/* waits ms, copying the output meanwhile when there is a pipe to copy */
static void idle(masker *m, int ms)
{
    int64_t end = now_ms() + ms;
    for (;;) {
        int64_t left = end - now_ms();
        if (left <= 0)
            return;
        if (!m || m->eof) {
            struct timespec ts = {(time_t)(left / 1000), (long)(left % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        struct pollfd f = {m->in, POLLIN, 0};
        if (poll(&f, 1, (int)left) > 0)
            mask_read(m);
    }
}

/* ---- the end of the main process ---- */

/* Reaps every child that has ended: the main process (its status kept) and
 * the orphans of the task, which come to the wrapper as a child
 * subreaper. True once the main process has ended. */
static bool reap_ended(int *status)
{
    int st;
    pid_t r;
    while ((r = waitpid(-1, &st, WNOHANG)) > 0)
        if (r == child) {
            *status = st;
            child = -1;
        }
    return child < 0;
}

/* copies the output until the main process has exited */
static int copy_until_main_exits(masker *m)
{
    int status = 0;
    struct pollfd fds[2] = {{m->in, POLLIN, 0}, {chld_pipe[0], POLLIN, 0}};
    while (!reap_ended(&status)) {
        if (poll(fds, 2, -1) < 0)
            continue; /* EINTR: a signal passed on */
        if (fds[1].revents) {
            char drain[64];
            while (read(chld_pipe[0], drain, sizeof drain) > 0)
                ;
        }
        if (fds[0].revents) {
            mask_read(m);
            if (m->eof)
                fds[0].fd = -1; /* closed by everyone: only the exit is left to wait for */
        }
    }
    /* what it wrote just before exiting */
    for (int i = 0; i < 1024 && !m->eof; i++) {
        struct pollfd f = {m->in, POLLIN, 0};
        if (poll(&f, 1, 0) <= 0)
            break;
        mask_read(m);
    }
    return status;
}

static int wait_main(void)
{
    int status = 0, st;
    while (child > 0) {
        pid_t r = waitpid(-1, &st, 0);
        if (r == child) {
            status = st;
            child = -1;
        } else if (r < 0 && errno != EINTR) {
            break;
        }
    }
    return status;
}

/* ---- what the task left behind ---- */

/* True when a process the task started still runs: as a child subreaper
 * the wrapper is the parent of every orphan of the task, so "no child
 * left" answers without reading /proc (the usual case, at every task's end). */
static bool any_left(void)
{
    int st;
    while (waitpid(-1, &st, WNOHANG) > 0)
        ;
    return !(waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD);
}

#define MAX_LEFT 4096

typedef struct proc_row {
    pid_t pid, ppid;
} proc_row;

/* The processes under this one that still run (a zombie is over): their
 * number, the first MAX_LEFT of them in v. */
static size_t descendants(pid_t *v)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    size_t n = 0, cap = 1024;
    proc_row *rows = malloc(cap * sizeof *rows);
    struct dirent *e;
    while (rows && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char path[64], buf[1024];
        long pid = atol(e->d_name);
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t r = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (r <= 0)
            continue;
        buf[r] = '\0';
        /* "PID (COMM) STATE PPID ...": COMM may hold ") " */
        const char *rp = strrchr(buf, ')');
        char state;
        int ppid;
        if (!rp || sscanf(rp + 1, " %c %d", &state, &ppid) != 2 || state == 'Z' || state == 'X')
            continue;
        if (n == cap) {
            proc_row *grown = realloc(rows, 2 * cap * sizeof *rows);
            if (!grown)
                break;
            rows = grown;
            cap *= 2;
        }
        rows[n++] = (proc_row){(pid_t)pid, (pid_t)ppid};
    }
    closedir(d);
    /* the tree under this process, a level per pass; a found row's pid is
     * set to 0 so it is not found twice */
    size_t found = 0;
    pid_t me = getpid();
    for (bool more = true; more && rows;) {
        more = false;
        for (size_t i = 0; i < n; i++) {
            if (!rows[i].pid)
                continue;
            bool under = rows[i].ppid == me;
            for (size_t k = 0; !under && k < found && k < MAX_LEFT; k++)
                under = rows[i].ppid == v[k];
            if (under) {
                if (found < MAX_LEFT)
                    v[found] = rows[i].pid;
                found++;
                rows[i].pid = 0;
                more = true;
            }
        }
    }
    free(rows);
    return found;
}

static void signal_all(const pid_t *v, size_t n, int sig)
{
    for (size_t i = 0; i < n && i < MAX_LEFT; i++)
        kill(v[i], sig);
}

/* SIGTERM to what the task left running, SIGKILL after the grace; the line
 * for the log, "" when nothing was left */
static void stop_leftovers(masker *m, int grace_ms, char *line, size_t linelen)
{
    line[0] = '\0';
    if (!any_left())
        return;
    static pid_t v[MAX_LEFT];
    size_t left = descendants(v);
    if (!left)
        return; /* only zombies: reaped */
    signal_all(v, left, SIGTERM);
    int64_t deadline = now_ms() + grace_ms;
    while (any_left() && now_ms() < deadline)
        idle(m, 20);
    size_t killed = 0;
    if (any_left()) {
        killed = descendants(v);
        for (int i = 0; i < 50 && any_left(); i++) { /* SIGKILL is not refused: a second at most */
            signal_all(v, descendants(v), SIGKILL);
            idle(m, 20);
        }
    }
    int n = snprintf(line, linelen, "flux-wrap: the task left %zu process%s running when its main process exited: "
                     "sent SIGTERM", left, left == 1 ? "" : "es");
    if (killed && n > 0 && (size_t)n < linelen) {
        if (grace_ms % 1000 == 0)
            snprintf(line + n, linelen - (size_t)n, ", then SIGKILL to %zu still running after %ds", killed,
                     grace_ms / 1000);
        else
            snprintf(line + n, linelen - (size_t)n, ", then SIGKILL to %zu still running after %dms", killed,
                     grace_ms);
    }
}

/* ---- arguments and the command ---- */

typedef struct wrap_args {
    const char *journal, *key;
    int secrets_fd, script_fd, grace_ms;
    char **argv; /* the command; NULL with a script */
    long nofile; /* the soft RLIMIT_NOFILE for the command, 0: as it is */
} wrap_args;

static int parse_fd(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    return *s && !*end && v >= 0 && v < 65536 ? (int)v : -2;
}

static int parse_args(int argc, char **argv, wrap_args *a)
{
    *a = (wrap_args){NULL, NULL, -1, -1, 5000, NULL, 0};
    if (argc < 3)
        return -1;
    a->journal = argv[0];
    a->key = argv[1];
    int i = 2;
    for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
        if (i + 1 >= argc)
            return -1;
        if (!strcmp(argv[i], "--nofile")) {
            char *end;
            a->nofile = strtol(argv[i + 1], &end, 10);
            if (!*argv[i + 1] || *end || a->nofile <= 0)
                return -1;
            continue;
        }
        int v = parse_fd(argv[i + 1]);
        if (v < 0)
            return -1;
        if (!strcmp(argv[i], "--secrets-fd"))
            a->secrets_fd = v;
        else if (!strcmp(argv[i], "--script-fd"))
            a->script_fd = v;
        else if (!strcmp(argv[i], "--grace"))
            a->grace_ms = v;
        else
            return -1;
    }
    if (i >= argc)
        return -1;
    a->argv = argv + i + 1;
    /* either a command or a script, not both */
    if ((a->script_fd >= 0) == (a->argv[0] != NULL))
        return -1;
    return 0;
}

/* Starts the command, or /bin/sh reading the script from descriptor 3,
 * its output to out (the pipe) or else the wrapper's own (the log). With
 * posix_spawn, a vfork underneath: one task start costs what an exec costs.
 * -1 after saying why in the log. */
static pid_t start_child(const wrap_args *a, int out)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    if (out >= 0) {
        posix_spawn_file_actions_adddup2(&fa, out, 1);
        posix_spawn_file_actions_adddup2(&fa, out, 2);
    }
    /* the script is read from descriptor 3 and closes it first thing (the
     * runner writes it so), so the commands it runs do not get it */
    if (a->script_fd >= 0 && a->script_fd != 3)
        posix_spawn_file_actions_adddup2(&fa, a->script_fd, 3);
    /* the command stays in the wrapper's group: the runner signals the
     * group (a timeout reaches everything the command started), the
     * wrapper outlives a SIGTERM to write the exit status */
    sigset_t none, dflt;
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGTERM);
    sigaddset(&dflt, SIGINT);
    sigaddset(&dflt, SIGHUP);
    sigaddset(&dflt, SIGCHLD);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dflt);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char *sh[] = {"/bin/sh", "-c", ". /dev/fd/3", NULL};
    pid_t pid = -1;
    int r = a->script_fd >= 0 ? posix_spawn(&pid, sh[0], &fa, &at, sh, environ)
                              : posix_spawnp(&pid, a->argv[0], &fa, &at, a->argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (r != 0) {
        fprintf(stderr, "flux: cannot run %s: %s\n", a->script_fd >= 0 ? sh[0] : a->argv[0], strerror(r));
        return -1;
    }
    return pid;
}

int flux_wrap_main(int argc, char **argv)
{
    wrap_args a;
    if (parse_args(argc, argv, &a) != 0) {
        fputs("usage: flux-wrap JOURNAL 'TASK TRY' [--secrets-fd N] [--script-fd N] [--grace MS] [--nofile N] -- "
              "[COMMAND...]\n",
              stderr);
        return 2;
    }
    struct rlimit rl;
    if (a.nofile > 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0 && (rlim_t)a.nofile < rl.rlim_cur) {
        /* the runner raised its own limit; the task gets the one it had */
        rl.rlim_cur = (rlim_t)a.nofile;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    secrets sec = {0};
    if (a.secrets_fd >= 0) {
        int rc = load_secrets(a.secrets_fd, &sec);
        close(a.secrets_fd);
        if (rc != 0) {
            fprintf(stderr, "flux: cannot read the secrets to mask: %s\n", strerror(errno));
            return 125;
        }
    }
    char line[1400];
    snprintf(line, sizeof line, "pid %s %ld\n", a.key, (long)getpid());
    if (write_small(a.journal, line) != 0) {
        fprintf(stderr, "flux: cannot write %s: %s\n", a.journal, strerror(errno));
        return 125;
    }
    bool masking = sec.n > 0;
    int p[2] = {-1, -1};
    if ((masking && pipe2(p, O_CLOEXEC) != 0) || pipe2(chld_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return 125;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    /* every orphan of the task becomes the wrapper's child: what it left
     * behind is known without reading /proc, and reaped */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    child = start_child(&a, p[1]);
    if (a.script_fd >= 0)
        close(a.script_fd);
    masker m = {&sec, p[0], 1, false, NULL, 0, 0};
    int status = 127 << 8; /* as a shell says a command it could not run */
    if (child < 0) {
        if (masking) {
            close(p[0]);
            close(p[1]);
            masking = false;
        }
    } else if (masking) {
        close(p[1]);
        fcntl(p[0], F_SETFL, O_NONBLOCK);
        m.cap = 65536 + 2 * sec.longest + 16;
        m.buf = malloc(m.cap);
        if (!m.buf)
            return 125;
        status = copy_until_main_exits(&m);
    } else {
        status = wait_main();
    }
    char left[256];
    stop_leftovers(masking ? &m : NULL, a.grace_ms, left, sizeof left);
    if (masking) {
        /* only a process that is no longer under the wrapper (started
         * elsewhere with the descriptor) can still hold the pipe: what it
         * wrote so far, then no more */
        for (int i = 0; i < 1024 && !m.eof; i++) {
            struct pollfd f = {m.in, POLLIN, 0};
            if (poll(&f, 1, 0) <= 0)
                break;
            mask_read(&m);
        }
        mask_flush(&m, true);
        close(p[0]);
        free(m.buf);
    }
    if (left[0]) {
        size_t n = strlen(left);
        left[n] = '\n';
        write_all(1, left, n + 1);
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    snprintf(line, sizeof line, "exit %s %d\n", a.key, code);
    write_small(a.journal, line);
    free(sec.v);
    free(sec.data);
    return code;
}
