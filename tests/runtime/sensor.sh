#!/usr/bin/env bash
# sensors: a file sensor waits without holding a slot (with -j 1 the task
# that creates the file still runs), a time sensor passes, a sensor that
# times out fails, and with soft_fail it is skipped instead. A sensor's
# timeout is final (not retried, as in Airflow), and a sensor has a log with
# one line per poke (time, result, reason); its note ends with the last reason.
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

# a timeout is final even with retries left; every poke is a line of the log
printf 'connections:\n  lite: { type: sqlite, path: lite.db }\n' > flux.yaml
sqlite3_wait lite.db 'CREATE TABLE t (x INTEGER)'
cat > f.flux <<'FLUX'
pipeline final_timeout {
    schedule    = "@daily"
    start       = "2026-11-01T00:00:00Z"
    retries     = 2
    retry_delay = 100ms
    task never : file_sensor {
        path          = "never.txt"
        poke_interval = 100ms
        timeout       = 500ms
    }
    task query : sql_sensor {
        conn          = "lite"
        sql           = "SELECT COUNT(*) FROM t"
        poke_interval = 100ms
        timeout       = 700ms
    }
}
FLUX
flux run f.flux --date 2026-11-02 "${DB_ARGS[@]}" > out3.txt 2>&1 && rc=0 || rc=$?
run=$(last_run)
check "the timed-out run fails" 1 "$rc"
for t in never query; do
    check "$t: one try only, failed" "1 failed" "$(tries_of "$run" $t) $(state_of "$run" $t)"
    flux logs "$run" $t "${DB_ARGS[@]}" > $t.log 2>&1 || true
    pokes=$(grep -cE '^20[0-9-]{8}T[0-9:.]{12}Z poke [0-9]+: not yet' $t.log || true)
    check "$t: its log has a line per poke (at least 3 in the wait)" yes \
        "$([ "$pokes" -ge 3 ] && echo yes || echo "no ($pokes): $(head -c 300 $t.log)")"
    check "$t: the pokes are numbered 1, 2, 3 ..." "$(seq -s ' ' 1 "$pokes")" \
        "$(grep -oE ' poke [0-9]+: not yet' $t.log | awk '{ print $2 }' | tr -d : | tr '\n' ' ' | sed 's/ $//')"
    check "$t: the last line says it timed out" yes "$(tail -1 $t.log | grep -q 'timed out after' && echo yes || echo "no: $(tail -1 $t.log)")"
done
note=$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r '[.task_instances[] | select(.task == "never")] | last | .note')
check "the note gives the last reason and says the timeout is final" yes \
    "$(grep -q 'sensor timed out after 500ms (last poke: never.txt does not exist); not retried: ' <<<"$note" && echo yes || echo "no: $note")"
check "the file sensor's reason is in its log" yes "$(grep -q 'poke 1: not yet: never.txt does not exist' never.log && echo yes || echo no)"
finish
