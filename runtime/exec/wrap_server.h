/* wrap_server — flux-wrap as a fork server: the runner's local backend
 * starts one `flux-wrap --server` and asks it for each try's wrapper, which
 * it forks from itself instead of the runner spawning and exec'ing a new
 * flux-wrap per task (see wrap_server.c). This header is the protocol both
 * sides speak; wrap_client.h is the runner's side. */
#ifndef FLUX_WRAP_SERVER_H
#define FLUX_WRAP_SERVER_H

#include <stdint.h>

/* The server's two sockets (SOCK_SEQPACKET, one message each), on these
 * descriptors when it starts: requests and their replies, and the exits
 * of the wrappers it forked. */
#define FLUX_WS_REQ_FD 3
#define FLUX_WS_EXIT_FD 4

/* a request bigger than this (a command of many kilobytes in argv) is
 * spawned by the runner itself */
#define FLUX_WS_MAX_REQUEST (60 * 1024)

/* flags: which descriptors ride with a request, in this order after the
 * run's directory (always first) */
#define FLUX_WS_SCRIPT 1u
#define FLUX_WS_SECRETS 2u
#define FLUX_WS_CWD 4u /* a working directory follows the environment */

/* A request: this head, then the wrapper's arguments (flux_wrap_main's,
 * the journal first), the environment and with FLUX_WS_CWD the working
 * directory, each NUL-terminated; descriptors as SCM_RIGHTS. */
typedef struct flux_ws_request {
    uint32_t version, flags, nargs, nenv;
} flux_ws_request;

#define FLUX_WS_VERSION 1u

/* The reply to a request: the wrapper's pid, or pid 0 and the errno that
 * kept it from starting (fork, or the working directory). */
typedef struct flux_ws_reply {
    int32_t pid, err;
} flux_ws_reply;

/* A wrapper the server reaped: its wait status as waitpid gave it. */
typedef struct flux_ws_exit {
    int32_t pid, status;
} flux_ws_exit;

/* `flux-wrap --server`: serves requests until the request socket closes
 * (the runner exited or died), then goes on reaping until its last
 * wrapper has exited; returns the exit code. */
int flux_wrap_server_main(void);

#endif
