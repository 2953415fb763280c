#!/usr/bin/env bash
# kafka_to_mysql.sh FLUX KAFKA_BROKER — test ops/kafka_to_mysql against a real
# MariaDB and the Kafka test broker, messages produced with explicit
# timestamps inside and outside one day on 3-partition topics, through
# `flux run`: the exact rows of the interval; malformed JSON, a missing
# column path, a type mismatch and a too-long value each rejected with its
# reason and where it was; counts that reconcile; a rerun in append mode
# adds nothing; replace_interval reloads the same rows and keeps the rows of
# other intervals; a load killed with SIGKILL after some batches committed,
# retried by the runner, ends with the source exactly (count and checksum, no
# duplicates); the password nowhere flux wrote.
set -uo pipefail
flux=${1:?usage: kafka_to_mysql.sh FLUX KAFKA_BROKER}
export FLUX_KAFKA_BROKER=${2:?usage: kafka_to_mysql.sh FLUX KAFKA_BROKER}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-k2m.XXXXXX")
cleanup() {
    [ -n "${runpid:-}" ] && kill "$runpid" 2>/dev/null
    bash "$here/servers/kafka.sh" stop "$dir/kafka" >/dev/null 2>&1 || true
    bash "$here/servers/mariadb.sh" stop "$dir/db" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
pass=0
fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] || exit 1
    exit 0
}

cc -O2 -o "$dir/produce" "$here/servers/kafka_produce_ts.c" $(pkg-config --cflags --libs rdkafka) ||
    { echo "FAIL: cannot build kafka_produce_ts"; fail=1; finish; }
brokers=$(bash "$here/servers/kafka.sh" start "$dir/kafka" events:3 big:8 2>"$dir/kafka.err") ||
    { cat "$dir/kafka.err"; echo "FAIL: the Kafka test broker did not start"; fail=1; finish; }
bash "$here/servers/mariadb.sh" start "$dir/db" >/dev/null 2>"$dir/db.err" ||
    { cat "$dir/db.err"; echo "FAIL: MariaDB did not start"; fail=1; finish; }
port=$(cat "$dir/db/port")
sock=$(cat "$dir/db/socket")
q() { mariadb --no-defaults --socket="$sock" -uroot -N -B flux -e "SET time_zone = '+00:00'; $1"; }
q "CREATE USER 'loader'@'127.0.0.1' IDENTIFIED BY 'Wq4-s3cret-k2m'; GRANT ALL ON flux.* TO 'loader'@'127.0.0.1';
   CREATE TABLE trades (id INT NOT NULL, ts DATETIME(3) NOT NULL, host VARCHAR(8) NOT NULL, amount DOUBLE NULL);
   CREATE TABLE trades_r LIKE trades;
   INSERT INTO trades_r VALUES (500, '2026-11-01 12:00:00', 'other', 1), (501, '2026-11-02 10:00:00', 'stale', 2);
   CREATE TABLE big (id INT NOT NULL, ts DATETIME(3) NOT NULL, host VARCHAR(8) NOT NULL, amount DOUBLE NULL)"

S=$(date -u -d 2026-11-02T00:00:00Z +%s)000
E=$(date -u -d 2026-11-03T00:00:00Z +%s)000
msg() { printf '%s\t%s\t%s\n' "$1" "$2" "$3"; }
{
    msg $((S - 5000)) 0 '{"type":"trade","id":100,"ts":"2026-11-01T23:59:55Z","meta":{"host":"early"},"amount":1}'
    msg $((S + 1000)) 0 '{"type":"trade","id":1,"ts":"2026-11-02T00:00:01Z","meta":{"host":"a"},"amount":1.25}'
    msg $((S + 2000)) 0 '{"type":"quote","id":2,"ts":"2026-11-02T00:00:02Z","meta":{"host":"q"},"amount":9}'
    msg $((S + 3000)) 0 '{"type":"trade","id":3,'
    msg $((S + 4000)) 1 '{"type":"trade","id":4,"ts":"2026-11-02T00:00:04.250Z","meta":{"host":"b"},"amount":2.5}'
    msg $((S + 5000)) 1 '{"type":"trade","id":5,"ts":"2026-11-02T00:00:05Z","amount":3}'
    msg "$E" 1 '{"type":"trade","id":6,"ts":"2026-11-03T00:00:00Z","meta":{"host":"late"},"amount":4}'
    msg $((S + 6000)) 2 '{"type":"trade","id":"seven","ts":"2026-11-02T00:00:06Z","meta":{"host":"c"},"amount":5}'
    msg $((S + 7000)) 2 '{"type":"trade","id":8,"ts":"2026-11-02T00:00:07Z","meta":{"host":"much-too-long"},"amount":6}'
    msg $((E - 1)) 2 '{"type":"trade","id":9,"ts":"2026-11-02T23:59:59.999Z","meta":{"host":"c"},"amount":null}'
    msg $((S + 8000)) 2 '{"type":"trade","id":10,"ts":"2026-11-02T00:00:08Z","meta":{"host":"d"},"amount":10}'
} | "$dir/produce" "$brokers" events || { echo "FAIL: producing"; fail=1; finish; }

