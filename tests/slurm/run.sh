#!/usr/bin/env bash
# run: a pipeline through Slurm — each try one job with the run's name, its
# comment flux:TI:TRY:TOKEN, its log in place, outputs passed downstream;
# exit 3 with retries a new job per try; the store's password in no job's
# arguments, script or environment; nothing left in squeue as running.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline sl {
    schedule    = "@daily"
    start       = "2026-11-01T00:00:00Z"
    retry_delay = 1s
    task a : bash { command = "echo a >> side.log; echo ::output n=42; hostname" }
    task b : bash {
        command = "echo b{{ tasks.a.outputs.n }} >> side.log; env > b.env"
    }
    task flaky : bash {
        command = "echo try $FLUX_TRY_NUMBER >> flaky.log; [ $FLUX_TRY_NUMBER -ge 3 ] || exit 3"
        retries = 2
    }
    a >> b
}
FLUX
flux run p.flux --date 2026-11-05 --executor slurm "${DB_ARGS[@]}" > out.txt 2>&1 && rc=0 || rc=$?
check "exit status" 0 "$rc"
[ "$rc" -eq 0 ] || cat out.txt
check "side effects once, in order, outputs downstream" "a b42" "$(tr '\n' ' ' < side.log | sed 's/ $//')"
run=$(last_run)
run_id=$(flux runs --format json "${DB_ARGS[@]}" | jq -r '.[0].run_id')
check "run state" success "$(flux runs --format json "${DB_ARGS[@]}" | jq -r '.[0].state')"
check "log of a holds its output" "$(hostname)" "$(flux logs "$run" a "${DB_ARGS[@]}" | grep -v '^::' | head -1)"
check "outputs of a recorded" '{"n":"42"}' "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -c '.task_instances[] | select(.task == "a") | .outputs')"
check "a's try is done through one job" "1 done" "$(slurm_rows "$run_id" a | awk '{print $1, $3}')"
check "flaky ran three times" "try 1 try 2 try 3" "$(tr '\n' ' ' < flaky.log | sed 's/ $//')"
check "flaky: three tries" 3 "$(tries_of "$run" flaky)"
check "flaky: one job per try, each its own" 3 "$(slurm_rows "$run_id" flaky | awk '{print $2}' | sort -u | wc -l)"
check "flaky: states" "up_for_retry up_for_retry success" "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r '[.task_instances[] | select(.task == "flaky") | .state] | join(" ")')"
check "flaky's note" "exit status 3" "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r '[.task_instances[] | select(.task == "flaky")][0].note')"
# what Slurm saw: the run's name, comments naming the try, no password
jobs=$(jobs_of "$run_id")
check "five jobs under the run's name" 5 "$(echo "$jobs" | grep -c .)"
check "every comment is flux:TI:TRY:TOKEN" 5 "$(echo "$jobs" | cut -d'|' -f3 | grep -cE '^flux:[0-9]+:[0-9]+:[0-9a-f]{32}$')"
check "no job still pending or running" "" "$(echo "$jobs" | cut -d'|' -f2 | grep -vE 'COMPLETED|FAILED' || true)"
leak=0
for j in $(echo "$jobs" | cut -d'|' -f1); do
    { scontrol show job "$j"; scontrol write batch_script "$j" - 2>/dev/null; } | grep -q 'flux@\|FLUX_DB_PASSWORD\|:flux@' && leak=1
done
check "no password in any job's arguments or script" 0 "$leak"
check "no password in a job's environment" 0 "$(grep -c '^FLUX_DB_PASSWORD=\|^FLUX_DB=' b.env || true)"
check "no spec file left behind" "" "$(find "$FLUX_HOME/logs" -name '*.slurm.json')"
# the views: each try's job id, node and Slurm state, from slurm_tries
tj=$(flux tasks "$run" --format json "${DB_ARGS[@]}")
check "flux tasks --format json: flaky's job ids" "$(slurm_rows "$run_id" flaky | awk '{print $2}' | tr '\n' ' ')" \
    "$(echo "$tj" | jq -r '[.task_instances[] | select(.task == "flaky") | .slurm.job_id] | join(" ")') "
check "flux tasks --format json: the node each ran on" "$(hostname)" \
    "$(echo "$tj" | jq -r '[.task_instances[] | .slurm.node] | unique | join(" ")')"
check "flux tasks --format json: each outcome recorded" "done" \
    "$(echo "$tj" | jq -r '[.task_instances[] | .slurm.phase] | unique | join(" ")')"
check "flux tasks --format json: a Slurm state for each" 5 \
    "$(echo "$tj" | jq -r '[.task_instances[] | .slurm.state | strings | select(test("^[A-Z_]+$"))] | length')"
a_job=$(slurm_rows "$run_id" a | awk '{print $2}')
check "flux tasks: a's job under its try" 1 \
    "$(flux tasks "$run" "${DB_ARGS[@]}" | grep -A3 '^a ' | grep -cE "^ +slurm: job $a_job on $(hostname), outcome recorded \(Slurm last said [A-Z]+\)$")"
check "flux tasks: one slurm line per try" 5 "$(flux tasks "$run" "${DB_ARGS[@]}" | grep -c ' slurm: job ')"
# flux logs reads the job's log: what the task printed, and nothing of the job's own when all went well
check "flux logs: the job's log" "$(printf '::output n=42\n%s' "$(hostname)")" "$(flux logs "$run" a "${DB_ARGS[@]}")"
check "flux logs --try 2 of flaky: its own job's log" "$(cat "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r '[.task_instances[] | select(.task == "flaky")][1].log')")" \
    "$(flux logs "$run" flaky --try 2 "${DB_ARGS[@]}")"
finish
