#!/usr/bin/env bash
# crash: the runner is killed with SIGKILL at 50 random moments of each of
# three DAG shapes (a chain, a wide fan-out and fan-in, and layers whose tasks
# each wait for two parents); running it again with the same arguments
# resumes. Each task appends "S name time" when it starts and "E name time"
# when it ends (nanoseconds, one clock), so the checks see more than counts:
# every task started once and ended once, and started only after each of its
# upstream tasks had ended; the run is recorded success with every task
# success, its output recorded, and nothing left running.
. "$(dirname "$0")/lib.sh"

KILLS=50

# a task's command: its start and end lines around a short sleep, and an
# output (read from its report, whichever runner sees it end)
cmd() { # NAME SLEEP
    echo "echo S $1 \$(date +%s%N) >> side_{{ ds_nodash }}.log; sleep $2; echo ::output n=$1; echo E $1 \$(date +%s%N) >> side_{{ ds_nodash }}.log"
}

# gen_chain N: t0 >> t1 >> ... (edges to edges.txt, one "parent child" a line)
gen_chain() {
    echo 'pipeline chain {'
    echo '    schedule = "@daily"'
    echo '    start    = "2026-11-01T00:00:00Z"'
    local i
    for ((i = 0; i < $1; i++)); do
        echo "    task c$i : bash { command = \"$(cmd "c$i" 0.03)\" }"
        if [ "$i" -gt 0 ]; then
            echo "    c$((i - 1)) >> c$i"
            echo "c$((i - 1)) c$i" >> edges.txt
        fi
    done
    echo '}'
}

# gen_wide N: root >> N leaves >> sink
gen_wide() {
    echo 'pipeline wide {'
    echo '    schedule = "@daily"'
    echo '    start    = "2026-11-01T00:00:00Z"'
    echo "    task root : bash { command = \"$(cmd root 0.05)\" }"
    echo "    task sink : bash { command = \"$(cmd sink 0.05)\" }"
    local i
    for ((i = 0; i < $1; i++)); do
        echo "    task w$i : bash { command = \"$(cmd "w$i" "0.0$((RANDOM % 5 + 3))")\" }"
        echo "    root >> w$i >> sink"
        echo "root w$i" >> edges.txt
        echo "w$i sink" >> edges.txt
    done
    echo '}'
}

# gen_layered L W: L layers of W tasks, each after two tasks of the layer before
gen_layered() {
    echo 'pipeline layered {'
    echo '    schedule = "@daily"'
    echo '    start    = "2026-11-01T00:00:00Z"'
    local l i a b
    for ((l = 0; l < $1; l++)); do
        for ((i = 0; i < $2; i++)); do
            echo "    task t_${l}_$i : bash { command = \"$(cmd "t_${l}_$i" "0.1$((RANDOM % 5))")\" }"
            if [ "$l" -gt 0 ]; then
                a=t_$((l - 1))_$i b=t_$((l - 1))_$(((i + 7) % $2))
                echo "    [$a, $b] >> t_${l}_$i"
                echo "$a t_${l}_$i" >> edges.txt
                echo "$b t_${l}_$i" >> edges.txt
            fi
        done
    done
    echo '}'
}

# one run of the current shape's pipeline for DATE, to the end: killed at
# random moments (each runner makes a little progress, or none) until it
# finishes or the shape's kills are all spent, then resumed without kills;
# sets rc to the last runner's exit status
run_with_kills() { # DATE
    local pid attempt=0
    while [ $kills -lt $KILLS ] && [ $attempt -lt 400 ]; do
        attempt=$((attempt + 1))
        "$FLUX" run p.flux --date "$1" -j 4 --quiet "${DB_ARGS[@]}" > /dev/null 2>>runner.err &
        pid=$!
        # 0.10 to 0.60 s: long enough for several tasks to end and start
        # between kills, so a runner often finds tries that finished while
        # it was away next to ones it must adopt
        sleep "0.$(printf %02d $((RANDOM % 51 + 10)))"
        if kill -9 $pid 2>/dev/null; then
            kills=$((kills + 1))
            wait $pid 2>/dev/null || true
        else
            wait $pid 2>/dev/null || true
            break # it finished before the kill
        fi
    done
    rc=1
    for attempt in 1 2 3; do
        timeout 120 "$FLUX" run p.flux --date "$1" -j 4 --quiet "${DB_ARGS[@]}" > final.txt 2>>runner.err &&
            rc=0 || rc=$?
        [ $rc -eq 0 ] && break
    done
}

