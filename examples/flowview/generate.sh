#!/usr/bin/env bash
# generate.sh DATASET COUNT HOUR PARTITIONS — the messages a producer of
# DATASET generates in the hour starting at HOUR (e.g. 2026-11-02T10:00:00Z),
# as lines for kafka_produce_ts: TIMESTAMP_MS<TAB>PARTITION<TAB>JSON.
#
# COUNT messages spread over the hour, round-robin over PARTITIONS, each
# stamped with its generation time both in the JSON ("generated_at") and as
# the Kafka timestamp; plus one message a millisecond before the hour and one
# at the next hour's first millisecond, which belong to other hourly loads.
# Deterministic: the same arguments give the same bytes.
set -euo pipefail
dataset=${1:?usage: generate.sh DATASET COUNT HOUR PARTITIONS}
count=${2:?usage: generate.sh DATASET COUNT HOUR PARTITIONS}
hour=${3:?usage: generate.sh DATASET COUNT HOUR PARTITIONS}
parts=${4:?usage: generate.sh DATASET COUNT HOUR PARTITIONS}
start_s=$(date -u -d "$hour" +%s)
gawk -v ds="$dataset" -v n="$count" -v s="$start_s" -v parts="$parts" '
function iso(ms) { return strftime("%Y-%m-%dT%H:%M:%S", int(ms / 1000), 1) sprintf(".%03dZ", ms % 1000) }
function emit(seq, ms, p) {
    printf "%d\t%d\t{\"msg_id\":\"%s-%06d\",\"dataset\":\"%s\",\"seq\":%d,\"generated_at\":\"%s\",\"value\":%d}\n",
        ms, p, ds, seq, ds, seq, iso(ms), (seq * 7919) % 1000
}
BEGIN {
    base = s * 1000
    emit(0, base - 1, 0)                      # the previous hour
    for (i = 1; i <= n; i++)                  # this hour: spread, with a jitter
        emit(i, base + int((i - 1) * 3600000 / n) + (i * 389) % 997, (i - 1) % parts)
    emit(n + 1, base + 3600000, 0)            # the next hour
}'
