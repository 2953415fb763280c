#!/usr/bin/env bash
# run.sh — the provenance example end to end, from the repository's root:
#
#   examples/provenance/run.sh
#
# Needs build/flux, build/kafka_broker and build/kafka_produce_ts (./build.sh
# builds them), MariaDB (mariadb-server), kcat and jq (./build.sh installs
# them). Starts a throwaway MariaDB and a Kafka test broker on 127.0.0.1 in a
# temporary directory with the project's scripts (tests/servers/), produces
# the readings of 2026-11-02 10:00-11:00 to the topic `readings`, runs the
# pipeline for that hour, prints the task states, the counts, the report and
# the walk from a wrong row back to its Kafka message, and stops both
# servers by PID on the way out, whatever happened.
#
# Overrides (the test uses them): FLUX, KAFKA_BROKER, KAFKA_PRODUCE_TS (the
# binaries); PROVENANCE_WORK=DIR runs in DIR and keeps it (state store, logs,
# files, and the tables dumped to DIR/mysql/*.tsv), else it is deleted.
# PROVENANCE_LATE=1 drops a file of late readings in DIR/inbox first, so the
# late branch runs instead of being skipped.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
FLUX=${FLUX:-$root/build/flux}
KAFKA_BROKER=${KAFKA_BROKER:-$root/build/kafka_broker}
KAFKA_PRODUCE_TS=${KAFKA_PRODUCE_TS:-$root/build/kafka_produce_ts}
for b in "$FLUX" "$KAFKA_BROKER" "$KAFKA_PRODUCE_TS"; do
    [ -x "$b" ] || { echo "run.sh: $b is missing: build it first with ./build.sh" >&2; exit 2; }
done
for c in jq kcat; do
    command -v $c >/dev/null || { echo "run.sh: $c is missing: ./build.sh installs it" >&2; exit 2; }
