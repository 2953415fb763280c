#!/usr/bin/env bash
# retries: a task failing twice then succeeding takes three tries; constant
# and exponential delays (with max_retry_delay) are respected; a task out of
# retries fails the run.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline retry {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task flaky : bash {
        command     = "n=$(cat n 2>/dev/null || echo 0); n=$((n+1)); echo $n > n; date +%s%N >> starts; [ $n -ge 3 ]"
        retries     = 3
        retry_delay = 300ms
        retry_backoff = exponential
        max_retry_delay = 400ms
    }
    task never : bash {
        command     = "exit 7"
        retries     = 1
        retry_delay = 100ms
    }
}
FLUX
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out.txt && rc=0 || rc=$?
run=$(last_run)
check "run fails (never is out of retries)" 1 "$rc"
check "flaky succeeded" success "$(state_of "$run" flaky)"
check "flaky took three tries" 3 "$(tries_of "$run" flaky)"
check "first tries marked up_for_retry" "up_for_retry up_for_retry success" "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r '[.task_instances[] | select(.task == "flaky") | .state] | join(" ")')"
# gaps between starts: 300ms, then 600ms capped at 400ms
gaps=$(awk 'NR > 1 { printf "%d ", ($1 - prev) / 1000000 } { prev = $1 }' starts)
g1=${gaps%% *}
g2=$(echo "$gaps" | awk '{print $2}')
check "first retry waits about 300ms" yes "$([ "$g1" -ge 280 ] && [ "$g1" -lt 900 ] && echo yes || echo "no ($g1)")"
check "second retry capped at about 400ms" yes "$([ "$g2" -ge 380 ] && [ "$g2" -lt 1000 ] && echo yes || echo "no ($g2)")"
check "never failed after two tries" "failed 2" "$(state_of "$run" never) $(tries_of "$run" never)"
check "exit status recorded" 7 "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r '[.task_instances[] | select(.task == "never")] | last | .exit_status')"
finish
