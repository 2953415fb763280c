#!/usr/bin/env bash
# crash: SIGKILL of the runner at the worst moments of the slurm executor,
# then a restart: a runner killed between sbatch and storing the job id (its
# job is adopted by the comment it carries), one killed while jobs run, and
# tries that finish while no runner is there and whose records Slurm has
# purged since (MinJobAge=10): each is taken from the store, nothing is
# submitted twice, every task's side effect happens exactly once.
MIN_JOB_AGE=10
. "$(dirname "$0")/lib.sh"
real_sbatch=$(command -v sbatch)
mkdir -p bin m
# sbatch as flux calls it, logged; with kill_at_sbatch present, the runner
# is killed right after the job is made (once)
cat > bin/sbatch <<SH
#!/bin/sh
out=\$("$real_sbatch" "\$@") || exit \$?
echo "\$out" >> "$T/sbatch.calls"
if [ -e "$T/kill_at_sbatch" ]; then rm -f "$T/kill_at_sbatch"; kill -9 \$PPID; fi
echo "\$out"
SH
chmod +x bin/sbatch
export PATH=$T/bin:$PATH
cat > p.flux <<'FLUX'
pipeline crashy {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    {% for i in range(1, 5) %}
    task t{{ i }} : bash { command = "echo $FLUX_TRY_NUMBER >> m/t{{ i }}; sleep 3" }
    {% endfor %}
    task last : bash { command = "echo $FLUX_TRY_NUMBER >> m/last" }
    [t1, t2, t3, t4] >> last
}
FLUX
args=(p.flux --date 2026-11-05 --executor slurm -j 4 "${DB_ARGS[@]}")
# 1. killed between sbatch and storing the job id
touch kill_at_sbatch
start_bg run1.out run "${args[@]}"
wait "$BG" && rc=0 || rc=$?
check "the first runner was killed at its first sbatch" 137 "$rc"
check "its try is left submitting without a job id" "submitting 0" \
    "$(sql "SELECT phase, COALESCE(job_id, 0) FROM slurm_tries" | tail -n +2 | tr '\t' ' ')"
# 2. killed while jobs run
start_bg run2.out run "${args[@]}"
claimed() { [ "$(sql "SELECT COUNT(*) FROM slurm_tries WHERE phase IN ('claimed', 'done')" 2>/dev/null | tail -1)" -ge 3 ] 2>/dev/null; }
wait_for 60 claimed || echo "never three claimed: $(cat run2.out)"
kill -9 "$BG"
wait "$BG" 2>/dev/null || true
run_id=$(flux runs --format json "${DB_ARGS[@]}" | jq -r '.[0].run_id')
# 3. the jobs finish with no runner, and Slurm forgets them
purged() { [ -z "$(jobs_of "$run_id")" ]; }
wait_for 90 purged || echo "jobs still listed: $(jobs_of "$run_id")"
check "the jobs' records are purged from Slurm" "" "$(jobs_of "$run_id")"
check "every one recorded its outcome" 0 "$(sql "SELECT COUNT(*) FROM slurm_tries WHERE phase <> 'done'" | tail -1)"
# 4. the restart takes every outcome from the store and runs only what never ran
flux run "${args[@]}" > run3.out 2>&1 && rc=0 || rc=$?
check "the restart succeeds" 0 "$rc"
[ "$rc" -eq 0 ] || cat run3.out
for t in t1 t2 t3 t4 last; do
    check "$t ran exactly once" 1 "$(cat m/$t 2>/dev/null)"
    check "$t: one try, success" "1 success" "$(tries_of "$run_id" "$t") $(state_of "$run_id" "$t")"
done
check "one sbatch per task" 5 "$(wc -l < sbatch.calls)"
check "one job per try in the store" 5 "$(sql "SELECT COUNT(DISTINCT job_id) FROM slurm_tries" | tail -1)"
check "no job of the run left pending or running" "" "$(jobs_of "$run_id" | cut -d'|' -f2 | grep -vE 'COMPLETED' || true)"
finish
