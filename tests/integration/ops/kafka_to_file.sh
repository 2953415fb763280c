#!/usr/bin/env bash
# kafka_to_file.sh FLUX KAFKA_BROKER — test ops/kafka_to_file: the messages of
# one day from a 3-partition topic of the Kafka test broker, produced with
# explicit timestamps inside and outside the interval, written to a JSON-lines
# file through `flux run`: the exact lines, match, a malformed value rejected
# with where it was, counts that reconcile, a rerun that replaces the file,
# the broker's timestamp lookup taken when it answers (forced: the test
# broker always answers -1), a dead broker failing within the bounded wait,
# and the connection's password nowhere flux wrote.
set -uo pipefail
flux=${1:?usage: kafka_to_file.sh FLUX KAFKA_BROKER}
export FLUX_KAFKA_BROKER=${2:?usage: kafka_to_file.sh FLUX KAFKA_BROKER}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-k2f.XXXXXX")
cleanup() {
    bash "$here/servers/kafka.sh" stop "$dir/kafka" >/dev/null 2>&1 || true
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
brokers=$(bash "$here/servers/kafka.sh" start "$dir/kafka" events:3 2>"$dir/kafka.err") ||
    { cat "$dir/kafka.err"; echo "FAIL: the Kafka test broker did not start"; fail=1; finish; }

S=$(date -u -d 2026-11-02T00:00:00Z +%s)000
E=$(date -u -d 2026-11-03T00:00:00Z +%s)000
# TIMESTAMP_MS PARTITION VALUE; offsets per partition in this order
{
    printf '%s\t0\t%s\n' $((S - 1000)) '{"id":1,"event_type":"trade"}'
    printf '%s\t0\t%s\n' $((S + 1000)) '{"id":2,"event_type":"trade"}'
    printf '%s\t0\t%s\n' $((S + 2000)) '{"id":3,"event_type":"quote"}'
    printf '%s\t0\t%s\n' $((S + 3000)) '{"id":4,"event_type":'
    printf '%s\t0\t%s\n' "$E" '{"id":5,"event_type":"trade"}'
    printf '%s\t1\t%s\n' $((S + 10)) '{"id":6,"event_type":"trade","px":1.5}'
    printf '%s\t1\t%s\n' $((E - 1)) '{"id":7,"event_type":"quote"}'
    printf '%s\t1\t%s\n' $((S - 1)) '{"id":8,"event_type":"trade"}'
    printf '%s\t2\t%s\n' $((S + 5)) '{"id":9,"event_type":"trade","n":{"a":[1,2]}}'
    printf '%s\t2\t%s\n' $((S + 100)) '"just a string"'
} | "$dir/produce" "$brokers" events || { echo "FAIL: producing"; fail=1; finish; }

cd "$dir"
export NO_PROGRESS=1 KAFKA_SECRET=Kx7-pa55-w0rd-91
# one state store per scenario, so each is run 1 there; a rerun clears it
frun() { FLUX_HOME=$dir/h-$1 "$flux" run p.flux --date "$2" >"out-$1.txt" 2>&1; }
flog() { FLUX_HOME=$dir/h-$1 "$flux" logs 1 "$2"; }
bytes() { local n=0 v; for v in "$@"; do n=$((n + ${#v})); done; echo $n; }
cat >flux.yaml <<YAML
connections:
  kafka:
    type: kafka
    brokers: $brokers
    user: reader
    password_env: KAFKA_SECRET
YAML
cat >p.flux <<'FLUX'
pipeline k2f {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task all_events : kafka_to_file {
        source      = "kafka"
        topic       = "events"
        path        = "out/{{ ds }}/all.jsonl"
        reject_file = "out/{{ ds }}/all.rejects"
    }
    task trades : kafka_to_file {
        source = "kafka"
        topic  = "events"
        match  = { event_type = "trade" }
        path   = "out/{{ ds }}/trades.jsonl"
    }
}
FLUX

expected_all='"just a string"
{"id":2,"event_type":"trade"}
{"id":3,"event_type":"quote"}
{"id":6,"event_type":"trade","px":1.5}
{"id":7,"event_type":"quote"}
{"id":9,"event_type":"trade","n":{"a":[1,2]}}'
frun a 2026-11-02
check "run succeeds" 0 $?
check "the interval's valid messages, exactly" "$expected_all" "$(sort out/2026-11-02/all.jsonl)"
check "match keeps the trades of the interval" '{"id":2,"event_type":"trade"}
{"id":6,"event_type":"trade","px":1.5}
{"id":9,"event_type":"trade","n":{"a":[1,2]}}' "$(sort out/2026-11-02/trades.jsonl)"
check "counts: the malformed one read and rejected" "::counts read=7 written=6 rejected=1 bytes=$(bytes '{"id":2,"event_type":"trade"}' '{"id":3,"event_type":"quote"}' '{"id":4,"event_type":' \
    '{"id":6,"event_type":"trade","px":1.5}' '{"id":7,"event_type":"quote"}' \
    '{"id":9,"event_type":"trade","n":{"a":[1,2]}}' '"just a string"')" \
    "$(flog a all_events | grep '^::counts')"
check "counts with match" "::counts read=4 written=3 rejected=1 bytes=$(bytes '{"id":2,"event_type":"trade"}' '{"id":4,"event_type":' \
    '{"id":6,"event_type":"trade","px":1.5}' '{"id":9,"event_type":"trade","n":{"a":[1,2]}}')" \
    "$(flog a trades | grep '^::counts')"
check "skipped non-matching messages said in the log" yes \
    "$(flog a trades | grep -q '3 message(s) of the interval did not match' && echo yes || echo no)"
check "reject line: reason and where" 'malformed JSON|events|0|3|2026-11-02T00:00:03.000Z|{"id":4,"event_type":' \
    "$(jq -r '[(.reason | sub(" at byte.*"; "")), .where.topic, .where.partition, .where.offset, .where.timestamp, .record] | join("|")' out/2026-11-02/all.rejects)"
check "file lineage: records and sha256" "6 $(sha256sum out/2026-11-02/all.jsonl | cut -d' ' -f1)" \
    "$(flog a all_events | sed -n 's/^::lineage //p' | jq -r 'select(.direction == "write") | "\(.detail.records) \(.detail.sha256)"')"
check "kafka lineage per partition" '0 1 3 3;1 0 1 2;2 0 1 2' \
    "$(flog a all_events | sed -n 's/^::lineage //p' | jq -r 'select(.direction == "read") | "\(.detail.partition) \(.detail.first) \(.detail.last) \(.detail.count)"' | paste -sd';')"
check "the test broker's -1 lookup means scan from the low watermark" 3 \
    "$(flog a all_events | grep -c 'timestamp lookup unknown: scanning from the low watermark')"
check "no temp file left" 0 "$(find out -name '*.tmp.*' | wc -l)"

# a rerun replaces the file whole: no duplicated lines
echo '{"stale":true}' >>out/2026-11-02/all.jsonl
FLUX_HOME=$dir/h-a "$flux" clear 1 >/dev/null 2>&1
frun a 2026-11-02
check "rerun succeeds" 0 $?
check "rerun replaces the file" "$expected_all" "$(sort out/2026-11-02/all.jsonl)"
check "rerun rejects: one line" 1 "$(wc -l <out/2026-11-02/all.rejects)"

# a broker that knows the offset by time: partition 0 from offset 1 (the
# first message of the interval), partition 2 from offset 1 (skipping id 9,
# as a broker would if id 9 were before the interval), partition 1 unknown
FLUX_KAFKA_TEST_OFFSETS_FOR_TIMES=0:1,2:1,1:-1 frun b 2026-11-02
check "run with the lookup answered" 0 $?
check "lookup: partition 0 read from its offset by timestamp" yes \
    "$(flog b all_events | grep -q "partition 0: offsets 0..5, reading from 1 (by timestamp)" && echo yes || echo no)"
check "lookup: -1 still scans partition 1 from the low watermark" yes \
    "$(flog b all_events | grep -q "partition 1: offsets 0..3, reading from 0 (timestamp lookup unknown" && echo yes || echo no)"
check "lookup: offsets before the answered one are not read" '"just a string"
{"id":2,"event_type":"trade"}
{"id":3,"event_type":"quote"}
{"id":6,"event_type":"trade","px":1.5}
{"id":7,"event_type":"quote"}' "$(sort out/2026-11-02/all.jsonl)"

# the day before holds the two messages just before the boundary
frun c 2026-11-01
check "the day before: its two messages" '{"id":1,"event_type":"trade"}
{"id":8,"event_type":"trade"}' "$(sort out/2026-11-01/all.jsonl)"
# an interval without messages: an empty file, zero counts
frun e 2026-11-05
check "an interval with no message succeeds" 0 $?
check "an interval with no message: empty file" 0 "$(wc -c <out/2026-11-05/all.jsonl)"
check "an interval with no message: counts" "::counts read=0 written=0 rejected=0 bytes=0" \
    "$(flog e all_events | grep '^::counts')"

# a dead broker: a clear error within the bounded wait, not a hang
echo "broker-down 1" >"$dir/kafka/control"
sleep 0.3
t0=$(date +%s)
FLUX_KAFKA_TIMEOUT=3 frun d 2026-11-02
rc=$?
t1=$(date +%s)
check "broker down: the run fails" 1 "$rc"
check "broker down: fails within the bounded wait" yes "$([ $((t1 - t0)) -lt 20 ] && echo yes || echo "no ($((t1 - t0)) s)")"
check "broker down: the log says why" yes \
    "$(flog d all_events | grep -qE "within 3 s|nothing received for 3 s" && echo yes || echo no)"
echo "broker-up 1" >"$dir/kafka/control"

check "password nowhere flux wrote" 0 "$(grep -rla -- "$KAFKA_SECRET" h-* out out-*.txt 2>/dev/null | wc -l)"
finish
