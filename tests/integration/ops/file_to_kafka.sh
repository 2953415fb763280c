#!/usr/bin/env bash
# file_to_kafka.sh FLUX KAFKA_BROKER — file_to_kafka against the Kafka test
# broker, read back with kcat: every record of a CSV glob becomes one JSON
# message keyed by a field, malformed records land in the reject file with
# their reason and {file, line}, the counts reconcile and are stored, lineage
# names each file and each partition written; JSON Lines with a JSONPath key;
# a key missing from the header, no matching file and a dead broker fail the
# task saying why; the connection's password appears nowhere flux wrote.
set -euo pipefail
flux=${1:?usage: file_to_kafka.sh FLUX_BINARY KAFKA_BROKER_BINARY}
export FLUX_KAFKA_BROKER=${2:?usage: file_to_kafka.sh FLUX_BINARY KAFKA_BROKER_BINARY}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
case $FLUX_KAFKA_BROKER in /*) ;; *) FLUX_KAFKA_BROKER=$PWD/$FLUX_KAFKA_BROKER ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-f2k.XXXXXX")
cleanup() {
    bash "$here/servers/kafka.sh" stop "$dir/k" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
bash "$here/servers/kafka.sh" start "$dir/k" users:3 lines:2 >/dev/null 2>"$dir/kafka.err"
bs=$(cat "$dir/k/bootstraps")
cd "$dir"
export FLUX_HOME=$dir/home NO_PROGRESS=1 KAFKA_SECRET=Kf2-s3cret-58
cat > flux.yaml <<YAML
connections:
  bus:
    type: kafka
    brokers: $bs
    user: flux
    password_env: KAFKA_SECRET
  quick:
    type: kafka
    brokers: $bs
    message.timeout.ms: "3000"
  small:
    type: kafka
    brokers: $bs
    queue.buffering.max.messages: "50"
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
counts() { "$flux" tasks "$1" --format json | jq -c --arg t "$2" '[.task_instances[] | select(.task == $t)] | last | .counts'; }
run='"__run":{"pipeline":"p","run_id":"r1","task":"send","try":1}'
# each call overwrites op.out: append it to all.out, so the password and
# sanitizer checks at the end see every call, not only the last
op() { # FIELDS (without __run) -> exit status; output in op.out
    echo "{$1,$run}" > fields.json
    local rc=0
    "$flux" __op file_to_kafka fields.json > op.out 2>&1 || rc=$?
    cat op.out >> all.out
    echo $rc
}
said() { grep -qF -- "$1" op.out && echo yes || echo no; }

mkdir -p in/2026-11-02
printf 'id,name,city\n1,Ann,"Oslo, NO"\n2,Bob\n3,"Cy ""C""",Rome\n' > in/2026-11-02/a.csv
printf 'id,name,city\n4,Dee,"multi\nline"\n5,Eve,Paris,extra\n6,Fay,\n' > in/2026-11-02/b.csv

# ---- through flux run: a CSV glob, keyed by id, rejects to a file
cat > p.flux <<'FLUX'
pipeline publish {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task send : file_to_kafka {
        path        = "in/{{ ds }}/*.csv"
        target      = "bus"
        topic       = "users"
        key         = "id"
        reject_file = "rejects/{{ ds }}.jsonl"
    }
    task after : bash { command = "echo {{ tasks.send.outputs.messages }} > sent.txt" }
    send >> after
}
FLUX
mkdir -p rejects
"$flux" run p.flux --date 2026-11-02 > run1.out 2>&1 && rc=0 || rc=$?
check "run succeeds" 0 "$rc"
[ "$rc" = 0 ] || cat run1.out
check "messages output downstream" 4 "$(cat sent.txt 2>/dev/null)"
check "the messages, read back by kcat (sorted)" \
'1|{"id":"1","name":"Ann","city":"Oslo, NO"}
3|{"id":"3","name":"Cy \"C\"","city":"Rome"}
4|{"id":"4","name":"Dee","city":"multi\nline"}
6|{"id":"6","name":"Fay","city":""}' "$(consume users 4 '%k|%s\n' | sort)"
check "no fifth message" 4 "$(consume users 5 '%o\n' | wc -l)"
check "rejects: reason and place" \
'{"reason":"2 fields, the header has 3","where":{"file":"in/2026-11-02/a.csv","line":3},"record":"2,Bob"}
{"reason":"4 fields, the header has 3","where":{"file":"in/2026-11-02/b.csv","line":4},"record":"5,Eve,Paris,extra"}' \
    "$(cat rejects/2026-11-02.jsonl)"
check "counts stored (bytes: both files)" "{\"read\":6,\"written\":4,\"rejected\":2,\"bytes\":$(cat in/2026-11-02/*.csv | wc -c)}" "$(counts 1 send)"
log1=$("$flux" logs 1 send)
check "lineage: both files read" 2 "$(grep -c '^::lineage {"detail":{"records":3,"sha256":"[0-9a-f]\{64\}","size":[0-9]*},"direction":"read","kind":"file","name":"/' <<<"$log1")"
check "lineage: partitions written add up to 4" 4 \
    "$(grep '^::lineage .*"direction":"write","kind":"kafka","name":"users"' <<<"$log1" | sed 's/^::lineage //' | jq -s 'map(.detail.count) | add')"

# ---- JSON Lines with a JSONPath key; rejects only counted and logged
printf '{"user":{"id":7},"n":1}\n{"user":{"id":8},"n":[1,2]}\nnot json\n{"n":3}\n{"user":{"id":null}}\n' > in/l.jsonl
check "jsonl: exit 0" 0 "$(op '"path":"in/l.jsonl","target":"bus","topic":"lines","key":"$.user.id"')"
check "jsonl: messages (sorted)" \
'7|{"user":{"id":7},"n":1}
8|{"user":{"id":8},"n":[1,2]}' "$(consume lines 2 '%k|%s\n' | sort)"
check "jsonl: counts" "::counts read=5 written=2 rejected=3 bytes=$(wc -c < in/l.jsonl)" "$(grep '^::counts' op.out)"
check "jsonl: bad JSON logged with its line" yes "$(said "in/l.jsonl:3: not JSON")"
check "jsonl: missing key logged" yes "$(said 'in/l.jsonl:4: no key $.user.id')"
check "jsonl: null key logged" yes "$(said 'in/l.jsonl:5: null key $.user.id')"
check "jsonl: outputs" "::output messages=2
::output rejected=3" "$(grep '^::output' op.out)"

# ---- CSV without header: fields by position, key by position
printf '9;x\n10;y\n' > in/nh.csv
check "no header: exit 0" 0 "$(op '"path":"in/nh.csv","header":false,"delimiter":";","target":"bus","topic":"nh","key":"1"')"
check "no header: messages" '9|{"1":"9","2":"x"}
10|{"1":"10","2":"y"}' "$(consume nh 2 '%k|%s\n' | sort -n)"

# ---- more records than the producer's local queue holds: it waits, loses nothing
seq 1 3000 | awk '{ printf "{\"n\":%d}\n", $1 }' > in/many.jsonl
check "queue full: exit 0" 0 "$(op '"path":"in/many.jsonl","target":"small","topic":"many","key":"n"')"
check "queue full: counts" "::counts read=3000 written=3000 rejected=0" "$(grep '^::counts' op.out | sed 's/ bytes=.*//')"
check "queue full: every record once, read back" "3000 3000 4501500" \
    "$(consume many 3000 '%s\n' | jq -s -r '[length, (map(.n) | unique | length), (map(.n) | add)] | join(" ")')"

