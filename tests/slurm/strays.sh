#!/usr/bin/env bash
# strays: jobs of a run that no try waits for, as a restarted slurmctld
# leaves them. A duplicate of a try's job (a requeue, an sbatch answer
# lost and sent again) is cancelled, and no job of the run is left queued
# when the run ends; a job id Slurm gave again to another job (after
# losing the first) is not taken for the try's own job: the try's job is
# gone, so the try is lost and retried, and nothing is cancelled by that id.
. "$(dirname "$0")/lib.sh"
real_sbatch=$(command -v sbatch) real_squeue=$(command -v squeue) real_scancel=$(command -v scancel)
mkdir -p bin m
# sbatch: with dup_next present, the job is also submitted a second time,
# held an hour, as a duplicate Slurm made of it; with hold_next, the job
# itself is held (it never starts)
cat > bin/sbatch <<SH
#!/bin/sh
cat > "$T/script.\$\$"
if [ -e "$T/dup_next" ]; then rm -f "$T/dup_next"; "$real_sbatch" --begin=now+1hour "\$@" < "$T/script.\$\$" > "$T/dup.id"; fi
if [ -e "$T/hold_next" ]; then rm -f "$T/hold_next"; set -- --begin=now+1hour "\$@"; fi
"$real_sbatch" "\$@" < "$T/script.\$\$"; rc=\$?
rm -f "$T/script.\$\$"
exit \$rc
SH
# squeue: with reuse present (a job id), that job is listed RUNNING under
# another try's token, as a job id given again to another job would be
cat > bin/squeue <<SH
#!/bin/sh
if [ -s "$T/reuse" ]; then
    "$real_squeue" "\$@" | awk -F'|' -v id="\$(cat "$T/reuse")" 'BEGIN { OFS = "|" } \$1 == id { \$2 = "RUNNING"; \$3 = "flux:1:1:00000000000000000000000000000000" } { print }'
else
    exec "$real_squeue" "\$@"
fi
SH
cat > bin/scancel <<SH
#!/bin/sh
echo "\$*" >> "$T/scancel.args"
exec "$real_scancel" "\$@"
SH
chmod +x bin/*
export PATH=$T/bin:$PATH
cat > p.flux <<'FLUX'
pipeline strays {
    schedule    = "@daily"
    start       = "2026-11-01T00:00:00Z"
    executor    = slurm
    retries     = 1
    retry_delay = 1s
    task a : bash { command = "echo $FLUX_TRY_NUMBER >> m/a{{ ds }}; sleep 1" }
    task b : bash { command = "echo $FLUX_TRY_NUMBER >> m/b{{ ds }}" }
    a >> b
}
FLUX
# 1. a duplicate of a's job: cancelled, nothing left when the run ends
touch dup_next
timeout 60 "$FLUX" run p.flux --date 2026-11-05 "${DB_ARGS[@]}" > run1.out 2>&1 && rc=0 || rc=$?
check "the run succeeds" 0 "$rc"
run1=$(flux runs --format json "${DB_ARGS[@]}" | jq -r '.[0].run_id')
dup=$(cat dup.id)
check "a and b ran once each" "1 1" "$(cat m/a2026-11-05) $(cat m/b2026-11-05)"
check "the duplicate is cancelled" CANCELLED "$(squeue -h -t all -j "$dup" -o %T)"
check "nothing of the run left queued or running" "" \
    "$(squeue -h -t PENDING,RUNNING,COMPLETING,CONFIGURING,SUSPENDED -o %i --name "flux-$run1")"
check "no try's own job was cancelled" 1 "$(grep -cx "$dup" scancel.args)"
# 2. a's job id shown as another job's: a's job is gone for the runner
rm -f scancel.args
touch hold_next
start_bg run2.out run p.flux --date 2026-11-06 "${DB_ARGS[@]}"
a2() { sql "SELECT s.job_id FROM slurm_tries s JOIN task_instances ti ON ti.id = s.ti JOIN runs r ON r.id = ti.run WHERE ti.task = 'a' AND r.run_id LIKE '%2026-11-06%' AND s.job_id IS NOT NULL" 2>/dev/null | tail -n +2 | head -1; }
submitted() { [ -n "$(a2)" ]; }
wait_for 30 submitted || echo "a not submitted: $(cat run2.out)"
held=$(a2)
echo "$held" > reuse
ended() { ! kill -0 "$BG" 2>/dev/null; }
wait_for 40 ended || { echo "the run did not end: $(tail -3 run2.out)"; kill -KILL "$BG"; }
rm -f reuse
wait "$BG" && rc=0 || rc=$?
run2=$(flux runs --format json "${DB_ARGS[@]}" | jq -r '.[0].run_id')
check "the run succeeds, a's first try lost" 0 "$rc"
check "a's first try: lost, its job gone from Slurm" "up_for_retry lost: Slurm job $held is gone from Slurm" \
    "$(flux tasks "$run2" --format json "${DB_ARGS[@]}" | jq -r '[.task_instances[] | select(.task == "a")][0] | "\(.state) \(.note)"' | cut -d' ' -f1-9)"
check "a ran once, as its second try" 2 "$(cat m/a2026-11-06)"
check "its held job, not listed as such, is cancelled once the run ends" CANCELLED "$(squeue -h -t all -j "$held" -o %T)"
finish
