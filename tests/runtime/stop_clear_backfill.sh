#!/usr/bin/env bash
# SIGTERM stops starting tasks and records the running ones so the next run
# resumes them; clear --downstream reruns a task and what follows; backfill
# runs a range, skips finished runs and reprocesses failed ones on request.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline stopme {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task slow : bash { command = "sleep 2; echo slow >> side.log" }
    task next : bash { command = "echo next >> side.log" }
    slow >> next
}
FLUX
start_bg out.txt run p.flux --date 2026-11-02 "${DB_ARGS[@]}"
pid=$BG
# the signal must land while slow runs (its 2 s sleep), or nothing is
# interrupted: wait for the runner to say so, 5 s at most
for _ in $(seq 50); do
    grep -q ' slow running$' out.txt && break
    sleep 0.1
done
check "slow was running when the runner got SIGTERM" yes "$(grep -q ' slow running$' out.txt && echo yes || echo no)"
kill -TERM $pid
wait $pid && rc=0 || rc=$?
check "stopped run exits non-zero" 1 "$rc"
run=$(last_run)
check "interrupted task is to run again" scheduled "$(state_of "$run" slow)"
# the runner recorded an interruption (executor.c's note), not some other end
check "the runner says slow was interrupted" yes \
    "$(grep -q " slow scheduled (.*interrupted by the runner's stop" out.txt && echo yes || echo no)"
check "the store's note says interrupted" yes \
    "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r '[.task_instances[] | select(.task == "slow")] | last | .note' | grep -q "interrupted by the runner's stop" && echo yes || echo no)"
check "nothing after it started" "" "$(grep next side.log 2>/dev/null || true)"
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out2.txt
check "resumed run completes" "slow next" "$(grep -v '^$' side.log | tail -2 | tr '\n' ' ' | sed 's/ $//')"
flux clear "$run" slow --downstream "${DB_ARGS[@]}" > out3.txt
check "clear reports" yes "$(grep -q 'cleared 2 task instances' out3.txt && echo yes || echo no)"
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out4.txt
check "cleared tasks ran again" 2 "$(grep -c next side.log)"
# history is never rewritten: next's first try stays a success, the clear adds one (none), the runner one more
check "next's tries: kept, the clear's, the new one" "1:success 2:none 3:success" \
    "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r '[.task_instances[] | select(.task == "next") | "\(.try):\(.state)"] | join(" ")')"
cat > b.flux <<'FLUX'
pipeline daily {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    max_active_runs = 2
    task t : bash { command = "echo {{ ds }} >> days.log; [ {{ ds }} != 2026-11-03 ] || [ -f fixed ]" }
}
FLUX
flux backfill b.flux --from 2026-11-01 --to 2026-11-04 "${DB_ARGS[@]}" > bf1.txt && rc=0 || rc=$?
check "backfill with one failing day fails" 1 "$rc"
check "four days ran" 4 "$(sort -u days.log | wc -l)"
flux backfill b.flux --from 2026-11-01 --to 2026-11-04 --dry-run "${DB_ARGS[@]}" > bf2.txt
check "dry-run says what it would skip" 4 "$(grep -c skip bf2.txt)"
touch fixed
flux backfill b.flux --from 2026-11-01 --to 2026-11-04 --reprocess failed "${DB_ARGS[@]}" > bf3.txt && rc=0 || rc=$?
check "reprocess failed succeeds" 0 "$rc"
check "only the failed day ran again" 5 "$(wc -l < days.log)"
finish
