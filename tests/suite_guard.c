/* suite_guard — nothing the test suite starts outlives it.
 *
 *   suite_guard run -- CMD [ARG...]   run CMD as the suite: this process becomes
 *                                     a child subreaper, so every process CMD
 *                                     starts, however it daemonizes or is
 *                                     orphaned, stays its descendant
 *   suite_guard check                 (from inside CMD, once its tests have
 *                                     ended) list every process still alive
 *                                     under the guard, with the test that
 *                                     started it, kill them, exit 1 if any
 *
 * Why a subreaper and not only a marker in the environment: a runner gives its
 * tasks a clean environment and a server may reset its own, so a variable can
 * be lost on the way; the parent chain cannot. The environment still names the
 * culprit: build.sh exports FLUX_TEST_SUITE and ctest gives every test
 * FLUX_TEST_NAME, read back from /proc/PID/environ. A process that lost both is
 * named by its working directory, which for the suite is the test's temp dir.
 *
 * Linux only (prctl, /proc), libc only: build.sh compiles it with cc before
 * anything else is built, so it can guard the whole run. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GUARD_ENV "FLUX_SUITE_GUARD"
#define MAX_PROCS 65536

typedef struct {
    pid_t pid;
    pid_t ppid;
    char state;
} Proc;

static Proc procs[MAX_PROCS];
static size_t nprocs;

/* pid, ppid and state from /proc/PID/stat; the command name in parentheses may
 * hold spaces and parentheses, so the fields after it are found from the last
 * ')' */
static int read_stat(pid_t pid, Proc *p) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *close = strrchr(buf, ')');
    if (!close) return -1;
    int ppid;
    char state;
    if (sscanf(close + 1, " %c %d", &state, &ppid) != 2) return -1;
    p->pid = pid;
    p->ppid = (pid_t)ppid;
    p->state = state;
    return 0;
}

static void scan(void) {
    nprocs = 0;
    DIR *d = opendir("/proc");
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) && nprocs < MAX_PROCS) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0) continue;
        if (read_stat((pid_t)pid, &procs[nprocs]) == 0) nprocs++;
    }
    closedir(d);
}

static const Proc *find(pid_t pid) {
    for (size_t i = 0; i < nprocs; i++)
        if (procs[i].pid == pid) return &procs[i];
    return NULL;
}

/* is ANCESTOR on PID's parent chain (PID itself excluded)? */
static int descends_from(pid_t pid, pid_t ancestor) {
    const Proc *p = find(pid);
    for (int depth = 0; p && depth < 4096; depth++) {
        if (p->ppid == ancestor) return 1;
        if (p->ppid <= 1) return 0;
        p = find(p->ppid);
    }
    return 0;
}

/* the value of NAME in /proc/PID/environ, or NULL; OUT holds it */
static const char *environ_of(pid_t pid, const char *name, char *out, size_t cap) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t nlen = strlen(name);
    char entry[4096];
    size_t len = 0;
    const char *found = NULL;
    int c;
    while (!found && (c = fgetc(f)) != EOF) {
        if (c != '\0') {
            if (len + 1 < sizeof entry) entry[len++] = (char)c;
            continue;
        }
        entry[len] = '\0';
        if (len > nlen && strncmp(entry, name, nlen) == 0 && entry[nlen] == '=') {
            snprintf(out, cap, "%s", entry + nlen + 1);
            found = out;
        }
        len = 0;
    }
    fclose(f);
    return found;
}

/* the command line with NULs shown as spaces, cut at CAP */
static void cmdline_of(pid_t pid, char *out, size_t cap) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    size_t n = fread(out, 1, cap - 1, f);
    fclose(f);
    while (n > 0 && out[n - 1] == '\0') n--;
    for (size_t i = 0; i < n; i++)
        if (out[i] == '\0') out[i] = ' ';
    out[n] = '\0';
}

static void cwd_of(pid_t pid, char *out, size_t cap) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/cwd", (int)pid);
    ssize_t n = readlink(path, out, cap - 1);
    out[n > 0 ? (size_t)n : 0] = '\0';
}

