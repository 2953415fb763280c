#!/usr/bin/env bash
# failures: the end of a failed flux run names each failed task with its note
# and log path, and each upstream_failed task; running an already failed run
# again says that nothing ran and how to rerun it, and that advice works; a
# cleared task gets its full retries again; a failure no retry can fix (an
# undefined connection, a template that cannot render, a missing program)
# fails at once with its retries unused, and the note says why.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline fails {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task a : bash { command = "echo a >> ran.txt; exit 3" }
    task b : bash { command = "true" }
    task c : bash { command = "true" }
    a >> c
}
FLUX
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out1.txt 2>&1 && rc=0 || rc=$?
run=$(last_run)
check "the run fails" 1 "$rc"
check "the failed task is named with its note" 1 "$(grep -c '^failed: a (try 1): exit status 3$' out1.txt)"
# a task that printed nothing has no log file (its wrapper makes it at the first byte)
check "its log is said to be empty" "none (the task printed nothing)" "$(sed -n 's/^  log: //p' out1.txt)"
check "and no file was made for it" 0 "$(ls "$FLUX_HOME"/logs/fails/*/a.1.log 2>/dev/null | wc -l)"
check "the upstream_failed task is named" 1 "$(grep -c '^upstream_failed: c: ' out1.txt)"
check "a task that succeeded is not" 0 "$(grep -c '^[a-z_]*: b' out1.txt)"

flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out2.txt 2>&1 && rc=0 || rc=$?
check "running the failed run again fails again" 1 "$rc"
check "nothing ran" 1 "$(wc -l < ran.txt)"
hint=$(grep 'had already failed, so nothing ran' out2.txt || true)
check "it says so, and how to rerun it" yes "$(grep -q "flux clear $run a --downstream" <<<"$hint" && echo yes || echo "no: $hint")"

flux clear "$run" a --downstream "${DB_ARGS[@]}" > /dev/null 2>&1
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out3.txt 2>&1 || true
check "after the advised clear the task runs again" 2 "$(wc -l < ran.txt)"
check "and no 'already failed' then" 0 "$(grep -c 'had already failed' out3.txt)"

# retries count from the last clear: a cleared task gets all of them again
cat > r.flux <<'FLUX'
pipeline retried {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task r : bash {
        command     = "echo x >> tries.txt; exit 1"
        retries     = 1
        retry_delay = 100ms
    }
}
FLUX
flux run r.flux --date 2026-11-02 "${DB_ARGS[@]}" > r1.txt 2>&1 || true
rrun=$(last_run)
check "a task with one retry runs twice" 2 "$(wc -l < tries.txt)"
flux clear "$rrun" r "${DB_ARGS[@]}" > /dev/null 2>&1
flux run r.flux --date 2026-11-02 "${DB_ARGS[@]}" > r2.txt 2>&1 || true
check "after a clear it runs twice again" 4 "$(wc -l < tries.txt)"
# the clear adds a try (none) after the two it keeps as they ended, then the two new ones
check "tries kept, the clear's try, then two more, the last failed" \
    "1:up_for_retry 2:failed 3:none 4:up_for_retry 5:failed" \
    "$(flux tasks "$rrun" --format json "${DB_ARGS[@]}" | jq -r '[.task_instances[] | "\(.try):\(.state)"] | join(" ")')"
flux clear "$rrun" r "${DB_ARGS[@]}" > /dev/null 2>&1
flux run r.flux --date 2026-11-02 "${DB_ARGS[@]}" > r3.txt 2>&1 || true
check "and again after a second clear" 6 "$(wc -l < tries.txt)"

# failures no retry can fix are not retried; an ordinary one still is. The
# runner is a copy of flux that is deleted while the first task runs, so the
# operator process it starts later has no program (flux __op).
mkdir -p bin
cp "$FLUX" bin/flux
printf 'connections:\n  lite: { type: sqlite, path: lite.db }\n' > flux.yaml
cat > d.flux <<'FLUX'
pipeline doomed {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    retries     = 3
    retry_delay = 100ms
    task slow : bash { command = "sleep 1" }
    task no_output : bash { command = "echo {{ tasks.slow.outputs.missing }}" }
    task conn_in_template : bash { command = "echo {{ conn.nope.host }}" }
    task conn_of_operator : sqlite {
        conn = "nope"
        sql  = "SELECT 1"
    }
    task program_gone : sqlite {
        conn = "lite"
        sql  = "SELECT 1"
    }
    task flaky : bash {
        command = "echo x >> flaky.txt; exit 1"
        retries = 1
    }
    slow >> [no_output, program_gone]
}
FLUX
"$T/bin/flux" run d.flux --date 2026-11-02 "${DB_ARGS[@]}" > d.txt 2>&1 &
dpid=$!
for _ in $(seq 100); do grep -q ' slow running$' d.txt && break; sleep 0.05; done
rm bin/flux
wait "$dpid" && rc=0 || rc=$?
check "the doomed run fails" 1 "$rc"
drun=$(last_run)
for t in no_output conn_in_template conn_of_operator program_gone; do
    check "$t: one try, failed" "1 failed" "$(tries_of "$drun" $t) $(state_of "$drun" $t)"
    note=$(flux tasks "$drun" --format json "${DB_ARGS[@]}" | jq -r --arg t $t '[.task_instances[] | select(.task == $t)] | last | .note')
    check "$t: the note says why it was not retried" yes "$(grep -q 'not retried: ' <<<"$note" && echo yes || echo "no: $note")"
done
check "an ordinary failure is still retried" "2 failed" "$(tries_of "$drun" flaky) $(state_of "$drun" flaky)"
check "and its note does not say otherwise" 0 \
    "$(flux tasks "$drun" --format json "${DB_ARGS[@]}" | jq -r '.task_instances[] | select(.task == "flaky") | .note' | grep -c 'not retried' || true)"
# a failed task that printed: its log's path, the file holding what it printed
cat > loud.flux <<'FLUX'
pipeline loud {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task a : bash { command = "echo it broke; exit 4" }
}
FLUX
flux run loud.flux --date 2026-11-02 "${DB_ARGS[@]}" > loud.txt 2>&1 || true
log=$(sed -n 's/^  log: //p' loud.txt)
check "a failed task that printed names its log" yes "$([ -n "$log" ] && [ -f "$log" ] && echo yes || echo "no ($log)")"
check "which holds what it printed" "it broke" "$(cat "$log" 2>/dev/null)"
check "the log path is the one the store has" "$log" \
    "$(flux tasks "$(last_run)" --format json "${DB_ARGS[@]}" | jq -r '.task_instances[] | select(.task == "a") | .log')"
check "flux logs shows it" "it broke" "$(flux logs "$(last_run)" a "${DB_ARGS[@]}" 2>&1)"
check "flux logs of a task that printed nothing shows nothing and succeeds" "0:" \
    "$(out=$(flux logs "$run" a "${DB_ARGS[@]}" 2>&1) && echo "0:$out" || echo "$?:$out")"
finish
