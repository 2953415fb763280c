#!/usr/bin/env bash
# deadline: a task's deadline passes while the scheduler is stopped
# (SIGKILLed; the task goes on under its flux-wrap). Nothing is recorded
# while no scheduler runs; once a scheduler starts again it finds the miss
# from the store, records it (flux tasks and flux runs JSON show it) and
# notifies on_deadline_miss once, and neither later checks nor a third
# scheduler notify it again. The pipeline's own deadline (2h after the
# interval's end) has not passed: not recorded.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
hook_server port
srv=$SRV
cat > flux.yaml <<YAML
notifiers:
  ops: { type: webhook, url: "http://127.0.0.1:$(cat port)/hook" }
YAML
mkdir pipes
cat > pipes/dl.flux <<'FLUX'
pipeline dl {
    schedule = "every 1h"
    start = "2026-01-01T00:00:00Z"
    deadline = 2h
    on_deadline_miss = ["ops"]
    task slow : bash {
        command = "sleep 12"
        deadline = 3s
    }
}
FLUX
flux check pipes/dl.flux > /dev/null
"$FLUX" scheduler --pipelines pipes "${DB_ARGS[@]}" > sched1.out 2>&1 &
s1=$!
wait_for 20 sh -c "[ \"\$('$FLUX' runs --format json ${DB_ARGS[*]} 2>/dev/null | jq -r '.[0].state // empty')\" = running ]" ||
    echo "FAIL: the scheduler started no run"
kill -KILL "$s1"
wait "$s1" 2>/dev/null || true
sleep 5 # the task's deadline (3 s after its run started) passes meanwhile
run=$(last_run)
# the notices about this run: a scheduler started after an hour's end also
# starts that hour's run, whose task misses its own deadline 3 s later
run_id=$(flux runs --format json "${DB_ARGS[@]}" | jq -r --argjson id "$run" '.[] | select(.id == $id) | .run_id')
this_run() { jq -c --arg r "$run_id" 'select(.body.run_id == $r)' hooks.jsonl; }
check "nothing recorded while no scheduler runs" "0" \
    "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq '.deadline_misses | length')"
check "nothing sent" "0" "$(wc -l < hooks.jsonl)"
"$FLUX" scheduler --pipelines pipes "${DB_ARGS[@]}" > sched2.out 2>&1 &
s2=$!
wait_for 20 sh -c "[ -s hooks.jsonl ]" || echo "FAIL: the miss was not notified after the restart"
sleep 3 # more checks: no second notice
check "the miss recorded once, for the task" "slow" \
    "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r '[.deadline_misses[].task] | join(",")')"
check "notified once" "1" "$(this_run | wc -l)"
check "the notice: event, task, state" "deadline_miss slow missed" \
    "$(this_run | jq -r '.body | "\(.event) \(.task) \(.state)"')"
check "the note says which deadline" "yes" \
    "$(this_run | jq -r '.body.note | if test("^deadline 3s after the run.s start passed at") then "yes" else . end')"
kill -TERM "$s2"
wait "$s2" 2>/dev/null || true
"$FLUX" scheduler --pipelines pipes "${DB_ARGS[@]}" > sched3.out 2>&1 &
s3=$!
sleep 4
kill -TERM "$s3"
wait "$s3" 2>/dev/null || true
check "a third scheduler notifies nothing more" "1" "$(this_run | wc -l)"
check "one notification in the store, sent" "deadline_miss sent" \
    "$(flux notifications --format json "${DB_ARGS[@]}" |
        jq -r --arg r "$run_id" '[.[] | select(.run_id == $r) | "\(.event) \(.state)"] | join(",")')"
kill -TERM "$srv"
wait "$srv" 2>/dev/null || true
finish
