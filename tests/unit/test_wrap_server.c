/* test_wrap_server — `flux-wrap --server` (runtime/exec/wrap_server.c)
 * through the runner's client (wrap_client.c), with the real flux-wrap
 * (FLUX_WRAP, set by ctest): a wrapper forked for a request runs its
 * command with the request's environment, working directory, script and
 * secrets; is a session leader holding none of the server's sockets; its
 * exit status comes back on the exit socket; a working directory that is
 * not there is refused; a request too big is not sent. When the runner
 * goes (the client freed), a running wrapper still ends and writes its
 * journal's exit line, and the server exits after it.
 */
#define _GNU_SOURCE /* mkdtemp, memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "wrap_client.h"
#include "wrap_server.h"

static char dir[64], journal[128];

static char *slurp(const char *name)
{
    static char buf[8192];
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : 0;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static int memfd_of(const char *text, size_t len)
{
    int fd = memfd_create("t", MFD_CLOEXEC);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0)
        abort();
    return fd;
}

/* the exits of the n wrappers in pids, as codes in codes; false after 20 s */
static bool wait_exits(flux_wrap_client *c, const pid_t *pids, int *codes, size_t n)
{
    size_t got = 0;
    for (int waited = 0; got < n && waited < 2000; waited++) {
        struct pollfd pf = {flux_wrap_client_exit_fd(c), POLLIN, 0};
        poll(&pf, 1, 10);
        pid_t pid;
        int st;
        while (flux_wrap_client_next_exit(c, &pid, &st) == 1)
            for (size_t i = 0; i < n; i++)
                if (pids[i] == pid) {
                    codes[i] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                    got++;
                }
    }
    return got == n;
}

static bool gone(pid_t pid)
{
    char path[64], buf[512] = "";
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return true;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    const char *rp = strrchr(buf, ')');
    return rp && (rp[2] == 'Z' || rp[2] == 'X');
}

