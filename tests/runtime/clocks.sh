#!/usr/bin/env bash
# clocks: a wall clock stepped by two hours under a running flux changes no
# wait: a sensor's timeout, measured on the monotonic clock, does not fire
# at the step; and a `flux run` whose clock is two hours ahead still sees
# the live owner of a run as alive (its heartbeat moves while watched) and
# exits 2 instead of taking the run over. The step is libfaketime's, read
# from a file the test rewrites while flux runs.
. "$(dirname "$0")/lib.sh"
FAKETIME_LIB=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketimeMT\.so' | head -n 1)
check "libfaketime is installed (build.sh installs it)" yes "$([ -n "$FAKETIME_LIB" ] && echo yes || echo no)"
# faked CMD...: with the wall clock of the file clock.txt (only the wall
# clock: the monotonic one stays true, as the kernel keeps it). A sanitizer
# build wants its runtime first among the libraries; libfaketime only
# wraps clock calls, so that order check is waived for it.
faked() {
    LD_PRELOAD=$FAKETIME_LIB FAKETIME_TIMESTAMP_FILE=$T/clock.txt FAKETIME_NO_CACHE=1 DONT_FAKE_MONOTONIC=1 \
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 "$@"
}
echo "+0" > clock.txt
cat > p.flux <<'FLUX'
pipeline clocks {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task wait_file : file_sensor {
        path          = "ready.txt"
        poke_interval = 200ms
        timeout       = 30s
    }
    task after : bash { command = "echo after" }
    wait_file >> after
}
FLUX
faked "$FLUX" run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > sensor.txt 2>&1 &
runner=$!
sleep 1.5
echo "+2h" > clock.txt
sleep 1.5
touch ready.txt
wait "$runner" && rc=0 || rc=$?
echo "+0" > clock.txt
check "the sensor waits on through a 2 h step of the wall clock" 0 "$rc"
check "and is met, not timed out" 0 "$(grep -c 'timed out' sensor.txt)"

# a live owner seen through a clock two hours ahead
cat > q.flux <<'FLUX'
pipeline owned {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task long : bash { command = "sleep 6; echo long >> ran.txt" }
}
FLUX
start_bg owner.txt run q.flux --date 2026-11-02 "${DB_ARGS[@]}"
owner=$BG
for _ in $(seq 100); do grep -q 'long running' owner.txt 2>/dev/null && break; sleep 0.05; done
echo "+2h" > clock.txt
faked "$FLUX" run q.flux --date 2026-11-02 "${DB_ARGS[@]}" > ahead.txt 2>&1 && rc=0 || rc=$?
echo "+0" > clock.txt
wait "$owner" && rc1=0 || rc1=$?
check "a flux run two hours ahead finds the run's owner alive: exit 2" 2 "$rc"
check "after watching its heartbeat move" 1 "$(grep -c 'may be gone: watching its heartbeat' ahead.txt)"
check "the owner finishes the run" 0 "$rc1"
check "which ran its task once" long "$(cat ran.txt)"
finish
