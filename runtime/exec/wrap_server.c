/* wrap_server — `flux-wrap --server`: forks each try's wrapper from itself.
 *
 * Started once by the runner's local backend (wrap_client.c), in a session
 * of its own with /dev/null on 0, 1 and 2. For each request it forks; the
 * child becomes a session leader, takes the descriptors the request
 * carried as 3 (the script), 4 (the secrets) and 5 (the run's directory),
 * the request's environment and working directory, and runs
 * flux_wrap_main as a flux-wrap started by exec would. Forking this small
 * static process costs a fraction of spawning and exec'ing a new one per
 * task, which is what the server is for (README.md, "Performance").
 *
 * Nothing else changes for a try: the wrapper writes the journal's pid and
 * exit lines, so a runner killed with SIGKILL leaves its tasks running to
 * completion and the next runner adopts them from the journal, as before.
 * The server outlives such a runner: it sees the request socket close,
 * reaps its wrappers as they end, and exits after the last one. While the
 * runner lives, each reaped wrapper's wait status goes back to it on the
 * exit socket (queued here while the runner is busy, never blocking the
 * requests).
 */
#define _GNU_SOURCE /* pipe2, MSG_CMSG_CLOEXEC, environ */
#include "wrap_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc.h"
#include "wrap.h"

extern char **environ;

typedef struct server {
    int req, ev;      /* the sockets, -1 once closed */
    int wake[2];      /* written by SIGCHLD */
    size_t children;  /* forked and not reaped */
    flux_ws_exit *q;  /* exits not yet sent */
    size_t nq, capq;
} server;

static int wake_fd = -1;

static void on_chld(int sig)
{
    (void)sig;
    int saved = errno;
    if (write(wake_fd, "c", 1) < 0) {
        /* full: a wake-up is already pending */
    }
    errno = saved;
}

/* ---- the child: a wrapper as if exec'd ---- */

/* descriptors in: dir, then the script and the secrets as flags say */
static void become_wrapper(server *s, const int *fds, size_t nfds, uint32_t flags, int cwd, char **argv, size_t nargs,
                           char **env)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    close(s->req);
    if (s->ev >= 0)
        close(s->ev);
    close(s->wake[0]);
    close(s->wake[1]);
    /* its own session: it survives the runner, and a timeout kills its group */
    setsid();
    /* above every number they are going to, so no dup2 overwrites another */
    int high[4], cwd_high = -1;
    for (size_t i = 0; i < nfds; i++) {
        high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 20);
        if (high[i] < 0)
            _exit(125);
        close(fds[i]);
    }
    if (cwd >= 0) {
        cwd_high = fcntl(cwd, F_DUPFD_CLOEXEC, 20);
        close(cwd);
    }
    size_t k = 0;
    int to[3] = {5, (flags & FLUX_WS_SCRIPT) ? 3 : -1, (flags & FLUX_WS_SECRETS) ? 4 : -1};
    for (int i = 0; i < 3; i++)
        if (to[i] >= 0 && (k >= nfds || dup2(high[k++], to[i]) < 0))
            _exit(125);
    for (size_t i = 0; i < nfds; i++)
        close(high[i]);
    if (cwd_high >= 0 && fchdir(cwd_high) != 0)
        _exit(125);
    if (cwd_high >= 0)
        close(cwd_high);
    environ = env;
    exit(flux_wrap_main((int)nargs - 1, argv + 1));
}

/* ---- requests ---- */

static void reply(server *s, int32_t pid, int32_t err)
{
    flux_ws_reply r = {pid, err};
    while (send(s->req, &r, sizeof r, MSG_NOSIGNAL) < 0 && errno == EINTR)
        ;
}

/* n NUL-terminated strings from *at within end into v (NULL after them);
 * false when the request does not hold them */
static bool take_strings(char **at, const char *end, char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *z = memchr(*at, '\0', (size_t)(end - *at));
        if (!z)
            return false;
        v[i] = *at;
        *at = z + 1;
    }
    v[n] = NULL;
    return true;
}

