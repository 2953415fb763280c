/* wrap_client — the runner's side of `flux-wrap --server` (wrap_server.h):
 * starts the server, asks it for wrappers, reads their exits. Used by the
 * local backend only; a runner without a server spawns each flux-wrap
 * itself. */
#ifndef FLUX_WRAP_CLIENT_H
#define FLUX_WRAP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct flux_wrap_client flux_wrap_client;

/* `WRAP --server` in a session of its own, /dev/null on 0, 1 and 2; NULL
 * with errno when it cannot start */
flux_wrap_client *flux_wrap_client_start(const char *wrap);

/* What a request came to. */
typedef enum flux_wrap_spawn {
    FLUX_WRAP_SPAWNED,  /* *pid is the wrapper's */
    FLUX_WRAP_REFUSED,  /* *err: why it did not start (fork, the working directory) */
    FLUX_WRAP_NOT_SENT, /* over FLUX_WS_MAX_REQUEST, or the server is gone: spawn it yourself */
    FLUX_WRAP_GONE      /* sent, and the server died before its reply: whether the
                         * wrapper started is unknown (its journal's pid line says) */
} flux_wrap_spawn;

/* A wrapper with ARGS (ARGS[0] the wrapper's name, then flux_wrap_main's
 * arguments), ENV, CWD (NULL: the runner's) and the run's directory, the
 * script and the secrets as descriptors 5, 3 and 4 (-1: none; dir never).
 * Waits for the reply: the fork only. */
flux_wrap_spawn flux_wrap_client_spawn(flux_wrap_client *c, char *const *args, char *const *env, const char *cwd,
                                       int dir, int script, int secrets, pid_t *pid, int *err);

/* whether requests are still taken (false once the server is gone) */
bool flux_wrap_client_serving(const flux_wrap_client *c);

/* the descriptor that is readable when exits are waiting */
int flux_wrap_client_exit_fd(const flux_wrap_client *c);

/* the next exit: 1 with the wrapper's pid and wait status, 0 when none is
 * waiting, -1 when the server is gone */
int flux_wrap_client_next_exit(flux_wrap_client *c, pid_t *pid, int *status);

/* closes the sockets: the server exits once its last wrapper has */
void flux_wrap_client_free(flux_wrap_client *c);

#endif
