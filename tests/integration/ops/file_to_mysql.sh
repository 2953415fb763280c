#!/usr/bin/env bash
# file_to_mysql.sh FLUX [KAFKA_BROKER] — the file_to_mysql operator against a
# real MariaDB started here: CSV and JSON Lines loads with exact table
# content; bad records (malformed JSON, a CSV row short of a field, "abc" into
# INT, too long for VARCHAR(5), NULL into NOT NULL, a missing JSON path) each
# rejected with its reason and line, counts reconciling; a glob; a rerun of
# replace_interval without duplicates; MariaDB killed in the middle of a 300k
# row load and the retry ending with exactly the source; the password nowhere.
set -euo pipefail
flux=${1:?usage: file_to_mysql.sh FLUX_BINARY [KAFKA_BROKER]}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-f2m.XXXXXX")
cleanup() {
    bash "$here/servers/mariadb.sh" stop "$dir/db" >/dev/null 2>&1 || true
    [ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
bash "$here/servers/mariadb.sh" start "$dir/db" >/dev/null
port=$(cat "$dir/db/port")
sock=$(cat "$dir/db/socket")
cd "$dir"
secret='Xk7-f2m-s3cret-91'
mariadb --no-defaults --socket="$sock" -uroot -e \
    "CREATE USER 'loader'@'127.0.0.1' IDENTIFIED BY '$secret'; GRANT ALL ON flux.* TO 'loader'@'127.0.0.1';"
export FLUX_HOME=$dir/home NO_PROGRESS=1 DW_PASSWORD=$secret
cat > flux.yaml <<YAML
connections:
  dw:
    type: mysql
    host: 127.0.0.1
    port: $port
    user: loader
    database: flux
    password_env: DW_PASSWORD
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
tasks_json() { "$flux" tasks "$1" --format json; }
state_of() { tasks_json "$1" | jq -r --arg t "$2" '[.task_instances[] | select(.task == $t)] | last | .state'; }
tries_of() { tasks_json "$1" | jq -r --arg t "$2" '[.task_instances[] | select(.task == $t)] | length'; }
counts_of() { # RUN TASK: the ::counts line of its last try
    "$flux" logs "$1" "$2" | sed -n 's/^::counts read=\([0-9]*\) written=\([0-9]*\) rejected=\([0-9]*\) .*/\1 \2 \3/p' | tail -1
}

q "CREATE TABLE people (id INT NOT NULL PRIMARY KEY, name VARCHAR(5) NOT NULL, score DECIMAL(5,2),
                        born DATE NOT NULL, seen DATETIME(3), tags JSON);
   CREATE TABLE people_j LIKE people;
   CREATE TABLE parts (k INT NOT NULL, v VARCHAR(10));
   CREATE TABLE events (ts DATETIME(3) NOT NULL, n INT NOT NULL);
   INSERT INTO events VALUES ('2026-11-01 23:59:59.999', 1), ('2026-11-02 05:00:00', 99), ('2026-11-03 00:00:00', 3);"

mkdir -p in
# CSV: a BOM, CRLF, quotes, an embedded newline, NULL as an empty field
printf '\xef\xbb\xbfid,name,score,born,seen,tags\r\n' > in/people.csv
cat >> in/people.csv <<'CSV'
1,ann,12.50,2026-11-02,2026-11-02T10:00:00+02:00,"{""a"": [1, 2]}"
2,"b,o",,2026-11-03,1700000000.5,
abc,carl,1,2026-11-02,,
4,toolong,1,2026-11-02,,
5,eve,1.5
6,fay,2,,,
7,"g
h",-0.5,2026-11-04,2026-11-04 12:00:00.25,[]
8,héhé,999.99,2026-11-05,2026-11-05T00:00:00Z,null
CSV
cat > in/people.jsonl <<'JSONL'
{"id": 1, "who": {"name": "ann"}, "score": 12.5, "born": "2026-11-02", "seen": "2026-11-02T08:00:00Z", "tags": {"x": 0.1}}

{not json
{"id": 2, "who": {}, "score": 1, "born": "2026-11-02", "seen": 1700000000}
{"id": "x", "who": {"name": "bo"}, "score": 1, "born": "2026-11-02", "seen": null, "tags": 1}
{"id": 3, "who": {"name": "cy"}, "score": null, "born": null, "seen": null, "tags": null}
{"id": 4, "who": {"name": "dee"}, "score": 999.999, "born": "2026-11-02", "seen": null, "tags": []}
{"id": 5, "who": {"name": "eve"}, "score": "-3", "born": "2026-11-05", "seen": "2026-11-05T23:30:00-01:00", "tags": "s"}
JSONL
printf '{"k": 1, "v": "one"}\n{"k": 2, "v": "two"}\n' > in/part-1.jsonl
printf '{"k": 3, "v": "three"}\n' > in/part-2.jsonl
printf 'ts;n\n2026-11-02T00:00:00Z;10\n2026-11-02T23:59:59.999Z;20\n' > in/events.csv

cat > p.flux <<'FLUX'
pipeline loads {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task csv : file_to_mysql {
        path        = "in/people.csv"
        target      = "dw"
        table       = "people"
        batch_size  = 2
        reject_file = "rejects/csv.jsonl"
    }
    task jsonl : file_to_mysql {
        path        = "in/people.jsonl"
        target      = "dw"
        table       = "flux.people_j"
        columns     = { id = "$.id", name = "$.who.name", score = "$.score", born = "$.born", seen = "$.seen", tags = "tags" }
        reject_file = "rejects/jsonl.jsonl"
    }
    task glob : file_to_mysql {
        path   = "in/part-*.jsonl"
        target = "dw"
        table  = "parts"
    }
    task events : file_to_mysql {
        path        = "in/events.csv"
        delimiter   = ";"
        target      = "dw"
        table       = "events"
        mode        = replace_interval
        time_column = "ts"
    }
    task report : bash { command = "echo {{ tasks.csv.outputs.rows_loaded }} {{ tasks.jsonl.outputs.rows_loaded }} > loaded.txt" }
    [csv, jsonl] >> report
}
FLUX
mkdir -p rejects
"$flux" run p.flux --date 2026-11-02 > out1.txt 2>&1 && rc=0 || rc=$?
check "first run succeeds" 0 "$rc"
[ "$rc" -eq 0 ] || cat out1.txt
check "csv table content" \
"1	ann	12.50	2026-11-02	2026-11-02 08:00:00.000	{\"a\":[1,2]}
2	b,o	NULL	2026-11-03	2023-11-14 22:13:20.500	NULL
7	g
h	-0.50	2026-11-04	2026-11-04 12:00:00.250	[]
8	héhé	999.99	2026-11-05	2026-11-05 00:00:00.000	null" \
    "$(q "SELECT id, name, score, born, seen, tags FROM people ORDER BY id" | sed 's/\\n/\n/g')"
check "csv rejects: reasons and lines" \
"4	column 'id': 'abc' is not an integer (int(11))
5	column 'name': 7 characters, longer than varchar(5)
6	3 fields, the header has 6
7	column 'born': null, but the column is NOT NULL" \
    "$(jq -r '"\(.where.line)\t\(.reason)"' rejects/csv.jsonl)"
check "csv reject keeps the record and file" "abc,carl,1,2026-11-02,,|in/people.csv" \
    "$(jq -r 'select(.where.line == 4) | "\(.record)|\(.where.file)"' rejects/csv.jsonl)"
check "csv counts (header not counted)" "8 4 4" "$(counts_of 1 csv)"
check "jsonl table content" \
"1	ann	12.50	2026-11-02	2026-11-02 08:00:00.000	{\"x\":0.1}
5	eve	-3.00	2026-11-05	2026-11-06 00:30:00.000	\"s\"" \
    "$(q "SELECT id, name, score, born, seen, tags FROM people_j ORDER BY id")"
check "jsonl rejects: reasons and lines" \
"3	not JSON: string or '}' expected near 'not' (column 4)
4	missing \$.who.name (column 'name')
5	column 'id': 'x' is not an integer (int(11))
6	column 'born': null, but the column is NOT NULL
7	column 'score': 999.999 has more than 2 decimal places (decimal(5,2))" \
    "$(jq -r '"\(.where.line)\t\(.reason)"' rejects/jsonl.jsonl)"
check "jsonl counts (blank line not counted)" "7 2 5" "$(counts_of 1 jsonl)"
check "rows_loaded outputs downstream" "4 2" "$(cat loaded.txt)"
check "glob: both files in one table" "1 one|2 two|3 three" "$(q "SELECT k, v FROM parts ORDER BY k" | tr '\t\n' ' |' | sed 's/|$//')"
check "glob: lineage names both files" \
"$dir/in/part-1.jsonl 2
$dir/in/part-2.jsonl 1" \
    "$("$flux" logs 1 glob | sed -n 's/^::lineage //p' | jq -r 'select(.direction == "read") | "\(.name) \(.detail.records)"')"
check "glob: lineage of the table" "write table flux.parts 3 dw" \
    "$("$flux" logs 1 glob | sed -n 's/^::lineage //p' | jq -r 'select(.direction == "write") | "\(.direction) \(.kind) \(.name) \(.detail.rows) \(.detail.conn)"')"
sha=$(sha256sum in/part-1.jsonl | cut -d' ' -f1)
check "glob: lineage sha256 and size" "$sha $(stat -c %s in/part-1.jsonl)" \
    "$("$flux" logs 1 glob | sed -n 's/^::lineage //p' | jq -r 'select(.name | endswith("part-1.jsonl")) | "\(.detail.sha256) \(.detail.size)"')"
check "replace_interval: the interval's old row replaced, others kept" \
    "2026-11-01 23:59:59.999 1|2026-11-02 00:00:00.000 10|2026-11-02 23:59:59.999 20|2026-11-03 00:00:00.000 3" \
    "$(q "SELECT ts, n FROM events ORDER BY ts" | tr '\t\n' ' |' | sed 's/|$//')"

# strict UTF-8: a surrogate (ED A0 80) and a code point past U+10FFFF
# (F4 90 80 80) are each rejected with their reason, one record at a time; the
# batch they share with good records still loads (a lax check let them reach
# MariaDB, which refused the whole batch)
q "CREATE TABLE texts (k INT NOT NULL, v VARCHAR(10))"
printf 'k,v\n1,ok\n2,\xed\xa0\x80x\n3,\xf4\x90\x80\x80\n4,\xc3\xa9t\xc3\xa9\n' > in/texts.csv
cat > pu.flux <<'FLUX'
pipeline texts {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task texts : file_to_mysql {
        path        = "in/texts.csv"
        target      = "dw"
        table       = "texts"
        reject_file = "rejects/texts.jsonl"
    }
}
FLUX
# a FLUX_HOME of its own, so the run numbers the checks below use stay as they are
FLUX_HOME=$dir/home-utf8
"$flux" run pu.flux --date 2026-11-02 > outu.txt 2>&1 && rc=0 || rc=$?
check "utf8: the load succeeds with rejects" 0 "$rc"
check "utf8: the good records of the batch are loaded" "1 ok|4 été" "$(q "SELECT k, v FROM texts ORDER BY k" | tr '\t\n' ' |' | sed 's/|$//')"
check "utf8: each bad record rejected with its reason" \
"3	field 2 is not valid UTF-8
4	field 2 is not valid UTF-8" \
    "$(jq -r '"\(.where.line)\t\(.reason)"' rejects/texts.jsonl 2>/dev/null)"
check "utf8: counts reconcile" "4 2 2" "$(counts_of 1 texts)"
FLUX_HOME=$dir/home

# a rerun of the interval: replace_interval does not duplicate
cat > p2.flux <<'FLUX'
pipeline again {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task events : file_to_mysql {
        path        = "in/events.csv"
        delimiter   = ";"
        target      = "dw"
        table       = "events"
        mode        = replace_interval
        time_column = "ts"
    }
    task nothing : file_to_mysql {
        path   = "in/none-*.csv"
        target = "dw"
        table  = "parts"
    }
    task badfield : file_to_mysql {
        path    = "in/people.csv"
        target  = "dw"
        table   = "people"
        columns = { id = "id", name = "nmae" }
    }
    task empty : file_to_mysql {
        path   = "in/empty.csv"
        target = "dw"
        table  = "parts"
    }
    task wrongcol : file_to_mysql {
        path    = "in/part-1.jsonl"
        target  = "dw"
        table   = "people_j"
        columns = { id = "$.k", nmae = "$.v" }
    }
}
FLUX
: > in/empty.csv
"$flux" run p2.flux --date 2026-11-02 > out2.txt 2>&1 || true
check "a mapped field the header lacks: did you mean" 1 \
    "$("$flux" logs 2 badfield | grep -c "in/people.csv: the header has no field 'nmae' (for column 'name'); did you mean 'name'?")"
check "an empty file loads nothing and succeeds" "success ::counts read=0 written=0 rejected=0 bytes=0" \
    "$(state_of 2 empty) $("$flux" logs 2 empty | grep '^::counts')"
check "rerun: events unchanged (no duplicate)" "4 34" "$(q "SELECT COUNT(*), SUM(n) FROM events WHERE ts >= '2026-11-01 23:00' AND ts < '2026-11-04'" | tr '\t' ' ')"
check "rerun: rows_deleted output" "::output rows_deleted=2" "$("$flux" logs 2 events | grep '^::output rows_deleted')"
check "a glob matching nothing fails" failed "$(state_of 2 nothing)"
check "a glob matching nothing says so" 1 "$("$flux" logs 2 nothing | grep -c "no file matches 'in/none-\*.csv'")"
check "unknown column: did you mean" 1 \
    "$("$flux" logs 2 wrongcol | grep -c "table 'people_j' has no column 'nmae' (did you mean 'name'?)")"
check "unknown column: nothing loaded" 2 "$(q "SELECT COUNT(*) FROM people_j")"

# MariaDB killed in the middle of a large load: the try fails, a retry
# reloads everything in one transaction, the table ends equal to the source
awk 'BEGIN { for (i = 1; i <= 300000; i++) printf "%d,name-%d,%d.%02d,2026-11-02T%02d:%02d:%02dZ\n", i, i % 9973, i % 1000, i % 100, i % 24, i % 60, (i * 7) % 60 }' \
    | { echo 'id,name,amount,ts'; cat; } > in/big.csv
q "CREATE TABLE big (id INT NOT NULL PRIMARY KEY, name VARCHAR(20), amount DECIMAL(8,2), ts DATETIME NOT NULL);
   CREATE TABLE big_ref LIKE big;"
cat > p3.flux <<'FLUX'
pipeline bigload {
    schedule    = "@daily"
    start       = "2026-11-01T00:00:00Z"
    task big : file_to_mysql {
        path        = "in/big.csv"
        target      = "dw"
        table       = "big"
        batch_size  = 5000
        retries     = 2
        retry_delay = 1s
    }
}
FLUX
"$flux" run p3.flux --date 2026-11-02 > out3.txt 2>&1 &
runpid=$!
# wait until rows are being loaded, then kill the server without warning
loading=no
for _ in $(seq 400); do
    if q "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'LOAD DATA%'" 2>/dev/null | grep -q '^[1-9]'; then
        loading=yes
        break
    fi
    sleep 0.05
done
check "the load was seen running" yes "$loading"
mpid=$(cat "$dir/db/pid")
kill -9 "$mpid"
# mariadbd is not our child: nothing here reaps it, and a zombie answers
# kill -0 forever, so a zombie counts as gone (as in servers/mariadb.sh); 10 s at most
gone() {
    local state
    state=$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 0
    [ "$state" = Z ]
}
for _ in $(seq 200); do gone "$mpid" && break; sleep 0.05; done
check "the killed server is gone" yes "$(gone "$mpid" && echo yes || echo no)"
# the same data directory, port and socket, as a restarted server would
mariadbd --no-defaults --user=root --datadir="$dir/db/data" --socket="$sock" --port="$port" \
    --bind-address=127.0.0.1 --pid-file="$dir/db/mariadbd.pid" --log-error="$dir/db/error.log" \
    --skip-name-resolve --local-infile=1 --innodb-log-file-size=8M --innodb-buffer-pool-size=64M \
    </dev/null >>"$dir/db/mariadbd.out" 2>&1 &
echo $! > "$dir/db/pid"
for _ in $(seq 300); do
    mariadb-admin --no-defaults --socket="$sock" -uroot --connect-timeout=2 ping >/dev/null 2>&1 && break
    sleep 0.1
done
wait "$runpid" && rc=0 || rc=$?
check "the run ends successfully after a retry" 0 "$rc"
[ "$rc" -eq 0 ] || tail -20 out3.txt
check "the task took more than one try" yes "$([ "$(tries_of 3 big)" -ge 2 ] && echo yes || echo no)"
check "the failed try said the connection was lost" yes \
    "$("$flux" logs 3 big --try 1 | grep -q "lost\|gone away\|Lost connection\|Can't connect" && echo yes || echo no)"
# the reference: the same file loaded by the mariadb client itself
mariadb --no-defaults --socket="$sock" -uroot --local-infile=1 flux -e \
    "LOAD DATA LOCAL INFILE '$dir/in/big.csv' INTO TABLE big_ref FIELDS TERMINATED BY ',' IGNORE 1 LINES
     (id, name, amount, @ts) SET ts = STR_TO_DATE(@ts, '%Y-%m-%dT%H:%i:%sZ')"
sum() { q "SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', id, name, amount, ts))) FROM $1" | tr '\t' ' '; }
check "reference has every row" 300000 "$(q "SELECT COUNT(*) FROM big_ref")"
check "big table equals the source (count, checksum)" "$(sum big_ref)" "$(sum big)"
check "big counts" "300000 300000 0" "$(counts_of 3 big)"

check "password nowhere flux wrote" 0 \
    "$(grep -rla -- "$secret" home rejects out1.txt out2.txt out3.txt loaded.txt 2>/dev/null | wc -l)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
