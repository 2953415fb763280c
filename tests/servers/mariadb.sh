#!/usr/bin/env bash
# mariadb.sh — a throwaway MariaDB server for tests, on 127.0.0.1, in a
# directory of the caller's, stopped by PID.
#
#   tests/servers/mariadb.sh start DIR   data directory, socket, logs under DIR;
#                                        writes DIR/url (mysql://flux:flux@127.0.0.1:PORT/flux),
#                                        DIR/pid, DIR/port, DIR/socket; prints the URL
#   tests/servers/mariadb.sh stop DIR    clean shutdown, then waits for the PID;
#                                        SIGKILL when that takes over 20 s
#   tests/servers/mariadb.sh restart DIR stop, then the same data, port and socket
#                                        again (a server restarted under its clients)
#
# The server reads no configuration file (--no-defaults everywhere: Debian's
# /etc/mysql would otherwise apply), listens on a free port picked at random
# and checked, and holds a database `flux` with a user `flux` (password
# `flux`) for both '127.0.0.1' and 'localhost'; root logs in on the socket
# without a password. InnoDB's buffer pool is 64M, small for tests, or
# FLUX_MARIADB_BUFFER_POOL (kept across a restart): a benchmark gives it
# room for its store as a production server would have. FLUX_MARIADB_TLS="CERT KEY" (PEM files, kept
# across a restart) makes the server offer TLS with that certificate. Installs Debian's mariadb-server
# when it is missing (as root).
set -euo pipefail

die() {
    echo "mariadb.sh: $*" >&2
    exit 1
}

# shellcheck source=proc.sh
. "$(dirname "${BASH_SOURCE[0]}")/proc.sh"

# mariadbd lives in /usr/sbin, which a non-root PATH may lack
export PATH=$PATH:/usr/sbin:/sbin

ensure_installed() {
    command -v mariadbd >/dev/null 2>&1 && command -v mariadb-install-db >/dev/null 2>&1 && return 0
    [ "$(id -u)" -eq 0 ] || die "mariadb-server is not installed (./build.sh installs it, or apt-get install mariadb-server)"
    echo "mariadb.sh: installing mariadb-server" >&2
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mariadb-server >&2
    command -v mariadbd >/dev/null 2>&1 || die "mariadbd is still missing after installing mariadb-server"
}

# Is anything bound to TCP port $1 on this machine?
port_busy() {
    if command -v ss >/dev/null 2>&1; then
        [ -n "$(ss -Htan "( sport = :$1 )" 2>/dev/null)" ]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}

# A port nothing uses now, from a random base so concurrent starts rarely
# collide; start() still retries when the server loses the race for it.
free_port() {
    local base=$((20000 + RANDOM % 40000)) p
    for ((p = base; p < base + 500; p++)); do
        if ! port_busy "$p"; then
            echo "$p"
            return 0
        fi
    done
    die "no free TCP port in $base..$((base + 499))"
}

# Alive, and really our server (not a reused PID, not a zombie nobody
# reaped): for a PID read back from DIR/pid
alive() { proc_ours "$1" mariadbd; }

# launch DIR SOCKET PORT: the server in the background ($! its PID), stdio
# away from the caller's: ctest waits for every holder of its pipes
launch() {
    local user=() tls=() cert key
    if [ -s "$1/tls" ]; then
        read -r cert key <"$1/tls" || true # no final newline
        tls=(--ssl-cert="$cert" --ssl-key="$key")
    fi
    [ "$(id -u)" -ne 0 ] || user=(--user=root)
    proc_exec mariadbd --no-defaults "${user[@]}" --datadir="$1/data" --socket="$2" --port="$3" \
        --bind-address=127.0.0.1 --pid-file="$1/mariadbd.pid" --log-error="$1/error.log" \
        --skip-name-resolve --local-infile=1 --innodb-log-file-size=8M \
        --innodb-buffer-pool-size="$(cat "$1/buffer_pool")" "${tls[@]}" </dev/null >>"$1/mariadbd.out" 2>&1 &
}

