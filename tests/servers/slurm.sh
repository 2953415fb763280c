#!/usr/bin/env bash
# slurm.sh — a throwaway single-node Slurm cluster for tests, on 127.0.0.1,
# in a directory of the caller's, stopped by PID.
#
#   tests/servers/slurm.sh start DIR [MIN_JOB_AGE]
#                               munged, slurmctld and slurmd with their key,
#                               socket, ports, state, spool and logs under DIR;
#                               MIN_JOB_AGE (default 300) is how many seconds
#                               Slurm keeps a finished job's record; returns
#                               once the node is idle; writes DIR/env
#   tests/servers/slurm.sh env DIR     prints `export SLURM_CONF=...` for the clients
#   tests/servers/slurm.sh stop DIR    SIGTERM to each daemon, then waits for
#                               its PID (SIGKILL after 20 s); scancels nothing first
#   tests/servers/slurm.sh kill-ctld DIR   SIGKILL of slurmctld alone (a crash)
#   tests/servers/slurm.sh start-ctld DIR  slurmctld again on its saved state
#
# Without cgroups or systemd: proctrack/linuxproc, task/none, no accounting
# daemon (sacct does not work; squeue -t all and scontrol answer until
# MinJobAge after a job's end). batch_sched_delay=0, so a job starts about
# 1 s after sbatch. Installs Debian's slurm-wlm and munge when missing (as root).
set -euo pipefail

die() {
    echo "slurm.sh: $*" >&2
    exit 1
}

# shellcheck source=proc.sh
. "$(dirname "${BASH_SOURCE[0]}")/proc.sh"

export PATH=$PATH:/usr/sbin:/sbin

ensure_installed() {
    command -v slurmctld >/dev/null 2>&1 && command -v munged >/dev/null 2>&1 && command -v sbatch >/dev/null 2>&1 &&
        return 0
    [ "$(id -u)" -eq 0 ] || die "slurm-wlm and munge are not installed (./build.sh installs them)"
    echo "slurm.sh: installing slurm-wlm and munge" >&2
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge >&2
    command -v slurmctld >/dev/null 2>&1 || die "slurmctld is still missing after installing slurm-wlm"
}

port_busy() {
    if command -v ss >/dev/null 2>&1; then
        [ -n "$(ss -Htan "( sport = :$1 )" 2>/dev/null)" ]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}

# Two free ports in a row, from a random base (slurmctld, slurmd).
free_ports() {
    local base=$((20000 + RANDOM % 40000)) p
    for ((p = base; p < base + 500; p += 2)); do
        if ! port_busy "$p" && ! port_busy $((p + 1)); then
            echo "$p"
            return 0
        fi
    done
    die "no two free TCP ports in $base..$((base + 499))"
}

# Alive, ours (its command line names $2), not a zombie: for a PID read back
# from a file
alive() { proc_ours "$1" "$2"; }

# stop_pid NAME PIDFILE: SIGTERM, wait, SIGKILL after 20 s
stop_pid() {
    local name=$1 file=$2 pid
    [ -r "$file" ] || return 0
    pid=$(cat "$file")
    if alive "$pid" "$name"; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 200); do
            alive "$pid" "$name" || break
            sleep 0.05
        done
        if alive "$pid" "$name"; then
            echo "slurm.sh: $name (pid $pid) still running after 10 s; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 100); do
                alive "$pid" "$name" || break
                sleep 0.1
            done
        fi
    fi
    rm -f "$file"
}

launch_ctld() {
    local dir=$1
    SLURM_CONF=$dir/slurm.conf proc_exec slurmctld -D -f "$dir/slurm.conf" </dev/null >>"$dir/slurmctld.out" 2>&1 &
    echo $! >"$dir/slurmctld.pid"
}

# wait_idle DIR T0: the node answers idle (or mixed/allocated: jobs already
# queued by a restarted controller's state)
wait_idle() {
    local dir=$1 st
    for _ in $(seq 400); do # 20 s
        st=$(SLURM_CONF=$dir/slurm.conf sinfo -h -N -o '%T' 2>/dev/null || true)
        case $st in
        idle* | mixed* | allocated* | completing*) return 0 ;;
        esac
        # our child, maybe not exec'd yet: see proc.sh
        proc_running "$(cat "$dir/slurmctld.pid")" || {
            proc_exit_status "$(cat "$dir/slurmctld.pid")"
            tail -n 20 "$dir/slurmctld.log" "$dir/slurmctld.out" >&2
            die "slurmctld exited, $REPLY (log: $dir/slurmctld.log)"
        }
        sleep 0.05
    done
    tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2
    die "the node is not idle after 20 s (state: '$st'; logs in $dir)"
}

