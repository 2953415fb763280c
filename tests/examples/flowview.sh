#!/usr/bin/env bash
# flowview.sh FLUX KAFKA_BROKER KAFKA_PRODUCE_TS — the flowview example end to
# end against a MariaDB and a Kafka test broker that examples/flowview/run.sh
# starts in this test's temp dir (stopped here by PID): run.sh produces the
# hour 2026-11-02T10 (orders 200, payments 120, clicks 80), lands it, drops 7
# orders from the landed file, loads it; then the exact rows of every table,
# the messages that were lost, a ratio of exactly 3.50% for orders and 0.00%
# for the others, counts of every transfer, offsets and lineage; a rerun of
# the load without duplicates; a rerun of the landing and the load that
# repairs the loss; the cleanup of clicks that removes its files and rows and
# nothing else; the database password nowhere flux or run.sh wrote.
set -euo pipefail
usage="usage: flowview.sh FLUX KAFKA_BROKER KAFKA_PRODUCE_TS"
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
flux=$(abs "${1:?$usage}")
broker=$(abs "${2:?$usage}")
produce=$(abs "${3:?$usage}")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ex=$repo/examples/flowview
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-flowview.XXXXXX")
work=$dir/work
cleanup() {
    bash "$repo/tests/servers/kafka.sh" stop "$work/kafka" >/dev/null 2>&1 || true
    bash "$repo/tests/servers/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true
    [ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

pass=0
fail=0
check() { # DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        printf 'FAIL: %s:\n  expected [%s]\n  got      [%s]\n' "$1" "$2" "$3"
    fi
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}

hour=2026-11-02T10:00:00Z
run=manual__$hour
set +e
FLUX=$flux KAFKA_BROKER=$broker KAFKA_PRODUCE_TS=$produce FLOWVIEW_WORK=$work FLOWVIEW_HOUR=$hour \
    FLOWVIEW_DROP=7 FLOWVIEW_CLEANUP= bash "$ex/run.sh" >"$dir/run.out" 2>&1
rc=$?
set -e
check "run.sh succeeds" 0 "$rc"
if [ "$rc" -ne 0 ] || [ ! -f "$work/db/flowview.password" ]; then
    tail -40 "$dir/run.out"
    finish
fi

# the environment run.sh gave flux, to run and query the same state
sock=$(cat "$work/db/socket")
port=$(cat "$work/db/port")
password=$(cat "$work/db/flowview.password")
export FLUX_CONNECTIONS=$ex/flux.yaml FLOWVIEW_DB_PASSWORD=$password
export FLUX_CONN_WAREHOUSE="mysql://flowview:$password@127.0.0.1:$port/flowview"
export FLUX_CONN_KAFKA="kafka://$(cat "$work/kafka/bootstraps")"
export FLUX_HOME=$work/home NO_PROGRESS=1 PATH=$work/bin:$PATH
cd "$work"
q() { mariadb --no-defaults --socket="$sock" -uroot -N -B flowview -e "$1"; }
frun() { "$flux" run "$ex/flowview.flux" "$@" >>"$dir/flux.out" 2>&1; }
states() { # PIPELINE: "task=state" of the last try of each task
    "$flux" tasks "$run" --pipeline "$1" --format json |
        jq -r '[.task_instances | group_by(.task)[] | last | "\(.task)=\(.state)"] | join(" ")'
}
counts() { # PIPELINE: "task=read/written/rejected" of each transfer's last try
    "$flux" tasks "$run" --pipeline "$1" --format json |
        jq -r '[.task_instances | group_by(.task)[] | last | select(.counts)
                | "\(.task)=\(.counts.read)/\(.counts.written)/\(.counts.rejected)"] | join(" ")'
}
per_dataset() { # TABLE: "dataset=count ..."
    q "SELECT GROUP_CONCAT(CONCAT(dataset, '=', n) ORDER BY dataset SEPARATOR ' ')
         FROM (SELECT dataset, COUNT(*) AS n FROM $1 GROUP BY dataset) c"
}
ratio() {
    q "SELECT GROUP_CONCAT(CONCAT_WS(' ', dataset, produced, landed, warehoused, lost_pct) ORDER BY dataset SEPARATOR ';')
         FROM flowview_load_transmission_ratio WHERE load_start = '2026-11-02 10:00:00'"
}
# msg_id and generated_at of each message, as the generator made them and as a table holds them
generated() { # DATASET COUNT PARTITIONS: the messages of the hour
    bash "$ex/generate.sh" "$1" "$2" "$hour" "$3" | cut -f3 | jq -r 'select(.generated_at >= "2026-11-02T10" and .generated_at < "2026-11-02T11") | "\(.msg_id) \(.generated_at)"'
}
held() { # TABLE DATASET
    q "SELECT msg_id, CONCAT(DATE_FORMAT(generated_at, '%Y-%m-%dT%H:%i:%s.'), LPAD(FLOOR(MICROSECOND(generated_at) / 1000), 3, '0'), 'Z')
         FROM $1 WHERE dataset = '$2' ORDER BY msg_id" | tr '\t' ' '
}
sumsha() { sha256sum | cut -c1-16; }
lost_ids="orders-000025 orders-000050 orders-000075 orders-000100 orders-000125 orders-000150 orders-000175"

# --- the pipelines ran, every task succeeded
check "setup, land and load runs succeeded" "flowview_land success;flowview_load success;flowview_setup success" \
    "$("$flux" runs --format json | jq -r '[.[] | "\(.pipeline) \(.state)"] | sort | join(";")')"
check "land: every task succeeded" \
    "forget_landing=success land_clicks=success land_orders=success land_payments=success landed=success note_clicks=success note_orders=success note_payments=success record_clicks=success record_orders=success record_payments=success stamp_clicks=success stamp_orders=success stamp_payments=success" \
    "$(states flowview_land)"
check "load: every task succeeded" \
    "forget_warehouse=success load_clicks=success load_orders=success load_payments=success measure=success wait_landed=success" \
    "$(states flowview_load)"

# --- counts of every transfer (and of the bash stamp steps, reported like one)
check "land counts: Kafka -> raw file -> landed file -> landing_timestamp, manifest -> metadata" \
    "land_clicks=80/80/0 land_orders=200/200/0 land_payments=120/120/0 note_clicks=1/1/0 note_orders=1/1/0 note_payments=1/1/0 record_clicks=80/80/0 record_orders=200/200/0 record_payments=120/120/0 stamp_clicks=80/80/0 stamp_orders=200/200/0 stamp_payments=120/120/0" \
    "$(counts flowview_land)"
check "load counts: the landed file as it is after the drop" \
    "load_clicks=80/80/0 load_orders=193/193/0 load_payments=120/120/0" "$(counts flowview_load)"
check "the messages outside the hour were passed over, 2 per topic" "2 2 2" \
    "$(for d in orders payments clicks; do "$flux" logs "$run" "land_$d" --pipeline flowview_land | sed -n 's/^flux: \([0-9]*\) message(s) outside the interval were passed over/\1/p'; done | paste -sd' ')"
check "no reject file holds a line" 0 "$(cat flowview-data/*/*/*.rejects | wc -l)"

# --- the tables, exactly
check "landing_timestamp rows per dataset" "clicks=80 orders=200 payments=120" "$(per_dataset landing_timestamp)"
check "warehouse_timestamp rows per dataset" "clicks=80 orders=193 payments=120" "$(per_dataset warehouse_timestamp)"
for spec in orders:200:2 payments:120:1 clicks:80:1; do
    IFS=: read -r d n p <<<"$spec"
    generated "$d" "$n" "$p" | sort >"$dir/gen.$d"
    check "landing_timestamp $d: every message of the hour, generated_at to the millisecond" \
        "$(sumsha <"$dir/gen.$d")" "$(held landing_timestamp "$d" | sumsha)"
done
check "warehouse_timestamp orders: the messages of the hour but the 7 dropped" \
    "$(grep -vE "$(echo "$lost_ids" | tr ' ' '|')" "$dir/gen.orders" | sumsha)" "$(held warehouse_timestamp orders | sumsha)"
check "warehouse_timestamp payments and clicks: every message" "$(cat "$dir/gen.payments" "$dir/gen.clicks" | sort | sumsha)" \
    "$( (held warehouse_timestamp payments; held warehouse_timestamp clicks) | sort | sumsha)"
check "the messages that landed but never reached the warehouse" "$lost_ids" \
    "$(q "SELECT GROUP_CONCAT(l.msg_id ORDER BY l.msg_id SEPARATOR ' ') FROM landing_timestamp l
           LEFT JOIN warehouse_timestamp w ON w.msg_id = l.msg_id WHERE w.msg_id IS NULL")"
check "one landed_at per dataset (the file's), after every generated_at" "clicks 1 0;orders 1 0;payments 1 0" \
    "$(q "SELECT GROUP_CONCAT(CONCAT_WS(' ', dataset, n, late) ORDER BY dataset SEPARATOR ';') FROM
           (SELECT dataset, COUNT(DISTINCT landed_at) AS n, SUM(landed_at < generated_at) AS late
              FROM landing_timestamp GROUP BY dataset) x")"
check "warehouse rows keep landed_at; loaded_at at or after it" "0 0" \
    "$(q "SELECT SUM(w.landed_at <> l.landed_at), SUM(w.loaded_at < w.landed_at)
            FROM warehouse_timestamp w JOIN landing_timestamp l ON l.msg_id = w.msg_id" | tr '\t' ' ')"
check "transmission ratio: exactly 3.50% of orders lost, none of the others" \
    "clicks 80 80 80 0.00;orders 200 200 193 3.50;payments 120 120 120 0.00" "$(ratio)"
check "metadata: last file and Kafka offsets per dataset" \
    "clicks 2026-11-02 10:00:00 flowview-data/landed/clicks/2026-11-02T10.jsonl 0:1-80 80 80
orders 2026-11-02 10:00:00 flowview-data/landed/orders/2026-11-02T10.jsonl 0:1-100,1:0-99 200 200
payments 2026-11-02 10:00:00 flowview-data/landed/payments/2026-11-02T10.jsonl 0:1-120 120 120" \
    "$(q "SELECT dataset, load_start, last_file, offsets, produced, landed FROM flowview_load_metadata ORDER BY dataset" | tr '\t' ' ')"
check "flowview_last_load: one row per dataset" 3 "$(q "SELECT COUNT(*) FROM flowview_last_load")"

# --- lineage: a lost message's offset leads to the landed file, read whole
# by record_orders (200) and, after the drop, by load_orders (193)
lin=$("$flux" lineage --topic flowview.orders --partition 0 --offset 13 --format json |
    jq -r '[.. | objects | select(.task? and .moved?) | .task as $t | .moved[] | select(.kind == "table")
            | "\($t) \(.name) \(.detail.rows)"] | unique | join(";")')
check "lineage of orders offset 0:13" "load_orders flowview.warehouse_timestamp 193;record_orders flowview.landing_timestamp 200" "$lin"

# --- the run.sh report
check "run.sh printed the ratio" yes \
    "$(grep -qE '^\| 2026-11-02 10:00:00 \| orders +\| +200 \| +200 \| +193 \| +3\.50 \|$' "$dir/run.out" && echo yes || echo no)"

# --- a rerun of the load: the hour's warehouse rows replaced, not duplicated
"$flux" clear "$("$flux" runs --format json | jq -r '.[] | select(.pipeline == "flowview_load") | .id')" >/dev/null
frun --pipeline flowview_load --date "$hour" && rc=0 || rc=$?
check "load rerun succeeds" 0 "$rc"
check "load rerun: no duplicate" "clicks=80 orders=193 payments=120" "$(per_dataset warehouse_timestamp)"
check "load rerun: the same ratio" "clicks 80 80 80 0.00;orders 200 200 193 3.50;payments 120 120 120 0.00" "$(ratio)"

# --- landing and loading the hour again repairs the loss
"$flux" clear "$("$flux" runs --format json | jq -r '.[] | select(.pipeline == "flowview_land") | .id')" >/dev/null
"$flux" clear "$("$flux" runs --format json | jq -r '.[] | select(.pipeline == "flowview_load") | .id')" >/dev/null
frun --pipeline flowview_land --date "$hour" && frun --pipeline flowview_load --date "$hour" && rc=0 || rc=$?
check "land and load rerun succeed" 0 "$rc"
check "after the repair: landing rows" "clicks=80 orders=200 payments=120" "$(per_dataset landing_timestamp)"
check "after the repair: warehouse rows" "clicks=80 orders=200 payments=120" "$(per_dataset warehouse_timestamp)"
check "after the repair: nothing lost" "clicks 80 80 80 0.00;orders 200 200 200 0.00;payments 120 120 120 0.00" "$(ratio)"
check "after the repair: one metadata row per dataset and hour" "clicks=1 orders=1 payments=1" "$(per_dataset flowview_load_metadata)"

# --- cleanup of clicks: its files and rows, nothing else
keep_sums() { find flowview-data -path '*/clicks' -prune -o -type f -print | sort | xargs sha256sum; }
before=$(keep_sums)
snapshot() { # every row of the other datasets, each table sorted
    for t in landing_timestamp warehouse_timestamp flowview_load_metadata flowview_load_transmission_ratio; do
        echo "$t $(q "SELECT COUNT(*) FROM $t WHERE dataset <> 'clicks'")"
        q "SELECT * FROM $t WHERE dataset <> 'clicks' ORDER BY 1, 2" | sumsha
    done
}
rows_before=$(snapshot)
frun --pipeline flowview_cleanup --date 2026-11-01T00:00:00Z --param dataset=clicks && rc=0 || rc=$?
check "cleanup succeeds" 0 "$rc"
check "cleanup: no clicks row in any table" "0 0 0 0" \
    "$(q "SELECT (SELECT COUNT(*) FROM landing_timestamp WHERE dataset = 'clicks'),
                 (SELECT COUNT(*) FROM warehouse_timestamp WHERE dataset = 'clicks'),
                 (SELECT COUNT(*) FROM flowview_load_metadata WHERE dataset = 'clicks'),
                 (SELECT COUNT(*) FROM flowview_load_transmission_ratio WHERE dataset = 'clicks')" | tr '\t' ' ')"
check "cleanup: no clicks file" 0 "$(find flowview-data -path '*clicks*' | wc -l)"
check "cleanup: the other datasets' rows unchanged" "$rows_before" "$(snapshot)"
check "cleanup: the other datasets' files unchanged" "$before" "$(keep_sums)"
check "cleanup: 10 files left (orders and payments: 2 raw, 3 landed each)" 10 "$(find flowview-data -type f | wc -l)"
check "cleanup: the task says what it removed" "removing 2 file(s) of flowview-data/raw/clicks
removing 3 file(s) of flowview-data/landed/clicks" \
    "$("$flux" logs manual__2026-11-01T00:00:00Z remove_files --pipeline flowview_cleanup | grep '^removing')"

# --- the password: nowhere flux or run.sh wrote
check "the database password nowhere in outputs, state, logs or files" 0 \
    "$(grep -rlaF -- "$password" "$dir/run.out" "$dir/flux.out" "$work/home" "$work/flowview-data" 2>/dev/null | wc -l)"
finish
