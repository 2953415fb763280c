#!/usr/bin/env bash
# sql_params.sh FLUX [KAFKA_BROKER] — `params` of the mysql and sqlite
# operators, bound to the `?` of one prepared statement: quotes, a
# backslash and a "'); DROP TABLE" payload stored verbatim, numbers,
# booleans and null by type, a templated value, SELECT rows in the log and
# as the output rows, and clear failures for a count of values unlike the
# placeholders' and for several statements. MariaDB is started here; the
# password (password_env) appears nowhere flux wrote.
set -euo pipefail
flux=${1:?usage: sql_params.sh FLUX_BINARY}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-sqlparams.XXXXXX")
cleanup() {
    bash "$here/servers/mariadb.sh" stop "$dir/db" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
bash "$here/servers/mariadb.sh" start "$dir/db" >/dev/null
port=$(cat "$dir/db/port")
sock=$(cat "$dir/db/socket")
cd "$dir"
export DB_PASSWORD='Pq2-b1nd-s3cret-58'
mariadb --no-defaults --socket="$sock" -uroot -e \
    "CREATE USER 'binder'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD'; GRANT ALL ON flux.* TO 'binder'@'127.0.0.1';"
export FLUX_HOME=$dir/home NO_PROGRESS=1
cat > flux.yaml <<YAML
connections:
  dw:
    type: mysql
    host: 127.0.0.1
    port: $port
    user: binder
    database: flux
    password_env: DB_PASSWORD
  lite:
    type: sqlite
    path: $dir/lite.db
YAML
cat > p.flux <<'FLUX'
pipeline binds {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    params {
        text = "a\\b it's \"q\" \\' x"
    }
    task setup : mysql {
        conn = "dw"
        sql  = "CREATE TABLE notes (id INT AUTO_INCREMENT PRIMARY KEY, body TEXT, n INT, x DOUBLE, flag BOOL, gone TEXT, ds DATE)"
    }
    task quoted : mysql {
        conn   = "dw"
        sql    = "INSERT INTO notes (body, n, x, flag, ds) VALUES (?, ?, ?, ?, ?)"
        params = ["""it's "quoted" \ back""", 42, 2.5, true, "{{ ds }}"]
    }
    task evil : mysql {
        conn   = "dw"
        sql    = "INSERT INTO notes (body, n) VALUES (?, 7);"
        params = ["'); DROP TABLE notes; --"]
    }
    task semi : mysql {
        conn   = "dw"
        sql    = "INSERT INTO notes (body, n) VALUES (CONCAT(?, ';x'), 8) -- a comment; still one statement"
        params = ["a"]
    }
    task sel : mysql {
        conn   = "dw"
        sql    = "SELECT body, n, gone FROM notes WHERE n >= ? ORDER BY id"
        params = [7]
    }
    task use_sel : bash { command = "echo {{ tasks.sel.outputs.rows }} {{ tasks.quoted.outputs.rows_affected }} > rows.txt" }
    task mismatch : mysql {
        conn   = "dw"
        sql    = "INSERT INTO notes (body, n) VALUES (?, ?)"
        params = ["one"]
    }
    task several : mysql {
        conn   = "dw"
        sql    = "INSERT INTO notes (body) VALUES (?); DELETE FROM notes"
        params = ["x"]
    }
    task strict : mysql {
        conn   = "dw"
        sql    = "INSERT INTO notes (body, n) VALUES ('strict', ?)"
        params = ["not a number"]
    }
    task lsetup : sqlite {
        conn = "lite"
        sql  = "CREATE TABLE notes (body TEXT, n INTEGER, x REAL, gone)"
    }
    task lquoted : sqlite {
        conn   = "lite"
        sql    = "INSERT INTO notes (body, n, x) VALUES (?, ?, ?)"
        params = ["""it's "quoted" \ back""", 42, 2.5]
    }
    task levil : sqlite {
        conn   = "lite"
        sql    = "INSERT INTO notes (body, n) VALUES (?, 7)"
        params = ["'); DROP TABLE notes; --"]
    }
    task lsel : sqlite {
        conn   = "lite"
        sql    = "SELECT body, n FROM notes WHERE n > ? ORDER BY n"
        params = [0]
    }
    task lmismatch : sqlite {
        conn   = "lite"
        sql    = "SELECT ?"
        params = [1, 2]
    }
    task lseveral : sqlite {
        conn   = "lite"
        sql    = "SELECT ?; SELECT 2"
        params = [1]
    }
    setup >> quoted >> evil >> semi >> sel >> use_sel
    sel >> [mismatch, several, strict]
    lsetup >> lquoted >> levil >> lsel >> [lmismatch, lseveral]
    task filtered : mysql {
        conn = "dw"
        sql  = "CREATE TABLE filtered (body TEXT); INSERT INTO filtered VALUES ({{ params.text | sql }})"
    }
    task lfiltered : sqlite {
        conn = "lite"
        sql  = "CREATE TABLE filtered (body TEXT); INSERT INTO filtered VALUES ({{ params.text | sql }})"
    }
}
FLUX
pass=0
fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
q() { mariadb --no-defaults --socket="$sock" -uroot -N -B -r flux -e "$1"; }
state() { "$flux" tasks 1 --format json | jq -r --arg t "$1" '[.task_instances[] | select(.task == $t)] | last | .state'; }
has() { "$flux" logs 1 "$1" | grep -qF -- "$2" && echo yes || echo no; }

"$flux" run p.flux --date 2026-11-02 > out.txt 2>&1 && rc=0 || rc=$?
check "run fails (the failing tasks)" 1 "$rc"
[ "$rc" = 1 ] || cat out.txt
for t in setup quoted evil semi sel use_sel lsetup lquoted levil lsel filtered lfiltered; do check "$t succeeds" success "$(state $t)"; done
for t in mismatch several strict lmismatch lseveral; do check "$t fails" failed "$(state $t)"; done

# MariaDB
check "quotes and backslash verbatim" "it's \"quoted\" \\ back" "$(q "SELECT body FROM notes WHERE n = 42")"
check "int, double, bool, templated date" "42 2.5 1 2026-11-02" \
    "$(q "SELECT n, x, flag, ds FROM notes WHERE n = 42" | tr '\t' ' ')"
check "DROP TABLE payload stored verbatim" "'); DROP TABLE notes; --" "$(q "SELECT body FROM notes WHERE n = 7")"
check "';' inside quotes and a comment" "a;x" "$(q "SELECT body FROM notes WHERE n = 8")"
check "table still there, three rows" 3 "$(q "SELECT COUNT(*) FROM notes")"
check "SELECT rows and rows_affected downstream" "3 1" "$(cat rows.txt)"
check "SELECT rows in the log" yes "$(has sel "| '); DROP TABLE notes; --	7	NULL")"
check "mismatch said" yes "$(has mismatch "the SQL has 2 placeholders but params gives 1 value")"
check "several said" yes "$(has several "with params the SQL must be exactly one statement (it holds several)")"
check "strict mode: a string for an INT fails" yes "$(has strict "Incorrect integer value")"
check "strict: nothing kept" 0 "$(q "SELECT COUNT(*) FROM notes WHERE body = 'strict'")"
check "the sql filter quotes for MySQL: bytes verbatim" "a\\b it's \"q\" \\' x" "$(q "SELECT body FROM filtered")"

# SQLite
l() { sqlite3 lite.db "$1"; }
check "sqlite: quotes verbatim" "it's \"quoted\" \\ back|42|2.5|1" "$(l "SELECT body, n, x, gone IS NULL FROM notes WHERE n = 42")"
check "sqlite: payload verbatim" "'); DROP TABLE notes; --" "$(l "SELECT body FROM notes WHERE n = 7")"
check "sqlite: rows output" yes "$(has lsel "::output rows=2")"
check "sqlite: rows in the log" yes "$(has lsel "| '); DROP TABLE notes; --	7")"
check "sqlite: mismatch said" yes "$(has lmismatch "the SQL has 1 placeholder but params gives 2 values")"
check "sqlite: the sql filter quotes for SQLite: bytes verbatim" "a\\b it's \"q\" \\' x" "$(l "SELECT body FROM filtered")"
check "sqlite: several said" yes "$(has lseveral "with params the SQL must be exactly one statement (it holds several)")"

# null (the language has no null literal, a rendered list can hold one):
# bound as SQL NULL, given straight to `flux __op`
jq -n '{conn: "dw", sql: "INSERT INTO notes (body, n, gone) VALUES (?, ?, ?)", params: [null, 9, "x"],
        __run: {task: "direct"}}' > direct.json
