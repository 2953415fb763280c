# lib.sh — shared by the Slurm executor's tests (tests/slurm/*.sh): the
# runtime tests' helpers (runtime/lib.sh: a fresh FLUX_HOME, check, finish)
# with a throwaway MariaDB as the state store and a single-node Slurm
# cluster (servers/slurm.sh, MinJobAge from MIN_JOB_AGE, default 300), both
# stopped by PID at exit. The store's password reaches flux only through
# FLUX_DB_PASSWORD, so a test can tell it never reaches a job's arguments
# or environment.
SERVERS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../servers" && pwd)
. "$(dirname "${BASH_SOURCE[0]}")/../runtime/lib.sh"
slurm_cleanup() {
    local rc=$?
    if [ -n "${SLURM_CONF:-}" ]; then
        # every job of the test's, then until Slurm ran them down: a job's
        # slurmstepd outlives a stopped slurmd
        scancel -u "$(id -un)" >/dev/null 2>&1 || true
        for _ in $(seq 150); do
            [ -z "$(squeue -h -t PENDING,RUNNING,COMPLETING,CONFIGURING,SUSPENDED -o %i 2>/dev/null)" ] && break
            sleep 0.1
        done
    fi
    bash "$SERVERS/slurm.sh" stop "$T/slurm" >/dev/null 2>&1 || true
    bash "$SERVERS/mariadb.sh" stop "$T/db" >/dev/null 2>&1 || true
    cleanup
    exit "$rc"
}
trap slurm_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
url=$(bash "$SERVERS/mariadb.sh" start "$T/db" 2>/dev/null)
bash "$SERVERS/slurm.sh" start "$T/slurm" "${MIN_JOB_AGE:-300}"
eval "$(bash "$SERVERS/slurm.sh" env "$T/slurm")"
export FLUX_DB_PASSWORD=flux
export FLUX_TEST_DB=${url/flux:flux@/flux@}
DB_ARGS=(--db "$FLUX_TEST_DB")
# quick reconciliation for tests: squeue every 0.3 s, a job gone 3 s is lost
export FLUX_SLURM_POLL_MS=${FLUX_SLURM_POLL_MS:-300} FLUX_SLURM_LOST_MS=${FLUX_SLURM_LOST_MS:-3000}
# the jobs of the test's runs Slurm still lists: ID|STATE|COMMENT
jobs_of() { squeue -h -t all -o '%i|%T|%k' --name "flux-$1"; }
# the Slurm row of each try of a task: try, job id, phase, state
slurm_rows() { # RUN_ID TASK
    sql "SELECT ti.try_number, s.job_id, s.phase, COALESCE(s.slurm_state, '') FROM slurm_tries s JOIN task_instances ti ON ti.id = s.ti JOIN runs r ON r.id = ti.run WHERE r.run_id = '$1' AND ti.task = '$2' ORDER BY ti.try_number" | tail -n +2 | tr '\t' ' '
}