start() {
    local dir=$1 min_age=${2:-300}
    [[ $min_age =~ ^[0-9]+$ ]] || die "MIN_JOB_AGE must be a number of seconds: '$min_age'"
    ensure_installed
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ ! -e "$dir/slurmctld.pid" ] || ! alive "$(cat "$dir/slurmctld.pid")" slurmctld ||
        die "a cluster from $dir is running already"
    local t0 host port sockdir
    t0=$(now)
    host=$(hostname -s)
    rm -rf "$dir/state" "$dir/spool" "$dir/munge"
    mkdir -p "$dir/state" "$dir/spool"
    # munge: its own key (mode 600 in a 700 directory) and socket (in a
    # 755 directory, short: a Unix socket path holds 107 bytes)
    mkdir -m 700 "$dir/munge"
    head -c 1024 /dev/urandom >"$dir/munge/munge.key"
    chmod 600 "$dir/munge/munge.key"
    sockdir=$dir/msock
    if [ ${#sockdir} -gt 90 ]; then
        sockdir=$(mktemp -d "${TMPDIR:-/tmp}/msock.XXXXXX")
    fi
    mkdir -p "$sockdir"
    chmod 755 "$sockdir"
    echo "$sockdir" >"$dir/munge_socket_dir"
    proc_exec munged -F --force --key-file="$dir/munge/munge.key" --socket="$sockdir/munge.socket" \
        --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
        --seed-file="$dir/munge/munged.seed" </dev/null >>"$dir/munged.out" 2>&1 &
    echo $! >"$dir/munged.pid"
    for _ in $(seq 200); do
        [ -S "$sockdir/munge.socket" ] && break
        proc_running "$(cat "$dir/munged.pid")" || {
            proc_exit_status "$(cat "$dir/munged.pid")"
            cat "$dir/munged.out" >&2
            die "munged exited, $REPLY"
        }
        sleep 0.02
    done
    [ -S "$sockdir/munge.socket" ] || die "munged made no socket in 4 s"

    port=$(free_ports)
    # memory and a count-only generic resource, so jobs may ask for --mem
    # and --gres=fpga:N as on a real cluster (a gpu needs a device file, so
    # fpga); 90% of the machine's memory: slurmd drains a node configured
    # above what it finds
    local mem
    mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
    echo "NodeName=$host Name=fpga Count=2" >"$dir/gres.conf"
    cat >"$dir/slurm.conf" <<EOF
# written by tests/servers/slurm.sh: a single node on 127.0.0.1
ClusterName=flux$$
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sockdir/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MinJobAge=$min_age
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.daemon.pid
SlurmdPidFile=$dir/slurmd.daemon.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
GresTypes=fpga
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem Gres=fpga:2
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    echo "export SLURM_CONF=$dir/slurm.conf" >"$dir/env"
    launch_ctld "$dir"
    SLURM_CONF=$dir/slurm.conf proc_exec slurmd -D -N "$host" -f "$dir/slurm.conf" </dev/null >>"$dir/slurmd.out" 2>&1 &
    echo $! >"$dir/slurmd.pid"
    wait_idle "$dir"
    echo "slurm.sh: started in $(since "$t0") s (slurmctld on 127.0.0.1:$port, MinJobAge=$min_age)" >&2
}

stop() {
    local dir=$1 t0 sockdir
    [ -d "$dir" ] || { echo "slurm.sh: no cluster in $dir" >&2; return 0; }
    dir=$(cd "$dir" && pwd)
    t0=$(now)
    # the node first, so the controller does not mark it down meanwhile
    stop_pid slurmd "$dir/slurmd.pid"
    stop_pid slurmctld "$dir/slurmctld.pid"
    stop_pid munged "$dir/munged.pid"
    sockdir=$(cat "$dir/munge_socket_dir" 2>/dev/null || true)
    case $sockdir in
    */msock.??????) rm -rf "$sockdir" ;; # the short socket directory made at start
    esac
    echo "slurm.sh: stopped in $(since "$t0") s" >&2
}

kill_ctld() {
    local dir pid
    dir=$(cd "$1" && pwd)
    pid=$(cat "$dir/slurmctld.pid")
    alive "$pid" slurmctld || die "slurmctld is not running"
    kill -KILL "$pid"
    for _ in $(seq 100); do
        alive "$pid" slurmctld || break
        sleep 0.02
    done
    rm -f "$dir/slurmctld.pid"
}

start_ctld() {
    local dir t0
    dir=$(cd "$1" && pwd)
    t0=$(now)
    launch_ctld "$dir"
    wait_idle "$dir"
    echo "slurm.sh: slurmctld restarted in $(since "$t0") s" >&2
}

usage() {
    sed -n '2,16s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

[ $# -ge 2 ] || usage
case $1 in
start) [ $# -le 3 ] || usage; start "$2" "${3:-300}" ;;
stop) stop "$2" ;;
env) cat "$(cd "$2" && pwd)/env" ;;
kill-ctld) kill_ctld "$2" ;;
start-ctld) start_ctld "$2" ;;
*) usage ;;
esac
