#!/usr/bin/env bash
# kafka.sh — a throwaway Kafka broker for tests (the kafka_broker program, on
# librdkafka's mock cluster), on 127.0.0.1, in a directory of the caller's,
# stopped by PID.
#
#   tests/servers/kafka.sh start DIR [TOPIC:PARTITIONS...]
#                  writes DIR/bootstraps (127.0.0.1:PORT[,...]), DIR/pid,
#                  DIR/control (the FIFO), DIR/broker.log; prints the bootstraps
#   tests/servers/kafka.sh stop DIR   SIGTERM, SIGKILL after 5 s; waits for the PID
#
# Builds nothing: the binary is $FLUX_KAFKA_BROKER, else build/kafka_broker of
# this repository (CMake target kafka_broker). FLUX_KAFKA_NBROKERS=N starts a
# cluster of N brokers (default 1). Control lines written to DIR/control:
# broker-down ID, broker-up ID, topic-create NAME PARTITIONS,
# leader TOPIC PARTITION BROKER, push-error produce|fetch CODE COUNT.
# Ports are random on every start (librdkafka 2.0.2 cannot choose them) and the
# data lives in memory only. Installs kcat, the tests' independent client,
# when it is missing (as root). Its traps are listed in tests/README.md.
set -euo pipefail

die() {
    echo "kafka.sh: $*" >&2
    exit 1
}

# shellcheck source=proc.sh
. "$(dirname "${BASH_SOURCE[0]}")/proc.sh"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

ensure_kcat() {
    command -v kcat >/dev/null 2>&1 && return 0
    [ "$(id -u)" -eq 0 ] || die "kcat is not installed (./build.sh installs it, or apt-get install kcat)"
    echo "kafka.sh: installing kcat" >&2
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends kcat >&2
    command -v kcat >/dev/null 2>&1 || die "kcat is still missing after installing it"
}

# Alive, and really the broker of directory $2 (not a reused PID, not a zombie
# nobody reaped). Matched on its arguments, not its name: FLUX_KAFKA_BROKER
# may name the binary anything.
alive() { proc_ours "$1" "--bootstraps $2/bootstraps "; }

start() {
    local dir=$1
    shift
    local bin=${FLUX_KAFKA_BROKER:-$root/build/kafka_broker}
    [ -x "$bin" ] || die "no broker binary at $bin (build it: ninja -C build kafka_broker, or set FLUX_KAFKA_BROKER)"
    ensure_kcat
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ ! -e "$dir/pid" ] || ! alive "$(cat "$dir/pid")" "$dir" || die "a broker from $dir is running already (pid $(cat "$dir/pid"))"
    # A previous run killed with SIGKILL leaves these behind; a stale
    # bootstraps file would pass the wait below at once.
    rm -f "$dir/bootstraps" "$dir/bootstraps.tmp" "$dir/pid" "$dir/pid.tmp" "$dir/control"

    local t0 pid
    t0=$(now)
    # stdio away from the caller's: ctest and $(...) wait for every holder of
    # their pipes, and the broker outlives this script.
    proc_exec "$bin" --brokers "${FLUX_KAFKA_NBROKERS:-1}" --bootstraps "$dir/bootstraps" --pid "$dir/pid" \
        --control "$dir/control" "$@" </dev/null >>"$dir/broker.log" 2>&1 &
    pid=$!
    # The broker writes its pid file itself, but only once it is up; written
    # here too, `stop` can end a broker that hangs while starting.
    echo "$pid" >"$dir/pid"
    # The bootstraps file is the broker's last step: when it exists, the
    # listeners, topics and FIFO are ready.
    for _ in $(seq 200); do # 10 s
        [ -s "$dir/bootstraps" ] && break
        # our own child: its cmdline is the shell's until it has exec'd the
        # broker, so here only "still there and not a zombie" is asked
        if ! proc_running "$pid"; then
            proc_exit_status "$pid"
            rm -f "$dir/pid"
            tail -n 20 "$dir/broker.log" >&2
            die "kafka_broker exited at start, $REPLY (log: $dir/broker.log)"
        fi
        sleep 0.05
    done
    if [ ! -s "$dir/bootstraps" ]; then
        tail -n 20 "$dir/broker.log" >&2
        stop "$dir"
        die "kafka_broker wrote no bootstrap string within 10 s (log: $dir/broker.log)"
    fi
    echo "kafka.sh: started pid $pid at $(cat "$dir/bootstraps") in $(since "$t0") s" >&2
    cat "$dir/bootstraps"
}

stop() {
    local dir=$1 pid t0
    [ -r "$dir/pid" ] || { echo "kafka.sh: no broker in $dir" >&2; return 0; }
    dir=$(cd "$dir" && pwd)
    pid=$(cat "$dir/pid")
    t0=$(now)
    if alive "$pid" "$dir"; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do # 5 s
            alive "$pid" "$dir" || break
            sleep 0.05
        done
        if alive "$pid" "$dir"; then
            echo "kafka.sh: pid $pid still running after 5 s; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 100); do
                alive "$pid" "$dir" || break
                sleep 0.05
            done
        fi
    fi
    # The broker removes these on a clean exit, not after SIGKILL.
    rm -f "$dir/pid" "$dir/pid.tmp" "$dir/bootstraps" "$dir/bootstraps.tmp" "$dir/control"
    echo "kafka.sh: stopped pid $pid in $(since "$t0") s" >&2
}

usage() {
    sed -n '2,18s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

[ $# -ge 2 ] || usage
case $1 in
start) shift; start "$@" ;;
stop) [ $# -eq 2 ] || usage; stop "$2" ;;
*) usage ;;
esac
