#!/usr/bin/env bash
# secrets.sh FLUX KAFKA_BROKER — a secret reaches the operators that need it
# and nothing else: a pipeline moving data Kafka -> MySQL -> file -> MySQL,
# running SQL and calling an authenticated HTTP endpoint, with the MySQL and
# HTTP passwords given by password_env and one rendered on purpose into a
# bash command; then every view (dry-run, render, tasks, logs, lineage,
# connections, status) in text and JSON. Greps every byte flux printed and
# every file it wrote (state store, logs, journal, outputs, reject files)
# for each password, raw and in the escaped forms a template could give it.
set -euo pipefail
flux=${1:?usage: secrets.sh FLUX KAFKA_BROKER}
export FLUX_KAFKA_BROKER=${2:?usage: secrets.sh FLUX KAFKA_BROKER}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-secrets.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    bash "$here/servers/kafka.sh" stop "$dir/kafka" 2>/dev/null || true
    bash "$here/servers/mariadb.sh" stop "$dir/db" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

bash "$here/servers/mariadb.sh" start "$dir/db" >/dev/null
bash "$here/servers/kafka.sh" start "$dir/kafka" events:2 >/dev/null
cc -std=c11 -D_DEFAULT_SOURCE -o "$dir/kafka_produce_ts" "$here/servers/kafka_produce_ts.c" \
    $(pkg-config --cflags --libs rdkafka)
cc -std=c11 -D_DEFAULT_SOURCE -o "$dir/http_server" "$here/servers/http_server.c" \
    $(pkg-config --cflags --libs libmicrohttpd jansson)
export DW_PASSWORD="S3c'r\"et-dw-9Q"   # quotes: its shquote/sql/json forms differ from it
export API_PASSWORD='Hx7-api-s3cret-41'
"$dir/http_server" "$dir/port" api "$API_PASSWORD" 2> "$dir/server.err" &
server_pid=$!
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
port=$(cat "$dir/db/port")
sock=$(cat "$dir/db/socket")
brokers=$(cat "$dir/kafka/bootstraps")
mariadb --no-defaults --socket="$sock" -uroot -e \
    "CREATE USER 'dw'@'127.0.0.1' IDENTIFIED BY '${DW_PASSWORD//\'/\'\'}'; GRANT ALL ON flux.* TO 'dw'@'127.0.0.1';"
# ten messages in the interval of 2026-11-02, one malformed
for i in $(seq 1 9); do
    printf '%s\t-1\t{"id":%d,"host":"h%d"}\n' "$(( $(date -u -d 2026-11-02T01:00:00Z +%s) * 1000 + i ))" "$i" "$i"
done > "$dir/msgs.tsv"
printf '%s\t-1\tnot json\n' "$(( $(date -u -d 2026-11-02T02:00:00Z +%s) * 1000 ))" >> "$dir/msgs.tsv"
"$dir/kafka_produce_ts" "$brokers" events < "$dir/msgs.tsv"
work=$dir/work
mkdir -p "$work"
cd "$work"
export FLUX_HOME=$work/home NO_PROGRESS=1
cat > flux.yaml <<YAML
connections:
  warehouse:
    type: mysql
    host: 127.0.0.1
    port: $port
    user: dw
    database: flux
    password_env: DW_PASSWORD
  events:
    type: kafka
    brokers: $brokers
  api:
    type: http
    host: 127.0.0.1
    port: $(cat "$dir/port")
    base: /auth
    user: api
    password_env: API_PASSWORD
YAML
cat > p.flux <<'FLUX'
pipeline secrets {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task setup : mysql {
        conn = "warehouse"
        sql  = "CREATE TABLE IF NOT EXISTS ev (id INT NOT NULL, host VARCHAR(8) NOT NULL)"
    }
    task load : kafka_to_mysql {
        source      = "events"
        topic       = "events"
        target      = "warehouse"
        table       = "ev"
        columns     = { id = "$.id", host = "$.host" }
        reject_file = "rejects.jsonl"
    }
    task export : mysql_to_file {
        source = "warehouse"
        sql    = "SELECT id, host FROM ev ORDER BY id"
        path   = "out/ev_{{ ds_nodash }}.csv"
    }
    task call : http {
        conn = "api"
        url  = "hello"
    }
    task leak_try : bash {
        # a secret rendered into a command on purpose: the log must mask it
        command = "echo connecting with {{ conn.warehouse.password | shquote }} and {{ conn.api.password }}"
    }
    setup >> load >> export
}
FLUX
out=$dir/printed
mkdir -p "$out"
pass=0 fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
"$flux" run p.flux --date 2026-11-02 > "$out/run.txt" 2>&1 && rc=0 || rc=$?
check "the run succeeds" 0 "$rc"
run=$("$flux" runs --format json | jq -r '.[0].id')
check "rows loaded" 9 "$(mariadb --no-defaults --socket="$sock" -uroot -N -B flux -e 'SELECT COUNT(*) FROM ev')"
check "the malformed message rejected" 1 "$(wc -l < rejects.jsonl)"
check "the http call authenticated" success "$("$flux" tasks "$run" --format json | jq -r '.task_instances[] | select(.task == "call") | .state')"
check "the secret was masked in the bash log" yes "$("$flux" logs "$run" leak_try | grep -q 'connecting with \*\*\* and \*\*\*' && echo yes || echo no)"
n=0
for fmt in text json; do
    for cmd in "dry-run p.flux --date 2026-11-02" "render p.flux load --date 2026-11-02" \
               "render p.flux leak_try --date 2026-11-02" "tasks $run" "runs" "status" \
               "lineage --table ev" "lineage --topic events" "connections list"; do
        n=$((n + 1))
        # shellcheck disable=SC2086
        "$flux" $cmd --format $fmt > "$out/view$n.txt" 2>&1 || true
    done
done
for t in setup load export call leak_try; do "$flux" logs "$run" "$t" > "$out/log_$t.txt" 2>&1 || true; done
"$flux" connections test warehouse > "$out/ctest.txt" 2>&1 || true
DW_PASSWORD=wrong "$flux" connections test warehouse > "$out/ctest_wrong.txt" 2>&1 || true
check "views produced output" yes "$([ "$(cat "$out"/view*.txt | wc -c)" -gt 1000 ] && echo yes || echo no)"
sqlite3 home/flux.db .dump > "$out/store_dump.sql"
# its task instances, one per task of p.flux (each ran once): the plan's text
# alone (names like kafka_to_mysql) is there as soon as the pipeline is stored
check "the store dump holds the run" 5 "$(grep -c '^INSERT INTO task_instances VALUES' "$out/store_dump.sql" || true)"
# the forms a template can give a secret: raw, shell-quoted, SQL, JSON
forms=("$DW_PASSWORD" "$API_PASSWORD" "S3c'\\''r\"et-dw-9Q" "S3c''r\"et-dw-9Q" 'S3c'"'"'r\"et-dw-9Q')
for f in "${forms[@]}"; do
    hits=$(grep -rlaF -- "$f" "$out" "$work" 2>/dev/null | grep -v '/flux.yaml$' || true)
    check "secret form [$f] nowhere flux printed or wrote" "" "$hits"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
