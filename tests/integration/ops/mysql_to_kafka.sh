#!/usr/bin/env bash
# mysql_to_kafka.sh FLUX KAFKA_BROKER — mysql_to_kafka from a real MariaDB to
# the Kafka test broker, read back with kcat: each row one JSON object (typed:
# numbers, ISO 8601 UTC times, null) keyed by a column; a NULL key rejected
# and counted; counts and lineage (the query's sha256, rows) stored; an
# unknown key column, a failing query, a statement that is not a query and a
# dead broker fail saying why; the MySQL password appears nowhere flux wrote.
set -euo pipefail
flux=${1:?usage: mysql_to_kafka.sh FLUX_BINARY KAFKA_BROKER_BINARY}
export FLUX_KAFKA_BROKER=${2:?usage: mysql_to_kafka.sh FLUX_BINARY KAFKA_BROKER_BINARY}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
case $FLUX_KAFKA_BROKER in /*) ;; *) FLUX_KAFKA_BROKER=$PWD/$FLUX_KAFKA_BROKER ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-m2k.XXXXXX")
cleanup() {
    bash "$here/servers/kafka.sh" stop "$dir/k" >/dev/null 2>&1 || true
    bash "$here/servers/mariadb.sh" stop "$dir/db" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
bash "$here/servers/kafka.sh" start "$dir/k" orders:3 >/dev/null 2>"$dir/kafka.err"
bs=$(cat "$dir/k/bootstraps")
bash "$here/servers/mariadb.sh" start "$dir/db" >/dev/null 2>"$dir/db.err"
port=$(cat "$dir/db/port")
sock=$(cat "$dir/db/socket")
cd "$dir"
q() { mariadb --no-defaults --socket="$sock" -uroot -N -B flux -e "$1"; }
q "CREATE USER 'reader'@'127.0.0.1' IDENTIFIED BY 'Mk8-s3cret-26'; GRANT SELECT ON flux.* TO 'reader'@'127.0.0.1';
   CREATE TABLE orders (id INT PRIMARY KEY, customer VARCHAR(20), amount DECIMAL(8,2), qty INT, ts DATETIME(3), note TEXT);
   INSERT INTO orders VALUES
     (1, 'ann', 12.50, 2, '2026-11-02 08:00:00.000', NULL),
     (2, 'bob', 3.00, 1, '2026-11-02 09:30:00.250', 'café \"quoted\"'),
     (3, NULL, 0.10, 5, '2026-11-02 23:59:59.999', 'x'),
     (4, 'dee', 7.00, 3, '2026-11-03 00:00:00.000', 'next day');"
export FLUX_HOME=$dir/home NO_PROGRESS=1 DB_PASSWORD=Mk8-s3cret-26
cat > flux.yaml <<YAML
connections:
  shop:
    type: mysql
    host: 127.0.0.1
    port: $port
    user: reader
    database: flux
    password_env: DB_PASSWORD
  bus:
    type: kafka
    brokers: $bs
  quick:
    type: kafka
    brokers: $bs
    message.timeout.ms: "3000"
YAML
pass=0
fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
# kcat -E does not end at the mock's partition ends: read N messages
consume() { # TOPIC N FORMAT
    timeout 5 kcat -C -b "$bs" -t "$1" -o beginning -c "$2" -q -f "$3" 2>/dev/null || true
}
run='"__run":{"pipeline":"p","run_id":"r1","task":"send","try":1}'
op() { # FIELDS (without __run) -> exit status; output in op.out
    echo "{$1,$run}" > fields.json
    "$flux" __op mysql_to_kafka fields.json > op.out 2>&1 && echo 0 || echo $?
    cat op.out >> all.out
}
said() { grep -qF -- "$1" op.out && echo yes || echo no; }

# ---- through flux run: the interval's rows, keyed by customer (a NULL one rejected)
cat > p.flux <<'FLUX'
pipeline orders_out {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task send : mysql_to_kafka {
        source = "shop"
        sql    = "SELECT id, customer, amount, qty, ts, note FROM orders WHERE ts >= {{ ds | sql }} AND ts < {{ ds | sql }} + INTERVAL 1 DAY ORDER BY id"
        target = "bus"
        topic  = "orders"
        key    = "customer"
    }
    task after : bash { command = "echo {{ tasks.send.outputs.messages }}/{{ tasks.send.outputs.rejected }} > sent.txt" }
    send >> after
}
FLUX
"$flux" run p.flux --date 2026-11-02 > run1.out 2>&1 && rc=0 || rc=$?
check "run succeeds" 0 "$rc"
[ "$rc" = 0 ] || { cat run1.out; "$flux" logs 1 send | tail; }
check "outputs downstream" "2/1" "$(cat sent.txt 2>/dev/null)"
check "the messages, read back by kcat (sorted)" \
'ann|{"id":1,"customer":"ann","amount":12.5,"qty":2,"ts":"2026-11-02T08:00:00.000Z","note":null}
bob|{"id":2,"customer":"bob","amount":3.0,"qty":1,"ts":"2026-11-02T09:30:00.250Z","note":"café \"quoted\""}' \
    "$(consume orders 2 '%k|%s\n' | sort)"
check "no third message" 2 "$(consume orders 3 '%o\n' | wc -l)"
check "counts stored" '{"read":3,"written":2,"rejected":1}' \
    "$("$flux" tasks 1 --format json | jq -c '[.task_instances[] | select(.task == "send")] | last | .counts | {read, written, rejected}')"
log1=$("$flux" logs 1 send)
check "the NULL key is logged with its row" yes "$(grep -qF "rejected: row 3: the key column 'customer' is NULL" <<<"$log1" && echo yes || echo no)"
sql=$(sed -n 's/^ *sql *= "\(.*\)"$/\1/p' p.flux | sed "s/{{ ds | sql }}/'2026-11-02'/g")
check "lineage: the query by its sha256, rows" \
    "{\"detail\":{\"rows\":3,\"sql_sha256\":\"$(printf '%s' "$sql" | sha256sum | cut -d' ' -f1)\"},\"direction\":\"read\",\"kind\":\"query\",\"name\":\"shop\"}" \
    "$(grep '^::lineage .*"kind":"query"' <<<"$log1" | sed 's/^::lineage //')"
check "lineage: partitions written add up to 2" 2 \
    "$(grep '^::lineage .*"direction":"write","kind":"kafka","name":"orders"' <<<"$log1" | sed 's/^::lineage //' | jq -s 'map(.detail.count) | add')"

# ---- no key: every row, unkeyed
check "no key: exit 0" 0 "$(op '"source":"shop","sql":"SELECT id FROM orders ORDER BY id","target":"bus","topic":"ids"')"
check "no key: messages" '[]{"id":1}
[]{"id":2}
[]{"id":3}
[]{"id":4}' "$(consume ids 4 '[%k]%s\n' | sort)"
check "no key: counts" "::counts read=4 written=4 rejected=0" "$(grep '^::counts' op.out | sed 's/ bytes=.*//')"
check "empty result: exit 0, nothing sent" 0 "$(op '"source":"shop","sql":"SELECT id FROM orders WHERE id < 0","target":"bus","topic":"ids"')"
check "empty result: counts" "::counts read=0 written=0 rejected=0 bytes=0" "$(grep '^::counts' op.out)"

