#!/usr/bin/env bash
# sensor and exit-status edges: sensors whose first poke succeeds start each
# downstream task once and only after all its upstreams (no re-entrant
# dispatch); a bash task's skip_exit_code (default 99) marks it skipped; a
# runner whose only task is a sensor waiting between pokes stops on SIGTERM
# at once, and the next run picks the sensor up again.
. "$(dirname "$0")/lib.sh"
touch a.ready b.ready
cat > p.flux <<'FLUX'
pipeline edges {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task wait_a : file_sensor { path = "a.ready" }
    task wait_b : file_sensor { path = "b.ready" }
    task first : bash { command = "sleep 0.3; echo first >> order.txt" }
    task use_a : bash { command = "echo use_a >> order.txt" }
    task use_b : bash { command = "echo use_b >> order.txt" }
    task skipper : bash { command = "exit 99" }
    task custom : bash {
        command        = "exit 3"
        skip_exit_code = 3
    }
    task after_skip : bash {
        command      = "echo after >> order.txt"
        trigger_rule = none_failed
    }
    [wait_a, first] >> use_a
    [wait_b, first] >> use_b
    [skipper, custom] >> after_skip
}
FLUX
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out.txt 2>&1 && rc=0 || rc=$?
run=$(last_run)
check "the run succeeds" 0 "$rc"
check "each sensor ran once" "1 1" "$(grep -c 'wait_a running' out.txt) $(grep -c 'wait_b running' out.txt)"
check "use_a and use_b after first" "first" "$(grep -E "^(first|use_a|use_b)$" order.txt | head -1)"
check "each downstream task once" "1 1" "$(grep -c '^use_a$' order.txt) $(grep -c '^use_b$' order.txt)"
check "exit 99 is skipped" skipped "$(state_of "$run" skipper)"
check "skip_exit_code = 3 is skipped" skipped "$(state_of "$run" custom)"
check "none_failed runs after skips" success "$(state_of "$run" after_skip)"

cat > w.flux <<'FLUX'
pipeline waits {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task wait : file_sensor {
        path          = "never.ready"
        poke_interval = 5s
        timeout       = 1h
    }
}
FLUX
start_bg w.txt run w.flux --date 2026-11-02 "${DB_ARGS[@]}"
pid=$BG
for _ in $(seq 100); do grep -q 'up_for_reschedule' w.txt && break; sleep 0.1; done
check "the sensor waits between pokes before the signal" yes "$(grep -q 'up_for_reschedule' w.txt && echo yes || echo no)"
t0=$(date +%s%N)
kill -TERM "$pid"
# the runner itself must be gone: poll its PID (it is our child, so wait would
# block without a bound), then reap it
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -0 "$pid" 2>/dev/null && alive=yes || alive=no
check "SIGTERM stops the runner waiting on a sensor within 2 s (took ${ms} ms)" "no" "$alive"
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
check "the runner said it stopped on SIGTERM" yes "$(grep -q 'SIGTERM received' w.txt && echo yes || echo no)"
check "the sensor is left to poke again in the next run" up_for_reschedule "$(state_of "$(last_run)" wait)"
touch never.ready
flux run w.flux --date 2026-11-02 "${DB_ARGS[@]}" > w2.txt 2>&1 && rc=0 || rc=$?
check "the next run finds the sensor and finishes" "0 success" "$rc $(state_of "$(last_run)" wait)"
finish
