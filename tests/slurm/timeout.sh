#!/usr/bin/env bash
# timeout: a task's timeout is enforced by its job from the task's real
# start (its whole process group killed, nothing left behind, the note says
# so); SIGTERM of the runner stops it at once and cancels no job: the next
# runner takes their ends; the slurm executor refuses an SQLite store.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline slow {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task hang : bash {
        command = "sleep 300 & echo $! > hang.pid; sleep 300"
        timeout = 2s
    }
    task steady : bash { command = "sleep 4; echo done >> steady.log" }
}
FLUX
args=(p.flux --date 2026-11-05 --executor slurm "${DB_ARGS[@]}")
# SIGTERM of the runner while both run: it stops at once, the jobs go on
start_bg run1.out run "${args[@]}"
running() { [ "$(sql "SELECT COUNT(*) FROM slurm_tries WHERE phase = 'claimed'" 2>/dev/null | tail -1)" -ge 2 ] 2>/dev/null; }
wait_for 30 running || echo "not running: $(cat run1.out)"
t0=$(date +%s%3N)
kill -TERM "$BG"
wait "$BG" || true
check "the runner stops at once at SIGTERM" yes "$([ $(($(date +%s%3N) - t0)) -lt 3000 ] && echo yes || echo no)"
run_id=$(flux runs --format json "${DB_ARGS[@]}" | jq -r '.[0].run_id')
check "its jobs are not cancelled" "" "$(jobs_of "$run_id" | cut -d'|' -f2 | grep CANCELLED || true)"
flux run "${args[@]}" > run2.out 2>&1 && rc=0 || rc=$?
check "the run fails (hang timed out)" 1 "$rc"
check "hang failed" failed "$(state_of "$run_id" hang)"
check "its note" "timed out after 2s; its process group was killed" \
    "$(flux tasks "$run_id" --format json "${DB_ARGS[@]}" | jq -r '.task_instances[] | select(.task == "hang") | .note')"
pid=$(cat hang.pid 2>/dev/null || echo 0)
check "no process of the timed-out task left" gone "$(kill -0 "$pid" 2>/dev/null && echo alive || echo gone)"
check "steady ran once and succeeded" "done success" "$(cat steady.log) $(state_of "$run_id" steady)"
check "one job each" 2 "$(sql "SELECT COUNT(DISTINCT job_id) FROM slurm_tries" | tail -1)"
check "no job of the run left pending or running" "" "$(jobs_of "$run_id" | cut -d'|' -f2 | grep -E 'PENDING|RUNNING|COMPLETING' || true)"
# SQLite is refused with a clear message
flux run p.flux --date 2026-11-06 --executor slurm > sqlite.out 2>&1 && rc=0 || rc=$?
check "SQLite refused" "2 1" "$rc $(grep -c 'the slurm executor needs the MySQL state store' sqlite.out)"
finish
