#!/usr/bin/env bash
# kafka_produce.sh FLUX KAFKA_BROKER — the kafka_produce operator against the
# Kafka test broker, read back with kcat: the exact message (value, key,
# headers) lands where the task's outputs say; a refused produce (an injected
# TOPIC_AUTHORIZATION_FAILED) and a broker that is down fail the task with
# the reason; a bad task is refused; the connection's password appears
# nowhere flux wrote.
set -euo pipefail
flux=${1:?usage: kafka_produce.sh FLUX_BINARY KAFKA_BROKER_BINARY}
export FLUX_KAFKA_BROKER=${2:?usage: kafka_produce.sh FLUX_BINARY KAFKA_BROKER_BINARY}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
case $FLUX_KAFKA_BROKER in /*) ;; *) FLUX_KAFKA_BROKER=$PWD/$FLUX_KAFKA_BROKER ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-kprod.XXXXXX")
cleanup() {
    bash "$here/servers/kafka.sh" stop "$dir/k" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
bash "$here/servers/kafka.sh" start "$dir/k" events:3 >/dev/null 2>"$dir/kafka.err"
bs=$(cat "$dir/k/bootstraps")
cd "$dir"
export FLUX_HOME=$dir/home NO_PROGRESS=1 KAFKA_SECRET=Kp7-s3cret-41
# the password is sent as sasl.password only when SASL is on; the mock does
# no SASL, so it is here to prove it leaks nowhere
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
YAML
pass=0
fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
# kcat -E does not end at the mock's partition ends: read N messages, or for
# a few seconds when N is more than there are
consume() { # TOPIC N FORMAT
    timeout 5 kcat -C -b "$bs" -t "$1" -o beginning -c "$2" -q -f "$3" 2>/dev/null || true
}
# each call overwrites op.out: append it to all.out, so the password and
# sanitizer checks at the end see every call, not only the last
op() { # FIELDS_JSON_FILE -> stdout+stderr in op.out, exit status echoed
    local rc=0
    "$flux" __op kafka_produce "$1" > op.out 2>&1 || rc=$?
    cat op.out >> all.out
    echo $rc
}
run='"__run":{"pipeline":"p","run_id":"r1","task":"send","try":1}'

# ---- through flux run: templated value, key and headers; outputs downstream
cat > p.flux <<'FLUX'
pipeline announce {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task send : kafka_produce {
        conn    = "bus"
        topic   = "events"
        key     = "day-{{ ds }}"
        value   = "{\"ds\": \"{{ ds }}\", \"ready\": true}"
        headers = { source = "flux", run = "{{ ds }}" }
    }
    task after : bash {
        command = "echo {{ tasks.send.outputs.partition }}/{{ tasks.send.outputs.offset }} > where.txt"
    }
    send >> after
}
FLUX
"$flux" run p.flux --date 2026-11-02 > run.out 2>&1 && rc=0 || rc=$?
check "run succeeds" 0 "$rc"
got=$(consume events 1 '%p/%o|%k|%s|%h\n')
check "the message, read back by kcat" \
    "$(cat where.txt)|day-2026-11-02|{\"ds\": \"2026-11-02\", \"ready\": true}|source=flux,run=2026-11-02" "$got"
check "one message in the topic" 1 "$(consume events 2 '%o\n' | wc -l)"
check "lineage of the write" yes "$("$flux" logs 1 send | grep -q '^::lineage .*"direction":"write".*"name":"events"' && echo yes || echo no)"

# ---- direct: no key, no headers, an empty value is still a message
cat > plain.json <<JSON
{"conn":"bus","topic":"plain","value":"",$run}
JSON
check "empty value: exit 0" 0 "$(op plain.json)"
check "empty value: offset output" "::output offset=0" "$(grep '^::output offset=' op.out)"
check "empty value: read back (no key, empty value)" "[][]" "$(consume plain 1 '[%k][%s]\n')"

# ---- an injected TOPIC_AUTHORIZATION_FAILED reaches the delivery report
echo "push-error produce 29 1" > k/control
sleep 0.3
cat > denied.json <<JSON
{"conn":"bus","topic":"events","value":"nope",$run}
JSON
check "authorization failure: exit 1" 1 "$(op denied.json)"
check "authorization failure: the reason" yes "$(grep -q "topic 'events' partition [0-9]: message not delivered: Broker: Topic authorization failed" op.out && echo yes || echo no)"
check "authorization failure: no output" 0 "$(grep -c '^::output' op.out || true)"
check "nothing of the refused sends landed" 1 "$(consume events 3 '%o\n' | wc -l)"

# ---- the broker down: message.timeout.ms of the connection bounds the wait
echo "broker-down 1" > k/control
sleep 0.3
cat > down.json <<JSON
{"conn":"quick","topic":"events","value":"late",$run}
JSON
t0=$(date +%s)
check "broker down: exit 1" 1 "$(op down.json)"
t1=$(date +%s)
check "broker down: fails within message.timeout.ms" yes "$([ $((t1 - t0)) -le 8 ] && echo yes || echo no)"
check "broker down: the reason" yes "$(grep -q "message not delivered: Local: Message timed out" op.out && echo yes || echo no)"
check "broker down: says how many" yes "$(grep -q "1 of 1 message(s) not delivered" op.out && echo yes || echo no)"
echo "broker-up 1" > k/control
sleep 0.3

# ---- through flux run, a failing send fails the task with the reason in its log
echo "broker-down 1" > k/control
sleep 0.3
sed -e 's/conn    = "bus"/conn    = "quick"/' p.flux > q.flux
"$flux" run q.flux --date 2026-11-03 > run2.out 2>&1 && rc=0 || rc=$?
check "run with the broker down fails" 1 "$rc"
check "its log says why" yes "$("$flux" logs 2 send | grep -q "not delivered" && echo yes || echo no)"
echo "broker-up 1" > k/control

# ---- bad tasks
cat > bad1.json <<JSON
{"conn":"bus","topic":"events",$run}
JSON
check "no value: exit 2" 2 "$(op bad1.json)"
check "no value: says so" yes "$(grep -q "has no value" op.out && echo yes || echo no)"
cat > bad2.json <<JSON
{"conn":"nowhere","topic":"events","value":"x",$run}
JSON
check "unknown connection: exit 2" 2 "$(op bad2.json)"
check "unknown connection: says where to define it" yes "$(grep -q "connection 'nowhere' is not defined" op.out && echo yes || echo no)"
cat > bad3.json <<JSON
{"conn":"bus","topic":"events","value":"x","headers":{"n":1},$run}
JSON
check "non-string header: exit 2" 2 "$(op bad3.json)"

check "password nowhere flux wrote" 0 "$(grep -rla -- "$KAFKA_SECRET" home ./*.out where.txt 2>/dev/null | wc -l)"
check "no sanitizer report" 0 "$(grep -rlaE 'Sanitizer|runtime error' home ./*.out where.txt 2>/dev/null | wc -l)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
