# lib.sh — shared by the runtime tests: a fresh FLUX_HOME per test, checks
# that print what they compared, and a state store chosen by FLUX_TEST_DB
# (SQLite by default; the MariaDB integration test sets a mysql:// URL).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../wait.sh"
FLUX=${1:?usage: $0 FLUX_BINARY}
case $FLUX in /*) ;; *) FLUX=$PWD/$FLUX ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/flux-rt.XXXXXX")
export FLUX_HOME=$T/home NO_PROGRESS=1
DB_ARGS=()
if [ -n "${FLUX_TEST_DB:-}" ]; then DB_ARGS=(--db "$FLUX_TEST_DB"); fi
cd "$T"
# background jobs still running at exit (a failed check's runner) get SIGTERM,
# then SIGKILL; jobs -rp lists only those still running, never a reused PID
cleanup() {
    local p left
    left=$(jobs -rp)
    for p in $left; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $left; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
    [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
pass=0
fail=0
check() { # DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $1: expected [$2], got [$3]"
    fi
}
# flux is a function, so `flux ... &` would background a subshell: its $! is
# not the runner's and a signal sent to it never reaches the runner. Start
# background runners with start_bg instead.
flux() { "$FLUX" "$@"; }
# start_bg OUT ARGS...: flux ARGS in the background, stdout and stderr to OUT;
# BG is the runner's own PID, to signal and wait for
start_bg() {
    local out=$1
    shift
    "$FLUX" "$@" > "$out" 2>&1 &
    BG=$!
}
# state of the latest try of TASK in the only run, from flux tasks --format json
state_of() { # RUN TASK
    flux tasks "$1" --format json "${DB_ARGS[@]}" | jq -r --arg t "$2" '[.task_instances[] | select(.task == $t)] | last | .state'
}
tries_of() { flux tasks "$1" --format json "${DB_ARGS[@]}" | jq -r --arg t "$2" '[.task_instances[] | select(.task == $t)] | length'; }
last_run() { flux runs --format json "${DB_ARGS[@]}" | jq -r '.[0].id'; }
# sqlite3 that waits for a lock: a runner's write or a sensor's poke holds
# the file for a moment, and the shell without a busy timeout fails at once
# ("database is locked")
sqlite3_wait() { sqlite3 -cmd '.timeout 5000' "$@"; }
# sql STATEMENT: on the store the test uses (SQLite, or the MariaDB of FLUX_TEST_DB)
sql() {
    if [ ${#DB_ARGS[@]} -eq 0 ]; then
        sqlite3_wait "$FLUX_HOME/flux.db" "$1"
    else
        local u=${FLUX_TEST_DB#*://} cred host db
        cred=${u%%@*} u=${u#*@} host=${u%%/*} db=${u#*/}
        # one statement that may hold semicolons (a trigger's body): another delimiter
        printf 'DELIMITER //\n%s //\n' "$1" |
            MYSQL_PWD=${cred#*:} mariadb --no-defaults -h "${host%:*}" -P "${host##*:}" -u "${cred%%:*}" "$db"
    fi
}
# hook_server PORT_FILE [PORT [FAILS]] [--tls CERT KEY]: the webhook receiver of the notification
# tests (tests/servers/hook_server.c, built here once) started on 127.0.0.1,
# every POST appended to hooks.jsonl; SRV is its PID, PORT_FILE holds its port
hook_server() {
    local src=$(dirname "${BASH_SOURCE[0]}")/../servers/hook_server.c
    [ -x ./hook_server ] || cc -std=c11 -D_DEFAULT_SOURCE -o hook_server "$src" \
        $(pkg-config --cflags --libs libmicrohttpd) -lpthread
    local port_file=$1
    shift
    ./hook_server "$port_file" hooks.jsonl "$@" 2>> server.err &
    SRV=$!
    wait_for 5 test -s "$port_file" || { echo "FAIL: the receiver did not start"; exit 1; }
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