"$flux" __op mysql direct.json > direct.log 2>&1 && rc=0 || rc=$?
check "null: exit 0" 0 "$rc"
check "null bound as NULL" "1 x" "$(q "SELECT body IS NULL, gone FROM notes WHERE n = 9" | tr '\t' ' ')"
jq -n '{conn: "lite", sql: "INSERT INTO notes (body, n, gone) VALUES (?, ?, ?)", params: [null, 9, false],
        __run: {task: "direct"}}' > direct.json
"$flux" __op sqlite direct.json >> direct.log 2>&1 && rc=0 || rc=$?
check "sqlite null: exit 0" 0 "$rc"
check "sqlite: null bound as NULL, false as 0" "1|0" "$(l "SELECT body IS NULL, gone FROM notes WHERE n = 9")"
jq -n '{conn: "lite", sql: "SELECT ?", params: [{"a": 1}], __run: {task: "direct"}}' > direct.json
"$flux" __op sqlite direct.json > map.log 2>&1 && rc=0 || rc=$?
check "a map in params: bad task" 2 "$rc"
check "a map in params: said" yes "$(grep -qF "params[0] is a map: give strings, numbers, booleans or null" map.log && echo yes || echo no)"

check "password nowhere flux wrote" 0 "$(grep -rlaF -- "$DB_PASSWORD" home out.txt rows.txt lite.db direct.log 2>/dev/null | wc -l)"
# under ASan/UBSan builds: no report in any log, failing tasks' included
check "no sanitizer report" 0 "$(grep -rlaE 'Sanitizer|runtime error' home out.txt direct.log map.log 2>/dev/null | wc -l)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
