#!/usr/bin/env bash
# run.sh — the events example end to end, on throwaway servers:
#
#   examples/events/run.sh            (after ./build.sh, which builds build/flux,
#                                      build/kafka_broker and build/kafka_produce_ts)
#
# Starts a MariaDB and a Kafka test broker (topic user_events, 3 partitions)
# with the project's scripts in a temp directory, produces the generator's
# events with their own timestamps, runs the pipeline for the hour
# 2026-11-02T10:00Z, then prints the task states, each transfer's counts, the
# files per type and hour, the tables' counts and event_counts. The servers
# are stopped by PID on exit, and the temp directory removed.
#
# Environment: FLUX, FLUX_KAFKA_BROKER, KAFKA_PRODUCE_TS (the binaries; default
# build/...), EVENTS_HOUR (default 2026-11-02T10:00:00Z), EVENTS_KEEP=1 keeps
# the temp directory (state, logs, files).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
flux=$(abs "${FLUX:-$root/build/flux}")
export FLUX_KAFKA_BROKER=$(abs "${FLUX_KAFKA_BROKER:-$root/build/kafka_broker}")
produce=$(abs "${KAFKA_PRODUCE_TS:-$root/build/kafka_produce_ts}")
hour=${EVENTS_HOUR:-2026-11-02T10:00:00Z}
for b in "$flux" "$FLUX_KAFKA_BROKER" "$produce"; do
    [ -x "$b" ] || { echo "run.sh: $b is missing: run ./build.sh first" >&2; exit 1; }
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-events.XXXXXX")
cleanup() {
    bash "$root/tests/servers/kafka.sh" stop "$dir/kafka" >/dev/null 2>&1 || true
    bash "$root/tests/servers/mariadb.sh" stop "$dir/db" >/dev/null 2>&1 || true
    if [ "${EVENTS_KEEP:-0}" = 1 ]; then echo "kept: $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT

echo "== starting MariaDB and the Kafka test broker in $dir"
mysql_url=$(bash "$root/tests/servers/mariadb.sh" start "$dir/db")
brokers=$(bash "$root/tests/servers/kafka.sh" start "$dir/kafka" user_events:3)
sql() { mariadb --no-defaults --socket="$(cat "$dir/db/socket")" -uroot --table flux -e "$1"; }

echo "== producing the events of $hour and around it"
bash "$here/gen.sh" "$hour" >"$dir/events.tsv"
"$produce" "$brokers" user_events <"$dir/events.tsv"
echo "$(wc -l <"$dir/events.tsv") messages on user_events (3 partitions)"

echo "== flux run events.flux --date $hour"
mkdir "$dir/work"
cd "$dir/work"
export FLUX_HOME=$dir/work/.flux NO_PROGRESS=1
export FLUX_CONNECTIONS=$here/flux.yaml FLUX_CONN_KAFKA=kafka://$brokers FLUX_CONN_WAREHOUSE=$mysql_url
rc=0
"$flux" run "$here/events.flux" --date "$hour" || rc=$?

run=$("$flux" runs --format json | jq -r '.[0].run_id // .[0].id')
echo "== task instances of run $run"
"$flux" tasks "$run"
echo "== files of the hour (lines)"
(cd "$dir/work" && find out -type f | sort | xargs wc -l)
echo "== rejected records"
for f in $(find out -name '*rejects.jsonl' -size +0 | sort); do
    echo "$f:"; jq -c '{reason, where}' "$f"
done
echo "== rows per table for the hour"
sql "SET @h = '${hour:0:10} ${hour:11:8}';
     SELECT 'signup_events' AS tbl, COUNT(*) AS n FROM signup_events WHERE ts >= @h AND ts < @h + INTERVAL 1 HOUR
     UNION ALL SELECT 'login_events', COUNT(*) FROM login_events WHERE ts >= @h AND ts < @h + INTERVAL 1 HOUR
     UNION ALL SELECT 'page_view_events', COUNT(*) FROM page_view_events WHERE ts >= @h AND ts < @h + INTERVAL 1 HOUR
     UNION ALL SELECT 'purchase_events', COUNT(*) FROM purchase_events WHERE ts >= @h AND ts < @h + INTERVAL 1 HOUR"
echo "== a few flattened rows"
sql "SELECT event_id, ts, user_id, country, method, os, app_version FROM login_events ORDER BY event_id LIMIT 3;
     SELECT event_id, ts, user_id, country, order_id, amount, currency, items FROM purchase_events ORDER BY event_id LIMIT 3"
echo "== event_counts, as report_counts printed it in its log"
"$flux" logs "$run" report_counts | grep -v "^::"
exit $rc
