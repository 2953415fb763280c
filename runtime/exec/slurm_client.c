/* slurm_client — sbatch, squeue and scancel as child processes with a
 * deadline (see slurm_client.h). */
#define _GNU_SOURCE /* pipe2, execvpe */
#include "slurm_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* appends what fd has to buf (keeping room for a NUL); 0 at EOF */
static int drain(int fd, char *buf, size_t cap, size_t *len)
{
    char tmp[4096];
    ssize_t r = read(fd, tmp, sizeof tmp);
    if (r < 0)
        return errno == EINTR || errno == EAGAIN ? 1 : 0;
    if (r == 0)
        return 0;
    size_t room = cap > *len + 1 ? cap - *len - 1 : 0;
    size_t take = (size_t)r < room ? (size_t)r : room;
    memcpy(buf + *len, tmp, take);
    *len += take;
    return 1;
}

int flux_slurm_cmd(char *const argv[], char *const envp[], const char *in, char *out, size_t outlen, char *err,
                   size_t errlen, int64_t timeout_ms)
{
    int po[2], pe[2], pi[2] = {-1, -1};
    if (pipe2(po, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(pe, O_CLOEXEC) != 0) {
        close(po[0]), close(po[1]);
        return -1;
    }
    if (in && pipe2(pi, O_CLOEXEC) != 0) {
        close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(in ? pi[0] : devnull, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        /* its own process group: killed whole at the deadline */
        setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (envp)
            execvpe(argv[0], argv, envp); /* looked up in this process's PATH */
        else
            execvp(argv[0], argv);
        dprintf(2, "%s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    if (in)
        close(pi[0]);
    if (pid < 0) {
        close(po[0]), close(pe[0]);
        if (in)
            close(pi[1]);
        return -1;
    }
    if (in) {
        /* the script is small (a few hundred bytes): one write fits the pipe */
        ssize_t w = write(pi[1], in, strlen(in));
        (void)w;
        close(pi[1]);
    }
    size_t olen = 0, elen = 0;
    bool timed_out = false;
    int64_t end = mono_ms() + timeout_ms;
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        int64_t left = end - mono_ms();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        int r = poll(fds, 2, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        for (int i = 0; i < 2; i++)
            if (fds[i].fd >= 0 && fds[i].revents) {
                int more = i == 0 ? drain(fds[i].fd, out, outlen, &olen) : drain(fds[i].fd, err, errlen, &elen);
                if (!more) {
                    close(fds[i].fd);
                    fds[i].fd = -1;
                    open_fds--;
                }
            }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    if (outlen)
        out[olen] = '\0';
    if (errlen)
        err[elen] = '\0';
    if (timed_out)
        kill(-pid, SIGKILL);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (timed_out)
        return -2;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int flux_slurm_scancel(const int64_t *ids, size_t n, char *err, size_t errlen)
{
    if (!n)
        return 0;
    char **argv = calloc(n + 2, sizeof *argv);
    char (*num)[24] = calloc(n, sizeof *num);
    if (!argv || !num)
        abort(); /* the allocation policy: abort on OOM */
    argv[0] = "scancel";
    for (size_t i = 0; i < n; i++) {
        snprintf(num[i], sizeof num[i], "%lld", (long long)ids[i]);
        argv[i + 1] = num[i];
    }
    char out[256], e[2048];
    int rc = flux_slurm_cmd(argv, NULL, NULL, out, sizeof out, e, sizeof e, 20000);
    free(argv);
    free(num);
    /* scancel says so, and exits 1, for a job that ended meanwhile */
    bool only_ended = true;
    for (char *line = strtok(e, "\n"); line; line = strtok(NULL, "\n"))
        if (!strstr(line, "already completing or completed") && !strstr(line, "Invalid job id"))
            only_ended = false, snprintf(err, errlen, "scancel: %s", line);
    if (rc == 0 || (rc == 1 && only_ended))
        return 0;
    if (rc == -2)
        snprintf(err, errlen, "scancel gave no answer in 20 s");
    else if (rc == -1 || only_ended)
        snprintf(err, errlen, "scancel failed (exit status %d)", rc);
    return -1;
}

int flux_slurm_state_ended(const char *s)
{
    static const char *const ended[] = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL",
                                        "PREEMPTED", "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT", "REVOKED", NULL};
    for (const char *const *e = ended; *e; e++)
        if (!strcmp(s, *e))
            return 1;
    return 0;
}

int flux_slurm_squeue(const char *name, flux_slurm_job **jobs, size_t *n, char *err, size_t errlen)
{
    char arg[300];
    snprintf(arg, sizeof arg, "--name=%s", name);
    char *const argv[] = {"squeue", "-h", "-t", "all", arg, "-o", "%i|%T|%k|%N", NULL};
    size_t cap = 1 << 20;
    char *out = malloc(cap);
    if (!out)
        abort(); /* the allocation policy: abort on OOM */
    char e[512];
    int rc = flux_slurm_cmd(argv, NULL, NULL, out, cap, e, sizeof e, 10000);
    *jobs = NULL;
    *n = 0;
    if (rc != 0) {
        e[strcspn(e, "\n")] = '\0';
        snprintf(err, errlen, "squeue %s", rc == -2 ? "gave no answer in 10 s" : e[0] ? e : "failed");
        free(out);
        return -1;
    }
    size_t lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    flux_slurm_job *v = calloc(lines + 1, sizeof *v);
    if (!v)
        abort();
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        char *f[4] = {line, NULL, NULL, NULL};
        for (int i = 1; i < 4 && f[i - 1]; i++) {
            char *bar = strchr(f[i - 1], '|');
            if (bar)
                *bar = '\0', f[i] = bar + 1;
        }
        if (!f[3])
            continue;
        flux_slurm_job *j = &v[*n];
        j->id = strtoll(f[0], NULL, 10);
        if (j->id <= 0)
            continue; /* an array's pending line "12_[1-3]" is not ours: flux submits none */
        snprintf(j->state, sizeof j->state, "%s", f[1]);
        snprintf(j->comment, sizeof j->comment, "%s", f[2]);
        snprintf(j->node, sizeof j->node, "%s", strcmp(f[3], "(null)") ? f[3] : "");
        (*n)++;
    }
    free(out);
    *jobs = v;
    return 0;
}
