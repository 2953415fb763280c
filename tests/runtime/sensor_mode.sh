#!/usr/bin/env bash
# sensor_mode: with -j 1, a sensor in mode = poke keeps its process slot
# (and its pool's slot) for its whole wait and stays running between pokes,
# so an independent task starts only once the sensor is done; in mode =
# reschedule (the default) it holds nothing while it waits and the task runs
# meanwhile. Both for a sensor the runner checks itself (file_sensor) and one
# poked as a process (sql_sensor). max_wait caps the waits that
# exponential_backoff doubles: the sensor's log shows the poke times.
. "$(dirname "$0")/lib.sh"
printf 'connections:\n  lite: { type: sqlite, path: %s/lite.db }\npools:\n  one: 1\n' "$T" > flux.yaml
now() { date +%s.%N; }

# pipeline NAME MODE SENSOR: a sensor (priority 5, so it takes the slot
# first) and an independent task that notes when it starts
pipeline() {
    local cond
    if [ "$3" = file ]; then
        cond="file_sensor {
        path          = \"$T/ready-$1\""
    else
        cond="sql_sensor {
        conn          = \"lite\"
        sql           = \"SELECT COUNT(*) FROM ready_$1\""
    fi
    cat > "$1.flux" <<FLUX
pipeline $1 {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task wait : $cond
        poke_interval = 200ms
        timeout       = 30s
        mode          = $2
        priority      = 5
        pool          = "one"
    }
    task other : bash { command = "date +%s.%N > $T/other-$1" }
    task pooled : bash {
        command = "date +%s.%N > $T/pooled-$1"
        pool    = "one"
    }
}
FLUX
}

# case_of NAME MODE SENSOR JOBS: runs it with -j JOBS; the condition comes
# true 1.5 s after the sensor started. Sets MID (the sensor's state between
# pokes, sampled), MADE (when the condition came true), RUN and RC.
case_of() {
    local name=$1 sensor=$3
    pipeline "$name" "$2" "$sensor"
    [ "$sensor" = file ] || sqlite3_wait lite.db "CREATE TABLE ready_$name (x INTEGER)"
    start_bg "$name.out" run "$name.flux" --date 2026-11-02 -j "$4" "${DB_ARGS[@]}"
    wait_for 10 grep -qs ' wait running' "$name.out" || true
    # the state between pokes, sampled ten times over 1.5 s: a poke under
    # load may last longer than the wait, so one sample could catch a poke
    # (running) in either mode. MID: up_for_reschedule when any sample was,
    # else running when all were, else the first other state seen
    RUN=$(last_run)
    local i st seen=
    MID=running
    for i in $(seq 10); do
        sleep 0.15
        st=$(state_of "$RUN" wait)
        [ "$st" = up_for_reschedule ] && seen=yes
        [ "$st" != running ] && [ "$MID" = running ] && MID=$st
    done
    [ -n "$seen" ] && MID=up_for_reschedule
    MADE=$(now)
    if [ "$sensor" = file ]; then touch "ready-$name"; else sqlite3_wait lite.db "INSERT INTO ready_$name VALUES (1)"; fi
    wait "$BG" && RC=0 || RC=$?
}
before() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? "before" : "after" }'; }

for sensor in file sql; do
    case_of "poke_$sensor" poke "$sensor" 1
    check "poke, $sensor: the run succeeds" "0 success" "$RC $(state_of "$RUN" wait)"
    check "poke, $sensor: running between pokes" running "$MID"
    check "poke, $sensor: never up_for_reschedule" 0 "$(grep -c 'wait up_for_reschedule' "poke_$sensor.out" || true)"
    check "poke, $sensor: -j 1: the independent task waits for the sensor" after \
        "$(before "$(cat "other-poke_$sensor")" "$MADE")"
    check "poke, $sensor: its pool's task waits too" after "$(before "$(cat "pooled-poke_$sensor")" "$MADE")"

    case_of "resched_$sensor" reschedule "$sensor" 1
    check "reschedule, $sensor: the run succeeds" "0 success" "$RC $(state_of "$RUN" wait)"
    check "reschedule, $sensor: up_for_reschedule between pokes" up_for_reschedule "$MID"
    check "reschedule, $sensor: -j 1: the independent task runs meanwhile" before \
        "$(before "$(cat "other-resched_$sensor")" "$MADE")"
    check "reschedule, $sensor: and its pool's task" before "$(before "$(cat "pooled-resched_$sensor")" "$MADE")"
