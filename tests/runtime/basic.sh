#!/usr/bin/env bash
# basic: a chain runs in order, outputs flow downstream, logs and views work,
# a second run with the same arguments changes nothing.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline basic {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    params { who = "world" }
    task a : bash { command = "echo a >> side.log; echo ::output n=42; echo ::output who={{ params.who | shquote }}" }
    task b : bash { command = "echo b{{ tasks.a.outputs.n }} >> side.log" }
    task c : bash {
        command = "echo c-{{ ds }}-$GREETING >> side.log"
        env     = { GREETING = "hi {{ tasks.a.outputs.who }}" }
    }
    a >> b >> c
}
FLUX
flux run p.flux --date 2026-11-05 "${DB_ARGS[@]}" > out.txt && rc=0 || rc=$?
check "exit status" 0 "$rc"
check "side effects in order" "a b42 c-2026-11-05-hi world" "$(tr '\n' ' ' < side.log | sed 's/ $//')"
run=$(last_run)
check "run state" success "$(flux runs --format json "${DB_ARGS[@]}" | jq -r '.[0].state')"
check "state of c" success "$(state_of "$run" c)"
check "outputs of a" '{"n":"42","who":"world"}' "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -c '.task_instances[] | select(.task == "a") | .outputs')"
check "rendered fields stored" "echo b42 >> side.log" "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r '.task_instances[] | select(.task == "b") | .rendered.command')"
check "log of a" "a-log ::output n=42" "a-log $(flux logs "$run" a "${DB_ARGS[@]}" | head -1)"
flux run p.flux --date 2026-11-05 "${DB_ARGS[@]}" > out2.txt
check "rerun does nothing again" 3 "$(wc -l < side.log)"
check "one try each" 1 "$(tries_of "$run" b)"
flux status --format json "${DB_ARGS[@]}" | jq -e '.pipelines[0].pipeline == "basic" and .pipelines[0].succeeded == 1' > /dev/null && check status ok ok || check status ok bad
flux run p.flux --date 2026-11-06 --param who=flux "${DB_ARGS[@]}" > /dev/null
check "param override" "c-2026-11-06-hi flux" "$(tail -1 side.log)"
finish