done
case $FLUX in /*) ;; *) FLUX=$PWD/$FLUX ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flux-provenance.XXXXXX")
cleanup() {
    bash "$root/tests/servers/kafka.sh" stop "$tmp/kafka" >/dev/null 2>&1 || true
    bash "$root/tests/servers/mariadb.sh" stop "$tmp/mariadb" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
work=${PROVENANCE_WORK:-$tmp/work}
mkdir -p "$work"
work=$(cd "$work" && pwd)

HOUR=2026-11-02T10:00:00Z
echo "== servers"
url=$(bash "$root/tests/servers/mariadb.sh" start "$tmp/mariadb")
brokers=$(FLUX_KAFKA_BROKER=$KAFKA_BROKER bash "$root/tests/servers/kafka.sh" start "$tmp/kafka" readings:3)
echo "MariaDB on 127.0.0.1:$(cat "$tmp/mariadb/port"), Kafka test broker on $brokers (topic readings, 3 partitions)"
sql() { mariadb --no-defaults --socket="$(cat "$tmp/mariadb/socket")" -uroot flux -B "$@"; }

echo "== data"
bash "$here/gen_readings.sh" "$HOUR" | "$KAFKA_PRODUCE_TS" "$brokers" readings
echo "produced $(kcat -C -b "$brokers" -t readings -e -q -f 'x\n' | wc -l) messages to readings"

echo "== flux run provenance.flux --date $HOUR"
cd "$work"
if [ "${PROVENANCE_LATE:-0}" = 1 ]; then
    mkdir -p inbox
    bash "$here/gen_readings.sh" --late "$HOUR" >inbox/late-20261102T100000.jsonl
    echo "dropped $(wc -l <inbox/late-20261102T100000.jsonl) late readings in inbox/late-20261102T100000.jsonl"
fi
export FLUX_HOME=$work/home NO_PROGRESS=1 FLUX_CONNECTIONS=$here/flux.yaml
export FLUX_CONN_KAFKA=kafka://$brokers FLUX_CONN_WAREHOUSE=$url
# flux.yaml names the password by password_env, which must be set even when
# FLUX_CONN_WAREHOUSE overrides the connection: the throwaway server's
export WAREHOUSE_PASSWORD=flux
rc=0
"$FLUX" run "$here/provenance.flux" --date "$HOUR" --param tools="$here" || rc=$?
run=$("$FLUX" runs --format json | jq -r '.[0].id')

echo
echo "== flux tasks $run"
"$FLUX" tasks "$run"
echo
echo "== counts (read written rejected) per task"
"$FLUX" tasks "$run" --format json | jq -r '.task_instances[] | select(.state == "success") | .task' |
    while read -r t; do
        c=$("$FLUX" logs "$run" "$t" 2>/dev/null | sed -n 's/^::counts //p' || true)
        if [ -n "$c" ]; then printf '%-15s %s\n' "$t" "$c"; fi
    done
echo "ingest rejected: $(jq -c '{reason, where}' data/rejects-ingest-*.jsonl)"

mkdir -p mysql
sql -e 'SELECT * FROM readings ORDER BY id' >mysql/readings.tsv
sql -e 'SELECT * FROM sensor_hourly ORDER BY hour, sensor' >mysql/sensor_hourly.tsv
echo
echo "== report/sensors-20261102T100000.csv (written by the task report)"
cat report/sensors-20261102T100000.csv
echo
echo "== the walk: a suspect row back to its Kafka message (README.md explains each step)"
echo "-- readings far from the 3.3 V rail, in MySQL:"
sql -e 'SELECT sensor, COUNT(*) AS n, MIN(id), MIN(volts), MAX(volts) FROM readings WHERE volts > 5 GROUP BY sensor'
suspect=$(sql -N -e 'SELECT id FROM readings WHERE volts > 5 ORDER BY id LIMIT 1')
if [ -z "$suspect" ]; then
    echo "-- no reading above 5 V: nothing to walk"
else
    echo "-- suspect: id $suspect: $(sql -N -e "SELECT CONCAT(sensor, ' ', ts, ' ', volts, ' V') FROM readings WHERE id = $suspect")"
    # table -> the task that wrote it -> the file it read -> that file's writer ...
    # -> the Kafka message; at each hop the suspect's value, in volts
    volts_of() { jq -r 'if has("volts") then .volts elif .unit == "mV" then .value / 1000 else .value end'; }
    hops=() values=() tasks=()
    what=table name=readings
    while :; do
        if [ $what = table ]; then l=$("$FLUX" lineage --table "$name" --format json)
        else l=$("$FLUX" lineage --file "$name" --format json); fi
        writer=$(jq -c '[.moves[] | select(.matched.direction == "write")][0]' <<<"$l")
        [ "$writer" != null ] || break
        task=$(jq -r .task <<<"$writer")
        if [ $what = table ]; then
            rec=$(sql -N -e "SELECT JSON_OBJECT('volts', volts) FROM readings WHERE id = $suspect")
        else
            rec=$(jq -c --argjson id "$suspect" 'select(.id == $id) | del(.id, .sensor, .ts)' "$name")
        fi
        hops+=("$what $(basename "$name")") values+=("$(volts_of <<<"$rec")") tasks+=("$task")
        printf '%-5s %-40s %-27s written by %s\n' "$what" "$(basename "$name")" "$rec" "$task"
        read_kind=$(jq -r '[.moved[] | select(.direction == "read")][0].kind' <<<"$writer")
        if [ "$read_kind" = kafka ]; then
            read -r p o v <<<"$(kcat -C -b "$brokers" -t readings -e -q -f '%p %o %s\n' | grep "\"id\":$suspect,")"
            reader=$("$FLUX" lineage --topic readings --partition "$p" --offset "$o" --format json | jq -r '.moves[0].task')
            hops+=("kafka readings $p:$o") values+=("$(volts_of <<<"$v")") tasks+=("")
            printf '%-5s %-40s %-27s read by %s\n' kafka "readings partition $p offset $o" \
                "$(jq -c 'del(.id, .sensor, .ts)' <<<"$v")" "$reader"
            break
        fi
        # of the files it read, the one holding the suspect
        what=file
        for name in $(jq -r '.moved[] | select(.direction == "read") | .name' <<<"$writer"); do
            grep -q "\"id\":$suspect," "$name" && break
        done
    done
    # from the source down: the first hop whose value differs from the one before
    for ((i = ${#hops[@]} - 1; i > 0; i--)); do
        if [ "$(jq -n "${values[i]} == ${values[i - 1]}")" != true ]; then
            echo "-> changed by task ${tasks[i - 1]}: it read ${values[i]} V (${hops[i]}) and wrote ${values[i - 1]} V (${hops[i - 1]})"
            break
        fi
    done
fi

echo
echo "work directory: $work$([ -n "${PROVENANCE_WORK:-}" ] || echo " (deleted on exit; set PROVENANCE_WORK=DIR to keep it)")"
exit $rc
