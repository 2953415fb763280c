#!/usr/bin/env bash
# kafka_broker.sh BROKER_BINARY — test integration/kafka_broker: the Kafka
# test broker (tests/servers/kafka_broker.c, started by tests/servers/kafka.sh)
# against kcat, an independent client in other processes over TCP. Starts the
# broker with topic events:3 in a fresh temp directory; produces and consumes
# keyed messages; drives the control FIFO (broker down and up, injected
# errors) and checks that every message arrives exactly once or fails loudly;
# stops the broker by PID whatever happens. Prints `N passed, N failed`.
set -uo pipefail
bin=${1:?usage: kafka_broker.sh BROKER_BINARY}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-kafka.XXXXXX")
broker=$dir/broker
export FLUX_KAFKA_BROKER=$bin

cleanup() {
    bash "$here/servers/kafka.sh" stop "$broker" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0 failed=0
ok() {
    passed=$((passed + 1))
    echo "ok   - $1"
}
bad() {
    failed=$((failed + 1))
    echo "FAIL - $1"
    shift
    local f
    for f in "$@"; do # files worth seeing
        [ -s "$f" ] && sed 's/^/       | /' "$f" | tail -n 15
    done
    return 0
}
summary() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

ms() { date +%s%3N; }

# The broker is not our child (kafka.sh started it), so once dead it may stay
# a zombie until init reaps it: that counts as gone.
gone() {
    [ ! -r "/proc/$1/stat" ] || [ "$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$1/stat" 2>/dev/null)" = Z ]
}
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }

# Control lines go through the FIFO; `timeout` because opening it for
# writing would wait forever if the broker had died and left a FIFO behind.
control() {
    timeout 5 bash -c 'printf "%s\n" "$2" >"$1"' _ "$broker/control" "$1"
    sleep 0.2 # the broker acts on it asynchronously
}

# One keyed message; extra arguments go to kcat. -E: without it kcat quits at
# the first "all brokers down" instead of letting librdkafka queue and retry.
produce_one() {
    local line=$1
    shift
    printf '%s\n' "$line" | timeout 30 kcat -P -E -b "$bs" -t events -K: "$@"
}

# Every message of the topic as KEY:VALUE<TAB>TIMESTAMP<TAB>PARTITION. A plain
# assign consumer still needs a group.id: without one the mock answers with
# an endless stream of "Unknown group" errors.
consume_all() {
    timeout 30 kcat -C -b "$bs" -t events -e -o beginning -q -X group.id=t -f '%k:%s\t%T\t%p\n'
}

# ---- start ---------------------------------------------------------------------
t0=$(ms)
if ! bs=$(bash "$here/servers/kafka.sh" start "$broker" events:3 2>"$dir/start.err"); then
    bad "broker starts" "$dir/start.err"
    summary
fi
t_start=$(($(ms) - t0))
pid=$(cat "$broker/pid")
ok "broker starts (pid $pid at $bs in $(secs "$t_start") s)"