cd "$dir"
export NO_PROGRESS=1 DW_PASSWORD=Wq4-s3cret-k2m
cat >flux.yaml <<YAML
connections:
  kafka:
    type: kafka
    brokers: $brokers
  warehouse:
    type: mysql
    host: 127.0.0.1
    port: $port
    user: loader
    database: flux
    password_env: DW_PASSWORD
YAML
cat >p.flux <<'FLUX'
pipeline k2m {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task load : kafka_to_mysql {
        source      = "kafka"
        topic       = "events"
        match       = { type = "trade" }
        target      = "warehouse"
        table       = "trades"
        columns     = { id = "$.id", ts = "$.ts", host = "$.meta.host", amount = "$.amount" }
        batch_size  = 2
        reject_file = "rejects/{{ ds }}.jsonl"
    }
    task load_r : kafka_to_mysql {
        source      = "kafka"
        topic       = "events"
        match       = { "$.type" = "trade" }
        target      = "warehouse"
        table       = "trades_r"
        columns     = { id = "$.id", ts = "$.ts", host = "$.meta.host", amount = "$.amount" }
        mode        = replace_interval
        time_column = "ts"
    }
}
FLUX
frun() { FLUX_HOME=$dir/h-$1 "$flux" run "$2" --date "$3" >"out-$1.txt" 2>&1; }
flog() { FLUX_HOME=$dir/h-$1 "$flux" logs 1 "$2"; }

expected='1	2026-11-02 00:00:01.000	a	1.25
4	2026-11-02 00:00:04.250	b	2.5
9	2026-11-02 23:59:59.999	c	NULL
10	2026-11-02 00:00:08.000	d	10'
frun a p.flux 2026-11-02
check "run succeeds" 0 $?
check "the interval's rows, exactly" "$expected" "$(q 'SELECT * FROM trades ORDER BY id')"
check "counts reconcile: 8 read, 4 loaded, 4 rejected" "read=8 written=4 rejected=4" \
    "$(flog a load | sed -n 's/^::counts \(read=[0-9]* written=[0-9]* rejected=[0-9]*\).*/\1/p')"
check "rows_loaded output" "::output rows_loaded=4" "$(flog a load | grep '^::output rows_loaded')"
check "the non-matching message said in the log" yes \
    "$(flog a load | grep -q '1 message(s) of the interval did not match' && echo yes || echo no)"
rj=rejects/2026-11-02.jsonl
reason() { jq -r --argjson o "$1" --argjson p "$2" 'select(.where.offset == $o and .where.partition == $p) | .reason' "$rj"; }
check "4 reject lines" 4 "$(wc -l <"$rj")"
check "malformed JSON rejected" yes "$(reason 3 0 | grep -q '^malformed JSON' && echo yes || echo no)"
check "missing column path rejected" "column 'host': missing \$.meta.host" "$(reason 1 1)"
check "type mismatch rejected, naming the column" yes "$(reason 0 2 | grep -q "'id'" && echo yes || echo "no: $(reason 0 2)")"
check "too-long value rejected, naming the column" yes "$(reason 1 2 | grep -q "'host'" && echo yes || echo "no: $(reason 1 2)")"
check "reject where: topic and timestamp" "events 2026-11-02T00:00:03.000Z" \
    "$(jq -r 'select(.where.partition == 0) | "\(.where.topic) \(.where.timestamp)"' "$rj")"
check "offsets committed per partition" "0	4	2	1	1
1	3	2	1	1
2	4	4	2	2" "$(q "SELECT \`partition\`, next_offset, records_read, records_written, records_rejected FROM flux_kafka_offsets WHERE target_table = 'flux.trades' ORDER BY 1")"
check "table lineage" '{"conn":"warehouse","rows":4}' \
    "$(flog a load | sed -n 's/^::lineage //p' | jq -c 'select(.direction == "write" and .name == "flux.trades") | .detail')"
check "replace_interval: the interval's rows, other intervals kept" "$expected
500	2026-11-01 12:00:00.000	other	1" "$(q 'SELECT * FROM trades_r ORDER BY id')"

# rerun of the same interval, append: resumes from the committed offsets, nothing duplicated
FLUX_HOME=$dir/h-a "$flux" clear 1 >/dev/null 2>&1
frun a p.flux 2026-11-02
check "rerun succeeds" 0 $?
check "rerun append: no duplicates" "$expected" "$(q 'SELECT * FROM trades ORDER BY id')"
check "rerun append: counts over the interval" "read=8 written=4 rejected=4" \
    "$(flog a load | sed -n 's/^::counts \(read=[0-9]* written=[0-9]* rejected=[0-9]*\).*/\1/p')"
check "rerun append: nothing read again" "this try loaded 0 row(s)" \
    "$(flog a load | grep -o 'this try loaded [0-9]* row(s)')"
