#!/usr/bin/env bash
# soak.sh FLUX — exactly once under crashes of a scheduler and of the store:
# 20 pipelines on `every 2s` for 60 s on one MariaDB store, a steady
# scheduler beside a second one that is SIGKILLed and started again five
# times, while MariaDB itself is restarted twice under both. Then every
# interval has one run and it succeeded, every task ran once and after each
# of its upstream tasks had ended, and nothing is left queued or running.
. "$(dirname "$0")/lib.sh"
start=$(date -u -d '@'$(( $(date +%s) + 4 )) +%Y-%m-%dT%H:%M:%SZ)
# each task writes a start and an end line with nanosecond times: order is
# checked from them, and a task run twice shows as two start lines
for i in $(seq -w 1 20); do
    {
        echo "pipeline p$i {"
        echo "    schedule = \"every 2s\""
        echo "    start    = \"$start\""
        echo "    catchup  = true"
        for t in a b c; do
            echo "    task $t : bash { command = \"echo p$i {{ run_id }} $t S \$(date +%s%N) >> $T/ran.txt; sleep 0.05; echo p$i {{ run_id }} $t E \$(date +%s%N) >> $T/ran.txt\" }"
        done
        echo "    a >> b >> c"
        echo "}"
    } > "$T/pipes/p$i.flux"
done
launch() { "$flux" scheduler --pipelines "$T/pipes" --db "$url" --grace 20s -j 8 >> "$T/sched_$1.log" 2>&1 & }
launch steady; S=$!; pids+=("$S")
launch k0; K=$!; pids+=("$K")
t0=$(date +%s)
at() { while [ $(( $(date +%s) - t0 )) -lt "$1" ]; do sleep 0.2; done; }
died=0 # schedulers found gone before their kill: a store error stopped them
for round in 1 2 3 4 5; do
    at $((round * 10))
    kill -0 "$K" 2>/dev/null || died=$((died + 1))
    kill -KILL "$K" 2>/dev/null || true
    wait "$K" 2>/dev/null || true
    if [ "$round" -eq 2 ] || [ "$round" -eq 4 ]; then
        bash "$here/servers/mariadb.sh" restart "$T/db" 2>> "$T/db.log"
    fi
    sleep 1
    launch "k$round"; K=$!; pids+=("$K")
done
at 60
stop_at=$(date +%s)
kill -0 "$K" 2>/dev/null || died=$((died + 1))
kill -0 "$S" 2>/dev/null || died=$((died + 1))
kill -KILL "$K" 2>/dev/null || true
wait "$K" 2>/dev/null || true
# what the killed one left is the steady scheduler's to finish
for _ in $(seq 300); do
    left=$(q "SELECT COUNT(*) FROM runs WHERE state IN ('queued', 'running') AND interval_end <= ${stop_at}000")
    [ "$left" = 0 ] && break
    sleep 0.2
done
kill -TERM "$S"
for _ in $(seq 300); do [ -e "/proc/$S" ] && [ "$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$S/stat")" != Z ] || break; sleep 0.1; done
wait "$S" && rs=0 || rs=$?
pids=()
check "no scheduler stopped by itself (the store restarts included)" 0 "$died"
check "the steady scheduler lived through it all and exits 0 on SIGTERM" 0 "$rs"
check "nothing is left queued or running" 0 "$left"
check "no task instance is left running" 0 \
    "$(q "SELECT COUNT(*) FROM task_instances t JOIN runs r ON r.id = t.run WHERE r.interval_end <= ${stop_at}000 AND t.state IN ('queued', 'running', 'up_for_retry')")"
n=$(q "SELECT COUNT(*) FROM runs WHERE interval_end <= ${stop_at}000")
echo "runs: $n"
check "many runs" yes "$([ "$n" -ge 400 ] && echo yes || echo "no: $n")"
check "every pipeline has every interval once (none skipped)" 0 \
    "$(q "SELECT COUNT(*) FROM (SELECT pipeline FROM runs WHERE interval_end <= ${stop_at}000 GROUP BY pipeline
          HAVING COUNT(*) <> (MAX(interval_start) - MIN(interval_start)) DIV 2000 + 1
              OR COUNT(DISTINCT interval_start) <> COUNT(*)) x")"
check "every run succeeded" 0 "$(q "SELECT COUNT(*) FROM runs WHERE interval_end <= ${stop_at}000 AND state <> 'success'")"
check "every task ran once (one start line each)" 0 "$(grep ' S ' "$T/ran.txt" | awk '{print $1, $2, $3}' | sort | uniq -d | wc -l)"
check "as many task runs as successful task instances" \
    "$(q "SELECT COUNT(*) FROM task_instances WHERE state = 'success'")" "$(grep -c ' S ' "$T/ran.txt")"
# order: each task's start after its upstream's end, within a run
bad=$(awk '{ k = $1 " " $2; if ($4 == "S") s[k, $3] = $5; else e[k, $3] = $5; runs[k] = 1 }
    END { n = 0; for (k in runs) {
        if ((k, "b") in s && (!((k, "a") in e) || s[k, "b"] < e[k, "a"])) n++
        if ((k, "c") in s && (!((k, "b") in e) || s[k, "c"] < e[k, "b"])) n++ }
        print n }' "$T/ran.txt")
check "every task started after its upstream ended" 0 "$bad"
echo "store errors lived through: $(cat "$T"/sched_*.log | grep -c 'trying again\|picked up again' || true)"
echo "runs taken over: $(cat "$T"/sched_*.log | grep -c 'taken over from a scheduler that is gone' || true)"
if [ "$fail" -ne 0 ]; then
    # what is stuck, who owns it, and what the schedulers said of it
    q "SELECT r.id, r.pipeline, r.run_id, r.state, rc.owner FROM runs r JOIN run_control rc ON rc.run = r.id
       WHERE r.state IN ('queued', 'running')"
    q "SELECT t.run, t.task, t.try_number, t.state, t.pid FROM task_instances t WHERE t.state IN ('queued', 'running')"
    for rid in $(q "SELECT run_id FROM runs WHERE state IN ('queued', 'running') AND interval_end <= ${stop_at}000"); do
        grep -h "$rid" "$T"/sched_*.log | tail -n 20
    done
    q "SELECT id, pid, heartbeat_at, stopped_at FROM schedulers"
    tail -n 20 "$T"/sched_steady.log
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
