#!/usr/bin/env bash
# server_starts.sh KAFKA_BROKER — each server script waits for its daemon
# although the daemon's exec comes late, as on a loaded machine: between the
# fork and the exec, the child's /proc/PID/cmdline is still the script's own,
# and a script that asked "is this our daemon?" there took a daemon that had
# not started yet for one that had died ("mariadbd exited at start" with an
# empty log, seen in CI). FLUX_TEST_EXEC_DELAY makes proc.sh's proc_exec
# hold every exec 1.5 s in that state; each start must still succeed, and
# must have taken at least that long (else the delay did not happen and the
# test could not fail).
set -euo pipefail
broker=${1:?usage: server_starts.sh KAFKA_BROKER}
case $broker in /*) ;; *) broker=$PWD/$broker ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-starts.XXXXXX")
cleanup() {
    bash "$here/servers/mariadb.sh" stop "$dir/db" 2>/dev/null || true
    bash "$here/servers/slurm.sh" stop "$dir/slurm" 2>/dev/null || true
    bash "$here/servers/kafka.sh" stop "$dir/kafka" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT
pass=0 fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}

# slowly NAME MIN_MS COMMAND...: COMMAND with every daemon's exec held 1.5 s;
# it succeeds, and takes at least MIN_MS (the delays it must have waited out)
slowly() {
    local name=$1 min=$2 t0 ms rc=0
    shift 2
    t0=$(date +%s%N)
    FLUX_TEST_EXEC_DELAY=1.5 "$@" >"$dir/$name.out" 2>"$dir/$name.err" || rc=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    check "$name starts though its exec is slow" 0 "$rc"
    [ "$rc" -eq 0 ] || cat "$dir/$name.err"
    check "$name: the exec was held (${ms} ms)" yes "$([ "$ms" -ge "$min" ] && echo yes || echo no)"
}

slowly mariadb 1500 bash "$here/servers/mariadb.sh" start "$dir/db"
check "mariadb answers" 1 "$(mariadb --no-defaults --socket="$(cat "$dir/db/socket")" -uroot -N -e 'SELECT 1' 2>&1)"
slowly mariadb_restart 1500 bash "$here/servers/mariadb.sh" restart "$dir/db"
check "mariadb answers after the restart" 1 \
    "$(mariadb --no-defaults --socket="$(cat "$dir/db/socket")" -uroot -N -e 'SELECT 1' 2>&1)"

# munged, then slurmctld and slurmd (launched together): two delays at least
slowly slurm 3000 bash "$here/servers/slurm.sh" start "$dir/slurm"
check "slurm's node answers" idle "$(SLURM_CONF=$dir/slurm/slurm.conf sinfo -h -N -o '%T' 2>&1)"

slowly kafka 1500 env FLUX_KAFKA_BROKER="$broker" bash "$here/servers/kafka.sh" start "$dir/kafka" t:1
check "kafka answers" 1 "$(kcat -b "$(cat "$dir/kafka/bootstraps")" -L -t t -J 2>/dev/null | jq '.topics | length')"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