check "rerun append: reject file kept" 4 "$(wc -l <"$rj")"
check "rerun replace_interval: same rows" "$expected
500	2026-11-01 12:00:00.000	other	1" "$(q 'SELECT * FROM trades_r ORDER BY id')"
check "rerun replace_interval: counts" "read=8 written=4 rejected=4" \
    "$(flog a load_r | sed -n 's/^::counts \(read=[0-9]* written=[0-9]* rejected=[0-9]*\).*/\1/p')"

# replace_interval without time_column: the one date-time column loaded (ts)
sed -e 's/time_column = "ts"//' p.flux >notc.flux
frun notc notc.flux 2026-11-02 && rc=0 || rc=$?
check "replace_interval without time_column uses ts, the one date-time column" "0 $expected
500	2026-11-01 12:00:00.000	other	1" "$rc $(q 'SELECT * FROM trades_r ORDER BY id')"
# and with no date-time column loaded, it cannot know the interval's rows
sed -e 's/time_column = "ts"//; s/, ts = "\$.ts"//' p.flux >bad.flux
frun bad bad.flux 2026-11-02 && rc=0 || rc=$?
check "replace_interval with no date-time column fails" 1 "$rc"
check "and says why" yes "$(flog bad load_r | grep -q 'replace_interval needs time_column' && echo yes || echo no)"

# a crash mid-load: 200,000 messages on 8 partitions (the test broker keeps
# about 5 MB a partition), SIGKILL after some batches committed, the
# runner's retry resumes
N=200000
awk -v s="$S" -v n="$N" 'BEGIN {
    for (i = 1; i <= n; i++)
        printf "%d\t%d\t{\"type\":\"trade\",\"id\":%d,\"ts\":%d,\"meta\":{\"host\":\"h%d\"},\"amount\":%.1f}\n",
            s + i * 400, i % 8, i, s / 1000 + i, i % 10, i / 2
    printf "%d\t0\t{\"type\":\"trade\",\"id\":0,\"ts\":0,\"meta\":{\"host\":\"x\"},\"amount\":0}\n", s + 86400000
}' | "$dir/produce" "$brokers" big || { echo "FAIL: producing big"; fail=1; finish; }
cat >big.flux <<'FLUX'
pipeline big {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task load : kafka_to_mysql {
        source      = "kafka"
        topic       = "big"
        target      = "warehouse"
        table       = "big"
        columns     = { id = "$.id", ts = "$.ts", host = "$.meta.host", amount = "$.amount" }
        batch_size  = 100
        retries     = 1
        retry_delay = 1s
    }
}
FLUX
FLUX_HOME=$dir/h-big "$flux" run big.flux --date 2026-11-02 >out-big.txt 2>&1 &
runpid=$!
killed=no
for _ in $(seq 400); do
    done_rows=$(q "SELECT COALESCE(SUM(records_written), 0) FROM flux_kafka_offsets WHERE target_table = 'flux.big'" 2>/dev/null || echo 0)
    if [ "${done_rows:-0}" -gt 0 ]; then
        for p in /proc/[0-9]*; do
            if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -q "__op kafka_to_mysql $dir/"; then
                kill -9 "${p#/proc/}" 2>/dev/null && killed=yes
            fi
        done
        break
    fi
    sleep 0.02
done
wait "$runpid"
rc=$?
runpid=
check "a batch committed before the kill" yes "$([ "${done_rows:-0}" -gt 0 ] && [ "${done_rows:-0}" -lt $N ] && echo yes || echo "no ($done_rows rows)")"
check "killed mid-load" yes "$killed"
check "the retry succeeds" 0 "$rc"
check "two tries" 2 "$(FLUX_HOME=$dir/h-big "$flux" tasks 1 --format json | jq '[.task_instances[] | select(.task == "load")] | length')"
check "after the crash: the source exactly (count, distinct, sums)" \
    "$N $N $((N * (N + 1) / 2)) $((N * (N + 1) / 2)) $((N * S / 1000 + N * (N + 1) / 2))" \
    "$(q "SELECT COUNT(*), COUNT(DISTINCT id), SUM(id), ROUND(SUM(amount) * 2), SUM(UNIX_TIMESTAMP(ts) DIV 1) FROM big" | tr '\t' ' ')"
check "after the crash: hosts match ids" 0 "$(q "SELECT COUNT(*) FROM big WHERE host <> CONCAT('h', id % 10)")"
check "after the crash: counts over the interval" "read=$N written=$N rejected=0" \
    "$(FLUX_HOME=$dir/h-big "$flux" logs 1 load | sed -n 's/^::counts \(read=[0-9]* written=[0-9]* rejected=[0-9]*\).*/\1/p')"
check "the retry resumed" yes "$(FLUX_HOME=$dir/h-big "$flux" logs 1 load | grep -q 'resuming: 8 partition' && echo yes || echo no)"

check "password nowhere flux wrote" 0 "$(grep -rla -- "$DW_PASSWORD" h-* rejects out-*.txt 2>/dev/null | wc -l)"
finish
