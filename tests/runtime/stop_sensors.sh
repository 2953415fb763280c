#!/usr/bin/env bash
# stop_sensors: SIGTERM stops a runner or a scheduler while a sensor waits
# between pokes (no slot held, nothing to signal), whether the runner checks
# it itself (file_sensor) or pokes it as a process (sql_sensor): the process
# exits cleanly within seconds, the sensor stays up_for_reschedule in the
# store, and the next runner or scheduler resumes that same try.
. "$(dirname "$0")/lib.sh"
printf 'connections:\n  lite: { type: sqlite, path: %s/lite.db }\n' "$T" > flux.yaml
sqlite3_wait lite.db 'CREATE TABLE t (x INTEGER)'
mkdir pipes
cat > pipes/s.flux <<FLUX
pipeline waits {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task file : file_sensor {
        path          = "$T/ready.txt"
        poke_interval = 30s
        timeout       = 1h
    }
    task query : sql_sensor {
        conn          = "lite"
        sql           = "SELECT COUNT(*) FROM t"
        poke_interval = 30s
        timeout       = 1h
    }
    task after : bash { command = "echo after >> $T/side.log" }
    [file, query] >> after
}
FLUX

both_wait() { [ "$(grep -c 'up_for_reschedule' "$1")" -ge 2 ]; }
# SIGTERM to BG; STOPPED is its exit status, or "hung" when it has not
# exited within 5 s (then it is killed)
stop_bg() {
    kill -TERM "$BG"
    if wait_for 5 eval '! kill -0 "$BG" 2>/dev/null'; then
        wait "$BG" && STOPPED=0 || STOPPED=$?
    else
        STOPPED=hung
        kill -KILL "$BG" 2>/dev/null || true
        wait "$BG" 2>/dev/null || true
    fi
}
state_in() { # RUN TASK
    flux tasks "$1" --format json "${DB_ARGS[@]}" | jq -r --arg t "$2" '[.task_instances[] | select(.task == $t)] | last | "\(.state) \(.try)"'
}

# ---- flux run ----
start_bg run.txt run pipes/s.flux --date 2026-11-02 "${DB_ARGS[@]}"
wait_for 10 both_wait run.txt || true
check "flux run: both sensors wait between pokes" yes "$(both_wait run.txt && echo yes || echo no)"
stop_bg
check "flux run: SIGTERM while sensors wait exits" 1 "$STOPPED"
run=$(last_run)
check "flux run: file sensor left to reschedule" "up_for_reschedule 1" "$(state_in "$run" file)"
check "flux run: sql sensor left to reschedule" "up_for_reschedule 1" "$(state_in "$run" query)"
touch ready.txt
sqlite3_wait lite.db 'INSERT INTO t VALUES (1)'
flux run pipes/s.flux --date 2026-11-02 "${DB_ARGS[@]}" > run2.txt 2>&1 && rc=0 || rc=$?
check "flux run: the next runner resumes the sensors" "0 success 1 success 1" \
    "$rc $(state_in "$run" file) $(state_in "$run" query)"
check "flux run: downstream ran once" after "$(cat side.log)"

# ---- flux scheduler ----
rm -f ready.txt side.log
sqlite3_wait lite.db 'DELETE FROM t'
start_bg sched.txt scheduler --pipelines pipes "${DB_ARGS[@]}"
wait_for 15 both_wait sched.txt || true
check "scheduler: both sensors wait between pokes" yes "$(both_wait sched.txt && echo yes || echo no)"
stop_bg
check "scheduler: SIGTERM while sensors wait exits 0" 0 "$STOPPED"
check "scheduler: said it stopped" 1 "$(grep -c 'scheduler: stopped' sched.txt)"
srun=$(flux runs --format json "${DB_ARGS[@]}" | jq -r '[.[] | select(.run_id | startswith("scheduled__"))] | .[0].id')
check "scheduler: file sensor left to reschedule" "up_for_reschedule 1" "$(state_in "$srun" file)"
check "scheduler: sql sensor left to reschedule" "up_for_reschedule 1" "$(state_in "$srun" query)"
check "scheduler: heartbeat says stopped (not alive)" false \
    "$(flux status --format json "${DB_ARGS[@]}" | jq -r '[.schedulers[] | .alive] | last')"
touch ready.txt
sqlite3_wait lite.db 'INSERT INTO t VALUES (1)'
start_bg sched2.txt scheduler --pipelines pipes "${DB_ARGS[@]}"
wait_for 15 test -s side.log || true
check "scheduler: the next scheduler resumes the same tries" "success 1 success 1" \
    "$(state_in "$srun" file) $(state_in "$srun" query)"
check "scheduler: downstream ran once" after "$(cat side.log 2> /dev/null)"
stop_bg
check "scheduler: the second one stops too" 0 "$STOPPED"
finish
