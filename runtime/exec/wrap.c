/* wrap — flux-wrap (or `flux __wrap`): the parent process of every task.
 *
 * The runner starts it as the leader of a session of its own, so a runner
 * killed with SIGKILL leaves the task running to completion. It records what
 * a new runner needs to adopt the task in the run's journal: "pid TASK TRY
 * PID" at once, "exit TASK TRY STATUS" at the end; with --dir-fd (the run's
 * directory, which holds the journal) it writes both in that directory, never
 * through the path.
 *
 * Nothing it is handed shows in `ps` or in /proc/PID/environ: a shell
 * command comes as a file on a descriptor (the shell, /bin/sh or
 * /bin/bash, reads it from /dev/fd/3), the secrets to mask on another
 * descriptor, read and closed before the command starts.
 *
 * The command's output always comes through a pipe and is copied to the log
 * in large reads: each secret replaced by `***`, the log bounded by
 * max_log_size (wrap_log.h), and the lines addressed to the runner
 * (`::output`, `::counts`, `::lineage`, the last `flux: `) taken as they
 * pass, bounded, into a small report file beside the log (wrap_report.h):
 * the runner reads that file, never the log, so a task that prints
 * gigabytes costs its loop nothing. The report file is written before the
 * journal's exit line, so a runner that adopts the task finds it whole.
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
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
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

#include "alloc.h"
#include "journal.h"
#include "rundir.h"
#include "wrap.h"
#include "wrap_log.h"
#include "wrap_report.h"
#include "wrap_tail.h"

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


/* ---- the secrets: NUL-separated on their descriptor ---- */

typedef struct secrets {
    char *data;
    char **v;
    size_t *len, *next; /* each one's length; where it is next found in the copy's buffer */
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
    s->len = calloc(count, sizeof *s->len);
    s->next = calloc(count, sizeof *s->next);
    if (!s->v || !s->len || !s->next)
        return -1;
    for (size_t i = 0; i < len; i += strlen(s->data + i) + 1) {
        size_t sl = strlen(s->data + i);
        if (!sl)
            continue;
        s->len[s->n] = sl;
        s->v[s->n++] = s->data + i;
        if (sl > s->longest)
            s->longest = sl;
    }
    return 0;
}

/* ---- the copy of the output: secrets replaced by ***, to the log and the report ---- */

#define COPY_BUF (1 << 20) /* a read of the pipe: what the kernel holds, and more */

typedef struct copier {
    const secrets *s;
    int in;
    bool eof;
    char *buf;
    size_t len, cap;
    wrap_log log;
    wrap_report *report;
    wrap_tail tail;
} copier;

static void emit(copier *c, const char *p, size_t n)
{
    if (!n)
        return;
    wrap_log_write(&c->log, p, n);
    wrap_report_scan(c->report, p, n);
    wrap_tail_scan(&c->tail, p, n);
}

/* where secret k is next found in the buffer at or after i (SIZE_MAX: nowhere) */
static size_t find_secret(const copier *c, size_t k, size_t i)
{
    const char *hit = i < c->len ? memmem(c->buf + i, c->len - i, c->s->v[k], c->s->len[k]) : NULL;
    return hit ? (size_t)(hit - c->buf) : SIZE_MAX;
}

/* Passes on what was read, all but a tail that could be the start of a
 * secret split between two reads (everything at the end). Matches are
 * found with memmem, leftmost first and the longest of those. */
static void mask_flush(copier *c, bool all)
{
    const secrets *s = c->s;
    size_t len = c->len, keep = all || !s->n ? 0 : s->longest - 1;
    size_t limit = len > keep ? len - keep : 0, from = 0;
    for (size_t k = 0; k < s->n; k++)
        s->next[k] = find_secret(c, k, 0);
    for (;;) {
        size_t at = SIZE_MAX, hit = 0;
        for (size_t k = 0; k < s->n; k++)
            if (s->next[k] < at || (s->next[k] == at && s->len[k] > hit))
                at = s->next[k], hit = s->len[k];
        if (at >= limit)
            break;
        emit(c, c->buf + from, at - from);
        emit(c, "***", 3);
        from = at + hit;
        for (size_t k = 0; k < s->n; k++)
            if (s->next[k] < from)
                s->next[k] = find_secret(c, k, from);
    }
    size_t end = limit > from ? limit : from;
    emit(c, c->buf + from, end - from);
    memmove(c->buf, c->buf + end, len - end);
    c->len = len - end;
}

