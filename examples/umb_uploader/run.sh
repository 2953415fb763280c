#!/usr/bin/env bash
# run.sh — the umb_uploader example end to end, on throwaway servers:
#
#   examples/umb_uploader/run.sh
#
# Starts a MariaDB and the project's Kafka test broker on 127.0.0.1 in a mktemp
# directory (tests/servers/mariadb.sh, tests/servers/kafka.sh), compiles the data
# generator with cc, produces the hour's 100,000 notifications (and 16 outside
# the hour) with explicit timestamps to the 8 partitions of umb.notifications,
# runs the pipeline for the hour 2026-11-02T10:00Z, and prints the task states,
# the load's counts, the reject reasons, the summary and the status message.
# The servers are stopped by PID when it ends, however it ends.
#
# Needs build/flux, build/kafka_broker and build/kafka_produce_ts: run ./build.sh
# first. Overrides (the test uses them): FLUX, KAFKA_BROKER, KAFKA_PRODUCE_TS
# (binaries), UMB_COUNT (notifications in the hour), UMB_THEN (a command run
# after the printout while the servers are still up, with UMB_WORK, UMB_FLUX,
# UMB_BROKERS, UMB_SOCKET, UMB_RUN and FLUX_* in its environment; its exit status
# is run.sh's), UMB_WAREHOUSE_PASSWORD (the password of the pipeline's MariaDB
# user; default: made up at random), UMB_KEEP=1 (keep the directory).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
flux=${FLUX:-$root/build/flux}
export FLUX_KAFKA_BROKER=${KAFKA_BROKER:-$root/build/kafka_broker}
produce=${KAFKA_PRODUCE_TS:-$root/build/kafka_produce_ts}
count=${UMB_COUNT:-100000}
partitions=8    # the test broker keeps about 5 MB per partition: 100,000 notifications need 8
hour=2026-11-02T10:00:00Z
for bin in "$flux" "$FLUX_KAFKA_BROKER" "$produce"; do
    [ -x "$bin" ] || { echo "run.sh: $bin is missing: build it with ./build.sh first" >&2; exit 1; }
done
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/umb_uploader.XXXXXX")
stop_servers() {
    bash "$root/tests/servers/kafka.sh" stop "$work/kafka" >/dev/null 2>&1 || true
    bash "$root/tests/servers/mariadb.sh" stop "$work/mariadb" >/dev/null 2>&1 || true
    if [ "${UMB_KEEP:-0}" = 1 ]; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap stop_servers EXIT

echo "== servers (in $work)"
bash "$root/tests/servers/mariadb.sh" start "$work/mariadb" >/dev/null
brokers=$(bash "$root/tests/servers/kafka.sh" start "$work/kafka" umb.notifications:$partitions umb.status:1)
port=$(cat "$work/mariadb/port")
socket=$(cat "$work/mariadb/socket")
echo "MariaDB on 127.0.0.1:$port, Kafka test broker on $brokers"
sql() { mariadb --no-defaults -S "$socket" -uroot flux -B "$@"; }

# the pipeline's own MariaDB user, with a password made up now: a secret that
# must appear nowhere flux writes (logs, state, rendered fields, rejects)
UMB_WAREHOUSE_PASSWORD=${UMB_WAREHOUSE_PASSWORD:-umb-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')}
export UMB_WAREHOUSE_PASSWORD
for host in 127.0.0.1 localhost; do
    sql -e "CREATE USER 'umb'@'$host' IDENTIFIED BY '$UMB_WAREHOUSE_PASSWORD';
            GRANT ALL ON flux.* TO 'umb'@'$host'"
done

# the example's flux.yaml names the connections (and where the password comes
# from: UMB_WAREHOUSE_PASSWORD); these point them at the servers above
export FLUX_CONNECTIONS=$here/flux.yaml
export FLUX_CONN_WAREHOUSE=mysql://umb:$UMB_WAREHOUSE_PASSWORD@127.0.0.1:$port/flux FLUX_CONN_KAFKA=kafka://$brokers
export FLUX_HOME=$work/home NO_PROGRESS=1

echo "== data: $count notifications in the hour $hour"
cc -O2 -std=c11 -o "$work/gen_notifications" "$here/gen_notifications.c"
"$work/gen_notifications" "$count" "$partitions" "$(date -u -d "$hour" +%s)" >"$work/notifications.tsv"
timeout 120 "$produce" "$brokers" umb.notifications <"$work/notifications.tsv"
echo "produced $(wc -l <"$work/notifications.tsv") messages to umb.notifications ($partitions partitions)"

echo "== flux run umb_uploader.flux --date $hour"
cd "$work"
rc=0
"$flux" run "$here/umb_uploader.flux" --date "$hour" || rc=$?
run=$("$flux" runs --format json | jq -r '.[0].run_id // .[0].id // empty' 2>/dev/null || true)

echo "== task instances of $run"
"$flux" tasks "$run" || true
echo "== load: counts (read = written + rejected)"
"$flux" logs "$run" load 2>/dev/null | grep '^::counts' || echo "(no counts line)"
echo "== rejects by reason"
if [ -f rejects/umb_notifications_20261102T100000.jsonl ]; then
    jq -r '.reason | if test("^malformed JSON") then "malformed JSON" else sub("[0-9]+ char"; "N char") end' \
        rejects/umb_notifications_20261102T100000.jsonl | sort | uniq -c | sort -rn
fi
if [ "$rc" -eq 0 ]; then
    echo "== umb_notifications: rows, first and last"
    sql -t -e "SELECT COUNT(*) AS rows_loaded, MIN(ts) AS first, MAX(ts) AS last FROM umb_notifications"
    echo "== umb_summary of the hour: CRITICAL alarms per tenant (notifications, nodes)"
    sql -t -e "SELECT tenant, SUM(notifications) AS critical, SUM(nodes) AS nodes
                 FROM umb_summary WHERE hour = '2026-11-02 10:00:00' AND state = 'CRITICAL'
                GROUP BY tenant ORDER BY critical DESC, tenant"
    echo "== umb.status"
    timeout 30 kcat -C -b "$brokers" -t umb.status -e -o beginning -q -X group.id=umb_run \
        -f 'key=%k headers=%h\n%s\n'
    echo "== flux lineage --topic umb.notifications --partition 7 --offset 1 (a malformed message)"
    "$flux" lineage --topic umb.notifications --partition 7 --offset 1 || true
fi

if [ -n "${UMB_THEN:-}" ]; then
    export UMB_WORK=$work UMB_FLUX=$flux UMB_BROKERS=$brokers UMB_SOCKET=$socket UMB_RUN=$run UMB_RC=$rc
    rc=0
    bash -c "$UMB_THEN" || rc=$?
fi
exit "$rc"
