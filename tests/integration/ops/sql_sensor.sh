#!/usr/bin/env bash
# sql_sensor.sh FLUX [KAFKA_BROKER] — one poke of sql_sensor per process
# (`flux __op sql_sensor FIELDS.json`), against a real MariaDB started here
# and a SQLite file: 0 when the first value is true, 100 when it is false
# (NULL, empty, 0) or there is no row, 1 with fail_on_empty or an SQL error,
# 101 when the server cannot be reached; the password (password_env)
# appears nowhere flux wrote. With the runner's poke processes, end to end:
# a row appearing, the server stopped and restarted during the wait, a
# timeout.
set -euo pipefail
flux=${1:?usage: sql_sensor.sh FLUX_BINARY}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-sqlsensor.XXXXXX")
cleanup() {
    bash "$here/servers/mariadb.sh" stop "$dir/db" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
bash "$here/servers/mariadb.sh" start "$dir/db" >/dev/null
port=$(cat "$dir/db/port")
sock=$(cat "$dir/db/socket")
cd "$dir"
export DB_PASSWORD='Wk4-s3nsor-pw-93'
setup_db() {
    sock=$(cat "$dir/db/socket")
    mariadb --no-defaults --socket="$sock" -uroot -e \
        "CREATE USER 'watcher'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD'; GRANT ALL ON flux.* TO 'watcher'@'127.0.0.1';
         CREATE TABLE flux.marks (ds DATE, v VARCHAR(20), b BIT(1));"
}
setup_db
export FLUX_HOME=$dir/home NO_PROGRESS=1
cat > flux.yaml <<YAML
connections:
  dw:
    type: mysql
    host: 127.0.0.1
    port: $port
    user: watcher
    database: flux
    password_env: DB_PASSWORD
  lite:
    type: sqlite
    path: $dir/lite.db
  web:
    type: http
    host: 127.0.0.1
YAML
pass=0
fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
q() { mariadb --no-defaults --socket="$sock" -uroot -N -B flux -e "$1"; }
# poke CONN SQL [FAIL_ON_EMPTY] — one poke; prints the exit status, keeps
# the log in poke.log (appended to all.log for the password check)
poke() {
    jq -n --arg c "$1" --arg s "$2" --argjson f "${3:-false}" \
        '{conn: $c, sql: $s, fail_on_empty: $f, __run: {pipeline: "p", run_id: "1", task: "wait", try: 1, ti: 0,
          interval_start: "2026-11-02T00:00:00Z", interval_end: "2026-11-03T00:00:00Z"}}' > fields.json
    local rc=0
    "$flux" __op sql_sensor fields.json > poke.log 2>&1 || rc=$?
    cat poke.log >> all.log
    echo $rc
}
said() { grep -qF -- "$1" poke.log && echo yes || echo no; }

# ---- MariaDB ----
check "mysql: no row" 100 "$(poke dw "SELECT v FROM marks WHERE ds = '2026-11-02'")"
check "mysql: no row is said" yes "$(said 'the query returned no row: not yet')"
check "mysql: no row, fail_on_empty" 1 "$(poke dw "SELECT v FROM marks WHERE ds = '2026-11-02'" true)"
check "mysql: fail_on_empty is said" yes "$(said 'the query returned no row, and fail_on_empty is set')"
check "mysql: COUNT 0 is false" 100 "$(poke dw "SELECT COUNT(*) FROM marks")"
check "mysql: NULL is false" 100 "$(poke dw "SELECT NULL")"
check "mysql: '' is false" 100 "$(poke dw "SELECT ''")"
check "mysql: 0.00 is false" 100 "$(poke dw "SELECT 0.00")"
check "mysql: a false value is said" yes "$(said "first value '0.00': not yet (NULL, empty and 0 are false)")"
q "INSERT INTO marks VALUES ('2026-11-02', 'done', b'0')"
check "mysql: BIT 0 is false" 100 "$(poke dw "SELECT b FROM marks")"
check "mysql: a row appeared" 0 "$(poke dw "SELECT v FROM marks WHERE ds = '2026-11-02'")"
check "mysql: met is said" yes "$(said "first value 'done': condition met")"
check "mysql: COUNT 1 is true" 0 "$(poke dw "SELECT COUNT(*) >= 1 FROM marks")"
check "mysql: session in UTC" 0 "$(poke dw "SELECT @@session.time_zone = '+00:00'")"
check "mysql: SQL error fails" 1 "$(poke dw "SELECT nope FROM marks")"
check "mysql: SQL error said" yes "$(said "Unknown column 'nope'")"
check "mysql: missing table fails" 1 "$(poke dw "SELECT 1 FROM nowhere")"
check "mysql: a statement without result is a bad task" 2 "$(poke dw "DO 1")"
check "http connection is a bad task" 2 "$(poke web "SELECT 1")"
check "bad type said" yes "$(said "connection 'web' is of type http; sql_sensor queries mysql or sqlite")"
DB_PASSWORD=wrong-one
check "mysql: wrong password: poke later" 101 "$(poke dw "SELECT 1")"
check "mysql: wrong password said" yes "$(said "Access denied for user 'watcher'")"
DB_PASSWORD='Wk4-s3nsor-pw-93'
bash "$here/servers/mariadb.sh" stop "$dir/db" >/dev/null
start=$(date +%s)
check "mysql: server down: poke later" 101 "$(poke dw "SELECT 1")"
check "mysql: server down said" yes "$(said "cannot connect to 'dw' (127.0.0.1:$port)")"
check "mysql: server down poke is short" yes "$([ $(($(date +%s) - start)) -le 6 ] && echo yes || echo no)"

