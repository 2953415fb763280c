/* wrap — `flux __wrap`: the parent process of every task command.
 *
 * The runner starts it in a new session (its own process group), so a
 * runner killed with SIGKILL leaves the task running to completion. The
 * wrapper records what a new runner needs to adopt it in the run's
 * journal: "pid TASK TRY PID" at once, "exit TASK TRY STATUS" at the end. It copies the command's
 * output to the log, masking secrets by value (given in FLUX_SECRETS,
 * removed from the command's environment).
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wrap.h"

static volatile sig_atomic_t forward_sig;
static pid_t child = -1;

static void on_signal(int sig)
{
    /* passed on to the command's group; the wrapper stays to record the end */
    forward_sig = sig;
    if (child > 0)
        kill(child, sig);
}

/* one write of a few bytes: a reader that finds the file empty knows the
 * writer did not get that far (no rename, no fsync: what matters is a
 * runner killed with SIGKILL, not a power cut) */
static int write_small(const char *path, const char *text, bool append)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
    if (fd < 0)
        return -1;
    size_t n = strlen(text);
    int ok = write(fd, text, n) == (ssize_t)n;
    ok &= close(fd) == 0;
    return ok ? 0 : -1;
}

/* secrets: NUL-separated list in one string ("\n"-separated on the wire) */
typedef struct secrets {
    char **v;
    size_t n, longest;
} secrets;

static void load_secrets(secrets *s)
{
    const char *env = getenv("FLUX_SECRETS");
    memset(s, 0, sizeof *s);
    if (!env || !*env)
        return;
    char *copy = strdup(env);
    unsetenv("FLUX_SECRETS");
    size_t cap = 4;
    s->v = calloc(cap, sizeof *s->v);
    for (char *tok = strtok(copy, "\n"); tok; tok = strtok(NULL, "\n")) {
        if (!*tok)
            continue;
        if (s->n == cap) {
            cap *= 2;
            s->v = realloc(s->v, cap * sizeof *s->v);
        }
        s->v[s->n++] = tok;
        if (strlen(tok) > s->longest)
            s->longest = strlen(tok);
    }
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

/* copies in to out, replacing secrets with ***; keeps a tail so a secret
 * split between two reads is still found */
static void copy_masked(int in, int out, const secrets *s)
{
    size_t cap = 65536 + 2 * s->longest + 16, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return;
    for (;;) {
        ssize_t r = read(in, buf + len, cap - len - 1);
        if (r < 0 && errno == EINTR)
            continue;
        bool eof = r <= 0;
        if (!eof)
            len += (size_t)r;
        /* flush all but what could be the start of a secret */
        size_t keep = eof ? 0 : (s->longest ? s->longest - 1 : 0);
        size_t limit = len > keep ? len - keep : 0, i = 0, from = 0;
        while (i < limit) {
            size_t hit = 0;
            for (size_t k = 0; k < s->n; k++) {
                size_t sl = strlen(s->v[k]);
                if (i + sl <= len && memcmp(buf + i, s->v[k], sl) == 0 && sl > hit)
                    hit = sl;
            }
            if (hit) {
                write_all(out, buf + from, i - from);
                write_all(out, "***", 3);
                i += hit;
                from = i;
            } else {
                i++;
            }
        }
        if (i > len)
            i = len;
        write_all(out, buf + from, i - from);
        memmove(buf, buf + i, len - i);
        len -= i;
        if (eof)
            break;
    }
    if (len)
        write_all(out, buf, len);
    free(buf);
}

int flux_wrap_main(int argc, char **argv)
{
    /* PIDFILE EXITFILE -- COMMAND... */
    if (argc < 4 || strcmp(argv[2], "--") != 0) {
        fputs("usage: flux-wrap JOURNAL 'TASK TRY' -- COMMAND...\n", stderr);
        return 2;
    }
    const char *journal = argv[0], *key = argv[1];
    secrets sec;
    load_secrets(&sec);
    char line[1400];
    snprintf(line, sizeof line, "pid %s %ld\n", key, (long)getpid());
    if (write_small(journal, line, true) != 0) {
        fprintf(stderr, "flux: cannot write %s: %s\n", journal, strerror(errno));
        return 125;
    }
    int p[2];
    if (pipe(p) != 0)
        return 125;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    child = fork();
    if (child < 0)
        return 125;
    if (child == 0) {
        /* the command stays in the wrapper's group: the runner signals the
         * group (a timeout reaches everything the command started), the
         * wrapper outlives a SIGTERM to write the exit status */
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        dup2(p[1], 1);
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        execvp(argv[3], argv + 3);
        fprintf(stderr, "flux: cannot run %s: %s\n", argv[3], strerror(errno));
        _exit(127);
    }
    close(p[1]);
    copy_masked(p[0], 1, &sec);
    close(p[0]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    snprintf(line, sizeof line, "exit %s %d\n", key, code);
    write_small(journal, line, true);
    free(sec.v);
    return code;
}
