#!/usr/bin/env bash
# mariadb.sh FLUX — two schedulers on one MariaDB store, one of them killed
# with SIGKILL and started again: every interval of the pipeline gets exactly
# one run (none twice, none skipped), every task of every run ran exactly
# once, and the restarted scheduler takes over what the killed one left.
# Both share FLUX_HOME (one host), so run journals let a successor adopt
# tasks that outlived their scheduler. First, while a task of another
# pipeline writes a gigabyte of log, both keep their heartbeats and neither
# takes over from the other.
. "$(dirname "$0")/lib.sh"
# catchup from 12 s ago: a backlog to share, then one run a second; each task
# appends its run to a file, so a task run twice shows
start=$(date -u -d '@'$(( $(date +%s) - 12 )) +%Y-%m-%dT%H:%M:%SZ)
cat > "$T/pipes/beat.flux" <<FLUX
pipeline beat {
    schedule        = "every 1s"
    start           = "$start"
    catchup         = true
    max_active_runs = 4
    task a : bash { command = "sleep 0.3; echo {{ run_id }} a >> $T/ran.txt" }
    task b : bash { command = "echo {{ run_id }} b >> $T/ran.txt" }
    a >> b
}
FLUX
# one run, at once (an hourly interval ended 5 s ago): its task writes 1 GB
# of log in 500 million lines, the most a reader of lines has to do
cat > "$T/pipes/bulk.flux" <<FLUX
pipeline bulk {
    schedule = "every 1h"
    start    = "$(date -u -d '@'$(( $(date +%s) - 3605 )) +%Y-%m-%dT%H:%M:%SZ)"
    task write : bash { command = "yes | head -c 1000000000" }
}
FLUX
launch() { "$flux" scheduler --pipelines "$T/pipes" --db "$url" --grace 20s >> "$T/sched_$1.log" 2>&1 & }
launch a; A=$!; pids+=("$A")
launch b; B=$!; pids+=("$B")
# the schedulers' heartbeat ages every 0.2 s until the bulk run has ended
# (8 s at least, 120 s at most)
t0=$(date +%s)
: > "$T/beats"
for _ in $(seq 600); do
    q "SELECT ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000) - heartbeat_at FROM schedulers WHERE id LIKE 'scheduler:%' AND stopped_at IS NULL" >> "$T/beats" 2> /dev/null || true
    bulk=$(q "SELECT state FROM runs WHERE pipeline = 'bulk'" 2> /dev/null || true)
    case $bulk in success | failed) [ $(($(date +%s) - t0)) -ge 8 ] && break ;; esac
    sleep 0.2
done
age=$(sort -n "$T/beats" | tail -n 1)
echo "bulk run: ${bulk:-none}; heartbeats: $(wc -l < "$T/beats") samples, oldest seen ${age:-none} ms"
check "the run whose task writes 1 GB of log succeeds" success "$bulk"
check "no heartbeat fell 3 s behind meanwhile" yes "$([ -n "$age" ] && [ "$age" -lt 3000 ] && echo yes || echo no)"
check "no run was taken over meanwhile" 0 "$(cat "$T"/sched_*.log | grep -c 'taken over' || true)"
# A is killed while it owns a running run, so the takeover is tested every
# time, not only when the kill happens to land mid-run: A is frozen with
# SIGSTOP while the store is read (it cannot finish a run between the look
# and the kill, and B does not take over from a process that still exists),
# then killed, or let go on and looked at again; 5 s at most.
aid=$(q "SELECT id FROM schedulers WHERE pid = $A AND stopped_at IS NULL")
orphans=
for _ in $(seq 50); do
    kill -STOP "$A"
    if [ -n "$aid" ]; then
        orphans=$(q "SELECT rc.run FROM run_control rc JOIN runs r ON r.id = rc.run WHERE r.pipeline = 'beat' AND r.state = 'running' AND rc.owner = '$aid' ORDER BY rc.run" | tr '\n' ' ')
    fi
    [ -n "$orphans" ] && break
    kill -CONT "$A"
    sleep 0.1
    [ -n "$aid" ] || aid=$(q "SELECT id FROM schedulers WHERE pid = $A AND stopped_at IS NULL")
