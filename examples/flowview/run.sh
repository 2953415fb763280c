#!/usr/bin/env bash
# run.sh — the flowview example end to end, against a throwaway MariaDB and
# Kafka test broker started here (tests/servers/*.sh) in a temp directory and
# stopped by PID when it ends. Needs build/flux, build/kafka_broker and
# build/kafka_produce_ts: run ./build.sh first. Also needs jq (the stamp step
# reads flux's lineage as JSON).
#
#   examples/flowview/run.sh
#
# 1. flowview_setup creates the tables;
# 2. a producer writes the hour's messages (generate.sh) to one topic per
#    dataset, each with its generation time as the Kafka timestamp;
# 3. flowview_land lands the hour: Kafka -> files -> landing_timestamp;
# 4. a stand-in for a loss between stages removes FLOWVIEW_DROP (7) of the 200
#    orders from the landed file;
# 5. flowview_load loads the landed files into warehouse_timestamp and
#    measures the loss per dataset;
# 6. flowview_cleanup removes one dataset (FLOWVIEW_CLEANUP, clicks);
# and prints task states, counts, the ratio, the metadata and a lineage.
#
# Environment (for the test; the defaults make the demo):
#   FLUX KAFKA_BROKER KAFKA_PRODUCE_TS  the binaries (default: build/ of this repository)
#   FLOWVIEW_WORK=DIR          work there and keep it, servers left running for
#                              the caller to stop (DIR/db, DIR/kafka); default: a
#                              mktemp dir, removed, servers stopped
#   FLOWVIEW_HOUR=T            the hour produced and loaded (default: the last
#                              full hour, so the latencies are real ones)
#   FLOWVIEW_DROP=N            orders removed from the landed file (default 7)
#   FLOWVIEW_CLEANUP=DATASET   dataset removed at the end; empty: no cleanup
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
flux=$(abs "${FLUX:-$repo/build/flux}")
broker=$(abs "${KAFKA_BROKER:-$repo/build/kafka_broker}")
produce=$(abs "${KAFKA_PRODUCE_TS:-$repo/build/kafka_produce_ts}")
hour=${FLOWVIEW_HOUR:-$(date -u -d "1 hour ago" +%Y-%m-%dT%H:00:00Z)}
drop=${FLOWVIEW_DROP:-7}
cleanup_dataset=${FLOWVIEW_CLEANUP-clicks}
for b in "$flux" "$broker" "$produce"; do
    [ -x "$b" ] || { echo "run.sh: $b is missing: run ./build.sh first" >&2; exit 1; }
done
command -v jq >/dev/null || { echo "run.sh: jq is missing (apt-get install jq)" >&2; exit 1; }

# dataset:messages in the hour:partitions
datasets="orders:200:2 payments:120:1 clicks:80:1"

if [ -n "${FLOWVIEW_WORK:-}" ]; then
    work=$FLOWVIEW_WORK
    mkdir -p "$work"
    keep=1
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/flowview.XXXXXX")
    keep=
fi
work=$(cd "$work" && pwd)
stop_servers() {
    bash "$repo/tests/servers/kafka.sh" stop "$work/kafka" >/dev/null 2>&1 || true
    bash "$repo/tests/servers/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true
}
on_exit() {
    if [ -z "$keep" ]; then
        stop_servers
        rm -rf "$work"
    fi
}
trap on_exit EXIT

say() { printf '\n== %s\n' "$*"; }

say "servers (in $work)"
topics=()
for d in $datasets; do
    IFS=: read -r name _ parts <<<"$d"
    topics+=("flowview.$name:$parts")
done
bash "$repo/tests/servers/mariadb.sh" start "$work/db" >/dev/null
brokers=$(FLUX_KAFKA_BROKER=$broker bash "$repo/tests/servers/kafka.sh" start "$work/kafka" "${topics[@]}")
sock=$(cat "$work/db/socket")
port=$(cat "$work/db/port")
echo "MariaDB on 127.0.0.1:$port, Kafka test broker at $brokers"

# the warehouse: its own database and user, with a password made up here
password="fv-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
mariadb --no-defaults --socket="$sock" -uroot -e "
    CREATE DATABASE flowview;
    CREATE USER 'flowview'@'127.0.0.1' IDENTIFIED BY '$password';
    GRANT ALL ON flowview.* TO 'flowview'@'127.0.0.1';"
printf '%s\n' "$password" >"$work/db/flowview.password"
chmod 600 "$work/db/flowview.password"