/* one read of the pipe (non-blocking), passed on */
static void copy_read(copier *c)
{
    if (c->eof)
        return;
    ssize_t r = read(c->in, c->buf + c->len, c->cap - c->len);
    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (r <= 0) {
        c->eof = true;
        return;
    }
    c->len += (size_t)r;
    mask_flush(c, false);
}

/* what is left in the pipe, without waiting for it: what the task wrote
 * just before exiting, or what a process no longer under the wrapper
 * (started elsewhere with the descriptor) wrote so far */
static void copy_pending(copier *c)
{
    for (int i = 0; i < 1024 && !c->eof; i++) {
        struct pollfd f = {c->in, POLLIN, 0};
        if (poll(&f, 1, 0) <= 0)
            break;
        copy_read(c);
    }
}

/* waits ms, copying the output meanwhile when there is a pipe to copy */
static void idle(copier *c, int ms)
{
    int64_t end = now_ms() + ms;
    for (;;) {
        int64_t left = end - now_ms();
        if (left <= 0)
            return;
        if (c->eof) {
            struct timespec ts = {(time_t)(left / 1000), (long)(left % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        struct pollfd f = {c->in, POLLIN, 0};
        if (poll(&f, 1, (int)left) > 0)
            copy_read(c);
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
static int copy_until_main_exits(copier *c)
{
    int status = 0;
    struct pollfd fds[2] = {{c->in, POLLIN, 0}, {chld_pipe[0], POLLIN, 0}};
    while (!reap_ended(&status)) {
        if (poll(fds, 2, -1) < 0)
            continue; /* EINTR: a signal passed on */
        if (fds[1].revents) {
            char drain[64];
            while (read(chld_pipe[0], drain, sizeof drain) > 0)
                ;
        }
        if (fds[0].revents) {
            copy_read(c);
            if (c->eof)
                fds[0].fd = -1; /* closed by everyone: only the exit is left to wait for */
        }
    }
    copy_pending(c);
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
static void stop_leftovers(copier *c, int grace_ms, char *line, size_t linelen)
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
        idle(c, 20);
    size_t killed = 0;
    if (any_left()) {
        killed = descendants(v);
        for (int i = 0; i < 50 && any_left(); i++) { /* SIGKILL is not refused: a second at most */
            signal_all(v, descendants(v), SIGKILL);
            idle(c, 20);
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
    int secrets_fd, script_fd, grace_ms, dir_fd;
    const char *report;                  /* the report file's name in dir_fd */
    const char *log;                     /* the log's name in dir_fd (made at the first byte); NULL: descriptor 1 */
    const char *shell;                   /* what runs the script: /bin/sh unless given */
    int64_t max_value, max_outputs, max_log; /* 0: the defaults; max_log 0: no limit */
    int64_t nofile;                      /* the soft RLIMIT_NOFILE for the command, 0: as it is */
    char **argv;                         /* the command; NULL with a script */
} wrap_args;

static int64_t parse_num(const char *s, int64_t max)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    return *s && !*end && !errno && v >= 0 && v <= max ? (int64_t)v : -1;
}

/* one option and its value; -1 when unknown or malformed */
static int parse_opt(const char *name, const char *value, wrap_args *a)
{
    static const struct {
        const char *name;
        size_t at; /* offset of an int (a descriptor, ms) or an int64_t (bytes) */
        bool bytes;
    } opts[] = {
        {"--secrets-fd", offsetof(wrap_args, secrets_fd), false},
        {"--script-fd", offsetof(wrap_args, script_fd), false},
        {"--grace", offsetof(wrap_args, grace_ms), false},
        {"--dir-fd", offsetof(wrap_args, dir_fd), false},
        {"--max-value", offsetof(wrap_args, max_value), true},
        {"--max-outputs", offsetof(wrap_args, max_outputs), true},
        {"--max-log", offsetof(wrap_args, max_log), true},
        {"--nofile", offsetof(wrap_args, nofile), true},
    };
    if (!strcmp(name, "--report")) {
        a->report = value;
        return 0;
    }
    if (!strcmp(name, "--log")) {
        a->log = value;
        return 0;
    }
    if (!strcmp(name, "--shell")) {
        /* a path, run without a PATH lookup: the task's PATH does not choose it */
        if (value[0] != '/')
            return -1;
        a->shell = value;
        return 0;
    }
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        if (strcmp(name, opts[i].name) != 0)
            continue;
        int64_t v = parse_num(value, opts[i].bytes ? INT64_MAX / 2 : 65535);
        if (v < 0)
            return -1;
        if (opts[i].bytes)
            *(int64_t *)((char *)a + opts[i].at) = v;
        else
            *(int *)((char *)a + opts[i].at) = (int)v;
        return 0;
    }
    return -1;
}

static int parse_args(int argc, char **argv, wrap_args *a)
{
    *a = (wrap_args){.secrets_fd = -1, .script_fd = -1, .grace_ms = 5000, .dir_fd = -1, .shell = "/bin/sh"};
    if (argc < 3)
        return -1;
    a->journal = argv[0];
    a->key = argv[1];
    int i = 2;
    for (; i < argc && strcmp(argv[i], "--") != 0; i += 2)
        if (i + 1 >= argc || parse_opt(argv[i], argv[i + 1], a) != 0)
            return -1;
    if (i >= argc)
        return -1;
    a->argv = argv + i + 1;
    /* either a command or a script, not both; a report and a log by name need their directory */
    if ((a->script_fd >= 0) == (a->argv[0] != NULL) || ((a->report || a->log) && a->dir_fd < 0))
        return -1;
    return 0;
}

/* Starts the command, or the shell (/bin/sh, /bin/bash) reading the script
 * from descriptor 3, its output to out (the pipe). With posix_spawn, a vfork underneath: one
 * task start costs what an exec costs. -1 with the line that says why. */
static pid_t start_child(const wrap_args *a, int out, char *why, size_t whylen)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_adddup2(&fa, out, 1);
    posix_spawn_file_actions_adddup2(&fa, out, 2);
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
    /* `.` rather than the file as the script: $0 stays the shell's name,
     * as with -c, and bash reads the whole file before running it */
    char *sh[] = {(char *)a->shell, "-c", ". /dev/fd/3", NULL};
    pid_t pid = -1;
    int r = a->script_fd >= 0 ? posix_spawn(&pid, sh[0], &fa, &at, sh, environ)
                              : posix_spawnp(&pid, a->argv[0], &fa, &at, a->argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (r != 0) {
        snprintf(why, whylen, "flux: cannot run %s: %s\n", a->script_fd >= 0 ? sh[0] : a->argv[0], strerror(r));
        return -1;
    }
    return pid;
}

/* A line of the wrapper's own, to the log (made if need be) or, without
 * --log, descriptor 1 */
static void wrap_say(const wrap_args *a, const char *fmt, ...)
{
    char line[1600], note[600];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    int fd = a->log ? flux_rundir_file(a->dir_fd, ".", a->log, O_WRONLY | O_CREAT | O_APPEND, note, sizeof note) : 1;
    if (fd < 0)
        return;
    wrap_write_all(fd, line, len);
    if (fd != 1)
        close(fd);
}

static void copier_init(copier *c, const secrets *sec, int in, const wrap_args *a)
{
    *c = (copier){.s = sec, .in = in, .cap = COPY_BUF + 2 * sec->longest + 16};
    wrap_log_init(&c->log, a->log ? -1 : 1, a->dir_fd, a->log, a->max_log);
    c->buf = flux_xmalloc(c->cap);
    c->report = wrap_report_new(a->max_value, a->max_outputs);
    wrap_tail_init(&c->tail);
}

/* The end of the output: its last bytes, the lines about report lines not
 * taken and about what the task left running, the log's tail; then the
 * report file, with the task's last line when it failed (for its note).
 * The exit status, 125 when a report could not be written. */
static int finish_output(copier *c, const wrap_args *a, const char *left, int code)
{
    mask_flush(c, true);
    if (code != 0) {
        char last[WRAP_TAIL_MAX + 4];
        wrap_tail_end(&c->tail);
        wrap_tail_text(&c->tail, last, sizeof last);
        wrap_report_set_last(c->report, last);
    }
    const char *notices = wrap_report_end(c->report);
    wrap_log_write(&c->log, notices, strlen(notices));
    wrap_log_write(&c->log, left, strlen(left));
    int64_t dropped = wrap_log_finish(&c->log);
    if (c->log.open_errno) {
        /* what it printed is lost: say so where the runner looks, and fail it */
        char why[600];
        snprintf(why, sizeof why, "flux-wrap: cannot write the log: %s", c->log.why);
        wrap_report_set_last(c->report, why);
        if (code == 0)
            code = 125;
    }
    char note[700];
    if (a->report && wrap_report_write(c->report, a->dir_fd, a->report, dropped, a->max_log, note, sizeof note) != 0) {
        /* its outputs and counts would be lost without a word */
        wrap_say(a, "flux-wrap: cannot write the task's report: %s; the task fails\n", note);
        code = 125;
    }
    return code;
}

int flux_wrap_main(int argc, char **argv)
{
    wrap_args a;
    if (parse_args(argc, argv, &a) != 0) {
        fputs("usage: flux-wrap JOURNAL 'TASK TRY' [--secrets-fd N] [--script-fd N [--shell PATH]] [--grace MS] [--nofile N] [--dir-fd N "
              "[--report NAME] [--log NAME]] [--max-value BYTES] [--max-outputs BYTES] [--max-log BYTES] -- [COMMAND...]\n",
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
            wrap_say(&a, "flux: cannot read the secrets to mask: %s\n", strerror(errno));
            return 125;
        }
    }
    if (a.dir_fd >= 0)
        fcntl(a.dir_fd, F_SETFD, FD_CLOEXEC); /* the wrapper's, not the task's */
    /* an earlier poke's report (a sensor pokes under one name) is not this one's */
    if (a.report)
        unlinkat(a.dir_fd, a.report, 0);
    char line[1400];
    snprintf(line, sizeof line, "pid %s %ld\n", a.key, (long)getpid());
    /* one write of a few bytes, in the run's directory when given
     * (journal.h): the directory the runner checked, so a task that swaps it
     * for a link while it runs does not lead the exit line through the link */
    char why[512];
    if (flux_journal_append(a.dir_fd, a.journal, line, why, sizeof why) != 0) {
        wrap_say(&a, "flux: %s\n", why);
        return 125;
    }
    int p[2] = {-1, -1};
    copier c;
    if (pipe2(p, O_CLOEXEC) != 0 || pipe2(chld_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return 125;
    copier_init(&c, &sec, p[0], &a);
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
    char left[256] = "";
    child = start_child(&a, p[1], left, sizeof left);
    if (a.script_fd >= 0)
        close(a.script_fd);
    close(p[1]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    int status = 127 << 8; /* as a shell says a command it could not run */
    if (child < 0) {
        emit(&c, left, strlen(left)); /* in the log, and the task's reason */
        left[0] = '\0';
    } else {
        status = copy_until_main_exits(&c);
        stop_leftovers(&c, a.grace_ms, left, sizeof left - 1);
        if (left[0])
            strcat(left, "\n");
        /* only a process that is no longer under the wrapper can still hold
         * the pipe: what it wrote so far, then no more */
        copy_pending(&c);
    }
    close(p[0]);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    /* the report before the exit line: a runner that reads the line finds it whole */
    code = finish_output(&c, &a, left, code);
    snprintf(line, sizeof line, "exit %s %d\n", a.key, code);
    flux_journal_append(a.dir_fd, a.journal, line, why, sizeof why);
    wrap_report_free(c.report);
    free(c.buf);
    free(sec.v);
    free(sec.len);
    free(sec.next);
    free(sec.data);
    return code;
}
