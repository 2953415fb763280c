/* wrap_client — the runner's side of the wrapper fork server: one
 * `flux-wrap --server` per local backend, started at its first try; a
 * request per try (its arguments, environment and descriptors in one
 * SOCK_SEQPACKET message), answered with the wrapper's pid once forked;
 * exits read from a second socket the loop watches. See wrap_server.c.
 */
#define _GNU_SOURCE /* posix_spawn's SETSID, SOCK_CLOEXEC */
#include "wrap_client.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc.h"
#include "wrap_server.h"

struct flux_wrap_client {
    int req, ev; /* -1 once the server is gone */
    char *buf;   /* one request */
};

flux_wrap_client *flux_wrap_client_start(const char *wrap)
{
    int req[2], ev[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, req) != 0)
        return NULL;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ev) != 0) {
        int e = errno;
        close(req[0]);
        close(req[1]);
        errno = e;
        return NULL;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    /* /dev/null, never the runner's output: a server that outlives a killed
     * runner must not hold the pipe its caller reads to the end */
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_adddup2(&fa, req[1], FLUX_WS_REQ_FD);
    posix_spawn_file_actions_adddup2(&fa, ev[1], FLUX_WS_EXIT_FD);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    /* its own session: it outlives the runner, as the wrappers it forks do */
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char *argv[] = {(char *)wrap, "--server", NULL};
    char *env[] = {NULL};
    pid_t pid;
    int r = posix_spawn(&pid, wrap, &fa, &at, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(req[1]);
    close(ev[1]);
    if (r != 0) {
        close(req[0]);
        close(ev[0]);
        errno = r;
        return NULL;
    }
    /* the first process forks the server and exits at once */
    int st = 0;
    pid_t w;
    while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    if (w != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        close(req[0]);
        close(ev[0]);
        errno = ECHILD;
        return NULL;
    }
    fcntl(ev[0], F_SETFL, O_NONBLOCK);
    flux_wrap_client *c = flux_xcalloc(1, sizeof *c);
    c->req = req[0];
    c->ev = ev[0];
    c->buf = flux_xmalloc(FLUX_WS_MAX_REQUEST);
    return c;
}

static bool put_strings(char *buf, size_t *at, char *const *v, uint32_t *n)
{
    for (*n = 0; v[*n]; (*n)++) {
        size_t len = strlen(v[*n]) + 1;
        if (len > FLUX_WS_MAX_REQUEST - *at)
            return false;
        memcpy(buf + *at, v[*n], len);
        *at += len;
    }
    return true;
}

static void gone(flux_wrap_client *c)
{
    if (c->req >= 0)
        close(c->req);
    c->req = -1;
}

flux_wrap_spawn flux_wrap_client_spawn(flux_wrap_client *c, char *const *args, char *const *env, const char *cwd,
                                       int dir, int script, int secrets, pid_t *pid, int *err)
{
    *pid = 0;
    *err = 0;
    if (c->req < 0)
        return FLUX_WRAP_NOT_SENT;
    flux_ws_request h = {.version = FLUX_WS_VERSION};
    size_t at = sizeof h;
    uint32_t one;
    if (!put_strings(c->buf, &at, args, &h.nargs) || !put_strings(c->buf, &at, env, &h.nenv) ||
        (cwd && !put_strings(c->buf, &at, (char *const[]){(char *)cwd, NULL}, &one)))
        return FLUX_WRAP_NOT_SENT;
    int fds[3], nfds = 0;
    fds[nfds++] = dir;
    if (script >= 0)
        fds[nfds++] = script, h.flags |= FLUX_WS_SCRIPT;
    if (secrets >= 0)
        fds[nfds++] = secrets, h.flags |= FLUX_WS_SECRETS;
    if (cwd)
        h.flags |= FLUX_WS_CWD;
    memcpy(c->buf, &h, sizeof h);
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(3 * sizeof(int))];
    } cm;
    memset(&cm, 0, sizeof cm);
    struct iovec iov = {c->buf, at};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = cm.b;
    m.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
    struct cmsghdr *ch = CMSG_FIRSTHDR(&m);
    ch->cmsg_level = SOL_SOCKET;
    ch->cmsg_type = SCM_RIGHTS;
    ch->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
    memcpy(CMSG_DATA(ch), fds, (size_t)nfds * sizeof(int));
    ssize_t sent;
    while ((sent = sendmsg(c->req, &m, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    if (sent < 0) {
        /* not taken (EPIPE, ECONNRESET): nothing was forked */
        gone(c);
        return FLUX_WRAP_NOT_SENT;
    }
    flux_ws_reply r;
    ssize_t n;
    while ((n = recv(c->req, &r, sizeof r, 0)) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof r) {
        gone(c);
        return FLUX_WRAP_GONE;
    }
    if (r.pid <= 0) {
        *err = r.err ? r.err : EINVAL;
        return FLUX_WRAP_REFUSED;
    }
    *pid = r.pid;
    return FLUX_WRAP_SPAWNED;
}

int flux_wrap_client_exit_fd(const flux_wrap_client *c)
{
    return c->ev;
}

bool flux_wrap_client_serving(const flux_wrap_client *c)
{
    return c && c->req >= 0;
}

int flux_wrap_client_next_exit(flux_wrap_client *c, pid_t *pid, int *status)
{
    if (c->ev < 0)
        return -1;
    flux_ws_exit e;
    ssize_t n;
    while ((n = recv(c->ev, &e, sizeof e, 0)) < 0 && errno == EINTR)
        ;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (n != (ssize_t)sizeof e)
        return -1; /* closed: the server died */
    *pid = e.pid;
    *status = e.status;
    return 1;
}

void flux_wrap_client_free(flux_wrap_client *c)
{
    if (!c)
        return;
    gone(c);
    if (c->ev >= 0)
        close(c->ev);
    free(c->buf);
    free(c);
}
