#!/usr/bin/env bash
# provenance.sh FLUX KAFKA_BROKER KAFKA_PRODUCE_TS — examples/provenance end to
# end: its run.sh against a throwaway MariaDB and Kafka test broker (started
# and stopped by run.sh), then, on what it kept (state store, logs, files,
# the tables dumped by the mariadb client), exact checks: every task's state,
# the skipped branch, the node with several parents started after all of them,
# counts that reconcile hop by hop, the ingest reject, the rows and sums in
# MySQL, and the lineage walk from the wrong row back to its Kafka offset,
# comparing the value at each hop to find the task that changed it.
set -euo pipefail
usage="usage: provenance.sh FLUX KAFKA_BROKER KAFKA_PRODUCE_TS"
flux=${1:?$usage}
broker=${2:?$usage}
produce=${3:?$usage}
for v in flux broker produce; do
    case ${!v} in /*) ;; *) printf -v "$v" '%s' "$PWD/${!v}" ;; esac
done
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ex=$root/examples/provenance
T=$(mktemp -d "${TMPDIR:-/tmp}/flux-ex-provenance.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
check() { # DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        printf 'FAIL: %s\n  expected: [%s]\n  got:      [%s]\n' "$1" "$2" "$3"
    fi
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}

# ---- the example's one command, keeping its work directory
work=$T/work
rc=0
FLUX=$flux KAFKA_BROKER=$broker KAFKA_PRODUCE_TS=$produce PROVENANCE_WORK=$work \
    bash "$ex/run.sh" >"$T/run.out" 2>&1 || rc=$?
check "run.sh succeeds" 0 "$rc"
if [ "$rc" -ne 0 ] || [ ! -d "$work/home" ]; then
    tail -40 "$T/run.out"
    finish
fi
cd "$work"
export FLUX_HOME=$work/home NO_PROGRESS=1
F() { "$flux" "$@"; }
H=20261102T100000
raw=$work/data/raw-$H.jsonl
volts=$work/data/volts-$H.jsonl

# ---- what the source holds, from the generator alone (not from flux)
bash "$ex/gen_readings.sh" >"$T/gen.txt"
S=$(date -u -d 2026-11-02T10:00:00Z +%s)000
E=$(date -u -d 2026-11-02T11:00:00Z +%s)000
# the hour's messages; offsets per partition in the order produced
awk -F'\t' -v s="$S" -v e="$E" '{ o = off[$2]++ } $1 >= s && $1 < e { print $2 "\t" o "\t" $3 }' \
    "$T/gen.txt" >"$T/hour.txt"
awk -F'\t' '$3 ~ /}$/ { print $3 }' "$T/hour.txt" | jq -c . >"$T/valid.jsonl"
n_valid=$(wc -l <"$T/valid.jsonl")
n_hour=$(wc -l <"$T/hour.txt")
bytes_hour=$(cut -f3 "$T/hour.txt" | tr -d '\n' | wc -c)
check "the generator: 481 messages in the hour, 480 of them readings" "481 480" "$n_hour $n_valid"

# ---- task states: the skipped branch, and none_failed letting the join run
run=$(F runs --format json | jq -r '.[0].id')
check "one run, succeeded" "1 success" "$(F runs --format json | jq -r '"\(length) \(.[0].state)"')"
tj=$(F tasks "$run" --format json)
check "every task's state" \
    "archive=success create_tables=success ingest=success load_readings=success normalise=success normalise_late=skipped report=success summarise=success wait_late=skipped" \
    "$(jq -r '[.task_instances[] | "\(.task)=\(.state)"] | sort | join(" ")' <<<"$tj")"
check "wait_late skipped by soft_fail, saying why" \
    "sensor timed out after 2s (last poke: inbox/late-20261102T100000.jsonl does not exist)" \
    "$(jq -r '.task_instances[] | select(.task == "wait_late") | .note' <<<"$tj")"
check "normalise_late skipped without running" "null null" \
    "$(jq -r '.task_instances[] | select(.task == "normalise_late") | "\(.started) \(.exit_status)"' <<<"$tj")"
# a task's started or ended time in epoch milliseconds: flux writes a time
# whose milliseconds are 0 without them (10:00:01Z, not 10:00:01.000Z), so the
# ISO strings do not sort as the times do ("10:00:01Z" > "10:00:01.500Z");
# nothing (a jq error) when the time is null or not of that shape
ms_of() { # TASK started|ended
    jq -r --arg t "$1" --arg k "$2" '.task_instances[] | select(.task == $t) | .[$k]
        | capture("^(?<s>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})([.](?<f>[0-9]{3}))?Z$")
        | (.s + "Z" | fromdateiso8601) * 1000 + ((.f // "0") | tonumber)' <<<"$tj"
}
# ended_by A B: task A ended no later than task B started (both times known)
ended_by() {
    local e s
    e=$(ms_of "$1" ended) s=$(ms_of "$2" started)
    [[ $e =~ ^[0-9]+$ && $s =~ ^[0-9]+$ ]] && [ "$e" -le "$s" ]
}
late=""
for p in normalise archive create_tables wait_late; do
    ended_by $p load_readings || late="$late $p"
done
check "load_readings (4 parents) started after every parent ended" "" "$late"
check "ingest before its children" "yes yes" \
    "$(ended_by ingest normalise && echo yes || echo no) $(ended_by ingest archive && echo yes || echo no)"

# ---- counts, hop by hop
counts() { F logs "$run" "$1" | sed -n 's/^::counts //p'; }
raw_bytes=$(wc -c <"$raw")
check "ingest counts: the malformed message read and rejected" \
    "read=481 written=480 rejected=1 bytes=$bytes_hour" "$(counts ingest)"
check "normalise counts" "read=480 written=480 rejected=0 bytes=$raw_bytes" "$(counts normalise)"
check "archive counts" "read=480 written=480 rejected=0 bytes=$raw_bytes" "$(counts archive)"
check "load_readings counts" "read=480 written=480 rejected=0 bytes=$(wc -c <"$volts")" "$(counts load_readings)"
check "report counts" "read=8 written=8 rejected=0 bytes=$(wc -c <"report/sensors-$H.csv")" "$(counts report)"
broken=$(awk -F'\t' '$3 !~ /}$/' "$T/hour.txt")
IFS=$'\t' read -r bp bo bv <<<"$broken"
check "the ingest reject: reason, partition, offset, time, record" \
    "malformed JSON|readings|$bp|$bo|2026-11-02T10:29:30.000Z|$bv" \
    "$(jq -r '[(.reason | sub(" at byte.*"; "")), .where.topic, .where.partition, .where.offset, .where.timestamp, .record] | map(tostring) | join("|")' \
        "data/rejects-ingest-$H.jsonl")"
check "no load reject" 0 "$(wc -c <"data/rejects-load-$H.jsonl")"
# the throwaway server's URL carries its password: nowhere flux wrote, nor in what run.sh printed
check "no connection URL with its password in the state, logs, files or output" "" \
    "$(grep -rlaF 'flux:flux@' "$work" "$T/run.out" || true)"

# ---- the files along the path
check "raw file: the hour's readings, exactly, in partition order" \
    "$(sort "$T/valid.jsonl" | sha256sum)" "$(jq -c . "$raw" | sort | sha256sum)"
check "archive: a byte-identical copy" "$(sha256sum <"$raw")" "$(sha256sum <"archive/raw-$H.jsonl")"
check "no late file: the skipped branch wrote nothing" "" "$(ls data | grep late || true)"

# ---- MySQL (dumped by run.sh with the mariadb client)
check "readings: 480 rows, ids of the hour's readings" \
    "$(jq -r .id "$T/valid.jsonl" | sort -n | paste -sd,)" \
    "$(tail -n +2 mysql/readings.tsv | cut -f1 | paste -sd,)"
# what normalise writes, from the generator: V as is, mV divided by 100 (its
# bug: 1 mV is 1/1000 V); in millivolts, to compare exactly
mv_sum() { awk -F'\t' '{ v = $1; sub(/\./, "", v); s += v + 0 } END { print s + 0 }'; }
expected_mv=$(jq -r 'if .unit == "mV" then .value * 10 else .value * 1000 | round end' "$T/valid.jsonl" |
    awk '{ s += $1 } END { print s }')
check "readings: sum of volts (in mV), exactly" "$expected_mv" "$(tail -n +2 mysql/readings.tsv | cut -f4 | mv_sum)"
check "readings above 5 V: the 20 of s-07 in mV, from 10:40" "20 s-07 2026-11-02 10:40:07" \
    "$(tail -n +2 mysql/readings.tsv | awk -F'\t' '$4 > 5 { n++; s[$2] = 1; if (!t || $3 < t) t = $3 } END { for (k in s) ks = ks k; print n, ks, t }')"
check "sensor_hourly: 8 sensors, 60 readings each" "8 480" \
    "$(tail -n +2 mysql/sensor_hourly.tsv | awk -F'\t' '{ n++; r += $3 } END { print n, r }')"
s07_avg=$(jq -r 'select(.sensor == "s-07") | if .unit == "mV" then .value * 10 else .value * 1000 | round end' \
    "$T/valid.jsonl" | awk '{ s += $1; n++ } END { printf "%d %d", s, n }')
check "the report's s-07 line: max 33.18 V and the corrupted average" \
    "s-07,60,3.28,33.18,$(tail -n +2 mysql/sensor_hourly.tsv | awk -F'\t' '$2 == "s-07" { print $6 + 0 }')" \
    "$(grep '^s-07,' "report/sensors-$H.csv")"
read -r s07_sum s07_n <<<"$s07_avg"
check "s-07's average, from the generator (4 decimals)" \
    "$(awk -v s="$s07_sum" -v n="$s07_n" 'BEGIN { printf "%.4f", s / n / 1000 }')" \
    "$(tail -n +2 mysql/sensor_hourly.tsv | awk -F'\t' '$2 == "s-07" { print $6 }')"

# ---- the walk: the suspect row back to its source, comparing values
suspect=$(tail -n +2 mysql/readings.tsv | awk -F'\t' '$4 > 5 { print $1; exit }')
check "the suspect: the first reading over 5 V" \
    "$(jq -r 'select(.unit == "mV") | .id' "$T/valid.jsonl" | head -1)" "$suspect"
[ -n "$suspect" ] || finish
v_table=$(tail -n +2 mysql/readings.tsv | awk -F'\t' -v id="$suspect" '$1 == id { print $4 }')
# 1. the table -> the task that wrote it and the file it read
lt=$(F lineage --table readings --format json)
check "table readings: written by load_readings, from the volts file" "load_readings flux.readings 480 $volts" \
    "$(jq -r '.moves[0] | "\(.task) \(.matched.name) \(.matched.detail.rows) \([.moved[] | select(.direction == "read") | .name] | join(","))"' <<<"$lt")"
v_volts=$(jq -r --argjson id "$suspect" 'select(.id == $id) | .volts' "$volts")
# 2. the volts file -> its writer and what that read
lv=$(F lineage --file "$volts" --format json)
check "volts file: written by normalise, which read the raw file" "normalise $raw" \
    "$(jq -r '[.moves[] | select(.matched.direction == "write")][0] | "\(.task) \([.moved[] | select(.direction == "read") | .name] | join(","))"' <<<"$lv")"
check "volts file: its lineage hash is the file's" "$(sha256sum <"$volts" | cut -c1-64)" \
    "$(jq -r '.moves[0].matched.detail.sha256' <<<"$lv")"
v_raw=$(jq -c --argjson id "$suspect" 'select(.id == $id) | {value, unit}' "$raw")
# 3. the raw file -> its writer and the Kafka ranges it read
lr=$(F lineage --file "$raw" --format json)
check "raw file: written by ingest; its readers are archive and normalise" "ingest archive,normalise" \
    "$(jq -r '[.moves[] | select(.matched.direction == "write")][0] | "\(.task) \([.then[].task] | sort | join(","))"' <<<"$lr")"
src=$(awk -F'\t' -v id="\"id\":$suspect," 'index($3, id) { print $1, $2; exit }' "$T/hour.txt")
read -r sp so <<<"$src"
check "ingest's Kafka range of that partition covers the source offset" yes \
    "$(jq -r --argjson p "$sp" --argjson o "$so" '[.moves[] | select(.matched.direction == "write")][0].moved[] | select(.kind == "kafka" and .detail.partition == $p) | if .detail.first <= $o and $o <= .detail.last then "yes" else "no" end' <<<"$lr")"
check "run.sh found the same offset with kcat" "kafka readings partition $sp offset $so" \
    "$(grep -o "kafka readings partition [0-9]* offset [0-9]*" "$T/run.out")"
v_kafka=$(awk -F'\t' -v p="$sp" -v o="$so" '$1 == p && $2 == o { print $3 }' "$T/hour.txt" | jq -c '{value, unit}')
# 4. the source offset, forward: ingest, then normalise, then load_readings into the table
lk=$(F lineage --topic readings --partition "$sp" --offset "$so" --format json)
check "the source offset forward: ingest -> normalise -> load_readings -> flux.readings" \
    "ingest normalise load_readings flux.readings" \
    "$(jq -r '.moves[0] | .task + " " + (.then[] | select(.task == "normalise") | .task + " " + (.then[] | select(.task == "load_readings") | .task + " " + ([.moved[] | select(.direction == "write") | .name] | join(","))))' <<<"$lk")"
nobody=$(F lineage --topic readings --partition "$sp" --offset 0 2>&1) && rc=0 || rc=$?
check "offset 0 (before the hour) was moved by nobody" "1 no task moved kafka readings at that offset" "$rc $nobody"
# 5. the values hop by hop, in volts: where does it change?
in_volts() { jq -r 'if has("volts") then .volts elif .unit == "mV" then .value / 1000 else .value end'; }
hops="kafka:$(in_volts <<<"$v_kafka") raw:$(in_volts <<<"$v_raw") volts:$v_volts table:$v_table"
check "the suspect's value at each hop" "kafka:3.282 raw:3.282 volts:32.82 table:32.820" "$hops"
culprit=none
read -r -a v <<<"$(tr ' ' '\n' <<<"$hops" | cut -d: -f2 | paste -sd' ')"
writers=(ingest normalise load_readings)
for i in 1 2 3; do
    if [ "$(jq -n "${v[i]} == ${v[i - 1]}")" != true ]; then culprit=${writers[i - 1]}; break; fi
done
check "the task that changed the value" normalise "$culprit"
check "run.sh's verdict" "-> changed by task normalise: it read 3.282 V (file raw-$H.jsonl) and wrote 32.82 V (file volts-$H.jsonl)" \
    "$(grep '^-> changed by' "$T/run.out")"
# every record, not only the suspect: normalise changed exactly the mV ones,
# load_readings none
changed=$(jq -rn --slurpfile r "$raw" --slurpfile v "$volts" \
    '[range($r | length) | select(($r[.] | if .unit == "mV" then .value / 1000 else .value end) != $v[.].volts) | $r[.].id] | join(",")')
check "normalise changed exactly the readings in mV" \
    "$(jq -r 'select(.unit == "mV") | .id' "$T/valid.jsonl" | paste -sd,)" "$changed"
check "load_readings changed none: the table equals the volts file" \
    "$(jq -r '"\(.id)\t\(.volts * 1000 | round)"' "$volts" | sort -n | sha256sum)" \
    "$(tail -n +2 mysql/readings.tsv | awk -F'\t' '{ v = $4; sub(/\./, "", v); print $1 "\t" v + 0 }' | sort -n | sha256sum)"
# ---- again with a file of late readings: the branch runs, the join loads both
late=$T/late
rc=0
FLUX=$flux KAFKA_BROKER=$broker KAFKA_PRODUCE_TS=$produce PROVENANCE_WORK=$late PROVENANCE_LATE=1 \
    bash "$ex/run.sh" >"$T/late.out" 2>&1 || rc=$?
check "run.sh with late readings succeeds" 0 "$rc"
if [ "$rc" -ne 0 ] || [ ! -d "$late/home" ]; then
    tail -40 "$T/late.out"
    finish
fi
cd "$late"
export FLUX_HOME=$late/home
tj=$(F tasks 1 --format json)
check "late: every task succeeded, the sensor at once" \
    "archive=success create_tables=success ingest=success load_readings=success normalise=success normalise_late=success report=success summarise=success wait_late=success" \
    "$(jq -r '[.task_instances[] | "\(.task)=\(.state)"] | sort | join(" ")' <<<"$tj")"
check "late: load_readings started after normalise_late ended" yes \
    "$(ended_by normalise_late load_readings && echo yes || echo no)"
run=1
bash "$ex/gen_readings.sh" --late >"$T/late.jsonl"
check "late: the dropped file is the generator's" "$(sha256sum <"$T/late.jsonl")" "$(sha256sum <"inbox/late-$H.jsonl")"
check "late: normalise_late counts" "read=5 written=5 rejected=0 bytes=$(wc -c <"$T/late.jsonl")" "$(counts normalise_late)"
check "late: load_readings counts: both files" \
    "read=485 written=485 rejected=0 bytes=$(cat "data/volts-$H.jsonl" "data/volts-late-$H.jsonl" | wc -c)" "$(counts load_readings)"
check "late: readings holds the hour's ids and the late ones" \
    "$( (jq -r .id "$T/valid.jsonl"; jq -r .id "$T/late.jsonl") | sort -n | paste -sd,)" \
    "$(tail -n +2 mysql/readings.tsv | cut -f1 | paste -sd,)"
check "late: s-09's 5 readings, exact sum (mV)" "5 $(jq -r '.value * 1000 | round' "$T/late.jsonl" | awk '{ s += $1 } END { print s }')" \
    "$(tail -n +2 mysql/readings.tsv | awk -F'\t' '$2 == "s-09" { n++; v = $4; sub(/\./, "", v); s += v } END { print n, s }')"
check "late: the table's writer read both volts files" "load_readings $late/data/volts-$H.jsonl,$late/data/volts-late-$H.jsonl" \
    "$(F lineage --table readings --format json | jq -r '.moves[0] | "\(.task) \([.moved[] | select(.direction == "read") | .name] | sort | join(","))"')"
check "late: the inbox file has no writer; normalise_late read it, then load_readings" \
    "read normalise_late load_readings" \
    "$(F lineage --file "inbox/late-$H.jsonl" --format json | jq -r '.moves[0] | "\(.matched.direction) \(.task) \([.then[].task] | join(","))"')"
check "late: run.sh's walk still ends at normalise" \
    "-> changed by task normalise: it read 3.282 V (file raw-$H.jsonl) and wrote 32.82 V (file volts-$H.jsonl)" \
    "$(grep '^-> changed by' "$T/late.out")"
finish
