/* backend — how a try is started, watched, signalled, recovered and
 * reported: the interface between the executor and where tasks run.
 *
 * The executor decides what runs and when (the graph, slots, pools,
 * retries, timeouts); a backend makes one try happen and calls done() once
 * when it has ended. `local` (backend_local.c: posix_spawn in a session of
 * its own, a pidfd, the run's journal, flux-wrap) and `slurm`
 * (backend_slurm.c: each try an sbatch job that claims its try by a token
 * and records its own outcome in the store): above this header nothing
 * knows about pids or jobs.
 * A table of functions as small as store_driver.h's.
 */
#ifndef FLUX_BACKEND_H
#define FLUX_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ops.h"

typedef struct flux_backend flux_backend; /* one per executor */
typedef struct flux_proc flux_proc;       /* one watched try, owned by its backend */

/* One try, as a backend sees it. The strings outlive the try's proc. */
typedef struct flux_try_desc {
    const char *home; /* FLUX_HOME: the run's journal is under home/logs */
    const char *pipeline, *run_id, *task;
    int try_number;
    const char *log_path; /* where its output goes; its directory exists */
    long nofile; /* the soft RLIMIT_NOFILE its processes get (the runner raised its own); 0: the runner's */
    /* the task's bounds: one ::output value, all of them together, the log */
    int64_t max_output_value, max_outputs, max_log_size;
    int dirfd; /* at start: the log's directory when the caller has it open, else -1 */
    /* the try's row and its run's in the store, its timeout (0: none) and
     * the grace between SIGTERM and SIGKILL: for a backend whose tries
     * record themselves (slurm) */
    int64_t ti_id, run_row_id, timeout_ms, grace_ms;
    /* the task's parameters, for a backend with settings of its own there
     * (slurm { }); NULL: none */
    const struct flux_attrs *attrs;
} flux_try_desc;

/* done()'s status when a try's process is gone without leaving one */
#define FLUX_TRY_LOST (-1)
/* done()'s status when the try was stopped by its timeout where it ran
 * (a backend that enforces_timeout) */
#define FLUX_TRY_TIMED_OUT (-2)
/* Called once per started or adopted try, from the loop: status is the
 * command's exit status as a shell's $? (128 + signal), or FLUX_TRY_LOST.
 * The proc is gone when it is called. */
typedef void (*flux_backend_done)(void *ud, int status);

/* What a previous runner left of a try recorded as queued or running. */
typedef enum {
    FLUX_RECOVER_NOT_STARTED, /* it never began: start this same try */
    FLUX_RECOVER_FINISHED,    /* it ended while nobody watched: *status */
    FLUX_RECOVER_FINISHED_STARTING, /* it was being started, and ended while recover() waited for it: *status */
    FLUX_RECOVER_ADOPTED,     /* it still runs: watched now as *proc, done() when it ends */
    FLUX_RECOVER_GONE,        /* it began and vanished without a status */
} flux_recovery;

typedef struct flux_backend_ops {
    const char *name; /* "local" */
    /* Starts the command of a try; its output goes to t->log_path with the
     * secrets masked, bounded by t's limits. NULL with a note when it could
     * not start. */
    flux_proc *(*start)(flux_backend *b, const flux_try_desc *t, const flux_op_cmd *cmd, const char *const *secrets,
                        size_t nsecrets, void *ud, char *note, size_t notelen);
    /* Signals the try's whole process group (SIGTERM at a stop or timeout,
     * SIGKILL after the grace); a no-op once it ended. */
    void (*signal)(flux_proc *p, int sig);
    /* What the store records as the try's pid (0: none). */
    int (*pid)(const flux_proc *p);
    /* Accounts for a try a previous runner left unfinished (see above). */
    flux_recovery (*recover)(flux_backend *b, const flux_try_desc *t, void *ud, int *status, flux_proc **p);
    /* What an ended try printed for the runner (`::output`, `::counts`,
     * `::lineage`, an output refused, what its log dropped): a report of
     * opreport.h, bounded by t's limits, read without waiting on the try's
     * output; -1 when there is none; *r is set either way (the executor
     * frees it). */
    int (*report)(flux_backend *b, const flux_try_desc *t, flux_op_report *r);
    /* The try's last word on why (its last "flux: ..." line), "" if none. */
    void (*reason)(flux_backend *b, const flux_try_desc *t, char *out, size_t outlen);
    /* After the executor's loop is closed: frees what is left. */
    void (*free)(flux_backend *b);
    /* Descriptors of this process a try holds from start() until done()
     * (the local backend: its pidfd), and how many more start() has open
     * at once for a moment: the executor starts no try these would not fit
     * under RLIMIT_NOFILE. A backend that opens more per try says so here
     * (near the limit the executor counts what is open, so an undercount
     * only eats into its margin). */
    int fds_held, fds_starting;
    /* A stop of the runner (SIGTERM, SIGINT) leaves this backend's tries
     * running where they are: their ends are recorded there and taken by
     * the next runner's recover(). let_go forgets p without calling done();
     * NULL: the runner signals its tries at a stop (local). */
    void (*let_go)(flux_proc *p);
    /* The try's timeout is enforced where it runs and reported as
     * FLUX_TRY_TIMED_OUT: the executor keeps no deadline of its own (its
     * clock would start at the submission, not at the start). */
    bool enforces_timeout;
} flux_backend_ops;

struct flux_backend {
    const flux_backend_ops *ops;
    flux_backend_done done;
};

struct uv_loop_s;
/* The local backend on the executor's loop; self is the flux binary
 * (flux-wrap is looked for beside it). */
flux_backend *flux_backend_local_new(struct uv_loop_s *loop, const char *self, flux_backend_done done);

/* The slurm backend's settings (runtime/exec/README.md, "The Slurm
 * backend"). */
typedef struct flux_slurm_conf {
    /* the store as the job opens it, password included: written into each
     * try's private spec file (0600, beside its log), never an argument or
     * the job's environment */
    const char *store_url;
    const char *store_password; /* the store's password when not in the URL (FLUX_DB_PASSWORD[_FILE]); NULL: none */
    int64_t poll_ms;       /* one squeue per active run this often (default 2000) */
    int64_t lost_grace_ms; /* a job gone from Slurm without an outcome for this long is lost (default 10000) */
    /* more sbatch arguments for every job, split on blanks
     * (FLUX_SLURM_SBATCH_ARGS: a site's options; a task's own are its
     * slurm { }); NULL: none */
    const char *sbatch_args;
} flux_slurm_conf;

struct flux_store;
flux_backend *flux_backend_slurm_new(struct uv_loop_s *loop, const char *self, struct flux_store *store,
                                     const flux_slurm_conf *conf, flux_backend_done done);

#endif
