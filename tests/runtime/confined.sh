#!/usr/bin/env bash
# confined: every file the runner builds from a name (the run's log
# directory, a try's log and fields file, the run's journal) stays under
# FLUX_HOME/logs. A symbolic link planted there that points outside makes
# the task fail at once, saying which path is a link, and nothing is written
# outside; without the link the same run works.
. "$(dirname "$0")/lib.sh"
mkdir -p outside
printf 'connections:\n  lite: { type: sqlite, path: lite.db }\n' > flux.yaml
cat > p.flux <<'FLUX'
pipeline confined {
    schedule    = "@daily"
    start       = "2026-11-01T00:00:00Z"
    retries     = 2
    retry_delay = 100ms
    task a : bash { command = "echo hello" }
    task s : sqlite {
        conn = "lite"
        sql  = "SELECT 1"
    }
    task w : file_sensor {
        path          = "here.txt"
        poke_interval = 100ms
    }
}
FLUX
touch here.txt
logs=$FLUX_HOME/logs/confined
outside_is_empty() { check "$1: nothing was written outside" "" "$(ls -A outside)"; }
# each case: plant a link, run, check each task failed once with a note
# naming the link, and that nothing landed outside
planted() { # CASE DATE TASKS...
    local what=$1 date=$2 run rc note
    shift 2
    flux run p.flux --date "$date" "${DB_ARGS[@]}" > "out-$date.txt" 2>&1 && rc=0 || rc=$?
    check "$what: the run fails" 1 "$rc"
    run=$(last_run)
    for t in "$@"; do
        check "$what: $t failed at once, not retried" "1 failed" "$(tries_of "$run" "$t") $(state_of "$run" "$t")"
        note=$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r --arg t "$t" '[.task_instances[] | select(.task == $t)] | last | .note')
        check "$what: $t's note names the link" yes \
            "$(grep -q 'is a symbolic link (to .*outside.*): flux writes nothing through a link' <<<"$note" && echo yes || echo "no: $note")"
    done
    outside_is_empty "$what"
}

# the pipeline's directory under logs/ is a link
mkdir -p "$FLUX_HOME/logs"
ln -s "$T/outside" "$logs"
planted "pipeline directory" 2026-11-02 a s w
rm "$logs"

# the run's directory is a link
mkdir -p "$logs"
ln -s "$T/outside" "$logs/manual__2026-11-03T00:00:00Z"
planted "run directory" 2026-11-03 a s w
rm "$logs/manual__2026-11-03T00:00:00Z"

# a try's log, the run's journal, a try's fields file: each a link
dir=$logs/manual__2026-11-04T00:00:00Z
mkdir -p "$dir"
ln -s "$T/outside/stolen-log" "$dir/a.1.log"
ln -s "$T/outside/stolen-fields" "$dir/s.1.fields.json"
ln -s "$T/outside/stolen-sensor-log" "$dir/w.1.log"
planted "log and fields files" 2026-11-04 a s w
dir=$logs/manual__2026-11-05T00:00:00Z
mkdir -p "$dir"
ln -s "$T/outside/stolen-journal" "$dir/journal"
planted "journal" 2026-11-05 a s

# the same run without links works
flux run p.flux --date 2026-11-06 "${DB_ARGS[@]}" > out-ok.txt 2>&1 && rc=0 || rc=$?
check "without a link the run succeeds" 0 "$rc"
check "its log is where it belongs" hello "$(cat "$logs/manual__2026-11-06T00:00:00Z/a.1.log")"

# a_then_b NAME A_COMMAND: runs pipeline NAME (date 2026-11-02), task a's
# command A_COMMAND, then b (echo after); its status in rc
a_then_b() {
    cat > "$1.flux" <<FLUX
pipeline $1 {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task a : bash { command = "$2" }
    task b : bash { command = "echo after" }
    a >> b
}
FLUX
    timeout 120 "$FLUX" run "$1.flux" --date 2026-11-02 "${DB_ARGS[@]}" > "out-$1.txt" 2>&1 && rc=0 || rc=$?
}

# a task that moves its run's directory away and plants a link to outside
# in its place: its wrapper's journal line (written after the task, by
# name) and the next task's files go nowhere through the link
swapped=$FLUX_HOME/logs/swap/manual__2026-11-02T00:00:00Z
a_then_b swap "mv $swapped $T/moved && ln -s $T/outside $swapped"
check "swapped directory: the run fails (b refuses the link)" 1 "$rc"
check "swapped directory: a's exit line is in its journal" yes \
    "$(grep -q '^exit a 1 0$' "$T/moved/journal" 2>/dev/null && echo yes || echo "no: $(cat "$T/moved/journal" 2>&1)")"
outside_is_empty "swapped directory"
rm -f "$swapped"

# a task that replaces its run's journal with a FIFO: its wrapper's exit
# line is not written there (an open for writing would wait for a reader
# forever), and the next task refuses it
fifo=$FLUX_HOME/logs/fifo/manual__2026-11-02T00:00:00Z/journal
a_then_b fifo "rm $fifo && mkfifo $fifo"
check "a FIFO as the journal: the run ends, failed (b refuses it)" 1 "$rc"
check "a FIFO as the journal: b's note says so" yes \
    "$(grep -q 'journal is not a regular file' out-fifo.txt && echo yes || echo "no: $(tail -3 out-fifo.txt)")"

# a log directory removed during a run is made again for the tasks after
a_then_b gone "rm -rf $FLUX_HOME/logs/gone"
check "a run whose log directory was removed under it succeeds" 0 "$rc"
check "the next task's log is written again" after "$(cat "$FLUX_HOME/logs/gone/manual__2026-11-02T00:00:00Z/b.1.log" 2>&1)"
finish
