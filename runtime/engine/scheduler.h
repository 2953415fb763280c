/* scheduler — the scheduler service: one libuv loop that deploys a
 * pipelines directory (or a git branch's commits) and creates, claims and
 * executes the runs that are due, until SIGTERM or SIGINT. */
#ifndef FLUX_SCHEDULER_H
#define FLUX_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "deploy.h"
#include "executor.h"
#include "store.h"

typedef struct flux_scheduler_opts {
    const char *dir;    /* the pipelines directory, absolute */
    const char *branch; /* deploy this branch's commits (NULL: the directory as it is) */
    const char *gitdir; /* with branch: the git directory (flux_scheduler_gitdir) */
    int jobs;           /* parallel tasks; 0: one per core */
    int64_t grace_ms;   /* what running tasks get to finish after SIGTERM */
    const flux_conns *conns;
    /* where a task that sets no executor runs ("local", "slurm"), and the
     * slurm backend's settings (NULL: the store cannot serve Slurm jobs) */
    const char *executor;
    const struct flux_slurm_conf *slurm;
    /* a log line (no newline); error: a failure, the whole line as the
     * commands print it on standard error */
    void (*log)(void *ud, bool error, const char *line);
    flux_deploy_say say; /* what each deploy has to say */
    flux_exec_status status; /* the executor's events, as the caller shows them */
    void *ud;
} flux_scheduler_opts;

/* The git directory dir is in (out), or -1 when it is in none. */
int flux_scheduler_gitdir(const char *dir, char *out, size_t cap);

/* Serves on s until stopped: FLUX_EXIT_OK, or FLUX_EXIT_FAIL when the
 * first heartbeat cannot be written. */
int flux_scheduler_serve(flux_store *s, const flux_scheduler_opts *o);

#endif