done
kill -KILL "$A"
wait "$A" 2>/dev/null || true
echo "scheduler A ($aid) killed owning running runs: ${orphans:-none}"
sleep 3
launch a2; A2=$!; pids+=("$A2")
sleep 8
stop_at=$(date +%s)
kill -TERM "$B" "$A2" 2>/dev/null || true # one that died early fails the check below
# stopped PID: sets rc to its exit status once it has exited, or to "running"
# after 30 s (the 20 s grace and then some), when it is killed: a scheduler that
# ignores SIGTERM fails the check below instead of holding the test until
# ctest's timeout. A zombie has exited (wait reaps it).
alive() { [ -e "/proc/$1" ] && [ "$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
stopped() {
    for _ in $(seq 300); do alive "$1" || break; sleep 0.1; done
    if alive "$1"; then
        kill -KILL "$1"; wait "$1" 2>/dev/null || true; rc=running
    else
        wait "$1" && rc=0 || rc=$?
    fi
}
stopped "$B"; rb=$rc
stopped "$A2"; ra=$rc
pids=()
check "both schedulers exit 0 on SIGTERM" "0 0" "$rb $ra"
# runs stopped by SIGTERM are finished by the next scheduler
launch c; C=$!; pids+=("$C")
for _ in $(seq 100); do
    left=$(q "SELECT COUNT(*) FROM runs WHERE pipeline = 'beat' AND state IN ('queued', 'running') AND interval_end <= ${stop_at}000")
    [ "$left" = 0 ] && break
    sleep 0.2
done
kill -TERM "$C"
stopped "$C"
check "the third scheduler exits 0 on SIGTERM" 0 "$rc"
pids=()
n=$(q "SELECT COUNT(*) FROM runs WHERE pipeline = 'beat' AND trigger_kind = 'scheduled' AND interval_end <= ${stop_at}000")
d=$(q "SELECT COUNT(DISTINCT interval_start) FROM runs WHERE pipeline = 'beat' AND trigger_kind = 'scheduled' AND interval_end <= ${stop_at}000")
span=$(q "SELECT (MAX(interval_start) - MIN(interval_start)) DIV 1000 + 1 FROM runs WHERE pipeline = 'beat' AND trigger_kind = 'scheduled' AND interval_end <= ${stop_at}000")
first=$(q "SELECT MIN(interval_start) FROM runs WHERE pipeline = 'beat'")
echo "runs: $n, distinct intervals: $d, span: $span intervals"
# The store cannot hold two runs of one interval (UNIQUE run_id), so what is
# compared is what ran: every task appends a line to ran.txt, one for each
# successful task instance the store records, and no more.
check "every task execution is one successful task instance in the store" \
    "$(q "SELECT COUNT(*) FROM task_instances t JOIN runs r ON r.id = t.run WHERE r.pipeline = 'beat' AND t.state = 'success'")" \
    "$(wc -l < "$T/ran.txt")"
check "no interval was skipped" "$span" "$n"
check "the first interval is the pipeline's start" "$(date -u -d "$start" +%s)000" "$first"
check "many intervals covered" yes "$([ "$n" -ge 20 ] && echo yes || echo no)"
check "every run of those intervals succeeded" 0 \
    "$(q "SELECT COUNT(*) FROM runs WHERE pipeline = 'beat' AND interval_end <= ${stop_at}000 AND state <> 'success'")"
check "each task ran once per run (none twice)" 0 "$(sort "$T/ran.txt" | uniq -d | wc -l)"
check "each run's two tasks ran" "$((2 * n))" \
    "$(q "SELECT COUNT(*) FROM task_instances t JOIN runs r ON r.id = t.run WHERE r.pipeline = 'beat' AND t.state = 'success' AND r.interval_end <= ${stop_at}000")"
check "no task instance succeeded twice" 0 \
    "$(q "SELECT COUNT(*) FROM (SELECT run, task FROM task_instances WHERE state = 'success' GROUP BY run, task HAVING COUNT(*) > 1) x")"
owners=$(q "SELECT COUNT(DISTINCT owner) FROM run_control rc JOIN runs r ON r.id = rc.run WHERE r.pipeline = 'beat'")
check "the work was shared (more than one scheduler executed runs)" yes "$([ "$owners" -ge 2 ] && echo yes || echo no)"
# the runs A held when it was killed were finished by another scheduler
check "the killed scheduler owned a running run" yes "$([ -n "$orphans" ] && echo yes || echo no)"
for r in $orphans; do
    check "run $r left by the killed scheduler ended success, owned by another scheduler" "success yes" \
        "$(q "SELECT r.state, IF(rc.owner <> '$aid' AND rc.owner IN (SELECT id FROM schedulers), 'yes', 'no') FROM runs r JOIN run_control rc ON rc.run = r.id WHERE r.id = $r" | tr '\t' ' ')"
done
taken=$(cat "$T"/sched_*.log | grep -c 'taken over from a scheduler that is gone' || true)
echo "runs taken over from the killed scheduler: $taken"
if [ "$fail" -ne 0 ]; then tail -n 30 "$T"/sched_*.log; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
