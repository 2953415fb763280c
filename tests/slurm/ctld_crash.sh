#!/usr/bin/env bash
# ctld_crash: SIGKILL of slurmctld while a run's jobs start, then slurmctld
# again on its saved state. Slurm may drop accepted jobs, reuse their ids,
# requeue or rerun what had ended, and answers nothing while it is down:
# still every task's side effect happens exactly once, a job lost on the
# way is retried by the task's policy, no try is marked success that did
# not run (its marker names the try that succeeded), and when the run has
# ended no job of it is left queued or running in Slurm.
. "$(dirname "$0")/lib.sh"
mkdir -p m
cat > p.flux <<'FLUX'
pipeline ctld {
    schedule    = "@daily"
    start       = "2026-11-01T00:00:00Z"
    executor    = slurm
    retries     = 3
    retry_delay = 1s
    {% for i in range(1, 9) %}
    task t{{ i }} : bash { command = "echo $FLUX_TRY_NUMBER >> m/t{{ i }}; sleep 2" }
    {% endfor %}
    task last : bash { command = "echo $FLUX_TRY_NUMBER >> m/last" }
    [t1, t2, t3, t4, t5, t6, t7, t8] >> last
}
FLUX
start_bg run.out run p.flux --date 2026-11-05 -j 8 "${DB_ARGS[@]}"
starting() { [ "$(sql "SELECT COUNT(*) FROM slurm_tries" 2>/dev/null | tail -1)" -ge 1 ] 2>/dev/null; }
wait_for 60 starting || echo "no job submitted: $(cat run.out)"
bash "$SERVERS/slurm.sh" kill-ctld "$T/slurm"
sleep 6
bash "$SERVERS/slurm.sh" start-ctld "$T/slurm"
ended() { ! kill -0 "$BG" 2>/dev/null; }
wait_for 240 ended || echo "the run did not end: $(tail -5 run.out)"
wait "$BG" && rc=0 || rc=$?
check "the run succeeds" 0 "$rc"
[ "$rc" -eq 0 ] || tail -20 run.out
run_id=$(flux runs --format json "${DB_ARGS[@]}" | jq -r '.[0].run_id')
tj=$(flux tasks "$run_id" --format json "${DB_ARGS[@]}")
for t in t1 t2 t3 t4 t5 t6 t7 t8 last; do
    check "$t: its side effect happened once" 1 "$(wc -l < m/$t 2>/dev/null || echo 0)"
    # the try that succeeded is the one that ran
    check "$t: success is the try that ran" "success $(cat m/$t 2>/dev/null | head -1)" \
        "$(echo "$tj" | jq -r --arg t "$t" '[.task_instances[] | select(.task == $t)] | last | "\(.state) \(.try)"')"
done
check "every success has its job's outcome" 0 \
    "$(echo "$tj" | jq '[.task_instances[] | select(.state == "success" and (.slurm.phase != "done" or .exit_status != 0))] | length')"
check "each try that did not succeed says why (Slurm lost it or sbatch failed)" 0 \
    "$(echo "$tj" | jq '[.task_instances[] | select(.state != "success" and ((.note // "") | test("lost|sbatch") | not))] | length')"
echo "tries: $(echo "$tj" | jq -c '[.task_instances[] | select(.state != "success") | {task, try, state, note}]')"
check "no job of the run left queued or running" "" \
    "$(squeue -h -t PENDING,RUNNING,COMPLETING,CONFIGURING,SUSPENDED,REQUEUED -o '%i %T' --name "flux-$run_id")"
finish
