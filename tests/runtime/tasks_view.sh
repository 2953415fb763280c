#!/usr/bin/env bash
# tasks_view: `flux tasks` lists every task of the run in plan order (not by
# name), pending ones (no try yet) too, and durations everywhere the command
# line prints one read as 850ms, 12.3s, 4m30s or 1h2m.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline order {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task zeta : bash { command = "sleep 1.2" }
    task alpha : bash { command = "true" }
    task mid : bash { command = "true" }
    zeta >> alpha >> mid
}
FLUX
start_bg run.txt run p.flux --date 2026-11-02 "${DB_ARGS[@]}"
pid=$BG
for _ in $(seq 100); do grep -q ' zeta running$' run.txt && break; sleep 0.05; done
run=$(last_run)
flux tasks "$run" "${DB_ARGS[@]}" > during.txt
check "while zeta runs, every task is listed in plan order" "zeta alpha mid" \
    "$(awk 'NR > 2 { print $1 }' during.txt | tr '\n' ' ' | sed 's/ $//')"
check "a task with no try yet shows as none, try -" "alpha - none" "$(awk '$1 == "alpha" { print $1, $2, $3 }' during.txt)"
flux tasks "$run" --format json "${DB_ARGS[@]}" > during.json
check "the JSON lists every task with its tries" "zeta:running:1 alpha:none:0 mid:none:0" \
    "$(jq -r '[.tasks[] | "\(.task):\(.state):\(.tries)"] | join(" ")' during.json)"
wait "$pid" && rc=0 || rc=$?
check "the run succeeds" 0 "$rc"
flux tasks "$run" "${DB_ARGS[@]}" > after.txt
check "after the run, the same order" "zeta alpha mid" "$(awk 'NR > 2 { print $1 }' after.txt | tr '\n' ' ' | sed 's/ $//')"
check "the tries in JSON in plan order too" "zeta alpha mid" \
    "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r '[.task_instances[].task] | join(" ")')"
# durations: 1.2 s of sleep is "1.2s" (or 1.3s on a slow machine), a quick
# task some milliseconds
check "a second-long task's duration reads like 1.2s" yes \
    "$(awk '$1 == "zeta" { print $4 }' after.txt | grep -Eq '^1\.[0-9]s$' && echo yes || echo "no: $(awk '$1 == "zeta"' after.txt)")"
check "a quick task's duration reads like 12ms" yes \
    "$(awk '$1 == "alpha" { print $4 }' after.txt | grep -Eq '^[0-9]+ms$' && echo yes || echo "no: $(awk '$1 == "alpha"' after.txt)")"
check "flux run's task lines too" yes \
    "$(grep -Eq ' zeta success \(1\.[0-9]s\)$' run.txt && echo yes || echo "no: $(grep ' zeta success' run.txt)")"
check "flux run's summary too" yes \
    "$(grep -Eq '^3 tasks in 1\.[0-9]s; ' run.txt && echo yes || echo "no: $(grep 'tasks in' run.txt)")"
check "flux runs too" yes \
    "$(flux runs "${DB_ARGS[@]}" | awk 'NR == 2 { print $NF }' | grep -Eq '^1\.[0-9]s$' && echo yes || echo "no: $(flux runs "${DB_ARGS[@]}")")"
finish