# ---- errors
check "key not in the header: fails" 1 "$(op '"path":"in/2026-11-02/a.csv","target":"bus","topic":"users","key":"ids"')"
check "key not in the header: did you mean" yes "$(said "the header has no field 'ids' (the key); did you mean 'id'?")"
printf 'id,name,id\n1,a,2\n' > in/dup.csv
check "a header naming a field twice: fails" 1 "$(op '"path":"in/dup.csv","target":"bus","topic":"dup"')"
check "a header naming a field twice: says which" yes "$(said "in/dup.csv: the header names field 'id' twice (fields 1 and 3)")"
printf 'id,name\n' > in/empty.csv
check "header only: exit 0" 0 "$(op '"path":"in/empty.csv","target":"bus","topic":"dup"')"
check "header only: zero records" "::counts read=0 written=0 rejected=0 bytes=8" "$(grep '^::counts' op.out)"
check "no file: fails" 1 "$(op '"path":"in/none/*.csv","target":"bus","topic":"users"')"
check "no file: says so" yes "$(said "no file matches 'in/none/*.csv'")"
check "bad delimiter: bad task" 2 "$(op '"path":"in/nh.csv","delimiter":";;","target":"bus","topic":"nh"')"
check "bad JSONPath key: bad task" 2 "$(op '"path":"in/l.jsonl","target":"bus","topic":"lines","key":"$.["')"
check "mysql target: bad task" 2 "$(op '"path":"in/l.jsonl","target":"nowhere","topic":"lines"')"

# ---- the broker down: nothing delivered, the counts do not reconcile, the task fails
echo "broker-down 1" > k/control
sleep 0.3
check "broker down: fails" 1 "$(op '"path":"in/2026-11-02/*.csv","target":"quick","topic":"users","key":"id"')"
check "broker down: each failure has its reason" yes "$(said "message not delivered: Local: Message timed out")"
check "broker down: how many" yes "$(said "topic 'users': 4 of 4 message(s) not delivered")"
check "broker down: counts say what was lost" yes "$(grep -q '^::counts read=6 written=0 rejected=2' op.out && echo yes || echo no)"
echo "broker-up 1" > k/control

check "password nowhere flux wrote" 0 "$(grep -rlaF -- "$KAFKA_SECRET" . --exclude=flux.yaml --exclude-dir=k 2>/dev/null | wc -l)"
check "no sanitizer report" 0 "$(grep -rlaE 'Sanitizer|runtime error' ./*.out home 2>/dev/null | wc -l)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
