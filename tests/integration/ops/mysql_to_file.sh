#!/usr/bin/env bash
# mysql_to_file.sh FLUX [KAFKA_BROKER] — the mysql_to_file operator against a
# real MariaDB started here: CSV and JSON Lines files byte-exact against
# expected files (quoting, NULL against an empty string, decimals, doubles,
# DATETIME as ISO 8601 UTC, binary as base64, unsigned BIGINT beyond int64),
# another delimiter without header, counts and lineage, a failing query that
# leaves the previous file as it was, and the password nowhere.
set -euo pipefail
flux=${1:?usage: mysql_to_file.sh FLUX_BINARY [KAFKA_BROKER]}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-m2f.XXXXXX")
cleanup() {
    bash "$here/servers/mariadb.sh" stop "$dir/db" >/dev/null 2>&1 || true
    [ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
bash "$here/servers/mariadb.sh" start "$dir/db" >/dev/null
port=$(cat "$dir/db/port")
sock=$(cat "$dir/db/socket")
cd "$dir"
secret='Pw4-m2f-s3cret-58'
mariadb --no-defaults --socket="$sock" -uroot -e \
    "CREATE USER 'reader'@'127.0.0.1' IDENTIFIED BY '$secret'; GRANT ALL ON flux.* TO 'reader'@'127.0.0.1';"
export FLUX_HOME=$dir/home NO_PROGRESS=1 SRC_PASSWORD=$secret
cat > flux.yaml <<YAML
connections:
  src:
    type: mysql
    host: 127.0.0.1
    port: $port
    user: reader
    database: flux
    password_env: SRC_PASSWORD
YAML
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
q() { mariadb --no-defaults --socket="$sock" -uroot -N -B flux -e "$1"; }
state_of() { "$flux" tasks "$1" --format json | jq -r --arg t "$2" '[.task_instances[] | select(.task == $t)] | last | .state'; }
lineage() { "$flux" logs "$1" "$2" | sed -n 's/^::lineage //p'; }

q "CREATE TABLE t (id INT, name VARCHAR(20), amount DECIMAL(8,2), f DOUBLE, ts DATETIME(3), d DATE, note TEXT,
                   b VARBINARY(4), big BIGINT UNSIGNED);
   INSERT INTO t VALUES
     (1, 'ann', 12.50, 0.1, '2026-11-02 10:00:00.123', '2026-11-02', 'say \"hi\", ok', 'abc', 18446744073709551615),
     (2, 'b;c', NULL, 1e300, NULL, NULL, 'two\nlines', '', 5),
     (3, '', 0.00, -2.5, '2026-11-02 00:00:00', NULL, NULL, X'FF00', 0),
     (4, 'héhé', -7.25, 3, '1999-12-31 23:59:59.5', '1999-12-31', 'tab\there', NULL, NULL);"

sql='SELECT id, name, amount, f, ts, d, note, b, big FROM t ORDER BY id'
cat > p.flux <<FLUX
pipeline exports {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task csv : mysql_to_file {
        source = "src"
        sql    = "$sql"
        path   = "out/{{ ds }}/t.csv"
    }
    task jsonl : mysql_to_file {
        source = "src"
        sql    = "$sql"
        path   = "out/{{ ds }}/t.jsonl"
    }
    task semi : mysql_to_file {
        source    = "src"
        sql       = "SELECT id, name FROM t ORDER BY id"
        path      = "out/{{ ds }}/t.txt"
        format    = csv
        header    = false
        delimiter = ";"
    }
}
FLUX
"$flux" run p.flux --date 2026-11-02 > out1.txt 2>&1 && rc=0 || rc=$?
check "run succeeds" 0 "$rc"
[ "$rc" -eq 0 ] || cat out1.txt
printf '%s\n' \
    'id,name,amount,f,ts,d,note,b,big' \
    '1,ann,12.5,0.1,2026-11-02T10:00:00.123Z,2026-11-02,"say ""hi"", ok",abc,18446744073709551615' \
    '2,b;c,,1e+300,,,"two' \
    'lines","",5' \
    '3,"",0.0,-2.5,2026-11-02T00:00:00.000Z,,,/wA=,0' \
    "4,héhé,-7.25,3.0,1999-12-31T23:59:59.500Z,1999-12-31,tab	here,," > want.csv
check "csv byte-exact" "$(sha256sum < want.csv)" "$(sha256sum < out/2026-11-02/t.csv)"
cmp want.csv out/2026-11-02/t.csv || diff want.csv out/2026-11-02/t.csv || true
printf '%s\n' \
    '{"id":1,"name":"ann","amount":12.5,"f":0.1,"ts":"2026-11-02T10:00:00.123Z","d":"2026-11-02","note":"say \"hi\", ok","b":"abc","big":"18446744073709551615"}' \
    '{"id":2,"name":"b;c","amount":null,"f":1e+300,"ts":null,"d":null,"note":"two\nlines","b":"","big":5}' \
    '{"id":3,"name":"","amount":0.0,"f":-2.5,"ts":"2026-11-02T00:00:00.000Z","d":null,"note":null,"b":"/wA=","big":0}' \
    '{"id":4,"name":"héhé","amount":-7.25,"f":3.0,"ts":"1999-12-31T23:59:59.500Z","d":"1999-12-31","note":"tab\there","b":null,"big":null}' \
    > want.jsonl
check "jsonl byte-exact" "$(sha256sum < want.jsonl)" "$(sha256sum < out/2026-11-02/t.jsonl)"
cmp want.jsonl out/2026-11-02/t.jsonl || diff want.jsonl out/2026-11-02/t.jsonl || true
printf '1;ann\n2;"b;c"\n3;""\n4;héhé\n' > want.txt
# sha256sum, not $(cat): command substitution drops trailing newlines
check "another delimiter, no header: byte-exact" "$(sha256sum < want.txt)" "$(sha256sum < out/2026-11-02/t.txt)"
check "no temp file left" "t.csv t.jsonl t.txt" "$(ls out/2026-11-02 | tr '\n' ' ' | sed 's/ $//')"
check "counts" "::counts read=4 written=4 rejected=0 bytes=$(stat -c %s out/2026-11-02/t.csv)" \
    "$("$flux" logs 1 csv | grep '^::counts')"
check "lineage read: the query" "read query src $(printf '%s' "$sql" | sha256sum | cut -d' ' -f1) 4" \
    "$(lineage 1 csv | jq -r 'select(.direction == "read") | "\(.direction) \(.kind) \(.name) \(.detail.sql_sha256) \(.detail.rows)"')"
check "lineage write: the file" \
    "write file $dir/out/2026-11-02/t.jsonl $(stat -c %s out/2026-11-02/t.jsonl) $(sha256sum < out/2026-11-02/t.jsonl | cut -d' ' -f1) 4" \
    "$(lineage 1 jsonl | jq -r 'select(.direction == "write") | "\(.direction) \(.kind) \(.name) \(.detail.size) \(.detail.sha256) \(.detail.records)"')"
check "output rows" "::output rows=4" "$("$flux" logs 1 csv | grep '^::output rows=')"

# a rerun replaces the file whole; a failing query leaves it as it was
q "DELETE FROM t WHERE id > 1"
cat > p2.flux <<'FLUX'
pipeline again {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task again : mysql_to_file {
        source = "src"
        sql    = "SELECT id FROM t ORDER BY id"
        path   = "out/2026-11-02/t.txt"
        format = csv
    }
    task broken : mysql_to_file {
        source = "src"
        sql    = "SELECT nope FROM t"
        path   = "out/2026-11-02/t.jsonl"
    }
    task notquery : mysql_to_file {
        source = "src"
        sql    = "UPDATE t SET id = id"
        path   = "out/2026-11-02/t.csv"
    }
}
FLUX
"$flux" run p2.flux --date 2026-11-03 > out2.txt 2>&1 || true
check "rerun replaced the file whole" "$(printf 'id\n1\n' | sha256sum)" "$(sha256sum < out/2026-11-02/t.txt)"
check "failing query: task failed" failed "$(state_of 2 broken)"
check "failing query: the server's message" 1 "$("$flux" logs 2 broken | grep -c "Unknown column 'nope'")"
check "failing query: file unchanged" "$(sha256sum < want.jsonl)" "$(sha256sum < out/2026-11-02/t.jsonl)"
check "not a query: says so" 1 "$("$flux" logs 2 notquery | grep -c "returns no rows")"
check "not a query: file unchanged" "$(sha256sum < want.csv)" "$(sha256sum < out/2026-11-02/t.csv)"
check "password nowhere flux wrote" 0 "$(grep -rla -- "$secret" home out out1.txt out2.txt 2>/dev/null | wc -l)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