# ---- errors
check "unknown key column: bad task" 2 "$(op '"source":"shop","sql":"SELECT id, customer FROM orders","target":"bus","topic":"x","key":"custmer"')"
check "unknown key column: did you mean" yes "$(said "the query's result has no column 'custmer'; did you mean 'customer'?")"
check "two columns of one name: bad task" 2 "$(op '"source":"shop","sql":"SELECT id, qty AS id FROM orders","target":"bus","topic":"x"')"
check "two columns of one name: says which" yes "$(said "the query's result has two columns named 'id' (columns 1 and 2)")"
check "failing query: fails" 1 "$(op '"source":"shop","sql":"SELECT nope FROM orders","target":"bus","topic":"x"')"
check "failing query: the server's reason" yes "$(said "the query failed on 'shop': Unknown column 'nope'")"
check "not a query: bad task" 2 "$(op '"source":"shop","sql":"DO 1","target":"bus","topic":"x"')"
check "not a query: says so" yes "$(said "mysql_to_kafka needs a query")"
check "kafka as source: bad task" 2 "$(op '"source":"bus","sql":"SELECT 1","target":"bus","topic":"x"')"
echo "{\"source\":\"shop\",\"sql\":\"SELECT 1\",\"target\":\"bus\",\"topic\":\"x\",$run}" > fields.json
DB_PASSWORD=wrong "$flux" __op mysql_to_kafka fields.json > op.out 2>&1 && rc=0 || rc=$?
cat op.out >> all.out   # like op(): the sanitizer check reads all.out
check "wrong password: fails" 1 "$rc"
check "wrong password: the server's reason" yes "$(said "Access denied for user 'reader'")"

echo "broker-down 1" > k/control
sleep 0.3
check "broker down: fails" 1 "$(op '"source":"shop","sql":"SELECT id FROM orders","target":"quick","topic":"ids","key":"id"')"
check "broker down: the reason" yes "$(said "message not delivered: Local: Message timed out")"
check "broker down: the counts say what was lost" yes "$(grep -q '^::counts read=4 written=0 rejected=0' op.out && echo yes || echo no)"
echo "broker-up 1" > k/control

cat run1.out >> all.out
check "password nowhere flux wrote" 0 "$(grep -rlaF -- "$DB_PASSWORD" . --exclude=flux.yaml --exclude-dir=k --exclude-dir=db 2>/dev/null | wc -l)"
check "no sanitizer report" 0 "$(grep -rlaE 'Sanitizer|runtime error' all.out home 2>/dev/null | wc -l)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
