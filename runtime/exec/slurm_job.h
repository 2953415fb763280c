/* slurm_job — the job's side of a try run through Slurm: the try's spec
 * file the scheduler writes before sbatch, and `flux __slurm-job SPEC`,
 * what each job runs (see runtime/README.md, "Tries as Slurm jobs"). */
#ifndef FLUX_SLURM_JOB_H
#define FLUX_SLURM_JOB_H

#include <stddef.h>

#include "backend.h"

/* Writes the try's spec (the store URL with its password, the token, the
 * try, its command, environment and secrets) as name in the run's
 * directory dirfd: created 0600, never through a link. -1 with a note. */
int flux_slurm_spec_write(int dirfd, const char *name, const flux_try_desc *t, const flux_op_cmd *cmd,
                          const char *const *secrets, size_t nsecrets, const char *store_url,
                          const char *store_password, const char *token, char *note, size_t notelen);

/* The job: claims the try of the spec at path by its token, runs its
 * command under flux-wrap (self: the flux binary) in a session of its own
 * with its timeout, records the outcome in the store. Its exit status is
 * the task's (0 when the claim was taken: it ran nothing); msg says what
 * happened when there is something to say (for the job's log). */
int flux_slurm_job_run(const char *path, const char *self, char *msg, size_t msglen);

#endif