start() {
    local dir=$1
    ensure_installed
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ ! -e "$dir/pid" ] || ! alive "$(cat "$dir/pid")" || die "a server from $dir is running already (pid $(cat "$dir/pid"))"
    rm -rf "$dir/data"
    echo "${FLUX_MARIADB_BUFFER_POOL:-64M}" >"$dir/buffer_pool"
    printf "%s" "${FLUX_MARIADB_TLS:-}" >"$dir/tls"
    local t0 user=() sock
    t0=$(now)
    [ "$(id -u)" -ne 0 ] || user=(--user=root)

    # Unix socket paths are limited to 107 bytes
    sock=$dir/mysqld.sock
    if [ ${#sock} -gt 100 ]; then
        sock=$(mktemp -d "${TMPDIR:-/tmp}/mdb.XXXXXX")/mysqld.sock
    fi
    echo "$sock" >"$dir/socket"

    # the bootstrap has been seen to fail once in a while on a loaded
    # machine (two tests installing at the same moment): try again afresh
    local try
    for try in 1 2 3; do
        rm -rf "$dir/data"
        mariadb-install-db --no-defaults --datadir="$dir/data" "${user[@]}" \
            --auth-root-authentication-method=normal --skip-test-db \
            --innodb-log-file-size=8M >"$dir/install.log" 2>&1 && break
        [ "$try" -lt 3 ] || { tail -n 20 "$dir/install.log" >&2; die "mariadb-install-db failed (log: $dir/install.log)"; }
        echo "mariadb.sh: mariadb-install-db failed (try $try); trying again" >&2
        sleep 1
    done

    local attempt port pid up
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        : >"$dir/error.log"
        launch "$dir" "$sock" "$port"
        pid=$!
        echo "$pid" >"$dir/pid"
        up=0
        for _ in $(seq 300); do # 30 s
            if mariadb-admin --no-defaults --socket="$sock" -uroot --connect-timeout=2 ping >/dev/null 2>&1; then
                up=1
                break
            fi
            proc_running "$pid" || break # our child: see proc.sh
            sleep 0.1
        done
        [ "$up" -eq 1 ] && break
        if proc_running "$pid"; then
            kill -9 "$pid" 2>/dev/null || true
            tail -n 20 "$dir/error.log" >&2
            die "mariadbd did not answer within 30 s (log: $dir/error.log)"
        fi
        if grep -qiE 'bind on tcp/ip port|address already in use' "$dir/error.log"; then
            echo "mariadb.sh: port $port was taken meanwhile; trying another" >&2
            continue
        fi
        proc_exit_status "$pid"
        tail -n 20 "$dir/error.log" "$dir/mariadbd.out" >&2
        die "mariadbd exited at start, $REPLY (logs: $dir/error.log, $dir/mariadbd.out)"
    done
    [ "$up" -eq 1 ] || die "no port could be bound after 5 attempts"

    mariadb --no-defaults --socket="$sock" -uroot <<'SQL' || die "creating the flux database and user failed"
CREATE DATABASE flux CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER 'flux'@'127.0.0.1' IDENTIFIED BY 'flux';
CREATE USER 'flux'@'localhost' IDENTIFIED BY 'flux';
GRANT ALL PRIVILEGES ON flux.* TO 'flux'@'127.0.0.1';
GRANT ALL PRIVILEGES ON flux.* TO 'flux'@'localhost';
SQL
    echo "$port" >"$dir/port"
    echo "mysql://flux:flux@127.0.0.1:$port/flux" >"$dir/url"
    echo "mariadb.sh: started pid $pid on 127.0.0.1:$port in $(since "$t0") s" >&2
    cat "$dir/url"
}

stop() {
    local dir=$1 pid sock t0
    [ -r "$dir/pid" ] || { echo "mariadb.sh: no server in $dir" >&2; return 0; }
    dir=$(cd "$dir" && pwd)
    pid=$(cat "$dir/pid")
    sock=$(cat "$dir/socket" 2>/dev/null || echo "$dir/mysqld.sock")
    t0=$(now)
    if alive "$pid"; then
        timeout 10 mariadb-admin --no-defaults --socket="$sock" -uroot shutdown >/dev/null 2>&1 ||
            kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 200); do # 20 s
            alive "$pid" || break
            sleep 0.1
        done
        if alive "$pid"; then
            echo "mariadb.sh: pid $pid still running after 20 s; killing it" >&2
            kill -9 "$pid" 2>/dev/null || true
            for _ in $(seq 50); do
                alive "$pid" || break
                sleep 0.1
            done
        fi
    fi
    rm -f "$dir/pid"
    case $sock in
    */mdb.??????/mysqld.sock) rm -rf "$(dirname "$sock")" ;; # the short socket directory made at start
    esac
    echo "mariadb.sh: stopped pid $pid in $(since "$t0") s" >&2
}

restart() {
    local dir=$1 port sock pid t0
    dir=$(cd "$dir" && pwd)
    port=$(cat "$dir/port")
    sock=$(cat "$dir/socket")
    stop "$dir"
    t0=$(now)
    mkdir -p "$(dirname "$sock")"
    launch "$dir" "$sock" "$port"
    pid=$!
    echo "$pid" >"$dir/pid"
    for _ in $(seq 300); do # 30 s: the port may linger a moment after the stop
        if mariadb-admin --no-defaults --socket="$sock" -uroot --connect-timeout=2 ping >/dev/null 2>&1; then
            echo "mariadb.sh: restarted pid $pid on 127.0.0.1:$port in $(since "$t0") s" >&2
            return 0
        fi
        proc_running "$pid" || break
        sleep 0.1
    done
    proc_running "$pid" && REPLY="still running" || proc_exit_status "$pid"
    tail -n 20 "$dir/error.log" "$dir/mariadbd.out" >&2
    die "mariadbd did not come back on port $port, $REPLY (log: $dir/error.log)"
}

[ $# -eq 2 ] || { sed -n '2,10s/^# \{0,1\}//p' "$0" >&2; exit 2; }
case $1 in
start) start "$2" ;;
stop) stop "$2" ;;
restart) restart "$2" ;;
*) sed -n '2,10s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