static int is_alive(pid_t pid) {
    Proc p;
    return read_stat(pid, &p) == 0 && p.state != 'Z' && p.state != 'X';
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Every live descendant of GUARD, or carrier of this suite's marker, other
 * than the caller and its ancestors (the shell that asks). */
static size_t survivors(pid_t guard, const char *suite, pid_t *out, size_t cap) {
    scan();
    pid_t self = getpid();
    size_t n = 0;
    char value[512];
    for (size_t i = 0; i < nprocs && n < cap; i++) {
        const Proc *p = &procs[i];
        if (p->state == 'Z' || p->state == 'X' || p->pid == self || p->pid == guard) continue;
        if (descends_from(self, p->pid)) continue; /* our own ancestors */
        int mine = descends_from(p->pid, guard);
        if (!mine && suite && *suite) {
            const char *v = environ_of(p->pid, "FLUX_TEST_SUITE", value, sizeof value);
            mine = v && strcmp(v, suite) == 0;
        }
        if (mine) out[n++] = p->pid;
    }
    return n;
}

static int cmd_check(void) {
    const char *g = getenv(GUARD_ENV);
    if (!g || !*g) {
        fprintf(stderr, "suite_guard check: %s is not set (run the suite under 'suite_guard run')\n", GUARD_ENV);
        return 2;
    }
    pid_t guard = (pid_t)atol(g);
    const char *suite = getenv("FLUX_TEST_SUITE");
    static pid_t left[MAX_PROCS];
    size_t n = survivors(guard, suite, left, MAX_PROCS);
    if (n == 0) {
        printf("suite_guard: no process of the suite is left running\n");
        return 0;
    }
    printf("suite_guard: %zu process%s of the suite still running after its tests ended:\n", n,
           n == 1 ? "" : "es");
    for (size_t i = 0; i < n; i++) {
        char test[512], cmd[512], cwd[512];
        if (!environ_of(left[i], "FLUX_TEST_NAME", test, sizeof test))
            snprintf(test, sizeof test, "(no FLUX_TEST_NAME in its environment)");
        cmdline_of(left[i], cmd, sizeof cmd);
        cwd_of(left[i], cwd, sizeof cwd);
        printf("  pid %d  test %s\n      cwd %s\n      cmd %s\n", (int)left[i], test, cwd, cmd);
    }
    fflush(stdout);
    for (size_t i = 0; i < n; i++) kill(left[i], SIGTERM);
    for (int t = 0; t < 50; t++) {
        size_t alive = 0;
        for (size_t i = 0; i < n; i++) alive += is_alive(left[i]);
        if (!alive) break;
        sleep_ms(100);
    }
    for (size_t i = 0; i < n; i++)
        if (is_alive(left[i])) kill(left[i], SIGKILL);
    printf("suite_guard: sent them SIGTERM, then SIGKILL to those still alive after 5 s\n");
    return 1;
}

static int cmd_run(char **argv) {
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        perror("suite_guard: prctl(PR_SET_CHILD_SUBREAPER)");
        return 2;
    }
    char pid[32];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    setenv(GUARD_ENV, pid, 1);
    /* the suite's own signals go to the suite; the guard outlives them to reap */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    pid_t child = fork();
    if (child < 0) {
        perror("suite_guard: fork");
        return 2;
    }
    if (child == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        execvp(argv[0], argv);
        fprintf(stderr, "suite_guard: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status = 0, rc = 1;
    for (;;) {
        /* orphans reparented to us are reaped as they end, so none stays a zombie */
        int st;
        pid_t w = waitpid(-1, &st, 0);
        if (w < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (w == child) {
            status = st;
            break;
        }
    }
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    /* the suite checked and killed its survivors itself; whatever appeared after
     * that (or if it never checked) is killed here so nothing outlives the run */
    static pid_t left[MAX_PROCS];
    size_t n = survivors(getpid(), NULL, left, MAX_PROCS);
    for (size_t i = 0; i < n; i++) kill(left[i], SIGKILL);
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    if (n > 0) {
        fprintf(stderr, "suite_guard: killed %zu process%s left after the suite exited\n", n, n == 1 ? "" : "es");
        if (rc == 0) rc = 1;
    }
    return rc;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "check") == 0) return cmd_check();
    if (argc >= 4 && strcmp(argv[1], "run") == 0 && strcmp(argv[2], "--") == 0) return cmd_run(argv + 3);
    fprintf(stderr, "usage: suite_guard run -- CMD [ARG...]\n       suite_guard check\n");
    return 2;
}
