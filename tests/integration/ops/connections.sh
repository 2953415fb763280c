#!/usr/bin/env bash
# connections.sh FLUX KAFKA_BROKER — flux.yaml connections against real
# servers: `flux connections list` shows where each came from and never a
# password; `flux connections test` logs in to MariaDB, asks the Kafka test
# broker for metadata, opens a SQLite file, and says clearly why a wrong
# password or a dead broker fails; FLUX_CONN_* overrides the file; an inline
# password is refused unless the file is mode 0600; a bad file is reported
# as file:line:col. The password appears in nothing flux printed or wrote.
set -euo pipefail
flux=${1:?usage: connections.sh FLUX KAFKA_BROKER}
export FLUX_KAFKA_BROKER=${2:?usage: connections.sh FLUX KAFKA_BROKER}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-conns.XXXXXX")
cleanup() {
    bash "$here/servers/kafka.sh" stop "$dir/kafka" 2>/dev/null || true
    bash "$here/servers/mariadb.sh" stop "$dir/db" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT
bash "$here/servers/mariadb.sh" start "$dir/db" >/dev/null
bash "$here/servers/kafka.sh" start "$dir/kafka" events:2 >/dev/null
port=$(cat "$dir/db/port")
sock=$(cat "$dir/db/socket")
brokers=$(cat "$dir/kafka/bootstraps")
secret='Pw-c0nn-9xQ'
mariadb --no-defaults --socket="$sock" -uroot -e \
    "CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY '$secret'; GRANT ALL ON flux.* TO 'app'@'127.0.0.1';"
cd "$dir"
export FLUX_HOME=$dir/home NO_PROGRESS=1 APP_PASSWORD=$secret
cat > flux.yaml <<YAML
connections:
  warehouse:
    type: mysql
    host: 127.0.0.1
    port: $port
    user: app
    database: flux
    password_env: APP_PASSWORD
  events:
    type: kafka
    brokers: $brokers
  local:
    type: sqlite
    database: $dir/local.db
YAML
pass=0 fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
out=$dir/out
mkdir -p "$out"
"$flux" connections list > "$out/list.txt"
check "list names all three" "warehouse events local" "$(awk 'NR > 1 { print $1 }' "$out/list.txt" | tr '\n' ' ' | sed 's/ $//')"
check "list says the password is set" "set" "$(awk '$1 == "warehouse" { print $5 }' "$out/list.txt")"
check "list says where it was defined" "flux.yaml:3:5" "$(awk '$1 == "warehouse" { print $6 }' "$out/list.txt")"
"$flux" connections list --format json > "$out/list.json"
check "json list" "mysql kafka sqlite" "$(jq -r '[.[].type] | join(" ")' "$out/list.json")"

"$flux" connections test warehouse > "$out/t1.txt" 2>&1 && rc=0 || rc=$?
check "mysql test succeeds" 0 "$rc"
check "mysql test says what answered" yes "$(grep -q 'warehouse: ok .*MySQL server' "$out/t1.txt" && echo yes || echo no)"
APP_PASSWORD=wrong "$flux" connections test warehouse > "$out/t2.txt" 2>&1 && rc=0 || rc=$?
check "wrong password fails" 1 "$rc"
check "wrong password says access denied" yes "$(grep -q 'Access denied' "$out/t2.txt" && echo yes || echo no)"
"$flux" connections test events > "$out/t3.txt" 2>&1 && rc=0 || rc=$?
check "kafka test succeeds" 0 "$rc"
check "kafka test counts topics" yes "$(grep -q 'events: ok .*1 broker(s), 1 topic(s)' "$out/t3.txt" && echo yes || echo no)"
"$flux" connections test local > "$out/t4.txt" 2>&1 && rc=0 || rc=$?
check "sqlite file not there yet is fine" 0 "$rc"
FLUX_CONN_EVENTS=kafka://127.0.0.1:1 "$flux" connections test events > "$out/t5.txt" 2>&1 && rc=0 || rc=$?
check "environment overrides the file (dead broker fails)" 1 "$rc"
check "dead broker message names FLUX_CONN_EVENTS" yes "$(grep -q 'FLUX_CONN_EVENTS' "$out/t5.txt" && echo yes || echo no)"
FLUX_CONN_EXTRA="mysql://app:$secret@127.0.0.1:$port/flux" "$flux" connections list > "$out/t6.txt"
check "an environment-only connection is listed" "extra mysql" "$(awk '$1 == "extra" { print $1, $2 }' "$out/t6.txt")"
FLUX_CONN_EXTRA="mysql://app:$secret@127.0.0.1:$port/flux" "$flux" connections test extra > "$out/t7.txt" 2>&1 && rc=0 || rc=$?
check "environment URI logs in" 0 "$rc"
"$flux" connections test nope > "$out/t8.txt" 2>&1 && rc=0 || rc=$?
check "unknown connection fails" 1 "$rc"
check "unknown connection says how to define it" yes "$(grep -q 'set FLUX_CONN_NOPE' "$out/t8.txt" && echo yes || echo no)"

# an unset password_env: commands that need no connection work; using it says why
APP_PASSWORD= ; unset APP_PASSWORD
"$flux" connections list > "$out/u1.txt" 2>&1 && rc=0 || rc=$?
check "list works without the secret" "0 unset" "$rc $(awk '$1 == "warehouse" { print $5 }' "$out/u1.txt")"
"$flux" connections test warehouse > "$out/u2.txt" 2>&1 && rc=0 || rc=$?
check "test says the variable is unset" "1 yes" "$rc $(grep -q "flux.yaml:8:19: environment variable 'APP_PASSWORD' (password of 'warehouse') is not set" "$out/u2.txt" && echo yes || echo no)"
FLUX_CONN_WAREHOUSE="mysql://app:$secret@127.0.0.1:$port/flux" "$flux" connections test warehouse > "$out/u3.txt" 2>&1 && rc=0 || rc=$?
check "FLUX_CONN_ replaces the connection, its password included" 0 "$rc"
export APP_PASSWORD=$secret

# an inline password: refused in a readable file, accepted at 0600
mkdir -p inline
cat > inline/flux.yaml <<YAML
connections:
  w:
    type: mysql
    host: 127.0.0.1
    port: $port
    user: app
    database: flux
    password: $secret
YAML
chmod 0644 inline/flux.yaml
(cd inline && "$flux" connections list > "$out/i1.txt" 2>&1) && rc=0 || rc=$?
check "inline password in a 0644 file is refused" 2 "$rc"
check "the refusal says chmod 600" yes "$(grep -q 'chmod 600' "$out/i1.txt" && echo yes || echo no)"
check "the refusal does not echo the password" 0 "$(grep -c -- "$secret" "$out/i1.txt")"
chmod 0600 inline/flux.yaml
(cd inline && "$flux" connections test w > "$out/i2.txt" 2>&1) && rc=0 || rc=$?
check "inline password at 0600 logs in" 0 "$rc"

# a bad file: file:line:col
mkdir -p bad
printf 'connections:\n  w:\n    type: mysqll\n' > bad/flux.yaml
(cd bad && "$flux" connections list > "$out/b1.txt" 2>&1) && rc=0 || rc=$?
check "bad type fails" 2 "$rc"
check "did you mean" yes "$(grep -q "help: did you mean 'mysql'?" "$out/b1.txt" && echo yes || echo no)"
check "bad type at file:line:col" yes "$(grep -q 'flux.yaml:3:11: error: connection .w. has unknown type .mysqll.' "$out/b1.txt" && echo yes || echo no)"

check "password nowhere flux printed or wrote" 0 "$(grep -rla -- "$secret" "$out" home 2>/dev/null | wc -l)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
