#!/usr/bin/env bash
# timeout: a task over its timeout is killed with its whole process group,
# recorded failed with a note; the child it started does not survive.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline slow {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task sleepy : bash {
        command = "sleep 30 & echo $! > child.pid; wait"
        timeout = 500ms
    }
}
FLUX
t0=$(date +%s)
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out.txt && rc=0 || rc=$?
t1=$(date +%s)
run=$(last_run)
check "run failed" 1 "$rc"
check "task failed" failed "$(state_of "$run" sleepy)"
check "note says timed out" yes "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r '.task_instances[0].note' | grep -q 'timed out' && echo yes || echo no)"
check "finished well before the sleep" yes "$([ $((t1 - t0)) -lt 15 ] && echo yes || echo no)"
sleep 0.2
# without a pid there is no child to look at, and ps -p "" would pass
child=$(cat child.pid 2>/dev/null || true)
check "the task started its child and wrote its pid" yes "$([[ $child =~ ^[0-9]+$ ]] && echo yes || echo no)"
# a killed child may linger as a zombie until something reaps it: that is gone
if [[ $child =~ ^[0-9]+$ ]]; then
    state=$(ps -o stat= -p "$child" 2>/dev/null || true)
    check "the child was killed with the group" gone "$(case $state in ''|Z*) echo gone ;; *) echo "alive ($state)" ;; esac)"
fi
finish
