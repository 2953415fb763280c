#!/usr/bin/env bash
# mysql_op.sh FLUX — the mysql operator against a real MariaDB started here:
# several statements in one transaction, rows affected downstream, a failing
# statement rolls the task back, and the password (given by password_env)
# appears nowhere flux wrote: not in the state store, logs or outputs.
set -euo pipefail
flux=${1:?usage: mysql_op.sh FLUX_BINARY}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-mysqlop.XXXXXX")
cleanup() {
    bash "$here/servers/mariadb.sh" stop "$dir/db" || true
    rm -rf "$dir"
}
trap cleanup EXIT
url=$(bash "$here/servers/mariadb.sh" start "$dir/db")
port=$(cat "$dir/db/port")
sock=$(cat "$dir/db/socket")
cd "$dir"
# a user of our own, with a password that cannot occur by chance in output
mariadb --no-defaults --socket="$sock" -uroot -e \
    "CREATE USER 'loader'@'127.0.0.1' IDENTIFIED BY 'Zq9-s3cret-77'; GRANT ALL ON flux.* TO 'loader'@'127.0.0.1';"
export FLUX_HOME=$dir/home NO_PROGRESS=1 DW_PASSWORD=Zq9-s3cret-77
cat > flux.yaml <<YAML
connections:
  warehouse:
    type: mysql
    host: 127.0.0.1
    port: $port
    user: loader
    database: flux
    password_env: DW_PASSWORD
YAML
cat > p.flux <<'FLUX'
pipeline dw {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task setup : mysql {
        conn = "warehouse"
        sql  = "CREATE TABLE IF NOT EXISTS loads (ds DATE, n INT)"
    }
    task load : mysql {
        conn = "warehouse"
        sql  = """
            INSERT INTO loads VALUES ({{ ds | sql }}, 1);
            INSERT INTO loads VALUES ({{ ds | sql }}, 2);
            UPDATE loads SET n = n + 10 WHERE ds = {{ ds | sql }};
        """
    }
    task report : bash { command = "echo {{ tasks.load.outputs.rows_affected }} > affected.txt" }
    task broken : mysql {
        conn = "warehouse"
        sql  = "INSERT INTO loads VALUES ('2026-01-01', 99); INSERT INTO nowhere VALUES (1)"
    }
    setup >> load >> report
    load >> broken
}
FLUX
pass=0
fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
q() { mariadb --no-defaults --socket="$sock" -uroot -N -B flux -e "$1"; }
"$flux" run p.flux --date 2026-11-02 > out.txt 2>&1 && rc=0 || rc=$?
check "run fails (broken)" 1 "$rc"
check "rows of the interval" "11 12" "$(q "SELECT n FROM loads WHERE ds = '2026-11-02' ORDER BY n" | tr '\n' ' ' | sed 's/ $//')"
check "rows affected read downstream (2 inserts + 2 updates)" 4 "$(cat affected.txt)"
check "broken rolled back" 0 "$(q "SELECT COUNT(*) FROM loads WHERE n = 99")"
check "error in the log" yes "$("$flux" logs 1 broken | grep -q "nowhere" && echo yes || echo no)"
check "password nowhere flux wrote" 0 "$(grep -rla -- "$DW_PASSWORD" home out.txt 2>/dev/null | wc -l)"
DW_PASSWORD=wrong "$flux" run p.flux --date 2026-11-03 > out2.txt 2>&1 || true
check "a wrong password fails the task, says why" yes "$("$flux" logs 2 setup | grep -q "Access denied" && echo yes || echo no)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