# ---- SQLite ----
check "sqlite: no file yet: poke later" 101 "$(poke lite "SELECT 1")"
check "sqlite: the sensor created no file" no "$([ -e lite.db ] && echo yes || echo no)"
sqlite3 lite.db "CREATE TABLE marks (ds TEXT, v)"
check "sqlite: no row" 100 "$(poke lite "SELECT v FROM marks")"
check "sqlite: no row, fail_on_empty" 1 "$(poke lite "SELECT v FROM marks" true)"
sqlite3 lite.db "INSERT INTO marks VALUES ('2026-11-02', 0)"
check "sqlite: 0 is false" 100 "$(poke lite "SELECT v FROM marks")"
sqlite3 lite.db "UPDATE marks SET v = '0.0'"
check "sqlite: '0.0' is false" 100 "$(poke lite "SELECT v FROM marks")"
sqlite3 lite.db "UPDATE marks SET v = 'ready'"
check "sqlite: text is true" 0 "$(poke lite "SELECT v FROM marks WHERE ds = '2026-11-02'")"
check "sqlite: SQL error fails" 1 "$(poke lite "SELECT v FROM nowhere")"
check "sqlite: SQL error said" yes "$(said "no such table: nowhere")"
check "sqlite: two statements: bad task" 2 "$(poke lite "SELECT 1; SELECT 2")"

# ---- end to end: the runner pokes a process every second, no slot held ----
# The server was stopped above; mariadb.sh starts afresh (new data, user
# and table made again) on another port, so flux.yaml is rewritten: each
# poke process reads it anew.
restart_db() {
    bash "$here/servers/mariadb.sh" start "$dir/db" >/dev/null
    setup_db
    port=$(cat "$dir/db/port")
    sed "s/^    port: .*/    port: $port/" flux.yaml > flux.yaml.new && mv flux.yaml.new flux.yaml
}
restart_db
cat > p.flux <<'FLUX'
pipeline watch {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task wait : sql_sensor {
        conn          = "dw"
        sql           = "SELECT COUNT(*) FROM marks WHERE ds = '{{ ds }}'"
        poke_interval = 1s
        timeout       = 40s
    }
    task after : bash { command = "echo ran > after-{{ ds }}.txt" }
    wait >> after
}
FLUX
state() { "$flux" tasks "$1" --format json | jq -r --arg t "$2" '[.task_instances[] | select(.task == $t)] | last | .state'; }
logged() { "$flux" logs "$1" "$2" 2>&1 | grep -qF -- "$3" && echo yes || echo no; }
run_id() { "$flux" runs --format json | jq -r --arg d "$1" '[.[] | select(.run_id | contains($d))] | .[0].id'; }

# a row appears while the sensor waits
"$flux" run p.flux --date 2026-11-05 > run1.txt 2>&1 &
runner=$!
sleep 2.5
q "INSERT INTO marks VALUES ('2026-11-05', 'x', b'1')"
wait "$runner" && rc=0 || rc=$?
r=$(run_id 2026-11-05)
check "e2e appear: run succeeds" 0 "$rc"
check "e2e appear: sensor success" success "$(state "$r" wait)"
[ "$rc" = 0 ] || { cat run1.txt; "$flux" logs "$r" wait | tail -5; }
check "e2e appear: downstream ran" ran "$(cat after-2026-11-05.txt 2>/dev/null)"
check "e2e appear: waited first" yes "$(logged "$r" wait "first value '0': not yet")"
check "e2e appear: then met" yes "$(logged "$r" wait "first value '1': condition met")"

# the server goes away during the wait: the sensor keeps waiting, then
# succeeds once it is back
"$flux" run p.flux --date 2026-11-06 > run2.txt 2>&1 &
runner=$!
sleep 1.5
bash "$here/servers/mariadb.sh" stop "$dir/db" >/dev/null
sleep 2.5
check "e2e outage: still waiting" yes "$(kill -0 "$runner" 2>/dev/null && echo yes || echo no)"
restart_db
q "INSERT INTO marks VALUES ('2026-11-06', 'x', b'1')"
wait "$runner" && rc=0 || rc=$?
r=$(run_id 2026-11-06)
check "e2e outage: run succeeds" 0 "$rc"
check "e2e outage: sensor success" success "$(state "$r" wait)"
[ "$rc" = 0 ] || { cat run2.txt; "$flux" logs "$r" wait | tail -5; }
check "e2e outage: the log says why it could not poke" yes "$(logged "$r" wait "cannot connect to 'dw'")"
check "e2e outage: then met" yes "$(logged "$r" wait "condition met")"

# nothing comes: the sensor's timeout fails it, saying so
sed -i 's/timeout       = 40s/timeout       = 3s/' p.flux
"$flux" run p.flux --date 2026-11-07 > run3.txt 2>&1 && rc=0 || rc=$?
r=$(run_id 2026-11-07)
check "e2e timeout: run fails" 1 "$rc"
check "e2e timeout: sensor failed" failed "$(state "$r" wait)"
check "e2e timeout: said" yes "$(grep -qE "(sensor )?timed out after 3s" run3.txt && echo yes || echo no)"
check "e2e timeout: downstream did not run" no "$([ -e after-2026-11-07.txt ] && echo yes || echo no)"
cat run1.txt run2.txt run3.txt >> all.log

check "password nowhere flux wrote" 0 "$(grep -rlaF -- "$DB_PASSWORD" . --exclude=flux.yaml --exclude-dir=db 2>/dev/null | wc -l)"
# under ASan/UBSan builds: no report in any log, failing tasks' included
check "no sanitizer report" 0 "$(grep -rlaE 'Sanitizer|runtime error' all.log home 2>/dev/null | wc -l)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
