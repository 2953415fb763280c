#!/usr/bin/env bash
# server_starts.sh KAFKA_BROKER — each server script waits for its daemon
# although the daemon's exec comes late, as on a loaded machine: between the
# fork and the exec, the child's /proc/PID/cmdline is still the script's own,
# and a script that asked "is this our daemon?" there took a daemon that had
# not started yet for one that had died ("mariadbd exited at start" with an
# empty log, seen in CI). strace delays each daemon's execve by 1.5 s
# (--seccomp-bpf: only execve stops; -P: only these binaries are delayed).
set -euo pipefail
broker=${1:?usage: server_starts.sh KAFKA_BROKER}
case $broker in /*) ;; *) broker=$PWD/$broker ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH=$PATH:/usr/sbin:/sbin
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-starts.XXXXXX")
spids=()
cleanup() {
    bash "$here/servers/mariadb.sh" stop "$dir/db" 2>/dev/null || true
    bash "$here/servers/slurm.sh" stop "$dir/slurm" 2>/dev/null || true
    bash "$here/servers/kafka.sh" stop "$dir/kafka" 2>/dev/null || true
    local p
    for p in "${spids[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$dir"
}
trap cleanup EXIT
pass=0 fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}

# slowly NAME BINARY... -- COMMAND...: COMMAND under strace, each BINARY's
# execve held 1.5 s; strace follows the daemons too, so it runs in the
# background (stopped with them) and COMMAND's status lands in $dir/NAME.rc
slowly() {
    local name=$1 paths=()
    shift
    while [ "$1" != -- ]; do
        paths+=(-P "$1")
        shift
    done
    shift
    strace -f --seccomp-bpf -o "$dir/$name.strace" -e trace=execve -e inject=execve:delay_enter=1500000 \
        "${paths[@]}" bash -c '"$@" > "$0.out" 2> "$0.err"; echo $? > "$0.rc"' "$dir/$name" "$@" </dev/null &
    spids+=($!)
    for _ in $(seq 1200); do # 60 s
        [ -s "$dir/$name.rc" ] && break
        sleep 0.05
    done
    [ -s "$dir/$name.rc" ] || echo timeout >"$dir/$name.rc"
    check "$name starts though its exec is slow" 0 "$(cat "$dir/$name.rc")"
    [ "$(cat "$dir/$name.rc")" = 0 ] || cat "$dir/$name.err"
    # the delay did happen: else this test could not fail
    check "$name: strace delayed an execve" yes "$(grep -q '(DELAYED)' "$dir/$name.strace" && echo yes || echo no)"
}

slowly mariadb "$(command -v mariadbd)" -- bash "$here/servers/mariadb.sh" start "$dir/db"
check "mariadb answers" 1 "$(mariadb --no-defaults --socket="$(cat "$dir/db/socket")" -uroot -N -e 'SELECT 1' 2>&1)"

slowly slurm "$(command -v munged)" "$(command -v slurmctld)" "$(command -v slurmd)" -- \
    bash "$here/servers/slurm.sh" start "$dir/slurm"
check "slurm's node answers" idle "$(SLURM_CONF=$dir/slurm/slurm.conf sinfo -h -N -o '%T' 2>&1)"

slowly kafka "$broker" -- bash -c 'FLUX_KAFKA_BROKER=$0 bash "$1" start "$2" t:1' "$broker" \
    "$here/servers/kafka.sh" "$dir/kafka"
check "kafka answers" 1 "$(kcat -b "$(cat "$dir/kafka/bootstraps")" -L -t t -J 2>/dev/null | jq '.topics | length')"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