static void serve_checks(const char *wrap)
{
    flux_wrap_client *c = flux_wrap_client_start(wrap);
    if (!check(c != NULL, "the server starts: %s", strerror(errno)))
        return;
    check(flux_wrap_client_serving(c), "it serves");
    int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    /* a command: environment, working directory, session, descriptors, exit status */
    char *args1[] = {(char *)wrap, journal, "a 1", "--dir-fd", "5", "--log", "a.1.log", "--", "/bin/sh", "-c",
                     "echo \"FOO=$FOO\"; pwd; "
                     "echo \"leader=$(sed 's/.*) //' /proc/$PPID/stat | cut -d' ' -f4)/$PPID\"; "
                     "echo \"sockets=$(ls -l /proc/$PPID/fd | grep -c socket)\"; exit 7",
                     NULL};
    char *env1[] = {"FOO=bar", "PATH=/usr/bin:/bin", NULL};
    pid_t pids[3] = {0, 0, 0};
    int err = 0, codes[3] = {-1, -1, -1};
    check(flux_wrap_client_spawn(c, args1, env1, "/tmp", d, -1, -1, &pids[0], &err) == FLUX_WRAP_SPAWNED,
          "a command is spawned (err %d)", err);

    /* a script on descriptor 3 and the secrets on 4 */
    static const char script[] = "exec 3<&- ; echo \"script ran, the password is hunter2\"";
    int sfd = memfd_of(script, sizeof script - 1), kfd = memfd_of("hunter2", 8);
    char *args2[] = {(char *)wrap, journal, "b 1", "--script-fd", "3", "--shell", "/bin/sh", "--secrets-fd", "4",
                     "--dir-fd", "5", "--log", "b.1.log", "--", NULL};
    char *env2[] = {"PATH=/usr/bin:/bin", NULL};
    check(flux_wrap_client_spawn(c, args2, env2, NULL, d, sfd, kfd, &pids[1], &err) == FLUX_WRAP_SPAWNED,
          "a script is spawned (err %d)", err);
    close(sfd);
    close(kfd);

    check(wait_exits(c, pids, codes, 2), "both exits come back");
    check(codes[0] == 7 && codes[1] == 0, "their exit statuses: %d %d", codes[0], codes[1]);
    char want[128];
    snprintf(want, sizeof want, "FOO=bar\n/tmp\nleader=%d/%d\nsockets=0\n", (int)pids[0], (int)pids[0]);
    char *log = slurp("a.1.log");
    check(!strcmp(log, want), "the command's environment, directory, session and descriptors: [%s], want [%s]", log,
          want);
    log = slurp("b.1.log");
    check(!strcmp(log, "script ran, the password is ***\n"), "the script ran, its secret masked: [%s]", log);
    char lines[256];
    snprintf(lines, sizeof lines, "pid a 1 %d\n", (int)pids[0]);
    check(strstr(slurp("journal"), lines) != NULL, "the wrapper wrote its pid line");
    check(strstr(slurp("journal"), "exit a 1 7\n") != NULL, "and its exit line");

    /* refused, and too big */
    char *args3[] = {(char *)wrap, journal, "c 1", "--", "/bin/true", NULL};
    check(flux_wrap_client_spawn(c, args3, env2, "/nonexistent/dir", d, -1, -1, &pids[2], &err) ==
                  FLUX_WRAP_REFUSED &&
              err == ENOENT,
          "a working directory that is not there is refused with ENOENT (err %d)", err);
    size_t big = FLUX_WS_MAX_REQUEST + 10;
    char *huge = malloc(big);
    memset(huge, 'x', big - 1);
    huge[big - 1] = '\0';
    char *args4[] = {(char *)wrap, journal, "d 1", "--", "/bin/echo", huge, NULL};
    check(flux_wrap_client_spawn(c, args4, env2, NULL, d, -1, -1, &pids[2], &err) == FLUX_WRAP_NOT_SENT,
          "a request over %d bytes is not sent", FLUX_WS_MAX_REQUEST);
    free(huge);

    /* the runner goes while a task runs: the task ends as it would have,
     * and the server after it */
    char *args5[] = {(char *)wrap, journal, "e 1", "--dir-fd", "5", "--log", "e.1.log", "--", "/bin/sh", "-c",
                     "sed 's/.*) //' /proc/$PPID/stat | cut -d' ' -f2 > server.pid; sleep 0.5; echo done", NULL};
    pid_t e = 0;
    check(flux_wrap_client_spawn(c, args5, env2, dir, d, -1, -1, &e, &err) == FLUX_WRAP_SPAWNED, "e is spawned");
    for (int i = 0; i < 200 && !*slurp("server.pid"); i++)
        usleep(10000);
    pid_t server = (pid_t)atoi(slurp("server.pid"));
    check(server > 1, "the wrapper's parent is the server (%d)", (int)server);
    flux_wrap_client_free(c);
    for (int i = 0; i < 500 && !strstr(slurp("journal"), "exit e 1 0\n"); i++)
        usleep(10000);
    check(strstr(slurp("journal"), "exit e 1 0\n") != NULL, "with the runner gone the task ran to its end");
    check(!strcmp(slurp("e.1.log"), "done\n"), "its log whole: [%s]", slurp("e.1.log"));
    for (int i = 0; i < 500 && !gone(server); i++)
        usleep(10000);
    check(gone(server), "the server exited after its last wrapper");
    close(d);
}

int main(void)
{
    const char *wrap = getenv("FLUX_WRAP");
    if (!wrap || access(wrap, X_OK) != 0) {
        printf("test_wrap_server: FLUX_WRAP names no flux-wrap binary\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    snprintf(dir, sizeof dir, "%s/flux-ws.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    snprintf(journal, sizeof journal, "%s/journal", dir);
    serve_checks(wrap);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("test_wrap_server: could not remove %s\n", dir);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