# checks of the run of DATE: its side-effect log and what the store recorded
check_run() { # NAME NTASKS DATE
    local name="$1 $3" ntasks=$2 side=side_${3//-/}.log
    check "$name: the run succeeded" 0 "$rc"
    check "$name: every task started once" "$ntasks 0" \
        "$(awk '$1 == "S"' "$side" | cut -d' ' -f2 | sort -u | wc -l) $(awk '$1 == "S"' "$side" | cut -d' ' -f2 | sort | uniq -d | wc -l)"
    check "$name: every task ended once" "$ntasks 0" \
        "$(awk '$1 == "E"' "$side" | cut -d' ' -f2 | sort -u | wc -l) $(awk '$1 == "E"' "$side" | cut -d' ' -f2 | sort | uniq -d | wc -l)"
    # every edge: the child's first start after the parent's last end
    local bad
    bad=$(awk 'FNR == NR { if ($1 == "S" && (!($2 in s) || $3 < s[$2])) s[$2] = $3
                           if ($1 == "E" && (!($2 in e) || $3 > e[$2])) e[$2] = $3; next }
               !($1 in e) || !($2 in s) || s[$2] < e[$1] { print $1 " >> " $2 }' "$side" edges.txt) || bad="no side-effect log"
    check "$name: every task started after each of its upstreams ended" "" "$(head -5 <<<"$bad")"
    local run tis
    run=$(flux runs --format json "${DB_ARGS[@]}" | jq -r --arg p "$pipeline" --arg d "$3" \
        '[.[] | select(.pipeline == $p and (.interval_start | startswith($d)))][0].id') || run=
    # a check that cannot read what it checks fails, it does not end the test
    tis=$(flux tasks "$run" --format json "${DB_ARGS[@]}") || tis='{"task_instances": []}'
    if [ "$rc" -ne 0 ]; then tail -n 5 final.txt runner.err; fi
    check "$name: every task recorded success" "$ntasks" \
        "$(jq '[.task_instances | group_by(.task)[] | last | select(.state == "success")] | length' <<<"$tis")"
    check "$name: every task's output recorded, adopted or not" "$ntasks" \
        "$(jq '[.task_instances | group_by(.task)[] | last | select(.outputs.n == .task)] | length' <<<"$tis")"
    check "$name: no instance left running" 0 \
        "$(jq '[.task_instances[] | select(.state == "running" or .state == "queued")] | length' <<<"$tis")"
    check "$name: the run is recorded success" success \
        "$(flux runs --format json "${DB_ARGS[@]}" | jq -r --arg r "$run" '.[] | select((.id | tostring) == $r) | .state')"
}

# shape NAME NTASKS GENERATOR ARGS...: runs of one pipeline, day after day,
# until the runners were killed KILLS times, each run checked
shape() {
    local name=$1 ntasks=$2 day=2 date dates=()
    shift 2
    mkdir -p "$T/$name"
    cd "$T/$name"
    : > edges.txt
    "$@" > p.flux
    pipeline=$(sed -n 's/^pipeline \([a-z_]*\).*/\1/p' p.flux)
    kills=0
    while [ $kills -lt $KILLS ] && [ $day -le 28 ]; do
        date=2026-11-$(printf %02d $day)
        run_with_kills "$date"
        check_run "$name" "$ntasks" "$date"
        day=$((day + 1))
    done
    check "$name: killed at $KILLS moments" yes "$([ $kills -ge $KILLS ] && echo yes || echo "no ($kills)")"
    cd "$T"
}

shape chain 100 gen_chain 100
shape wide 202 gen_wide 200
shape layered 200 gen_layered 10 20
finish
