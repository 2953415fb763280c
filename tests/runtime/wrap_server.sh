#!/usr/bin/env bash
# wrap_server: a runner's wrappers come from flux-wrap's fork server, not
# from the runner. When the server dies (SIGKILL) while a task runs, the
# runner adopts that task from the journal (its end recorded, once, not
# lost) and spawns the later tasks' wrappers itself.
. "$(dirname "$0")/lib.sh"
cat > ws.flux <<FLUX
pipeline ws {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task a : bash { command = "echo \$PPID > $T/a.wrapper; while [ ! -e $T/go ]; do sleep 0.05; done; echo a done" }
    task b : bash { command = "sed 's/.*) //' /proc/\$PPID/stat | cut -d' ' -f2 > $T/b.parent; echo b done" }
    a >> b
}
FLUX
# the parent of a process, from /proc
parent_of() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f2; }
start_bg run.out run ws.flux --date 2026-11-02 "${DB_ARGS[@]}"
wait_for 30 test -s a.wrapper || echo "a did not start: $(cat run.out)"
server=$(parent_of "$(cat a.wrapper)")
check "a's wrapper is the fork server's child, not the runner's" "server" \
    "$([ "$server" != "$BG" ] && tr '\0' ' ' < "/proc/$server/cmdline" | grep -q -- '--server' && echo server)"
kill -KILL "$server"
touch go
ended() { ! kill -0 "$BG" 2> /dev/null; }
wait_for 30 ended || { echo "the runner did not end: $(cat run.out)"; kill -KILL "$BG"; }
wait "$BG" && rc=0 || rc=$?
run=$(last_run)
check "the run succeeds" 0 "$rc"
check "a ended once, a success, seen through its journal" "success 1" "$(state_of "$run" a) $(tries_of "$run" a)"
check "b ran after it, its wrapper the runner's own child" "success $BG" "$(state_of "$run" b) $(cat b.parent)"
check "a's log is whole" "a done" "$(cat "$FLUX_HOME"/logs/ws/*/a.1.log)"
finish