# the example's flux.yaml, its connections pointed at these servers
export FLUX_CONNECTIONS=$here/flux.yaml
export FLOWVIEW_DB_PASSWORD=$password
export FLUX_CONN_WAREHOUSE="mysql://flowview:$password@127.0.0.1:$port/flowview"
export FLUX_CONN_KAFKA="kafka://$brokers"
export FLUX_HOME=$work/home NO_PROGRESS=1
# the stamp step asks `flux lineage`: flux on the PATH
mkdir -p "$work/bin"
ln -sf "$flux" "$work/bin/flux"
export PATH=$work/bin:$PATH
cd "$work"
q() { mariadb --no-defaults --socket="$sock" -uroot --table flowview -e "$1"; }
flow=$here/flowview.flux

say "flowview_setup"
flux run "$flow" --pipeline flowview_setup --date 2026-11-01T00:00:00Z

say "producer: the messages of the hour of $hour"
for d in $datasets; do
    IFS=: read -r name count parts <<<"$d"
    bash "$here/generate.sh" "$name" "$count" "$hour" "$parts" | "$produce" "$brokers" "flowview.$name"
    echo "flowview.$name: $count messages in the hour on $parts partition(s), 1 just before it, 1 just after"
done

say "flowview_land"
flux run "$flow" --pipeline flowview_land --date "$hour"

landed=flowview-data/landed/orders/$(date -u -d "$hour" +%Y-%m-%dT%H).jsonl
say "a loss between stages: $drop orders removed from $landed"
awk -v drop="$drop" '
    match($0, /"seq":[0-9]+,/) {
        seq = substr($0, RSTART + 6, RLENGTH - 7) + 0
        if (seq % 25 == 0 && seq / 25 <= drop) next
    }
    { print }' "$landed" >"$landed.tmp"
mv "$landed.tmp" "$landed"
echo "$(wc -l <"$landed") lines left"

say "flowview_load"
flux run "$flow" --pipeline flowview_load --date "$hour"

say "task instances"
for p in flowview_land flowview_load; do
    flux tasks "manual__$hour" --pipeline "$p"
done

say "flowview_load_transmission_ratio"
q "SELECT load_start, dataset, produced, landed, warehoused, lost_pct FROM flowview_load_transmission_ratio ORDER BY load_start, dataset"

say "flowview_load_metadata (the last load of each dataset: flowview_last_load)"
q "SELECT dataset, load_start, last_file, offsets FROM flowview_last_load ORDER BY dataset"

say "per message: generated -> landed in a file -> landed in MySQL (latencies in seconds)"
q "SELECT l.dataset, COUNT(l.msg_id) AS landed, COUNT(w.msg_id) AS warehoused,
          ROUND(AVG(TIMESTAMPDIFF(MICROSECOND, l.generated_at, l.landed_at)) / 1e6, 1) AS avg_to_file,
          ROUND(MAX(TIMESTAMPDIFF(MICROSECOND, l.generated_at, l.landed_at)) / 1e6, 1) AS max_to_file,
          ROUND(AVG(TIMESTAMPDIFF(MICROSECOND, w.landed_at, w.loaded_at)) / 1e6, 3) AS avg_file_to_mysql
     FROM landing_timestamp l LEFT JOIN warehouse_timestamp w ON w.msg_id = l.msg_id
    GROUP BY l.dataset ORDER BY l.dataset"

say "the messages that landed but never reached the warehouse"
q "SELECT l.msg_id, l.generated_at, l.landed_at FROM landing_timestamp l
     LEFT JOIN warehouse_timestamp w ON w.msg_id = l.msg_id
    WHERE w.msg_id IS NULL ORDER BY l.msg_id"

say "lineage of one lost message: flux lineage --topic flowview.orders --partition 0 --offset 13"
flux lineage --topic flowview.orders --partition 0 --offset 13

if [ -n "$cleanup_dataset" ]; then
    say "flowview_cleanup --param dataset=$cleanup_dataset"
    flux run "$flow" --pipeline flowview_cleanup --date 2026-11-01T00:00:00Z --param "dataset=$cleanup_dataset"
    q "SELECT 'landing_timestamp' AS tbl, dataset, COUNT(*) AS n FROM landing_timestamp GROUP BY dataset
       UNION ALL SELECT 'warehouse_timestamp', dataset, COUNT(*) FROM warehouse_timestamp GROUP BY dataset
       UNION ALL SELECT 'flowview_load_metadata', dataset, COUNT(*) FROM flowview_load_metadata GROUP BY dataset
       UNION ALL SELECT 'flowview_load_transmission_ratio', dataset, COUNT(*) FROM flowview_load_transmission_ratio GROUP BY dataset
       ORDER BY 1, 2"
    echo "files left:"
    find flowview-data -type f | sort
fi

say "done: state and logs under $FLUX_HOME"
[ -n "$keep" ] || echo "(a temp dir, removed now; FLOWVIEW_WORK=DIR keeps it)"
