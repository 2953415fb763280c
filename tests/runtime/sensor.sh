#!/usr/bin/env bash
# sensors: a file sensor waits without holding a slot (with -j 1 the task
# that creates the file still runs), a time sensor passes, a sensor that
# times out fails, and with soft_fail it is skipped instead.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline sense {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task wait_file : file_sensor {
        path          = "ready-{{ ds_nodash }}.txt"
        poke_interval = 100ms
        timeout       = 20s
    }
    task make_file : bash { command = "sleep 0.3; echo x > ready-{{ ds_nodash }}.txt" }
    task after : bash { command = "echo after >> side.log" }
    wait_file >> after
    task past : time_sensor { until = "{{ interval_start }}" }
    task never_soft : file_sensor {
        path = "never.txt"
        poke_interval = 100ms
        timeout = 400ms
        soft_fail = true
    }
}
FLUX
flux run p.flux --date 2026-11-02 -j 1 "${DB_ARGS[@]}" > out.txt && rc=0 || rc=$?
run=$(last_run)
check "run succeeded" 0 "$rc"
check "file sensor succeeded" success "$(state_of "$run" wait_file)"
check "downstream ran" after "$(cat side.log)"
check "time sensor in the past passes" success "$(state_of "$run" past)"
check "soft_fail sensor skipped" skipped "$(state_of "$run" never_soft)"
check "sensor was rescheduled" yes "$(grep -q 'wait_file up_for_reschedule' out.txt && echo yes || echo no)"
cat > q.flux <<'FLUX'
pipeline hard {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task never : file_sensor {
        path = "never.txt"
        poke_interval = 100ms
        timeout = 300ms
    }
    task after : bash { command = "true" }
    never >> after
}
FLUX
flux run q.flux --date 2026-11-02 "${DB_ARGS[@]}" > out2.txt && rc=0 || rc=$?
run=$(last_run)
check "sensor timeout fails the run" 1 "$rc"
check "sensor failed" failed "$(state_of "$run" never)"
check "downstream upstream_failed" upstream_failed "$(state_of "$run" after)"
finish
