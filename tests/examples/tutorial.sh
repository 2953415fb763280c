#!/usr/bin/env bash
# tutorial.sh FLUX KAFKA_BROKER KAFKA_PRODUCE_TS — examples/tutorial end to end,
# twice: on the embedded default (examples/tutorial/run.sh, what `./build.sh
# run` does: SQLite state and a SQLite warehouse, no server) and against a
# real MariaDB warehouse through FLUX_CONN_WAREHOUSE. Checks every task's
# state, the loaded rows and the summary exactly, the transfer's counts, and
# that running the day again duplicates nothing.
set -euo pipefail
flux=${1:?usage: tutorial.sh FLUX KAFKA_BROKER KAFKA_PRODUCE_TS}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-tutorial.XXXXXX")
cleanup() {
    bash "$root/tests/servers/mariadb.sh" stop "$dir/db" 2>/dev/null || true
    rm -rf "$dir" "$root/examples/tutorial/inbox/prices_20261102.csv"
}
trap cleanup EXIT
pass=0 fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
states() { # FLUX_HOME
    FLUX_HOME=$1 "$flux" tasks "$(FLUX_HOME=$1 "$flux" runs --format json | jq -r '.[0].id')" --format json |
        jq -r '[.task_instances | group_by(.task)[] | last | .task + "=" + .state] | join(" ")'
}
all_ok="announce=success create_tables=success drop_prices=success load_prices=success summarise=success wait_for_prices=success"

# 1. the embedded default, exactly as ./build.sh run does it (but in a temp home)
cat > "$dir/sqlite.yaml" <<YAML
connections:
  warehouse:
    type: sqlite
    database: $dir/warehouse.db
YAML
FLUX=$flux FLUX_HOME=$dir/home1 FLUX_CONNECTIONS=$dir/sqlite.yaml NO_PROGRESS=1 \
    "$root/examples/tutorial/run.sh" 2026-11-02 > "$dir/run1.txt" 2>&1 && rc=0 || rc=$?
check "embedded default: the run succeeds" 0 "$rc"
check "embedded default: every task" "$all_ok" "$(states "$dir/home1")"
check "embedded default: rows loaded" "2026-11-02 09:30:00|ACME|12.5 2026-11-02 16:00:00|ACME|13.25 2026-11-02 16:00:00|INIT|7" \
    "$(sqlite3 "$dir/warehouse.db" 'SELECT ts, symbol, price FROM prices ORDER BY ts, symbol' | tr '\n' ' ' | sed 's/ $//')"
check "embedded default: summary" "2026-11-02|2|3" "$(sqlite3 "$dir/warehouse.db" 'SELECT * FROM daily_summary')"
check "run.sh prints the task states and where the logs are" yes \
    "$(grep -q '^load_prices .* success' "$dir/run1.txt" && grep -q '^logs: ' "$dir/run1.txt" && echo yes || echo no)"
FLUX=$flux FLUX_HOME=$dir/home1 FLUX_CONNECTIONS=$dir/sqlite.yaml NO_PROGRESS=1 \
    "$root/examples/tutorial/run.sh" 2026-11-02 > "$dir/run1b.txt" 2>&1 && rc=0 || rc=$?
check "embedded default: the same day again changes nothing" "0 3" \
    "$rc $(sqlite3 "$dir/warehouse.db" 'SELECT COUNT(*) FROM prices')"

# 2. the same pipeline with a real MariaDB warehouse
bash "$root/tests/servers/mariadb.sh" start "$dir/db" > /dev/null
port=$(cat "$dir/db/port")
sock=$(cat "$dir/db/socket")
q() { mariadb --no-defaults --socket="$sock" -uroot -N -B flux -e "$1"; }
export FLUX_CONN_WAREHOUSE="mysql://flux:flux@127.0.0.1:$port/flux"
for attempt in 1 2; do
    # the tutorial's paths are relative to the repository's root
    (cd "$root" && FLUX_HOME=$dir/home2 FLUX_CONNECTIONS=$dir/sqlite.yaml NO_PROGRESS=1 \
        "$flux" run examples/tutorial/tutorial.flux --date 2026-11-02) > "$dir/run2.txt" 2>&1 && rc=0 || rc=$?
    [ "$attempt" = 1 ] && FLUX_HOME=$dir/home2 "$flux" clear "$(FLUX_HOME=$dir/home2 "$flux" runs --format json | jq -r '.[0].id')" > /dev/null
done
check "MariaDB: the run succeeds (second time after a clear)" 0 "$rc"
check "MariaDB: every task" "$all_ok" "$(states "$dir/home2")"
check "MariaDB: rows loaded once despite the rerun" "2026-11-02 09:30:00	ACME	12.5000 2026-11-02 16:00:00	ACME	13.2500 2026-11-02 16:00:00	INIT	7.0000" \
    "$(q 'SELECT ts, symbol, price FROM prices ORDER BY ts, symbol' | tr '\n' ' ' | sed 's/ $//')"
check "MariaDB: summary" "2026-11-02	2	3" "$(q 'SELECT * FROM daily_summary')"
check "MariaDB: the transfer's counts" '{"read":3,"written":3,"rejected":0,"bytes":108}' \
    "$(FLUX_HOME=$dir/home2 "$flux" tasks 1 --format json | jq -c '[.task_instances[] | select(.task == "load_prices")] | last | .counts')"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