static void serve(server *s)
{
    static char buf[FLUX_WS_MAX_REQUEST + 1];
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(4 * sizeof(int))];
    } cm;
    struct iovec iov = {buf, sizeof buf};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = cm.b;
    m.msg_controllen = sizeof cm.b;
    ssize_t n = recvmsg(s->req, &m, MSG_CMSG_CLOEXEC);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        /* the runner closed it, or died: serve nobody, reap what is left */
        close(s->req);
        s->req = -1;
        return;
    }
    int fds[4];
    size_t nfds = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                if (nfds < 4)
                    fds[nfds++] = fd;
                else
                    close(fd);
            }
    flux_ws_request h;
    char **argv = NULL, **env = NULL, *cwd = NULL;
    bool ok = (size_t)n >= sizeof h && !(m.msg_flags & (MSG_TRUNC | MSG_CTRUNC));
    if (ok) {
        memcpy(&h, buf, sizeof h);
        size_t want = 1 + !!(h.flags & FLUX_WS_SCRIPT) + !!(h.flags & FLUX_WS_SECRETS);
        ok = h.version == FLUX_WS_VERSION && nfds == want && h.nargs >= 2 && h.nargs < 4096 && h.nenv < 65536;
    }
    if (ok) {
        char *at = buf + sizeof h, *end = buf + n;
        argv = flux_xcalloc(h.nargs + 1, sizeof *argv);
        env = flux_xcalloc(h.nenv + 1, sizeof *env);
        char *one[2];
        ok = take_strings(&at, end, argv, h.nargs) && take_strings(&at, end, env, h.nenv) &&
             (!(h.flags & FLUX_WS_CWD) || take_strings(&at, end, one, 1));
        if (ok && (h.flags & FLUX_WS_CWD))
            cwd = one[0];
    }
    int cwd_fd = -1, err = ok ? 0 : EINVAL;
    if (ok && cwd && (cwd_fd = open(cwd, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        err = errno; /* as posix_spawn's chdir would have failed */
    pid_t pid = 0;
    if (!err) {
        pid = fork();
        if (pid == 0)
            become_wrapper(s, fds, nfds, h.flags, cwd_fd, argv, h.nargs, env);
        if (pid < 0)
            err = errno, pid = 0;
        else
            s->children++;
    }
    reply(s, pid, err);
    for (size_t i = 0; i < nfds; i++)
        close(fds[i]);
    if (cwd_fd >= 0)
        close(cwd_fd);
    free(argv);
    free(env);
}

/* ---- exits ---- */

static void reap(server *s)
{
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        if (s->children)
            s->children--;
        if (s->ev < 0)
            continue;
        if (s->nq == s->capq) {
            s->capq = s->capq ? 2 * s->capq : 64;
            s->q = flux_xrealloc(s->q, s->capq * sizeof *s->q);
        }
        s->q[s->nq++] = (flux_ws_exit){pid, st};
    }
}

/* as many queued exits as the socket takes now */
static void send_exits(server *s)
{
    size_t sent = 0;
    while (s->ev >= 0 && sent < s->nq) {
        if (send(s->ev, &s->q[sent], sizeof s->q[sent], MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)sizeof s->q[sent]) {
            sent++;
        } else if (errno == EINTR) {
            continue;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
            close(s->ev); /* the runner is gone: nobody to tell */
            s->ev = -1;
            s->nq = 0;
            return;
        } else {
            break;
        }
    }
    if (sent) {
        memmove(s->q, s->q + sent, (s->nq - sent) * sizeof *s->q);
        s->nq -= sent;
    }
}

int flux_wrap_server_main(void)
{
    /* not the runner's child: the runner reaps this first process at once,
     * and no zombie of a server waits for a long-lived runner to reap it */
    pid_t pid = fork();
    if (pid < 0)
        return 125;
    if (pid > 0)
        _exit(0);
    server s = {.req = FLUX_WS_REQ_FD, .ev = FLUX_WS_EXIT_FD};
    fcntl(s.req, F_SETFD, FD_CLOEXEC);
    fcntl(s.ev, F_SETFD, FD_CLOEXEC);
    if (pipe2(s.wake, O_CLOEXEC | O_NONBLOCK) != 0)
        return 125;
    wake_fd = s.wake[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    for (;;) {
        reap(&s);
        send_exits(&s);
        if (s.req < 0 && s.children == 0)
            break;
        struct pollfd pf[3] = {{s.wake[0], POLLIN, 0}, {s.req, POLLIN, 0}, {s.ev, s.nq ? POLLOUT : 0, 0}};
        if (poll(pf, 3, -1) < 0 && errno != EINTR)
            break;
        char drain[64];
        while (read(s.wake[0], drain, sizeof drain) > 0)
            ;
        if (s.ev >= 0 && (pf[2].revents & (POLLHUP | POLLERR))) {
            close(s.ev); /* the runner is gone: nobody to tell */
            s.ev = -1;
            s.nq = 0;
        }
        if (s.req >= 0 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)))
            serve(&s);
    }
    free(s.q);
    return 0;
}