# The mock binds 127.0.0.1 on a random port: its listener, and nothing wider.
# Probed by connecting (bash's /dev/tcp), so no tool can be missing: the port
# answers on 127.0.0.1, and not on 127.0.0.2, which is loopback too and would
# answer if the listener were bound to 0.0.0.0.
can_connect() { # HOST PORT
    timeout 2 bash -c 'exec 3<>/dev/tcp/$1/$2' _ "$1" "$2" 2>/dev/null
}
port=${bs##*:}
if [[ $bs =~ ^127\.0\.0\.1:[0-9]+$ ]] && can_connect 127.0.0.1 "$port" && ! can_connect 127.0.0.2 "$port"; then
    ok "listens on $bs only"
else
    bad "listens on $bs only (bootstraps '$bs'; 127.0.0.2:$port answers or 127.0.0.1:$port does not)"
fi

# ---- 100 keyed messages there and back -------------------------------------------
for i in $(seq 1 100); do
    echo "key-$i:value-$i"
done >"$dir/sent.txt"
ts0=$(ms)
if timeout 30 kcat -P -b "$bs" -t events -K: <"$dir/sent.txt" 2>"$dir/produce.err"; then
    ok "kcat produces 100 keyed messages"
else
    bad "kcat produces 100 keyed messages" "$dir/produce.err"
fi
ts1=$(ms)

if consume_all >"$dir/got.txt" 2>"$dir/consume.err"; then
    ok "kcat consumes to the end of every partition"
else
    bad "kcat consumes to the end of every partition" "$dir/consume.err"
fi
n=$(wc -l <"$dir/got.txt")
if [ "$n" -eq 100 ]; then ok "exactly 100 messages come back"; else bad "exactly 100 messages come back (got $n)"; fi
if diff <(sort "$dir/sent.txt") <(cut -f1 "$dir/got.txt" | sort) >"$dir/diff.txt"; then
    ok "keys and values come back unchanged"
else
    bad "keys and values come back unchanged" "$dir/diff.txt"
fi
# Keys hash to partitions deterministically; 100 keys over 3 partitions
# reach all of them, which shows the topic really has three.
parts=$(cut -f3 "$dir/got.txt" | sort -u | tr '\n' ' ')
if [ "$parts" = "0 1 2 " ]; then ok "messages spread over partitions 0 1 2"; else bad "messages spread over partitions 0 1 2 (got '$parts')"; fi

# Timestamps: kcat 1.7.1 cannot set an explicit producer timestamp (its -T is
# "tee", and no other producer option takes one), so explicit timestamps
# (RD_KAFKA_V_TIMESTAMP) are NOT checked here; that needs a librdkafka client.
# What is checked: the CreateTime librdkafka stamped inside kcat comes back,
# within the window of the produce call.
bad_ts=$(awk -F'\t' -v a="$ts0" -v b="$ts1" '$2 < a || $2 > b' "$dir/got.txt" | wc -l)
if [ "$bad_ts" -eq 0 ]; then
    ok "CreateTime timestamps come back within the produce window"
else
    bad "CreateTime timestamps come back within the produce window ($bad_ts outside [$ts0, $ts1])" "$dir/got.txt"
fi
echo "skip - explicit producer timestamps: kcat 1.7.1 has no option to set one"

# ---- control FIFO: broker down, then up while a produce waits ------------------------
control "broker-down 1"
if ! can_connect 127.0.0.1 "$port"; then
    ok "broker-down 1 closes the listener"
else
    bad "broker-down 1 closes the listener (127.0.0.1:$port still accepts)"
fi
# The background produce writes its own exit code and end time: measured out
# here, after the sleep and the wait, the time would always exceed 1.5 s.
rm -f "$dir/down.rc" "$dir/down.end"
t0=$(ms)
(
    produce_one "down-1:queued" -X message.timeout.ms=4000 2>"$dir/down.err"
    rc=$?
    ms >"$dir/down.end"
    echo "$rc" >"$dir/down.rc"
) &
kpid=$!
sleep 1.5
# Still waiting when the broker comes back: it had nowhere to deliver.
if [ ! -e "$dir/down.rc" ]; then early=no; else early="yes, exit $(cat "$dir/down.rc")"; fi
t_up=$(ms)
control "broker-up 1"
if can_connect 127.0.0.1 "$port"; then
    ok "broker-up 1 opens the listener again"
else
    bad "broker-up 1 opens the listener again (127.0.0.1:$port refuses)" "$broker/broker.log"
fi
wait "$kpid"
rc=$(cat "$dir/down.rc" 2>/dev/null || echo none)
end=$(cat "$dir/down.end" 2>/dev/null || echo 0)
took=$((end - t0))
# Not done before broker-up, delivered (exit 0) after it, and before its 4 s
# message timeout.
if [ "$early" = no ] && [ "$rc" = 0 ] && [ "$end" -ge "$t_up" ] && [ "$took" -lt 4000 ]; then
    ok "a produce queued while the broker is down is delivered after broker-up ($(secs "$took") s)"
else
    bad "a produce queued while the broker is down is delivered after broker-up (finished before broker-up: $early; exit $rc after $(secs "$took") s, broker-up at $(secs $((t_up - t0))) s)" "$dir/down.err"
fi

# Down for longer than message.timeout.ms: the delivery fails, and says so.
control "broker-down 1"
t0=$(ms)
produce_one "lost-1:timed-out" -X message.timeout.ms=4000 2>"$dir/lost.err"
rc=$?
took=$(($(ms) - t0))
control "broker-up 1"
if [ "$rc" -ne 0 ] && [ "$took" -ge 4000 ] && grep -q "Message timed out" "$dir/lost.err"; then
    ok "with the broker down throughout, delivery fails after message.timeout.ms ($(secs "$took") s)"
else
    bad "with the broker down throughout, delivery fails after message.timeout.ms (exit $rc after $(secs "$took") s)" "$dir/lost.err"
fi

# ---- control FIFO: injected errors ---------------------------------------------------
# A retriable error is retried by librdkafka without the producer noticing.
# The produce succeeding proves nothing alone (it would with no injection):
# the broker must have queued the two errors, and librdkafka's debug log must
# show the client got both and retried.
control "push-error produce NOT_LEADER_FOR_PARTITION 2"
if grep -q "push-error produce NOT_LEADER_FOR_PARTITION x2 queued" "$broker/broker.log"; then
    queued=yes
else
    queued=no
fi
if produce_one "retried-1:after-not-leader" -X debug=msg 2>"$dir/retried.err"; then rc=0; else rc=$?; fi
seen=$(grep -c "encountered error: Broker: Not leader for partition" "$dir/retried.err")
if [ "$queued" = yes ] && [ "$rc" -eq 0 ] && [ "$seen" -eq 2 ]; then
    ok "NOT_LEADER_FOR_PARTITION on Produce is retried transparently (2 errors seen, then delivered)"
else
    bad "NOT_LEADER_FOR_PARTITION on Produce is retried transparently (queued: $queued, exit $rc, errors seen $seen of 2)" "$dir/retried.err" "$broker/broker.log"
fi
# A permanent error reaches the delivery report; given by number (29).
control "push-error produce 29 1"
if ! produce_one "denied-1:refused" 2>"$dir/denied.err" && grep -q "Topic authorization failed" "$dir/denied.err"; then
    ok "TOPIC_AUTHORIZATION_FAILED on Produce reaches the delivery report"
else
    bad "TOPIC_AUTHORIZATION_FAILED on Produce reaches the delivery report" "$dir/denied.err"
fi
# The error stack held one error: the next produce goes through.
if produce_one "after-1:accepted" 2>"$dir/after.err"; then
    ok "the injected error is used up after one request"
else
    bad "the injected error is used up after one request" "$dir/after.err"
fi

# ---- reconcile: each delivered message exactly once, no failed one ---------------------
{
    cat "$dir/sent.txt"
    printf '%s\n' "down-1:queued" "retried-1:after-not-leader" "after-1:accepted"
} | sort >"$dir/expected.txt"
consume_all 2>"$dir/consume2.err" | cut -f1 | sort >"$dir/final.txt"
if diff "$dir/expected.txt" "$dir/final.txt" >"$dir/diff2.txt"; then
    ok "the topic holds exactly the 103 delivered messages, once each"
else
    bad "the topic holds exactly the 103 delivered messages, once each" "$dir/diff2.txt" "$dir/consume2.err"
fi

# ---- stop ----------------------------------------------------------------------------
t0=$(ms)
bash "$here/servers/kafka.sh" stop "$broker" 2>"$dir/stop.err"
t_stop=$(($(ms) - t0))
if gone "$pid" && grep -q "kafka_broker: stopped" "$broker/broker.log"; then
    ok "SIGTERM stops the broker cleanly ($(secs "$t_stop") s)"
else
    bad "SIGTERM stops the broker cleanly" "$dir/stop.err" "$broker/broker.log"
fi
# Under ASan the broker's own reports land in its log, not in ours.
if ! grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$broker/broker.log"; then
    ok "no sanitizer report in the broker's log"
else
    bad "no sanitizer report in the broker's log" "$broker/broker.log"
fi
echo "timings: start $(secs "$t_start") s, stop $(secs "$t_stop") s"
summary
