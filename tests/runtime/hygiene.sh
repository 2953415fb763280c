#!/usr/bin/env bash
# hygiene: a task ends when its main process exits, masked or not, even when
# a background child still holds its stdout; what it left running (in its
# session or in one of its own) is sent SIGTERM (SIGKILL 5 s later if that
# did not end it), and the log says how many processes were left.
. "$(dirname "$0")/lib.sh"
export FLUX_CONN_X="http://u:pw-hyg-Tq61@127.0.0.1:1/"
# two runs: the masked task's old hang must not hide what the others leave
cat > p1.flux <<'FLUX'
pipeline hygiene {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task plain : bash {
        command = "sleep 30 & echo $! > plain.pid; echo done"
    }
    task stubborn : bash {
        command = "sh -c 'trap \"\" TERM; echo $$ > stubborn.pid; exec sleep 30' & sleep 0.3; echo done"
    }
    task escaped : bash {
        command = "setsid sleep 30 & echo $! > escaped.pid; echo done"
    }
    task clean : bash {
        command = "echo alone"
    }
}
FLUX
cat > p2.flux <<'FLUX'
pipeline hygiene_masked {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task masked : bash {
        command = "echo {{ conn.x.password }}; sleep 30 & echo $! > masked.pid; echo done"
    }
}
FLUX
gone() { # PIDFILE: the process it names is gone (a zombie nobody reaped yet is gone)
    local p st
    p=$(cat "$1" 2>/dev/null || true)
    [[ $p =~ ^[0-9]+$ ]] || { echo "no pid"; return; }
    st=$(ps -o stat= -p "$p" 2>/dev/null || true)
    case $st in '' | Z*) echo gone ;; *) echo "alive ($st)" ;; esac
}
# kill_left: what a failing flux left behind does not outlive the test
kill_left() { local f; for f in plain.pid stubborn.pid masked.pid escaped.pid; do kill -KILL "$(cat $f 2>/dev/null)" 2>/dev/null || true; done; }
trap 'kill_left; cleanup' EXIT
# run P TASKS...: runs P.flux, then checks each task at once (before the
# children's own sleep could end them)
run_and_check() {
    local p=$1 t0 t1 ms rc run t
    shift
    t0=$(date +%s%N)
    flux run $p.flux --date 2026-11-02 -j 4 "${DB_ARGS[@]}" > out_$p.txt 2>&1 && rc=0 || rc=$?
    t1=$(date +%s%N)
    check "run $p succeeded" 0 "$rc"
    ms=$(((t1 - t0) / 1000000))
    # the children sleep 30 s; the one that ignores SIGTERM is killed 5 s later
    check "run $p ended well before the children's sleep" yes "$([ "$ms" -lt 12000 ] && echo yes || echo "no (${ms} ms)")"
    run=$(flux runs --format json "${DB_ARGS[@]}" | jq -r '.[0].id')
    for t in "$@"; do
        check "$t succeeded" success "$(state_of "$run" $t)"
        flux logs "$run" $t "${DB_ARGS[@]}" > log_$t.txt 2>&1 || true
        [ $t = clean ] && continue
        check "$t's child is gone" gone "$(gone $t.pid)"
        check "$t's output is in its log" done "$(grep -x done log_$t.txt || true)"
    done
}
run_and_check p1 plain stubborn escaped clean
run_and_check p2 masked
left='flux-wrap: the task left 1 process running when its main process exited: sent SIGTERM'
check "plain's log says one process was left" 1 "$(grep -cxF "$left" log_plain.txt || true)"
check "masked's log says one process was left" 1 "$(grep -cxF "$left" log_masked.txt || true)"
check "escaped's log says one process was left" 1 "$(grep -cxF "$left" log_escaped.txt || true)"
check "masked's secret is masked" yes "$(grep -qx '\*\*\*' log_masked.txt && echo yes || echo no)"
check "stubborn's log says it was killed" 1 \
    "$(grep -cxF "$left, then SIGKILL to 1 still running after 5s" log_stubborn.txt || true)"
check "a task that leaves nothing says nothing" "alone" "$(cat log_clean.txt)"
finish
