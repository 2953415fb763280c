#!/usr/bin/env bash
# big_output: the runner's loop never waits on a task's output. Two tasks
# write gigabytes (1 GB in 64 KiB lines with report lines at both ends, and
# one line of 2 GB, whose log is cut to max_log_size) while a chain of short
# tasks runs beside them: the chain's hand-offs, seen by its own tasks, stay
# short, the owner's heartbeat row keeps being written every second, the
# runner's memory stays small, and the report lines are found all the same.
. "$(dirname "$0")/lib.sh"
line=$(head -c 65535 /dev/zero | tr '\0' x)
printf '%s\n' "$line" > line.txt
# c0 waits for both writers to have started; the chain (each link 0.1 s)
# usually outlasts them, and c260 waits for both to have ended if it did not
# (a loaded machine copies gigabytes slower), so the last ten links always
# start after the writers' ends, when the runner reads their reports
cat > big.flux <<FLUX
pipeline big {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task lines : bash {
        command = "date +%s%N > lines.start; echo '::output first=1'; yes \$(cat line.txt) | head -c 1000000000; echo; echo '::counts read=3 written=2 rejected=1 bytes=7'; echo '::output last=2'; date +%s%N > lines.end"
    }
    task one_line : bash {
        command = "date +%s%N > one.start; head -c 2000000000 /dev/zero | tr '\\\\0' y; date +%s%N > one.end"
    }
    task c0 : bash { command = "while [ ! -e lines.start ] || [ ! -e one.start ]; do sleep 0.05; done" }
{% for i in range(1, 260) %}
    task c{{ i }} : bash { command = "date +%s%N >> starts; sleep 0.1; date +%s%N >> ends" }
    c{{ i - 1 }} >> c{{ i }}
{% endfor %}
    task c260 : bash { command = "date +%s%N >> starts; while [ ! -e lines.end ] || [ ! -e one.end ]; do sleep 0.05; done; date +%s%N >> ends" }
    c259 >> c260
{% for i in range(261, 271) %}
    task c{{ i }} : bash { command = "date +%s%N >> starts; sleep 0.1; date +%s%N >> ends" }
    c{{ i - 1 }} >> c{{ i }}
{% endfor %}
}
FLUX
# under AddressSanitizer the runner's freed memory waits in a quarantine
# (256 MB by default) that counts in its RSS: a small one keeps the memory
# check about what the runner holds
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16
/usr/bin/time -f %M -o rss.txt "$FLUX" run big.flux --date 2026-11-01 -j 4 --stats "${DB_ARGS[@]}" > run.out 2>&1 &
RUNNER=$!
# the heartbeat row of the run's owner (flux run registers as one): its age
# at each sample, every 0.2 s while the runner runs
: > beats.txt
while kill -0 "$RUNNER" 2> /dev/null; do
    now=$(date +%s%3N)
    hb=$(sql "SELECT MAX(heartbeat_at) FROM schedulers WHERE id LIKE 'run:%' AND stopped_at IS NULL" 2> /dev/null |
        tail -n 1) || true
    case $hb in '' | *[!0-9]*) ;; *) echo "$((now - hb))" >> beats.txt ;; esac
    sleep 0.2
done
rc=0
wait "$RUNNER" || rc=$?
check "the run succeeds" 0 "$rc"
run=$(last_run)
check "both writers and the chain succeeded" 273 \
    "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq '[.task_instances[] | select(.state == "success")] | length')"
# the chain covered the writers' ends, when their reports are read: the
# link that started last began after both had finished
last=$(tail -n 1 starts)
check "the chain ran past both writers' ends" yes \
    "$([ "$last" -gt "$(cat lines.end)" ] && [ "$last" -gt "$(cat one.end)" ] && echo yes || echo no)"
# a hand-off as the tasks see it: one link's end to the next link's start
gap=$(paste <(head -n -1 ends) <(tail -n +2 starts) | awk '{g = ($2 - $1) / 1e6; if (g > m) m = g} END {printf "%d", m}')
echo "longest hand-off in the chain: $gap ms; runner: $(grep -o 'p50.*' run.out)"
check "no hand-off of the chain took a second" yes "$([ "$gap" -lt 1000 ] && echo yes || echo no)"
p99=$(sed -n 's/.*p99 \([0-9]*\)\.[0-9]* ms.*/\1/p' run.out)
check "the runner's p99 hand-off is under 200 ms" yes "$([ -n "$p99" ] && [ "$p99" -lt 200 ] && echo yes || echo no)"
age=$(sort -n beats.txt | tail -n 1)
echo "heartbeat: $(wc -l < beats.txt) samples, oldest seen $age ms"
check "the heartbeat was sampled" yes "$([ "$(wc -l < beats.txt)" -ge 20 ] && echo yes || echo no)"
check "the heartbeat never fell 2 s behind" yes "$([ "${age:-99999}" -lt 2000 ] && echo yes || echo no)"
rss=$(cat rss.txt)
echo "runner's peak RSS: $rss KiB"
check "the runner's memory stayed under 100 MB" yes "$([ "$rss" -lt 100000 ] && echo yes || echo no)"
outputs=$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -c '.task_instances[] | select(.task == "lines") | [.outputs, .counts]')
check "report lines around a gigabyte are found" \
    '[{"first":"1","last":"2"},{"read":3,"written":2,"rejected":1,"bytes":7}]' "$outputs"
finish
