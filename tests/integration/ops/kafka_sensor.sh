#!/usr/bin/env bash
# kafka_sensor.sh FLUX KAFKA_BROKER [KAFKA_PRODUCE_TS] — kafka_sensor against
# the Kafka test broker. Each poke is a process (`flux __op kafka_sensor
# FIELDS.json`): exit 0 when the condition holds, 100 not yet, 101 after a
# transient error (broker down, topic missing), 2 for a bad task; until is
# judged on each partition's last message timestamp (messages written with
# explicit timestamps), min_messages from the low watermarks or a group's
# commits. Then end to end through `flux run` with poke_interval = 1s:
# messages arriving during the wait, a broker down and back during the wait,
# and a broker down until the sensor's timeout, which fails it saying why.
set -euo pipefail
flux=${1:?usage: kafka_sensor.sh FLUX_BINARY KAFKA_BROKER_BINARY [KAFKA_PRODUCE_TS]}
export FLUX_KAFKA_BROKER=${2:?usage: kafka_sensor.sh FLUX_BINARY KAFKA_BROKER_BINARY [KAFKA_PRODUCE_TS]}
produce_ts=${3:-$(dirname "$FLUX_KAFKA_BROKER")/kafka_produce_ts}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
case $FLUX_KAFKA_BROKER in /*) ;; *) FLUX_KAFKA_BROKER=$PWD/$FLUX_KAFKA_BROKER ;; esac
case $produce_ts in /*) ;; *) produce_ts=$PWD/$produce_ts ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-ksensor.XXXXXX")
cleanup() {
    bash "$here/servers/kafka.sh" stop "$dir/k" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
pass=0
fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
if [ ! -x "$produce_ts" ]; then
    # not built by CMake here: build the timestamping producer ourselves
    cc -O2 -o "$dir/produce_ts" "$here/servers/kafka_produce_ts.c" $(pkg-config --cflags --libs rdkafka)
    produce_ts=$dir/produce_ts
fi
bash "$here/servers/kafka.sh" start "$dir/k" ev:2 late:2 >/dev/null 2>"$dir/kafka.err"
bs=$(cat "$dir/k/bootstraps")
cd "$dir"
export FLUX_HOME=$dir/home NO_PROGRESS=1 KAFKA_SECRET=Ks4-s3cret-93
cat > flux.yaml <<YAML
connections:
  bus:
    type: kafka
    brokers: $bs
    user: flux
    password_env: KAFKA_SECRET
YAML
run='"__run":{"pipeline":"p","run_id":"r1","task":"wait","try":1}'
# each poke overwrites poke.out: append it to all.log, so the password and
# sanitizer checks at the end see every poke, not only the last
poke() { # FIELDS (without __run) -> exit status; output in poke.out
    echo "{$1,$run}" > fields.json
    local rc=0
    "$flux" __op kafka_sensor fields.json > poke.out 2>&1 || rc=$?
    cat poke.out >> all.log
    echo $rc
}
said() { grep -qF -- "$1" poke.out && echo yes || echo no; }
put() { # TOPIC: lines TS_MS<TAB>PARTITION<TAB>VALUE on stdin
    "$produce_ts" "$bs" "$1" > /dev/null
}
# 2026-11-02T00:00:00Z
T0=1793577600000

# ---- one poke at a time
check "empty topic, min_messages 1: not yet" 100 "$(poke '"conn":"bus","topic":"ev","min_messages":1')"
check "empty topic: says how many" yes "$(said "not yet: 0 message(s) available in topic 'ev', waiting for 1")"
check "empty topic, until: not yet" 100 "$(poke '"conn":"bus","topic":"ev","until":"2026-11-02T00:00:00Z"')"
check "empty topic, until: names the partition" yes "$(said "partition 0 of topic 'ev' is empty")"
check "min_messages 0 holds on an empty topic" 0 "$(poke '"conn":"bus","topic":"ev","min_messages":0')"

printf '%s\t0\ta\n%s\t0\tb\n%s\t1\tc\n' $((T0 - 60000)) $((T0 + 5000)) $((T0 - 1000)) | put ev
check "3 messages, min 3: met" 0 "$(poke '"conn":"bus","topic":"ev","min_messages":3')"
check "met: messages output" "::output messages=3" "$(grep '^::output' poke.out)"
check "3 messages, min 4: not yet" 100 "$(poke '"conn":"bus","topic":"ev","min_messages":4')"
# partition 0 ends at T0+5s, partition 1 at T0-1s
check "until T0: partition 1 is behind" 100 "$(poke '"conn":"bus","topic":"ev","until":"2026-11-02T00:00:00Z"')"
check "until T0: says which and when" yes \
    "$(said "partition 1 of topic 'ev': the last message (offset 0) has timestamp 2026-11-01T23:59:59.000Z, before 2026-11-02T00:00:00.000Z")"
check "until T0-1s: every partition reached it" 0 "$(poke '"conn":"bus","topic":"ev","until":"2026-11-01T23:59:59Z"')"
# the last message decides, not the newest: an older one written after a newer one
printf '%s\t0\tlate\n' $((T0 - 120000)) | put ev
check "an older last message puts partition 0 behind" 100 "$(poke '"conn":"bus","topic":"ev","until":"2026-11-01T23:59:59Z"')"
check "partition 0 named" yes "$(said "partition 0 of topic 'ev': the last message (offset 2)")"
printf '%s\t0\td\n%s\t1\te\n' $((T0 + 1000)) $((T0 + 1000)) | put ev
check "until T0 after newer messages: met" 0 "$(poke '"conn":"bus","topic":"ev","until":"2026-11-02T00:00:00Z"')"
check "both: until met, min_messages not" 100 "$(poke '"conn":"bus","topic":"ev","until":"2026-11-02T00:00:00Z","min_messages":7')"
check "both: both met" 0 "$(poke '"conn":"bus","topic":"ev","until":"2026-11-02T00:00:00Z","min_messages":6')"

# a group's commits: kcat consumes 4 of the 6 messages in group g1 and commits
timeout 20 kcat -C -G g1 -b "$bs" -X session.timeout.ms=6000 -X heartbeat.interval.ms=500 \
    -X auto.offset.reset=earliest -X enable.auto.commit=false -c 4 -q -f '%o\n' ev > /dev/null 2>&1 || true
check "group g1: 2 left, min 2: met" 0 "$(poke '"conn":"bus","topic":"ev","min_messages":2,"group":"g1"')"
check "group g1: messages output" "::output messages=2" "$(grep '^::output' poke.out)"
check "group g1: min 3: not yet" 100 "$(poke '"conn":"bus","topic":"ev","min_messages":3,"group":"g1"')"
check "group without commits counts from the start" 0 "$(poke '"conn":"bus","topic":"ev","min_messages":6,"group":"fresh"')"

check "unknown topic: transient" 101 "$(poke '"conn":"bus","topic":"nosuch","min_messages":1')"
check "unknown topic: says so" yes "$(said "topic 'nosuch' does not exist (yet) on connection 'bus'")"

check "neither until nor min_messages: bad task" 2 "$(poke '"conn":"bus","topic":"ev"')"
check "bad until: bad task" 2 "$(poke '"conn":"bus","topic":"ev","until":"soon"')"
check "bad until: says what" yes "$(said 'until = "soon" is not a time')"
check "negative min_messages: bad task" 2 "$(poke '"conn":"bus","topic":"ev","min_messages":-1')"
check "unknown connection: bad task" 2 "$(poke '"conn":"nowhere","topic":"ev","min_messages":1')"

echo "broker-down 1" > k/control
sleep 0.3
t0=$(date +%s)
check "broker down: transient" 101 "$(poke '"conn":"bus","topic":"ev","min_messages":1')"
t1=$(date +%s)
check "broker down: the poke is bounded" yes "$([ $((t1 - t0)) -le 9 ] && echo yes || echo no)"
check "broker down: says why" yes "$(said "cannot check topic 'ev' on connection 'bus' ($bs)")"
echo "broker-up 1" > k/control
sleep 0.3
check "broker back: met again" 0 "$(poke '"conn":"bus","topic":"ev","min_messages":1')"

# ---- end to end through flux run: each poke a process, 1 s apart
cat > p.flux <<'FLUX'
pipeline watch {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task wait : kafka_sensor {
        conn          = "bus"
        topic         = "late"
        until         = "{{ interval_end }}"
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
# a daily run of DAY ends at the next midnight
iend() { date -u -d "$1 + 1 day" +%s000; }

# messages reach the time during the wait
"$flux" run p.flux --date 2026-11-05 > run1.txt 2>&1 &
runner=$!
sleep 2.5
printf '%s\t0\tx\n%s\t1\ty\n' "$(iend 2026-11-05)" $(($(iend 2026-11-05) + 1)) | put late
wait "$runner" && rc=0 || rc=$?
r=$(run_id 2026-11-05)
check "e2e arrive: run succeeds" 0 "$rc"
check "e2e arrive: sensor success" success "$(state "$r" wait)"
[ "$rc" = 0 ] || { cat run1.txt; "$flux" logs "$r" wait | tail -5; }
check "e2e arrive: downstream ran" ran "$(cat after-2026-11-05.txt 2>/dev/null)"
check "e2e arrive: waited first" yes "$(logged "$r" wait "partition 0 of topic 'late' is empty")"
check "e2e arrive: then ready" yes "$(logged "$r" wait "topic 'late' is ready")"

# the broker goes down during the wait and comes back: the sensor keeps
# waiting, then succeeds
"$flux" run p.flux --date 2026-11-06 > run2.txt 2>&1 &
runner=$!
sleep 1.5
echo "broker-down 1" > k/control
sleep 4
check "e2e outage: still waiting" yes "$(kill -0 "$runner" 2>/dev/null && echo yes || echo no)"
echo "broker-up 1" > k/control
printf '%s\t0\tx\n%s\t1\ty\n' "$(iend 2026-11-06)" "$(iend 2026-11-06)" | put late
wait "$runner" && rc=0 || rc=$?
r=$(run_id 2026-11-06)
check "e2e outage: run succeeds" 0 "$rc"
check "e2e outage: sensor success" success "$(state "$r" wait)"
[ "$rc" = 0 ] || { cat run2.txt; "$flux" logs "$r" wait | tail -5; }
check "e2e outage: the log says why it could not poke" yes "$(logged "$r" wait "cannot check topic 'late' on connection 'bus'")"
check "e2e outage: then ready" yes "$(logged "$r" wait "topic 'late' is ready")"

# the broker stays down: the sensor's timeout fails it, with the last reason
sed -i 's/timeout       = 40s/timeout       = 5s/' p.flux
echo "broker-down 1" > k/control
sleep 0.3
"$flux" run p.flux --date 2026-11-07 > run3.txt 2>&1 && rc=0 || rc=$?
r=$(run_id 2026-11-07)
check "e2e down: run fails" 1 "$rc"
check "e2e down: sensor failed" failed "$(state "$r" wait)"
check "e2e down: timed out, said" yes "$(grep -qE "timed out after 5s" run3.txt && echo yes || echo no)"
check "e2e down: the log says why" yes "$(logged "$r" wait "cannot check topic 'late' on connection 'bus'")"
check "e2e down: downstream did not run" no "$([ -e after-2026-11-07.txt ] && echo yes || echo no)"
[ "$rc" = 1 ] || cat run3.txt
echo "broker-up 1" > k/control
cat run1.txt run2.txt run3.txt >> all.log

check "password nowhere flux wrote" 0 "$(grep -rlaF -- "$KAFKA_SECRET" . --exclude=flux.yaml --exclude-dir=k 2>/dev/null | wc -l)"
check "no sanitizer report" 0 "$(grep -rlaE 'Sanitizer|runtime error' all.log home 2>/dev/null | wc -l)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