done

# with free process slots, a poke-mode sensor still keeps its pool's slot
case_of pool_only poke file 4
check "poke, -j 4: the independent task runs meanwhile" before "$(before "$(cat other-pool_only)" "$MADE")"
check "poke, -j 4: the task of its pool waits for it" after "$(before "$(cat pooled-pool_only)" "$MADE")"

# a runner killed while poke-mode sensors wait: the next one goes on with
# the same tries (the store says running; the journal, the last poke)
pipeline killed poke file
sed -i 's/task wait : file_sensor/task wait_q : sql_sensor {\n        conn = "lite"\n        sql = "SELECT COUNT(*) FROM ready_killed"\n        poke_interval = 200ms\n        timeout = 30s\n        mode = poke\n    }\n    task wait : file_sensor/' killed.flux
sqlite3_wait lite.db "CREATE TABLE ready_killed (x INTEGER)"
start_bg killed.out run killed.flux --date 2026-11-02 -j 4 "${DB_ARGS[@]}"
wait_for 10 grep -qs ' wait_q running' killed.out || true
sleep 0.7
{ kill -KILL "$BG"; wait "$BG"; } 2> /dev/null || true
touch ready-killed
sqlite3_wait lite.db "INSERT INTO ready_killed VALUES (1)"
flux run killed.flux --date 2026-11-02 -j 4 "${DB_ARGS[@]}" > killed2.out && rc=0 || rc=$?
run=$(last_run)
check "poke, killed runner: the next one finishes the same tries" "0 success 1 success 1" \
    "$rc $(state_of "$run" wait) $(tries_of "$run" wait) $(state_of "$run" wait_q) $(tries_of "$run" wait_q)"

# ---- max_wait: 100ms, 200ms, then 300ms and no more ----
cat > cap.flux <<'FLUX'
pipeline cap {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task never : file_sensor {
        path                = "never.txt"
        poke_interval       = 100ms
        exponential_backoff = true
        max_wait            = 300ms
        timeout             = 2500ms
    }
}
FLUX
flux run cap.flux --date 2026-11-02 "${DB_ARGS[@]}" > cap.out 2>&1 || true
run=$(last_run)
flux logs "$run" never "${DB_ARGS[@]}" > cap.log 2>&1 || true
# the gaps between pokes, in ms, from the log's times
gaps=$(grep -E '^[0-9-]{10}T[0-9:.]{12}Z poke [0-9]+:' cap.log | cut -c12-23 |
    awk -F: '{ t = ($1 * 3600 + $2 * 60 + $3) * 1000; if (NR > 1) printf "%d ", t - p; p = t }')
read -r -a g <<< "$gaps"
check "max_wait: enough pokes to see the cap" yes "$([ "${#g[@]}" -ge 6 ] && echo yes || echo "no: $gaps")"
check "max_wait: the first waits double" yes \
    "$([ "${g[0]:-0}" -ge 90 ] && [ "${g[0]:-0}" -lt 180 ] && [ "${g[1]:-0}" -ge 190 ] && [ "${g[1]:-0}" -lt 280 ] && echo yes || echo "no: $gaps")"
# (the last one is cut short by the timeout)
over=$(for x in "${g[@]:2:${#g[@]}-3}"; do [ "$x" -ge 290 ] && [ "$x" -lt 420 ] || echo "$x"; done)
check "max_wait: every later wait is the cap, 300ms" "" "$over"

# a max_wait without exponential_backoff does nothing: flux check says so
cat > nocap.flux <<'FLUX'
pipeline nocap {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task never : file_sensor {
        path     = "never.txt"
        max_wait = 1m
    }
}
FLUX
flux check nocap.flux > nocap.out 2>&1 && rc=0 || rc=$?
check "max_wait without exponential_backoff: a warning" "0 yes" \
    "$rc $(grep -q "warning: 'max_wait' has no effect without 'exponential_backoff = true'" nocap.out && echo yes || echo "no: $(cat nocap.out)")"
finish
