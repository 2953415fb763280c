/* slurm_client — Slurm's own commands as the Slurm backend calls them:
 * sbatch, squeue and scancel, each a child process with a deadline (a
 * controller that does not answer must not hold the runner's loop for
 * ever), its arguments never through a shell. */
#ifndef FLUX_SLURM_CLIENT_H
#define FLUX_SLURM_CLIENT_H

#include <stddef.h>
#include <stdint.h>

/* Runs argv (argv[0] looked up in PATH) with the environment envp (NULL:
 * this process's) and stdin from in (NULL: /dev/null), its stdout into out
 * (NUL-terminated, truncated to outlen - 1), its stderr into err likewise.
 * The exit status (128 + signal when killed), -1 when it could not start,
 * -2 when it ran past timeout_ms (then killed). */
int flux_slurm_cmd(char *const argv[], char *const envp[], const char *in, char *out, size_t outlen, char *err,
                   size_t errlen, int64_t timeout_ms);

/* One line of `squeue -h -t all --name=NAME -o '%i|%T|%k|%N'`. */
typedef struct flux_slurm_job {
    int64_t id;
    char state[33];    /* PENDING, RUNNING, COMPLETED, TIMEOUT, ... */
    char comment[160];
    char node[128];
} flux_slurm_job;

/* The jobs named name (every state Slurm still holds). 0 with *jobs
 * malloc'd (free it), -1 with err when squeue failed: Slurm's answer is
 * then unknown, which is never "gone". */
int flux_slurm_squeue(const char *name, flux_slurm_job **jobs, size_t *n, char *err, size_t errlen);

/* One scancel for all n jobs (a batch, never one call per job): 0, or -1
 * with err when Slurm did not take it (no answer, no controller). A job
 * already ended or unknown to Slurm is no error: it runs no more. */
int flux_slurm_scancel(const int64_t *ids, size_t n, char *err, size_t errlen);

/* Slurm states in which a job no longer runs */
int flux_slurm_state_ended(const char *state);

#endif
