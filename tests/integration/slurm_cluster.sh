#!/usr/bin/env bash
# slurm_cluster.sh — test integration/slurm_cluster: the single-node Slurm
# cluster of tests/servers/slurm.sh against Slurm's own clients. Starts it in
# a fresh temp directory with MinJobAge=10, checks that it is up in seconds,
# that a job runs (its comment read back, exit 3 as FAILED 3:0, scancel as
# CANCELLED), that a finished job's record is gone MinJobAge later, that a
# second start on the same directory is refused, and that stop leaves no
# daemon behind. Prints `N passed, N failed`.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$here/wait.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-slurm.XXXXXX")
cl=$dir/cluster
cleanup() {
    bash "$here/servers/slurm.sh" stop "$cl" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2], got [$3]"; fi; }
gone() { [ ! -r "/proc/$1/stat" ] || [ "$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

t0=$(date +%s%3N)
if bash "$here/servers/slurm.sh" start "$cl" 10 2>"$dir/start.err"; then ok "start"; else bad "start: $(cat "$dir/start.err")"; fi
ms=$(($(date +%s%3N) - t0))
if [ "$ms" -lt 8000 ]; then ok "started in $ms ms"; else bad "start took $ms ms"; fi
eval "$(bash "$here/servers/slurm.sh" env "$cl")"
check "SLURM_CONF in the cluster's directory" "$cl/slurm.conf" "$SLURM_CONF"
check "the node is idle" idle "$(sinfo -h -N -o %T)"
pids=$(cat "$cl/munged.pid" "$cl/slurmctld.pid" "$cl/slurmd.pid")

if bash "$here/servers/slurm.sh" start "$cl" 2>/dev/null; then bad "a second start on a running cluster was accepted"; else ok "a second start is refused"; fi

state() { squeue -h -t all -j "$1" -o '%T' 2>/dev/null; }
ended() { case $(state "$1") in COMPLETED | FAILED | CANCELLED | TIMEOUT) return 0 ;; esac; return 1; }
j=$(sbatch --parsable -J flux-t --comment 'flux:1:1:tok' -o "$dir/ok.out" --wrap 'echo hello')
wait_for 20 ended "$j" || true
check "a job completes" COMPLETED "$(state "$j")"
check "its output" hello "$(cat "$dir/ok.out" 2>/dev/null)"
check "its comment and name read back" "$j|flux:1:1:tok" "$(squeue -h -t all --name=flux-t -o '%i|%k')"
j3=$(sbatch --parsable -o /dev/null --wrap 'exit 3')
wait_for 20 ended "$j3" || true
check "exit 3 is FAILED 3:0" "JobState=FAILED ExitCode=3:0" "$(scontrol show job "$j3" | grep -o 'JobState=[A-Z]*\|ExitCode=[0-9:]*' | tr '\n' ' ' | sed 's/ $//')"
jc=$(sbatch --parsable -o /dev/null --wrap 'sleep 60')
wait_for 20 sh -c "[ \"\$(squeue -h -j $jc -o %T)\" = RUNNING ]" || true
scancel "$jc"
wait_for 20 ended "$jc" || true
check "scancel: CANCELLED" CANCELLED "$(state "$jc")"
# MinJobAge=10: the record of the first job goes (the purge runs every few seconds)
if wait_for 40 sh -c "[ -z \"\$(squeue -h -t all -j $j -o %i 2>/dev/null)\" ]"; then ok "a finished job's record is purged after MinJobAge"; else bad "job $j still listed"; fi

bash "$here/servers/slurm.sh" stop "$cl" 2>"$dir/stop.err" && ok "stop" || bad "stop: $(cat "$dir/stop.err")"
left=""
for p in $pids; do gone "$p" || left="$left $p"; done
check "no daemon left after stop" "" "$left"
check "stopping again is harmless" 0 "$(bash "$here/servers/slurm.sh" stop "$cl" >/dev/null 2>&1; echo $?)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
