#!/usr/bin/env bash
# umb_uploader.sh FLUX KAFKA_BROKER KAFKA_PRODUCE_TS — the umb_uploader example
# end to end, through its own run.sh (a throwaway MariaDB and Kafka test broker,
# 100,000 notifications of the hour 2026-11-02T10:00Z plus 16 outside it), then
# exact checks while the servers are still up: every task succeeded; the load's
# counts (100000 read = 99670 written + 330 rejected, bytes); the reject file by
# reason, and where one reject came from; the loaded rows (count, checksum of
# seq, nothing outside the hour); the summary table equal to an independent
# computation (jq + awk over the produced messages); the status message read
# back with kcat; lineage of one offset; and a rerun in append mode that adds
# no row, no summary change and only a second status message.
set -euo pipefail
self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
root=$(cd "$(dirname "$self")/../.." && pwd)

if [ "${1:-}" != --check ]; then
    [ $# -eq 3 ] || { echo "usage: umb_uploader.sh FLUX KAFKA_BROKER KAFKA_PRODUCE_TS" >&2; exit 2; }
    abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/umb_uploader_test.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    # the warehouse password, made up here so that run.sh's output can be searched for it
    pw=umb-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    rc=0
    FLUX=$(abs "$1") KAFKA_BROKER=$(abs "$2") KAFKA_PRODUCE_TS=$(abs "$3") UMB_COUNT=100000 \
        UMB_WAREHOUSE_PASSWORD=$pw UMB_THEN="bash $(printf %q "$self") --check $(printf %q "$tmp/marker")" \
        bash "$root/examples/umb_uploader/run.sh" >"$tmp/out" 2>&1 || rc=$?
    cat "$tmp/out"
    if [ ! -s "$tmp/marker" ]; then
        echo "FAIL: run.sh ended (status $rc) before the checks"
        echo "0 passed, 1 failed"
        exit 1
    fi
    read -r pass fail <"$tmp/marker"
    if grep -qF -- "$pw" "$tmp/out"; then
        echo "FAIL: the warehouse password appears in what run.sh and flux printed"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] && [ "$rc" -eq 0 ]
    exit
fi

# ---- the checks: run by run.sh in its work directory, servers up ----------
# Not -e from here on: a failed check is counted and the next one still runs.
set +e
marker=$2
flux=$UMB_FLUX
run=$UMB_RUN
pass=0
fail=0
check() {
    if [ "$2" = "$3" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        printf 'FAIL: %s\n  expected: %s\n  got:      %s\n' "$1" "$2" "$3"
    fi
}
finish() {
    echo "$pass $fail" >"$marker"
    [ "$fail" -eq 0 ]
}
sql() { mariadb --no-defaults -S "$UMB_SOCKET" -uroot flux -B -N -e "$1"; }
status_messages() {
    timeout 30 kcat -C -b "$UMB_BROKERS" -t umb.status -e -o beginning -q -X group.id=umb_test -f '%k\t%h\t%s\n'
}
echo "== checks"
export LC_ALL=C
S=$(date -u -d 2026-11-02T10:00:00Z +%s)000
E=$(date -u -d 2026-11-02T11:00:00Z +%s)000
rejects=rejects/umb_notifications_20261102T100000.jsonl

check "flux run succeeded" 0 "$UMB_RC"
check "run id" manual__2026-11-02T10:00:00Z "$run"
check "every task succeeded, once" "create_tables:success load:success status:success summarise:success wait_for_hour:success" \
    "$("$flux" tasks "$run" --format json | jq -r '[.task_instances[] | "\(.task):\(.state)"] | sort | join(" ")')"

# what was produced: 100,016 lines, 100,000 of them in the hour
check "messages produced" 100016 "$(wc -l <notifications.tsv)"
awk -F'\t' -v s="$S" -v e="$E" '$1 >= s && $1 < e' notifications.tsv | cut -f3- >in_hour.jsonl
check "messages in the hour" 100000 "$(wc -l <in_hour.jsonl)"
bytes=$(awk '{ n += length($0) } END { print n }' in_hour.jsonl)

# the good notifications, decided here without Flux: valid JSON with a tenant,
# a node name that fits VARCHAR(64), an ISO time in the hour and a known state
jq -R -r 'fromjson? // empty
    | select((.tenant | type) == "string" and (.node.name | length) <= 64
             and (.time | test("^2026-11-02T10:[0-5][0-9]:[0-5][0-9][.][0-9]{3}Z$"))
             and (.check.state | IN("OK", "WARNING", "CRITICAL", "UNKNOWN")))
    | [.tenant, .env, .check.state, .node.name, .check.name, .seq] | @tsv' in_hour.jsonl >good.tsv
good=$(wc -l <good.tsv)
check "good notifications (independent count)" 99670 "$good"

counts=$("$flux" logs "$run" load | grep '^::counts' || true)
check "load counts: read = written + rejected" "::counts read=100000 written=99670 rejected=330 bytes=$bytes" "$counts"
check "load counts stored with the task" "100000 99670 330" \
    "$("$flux" tasks "$run" --format json | jq -r '[.task_instances[] | select(.task == "load")] | last | .counts | "\(.read) \(.written) \(.rejected)"')"
check "load: 5 batches of at most 20,000 rows" yes \
    "$("$flux" logs "$run" load | grep -q 'this try loaded 99670 row(s) in 5 batch(es)' && echo yes || echo no)"
check "load output rows_loaded" 99670 \
    "$("$flux" tasks "$run" --format json | jq -r '[.task_instances[] | select(.task == "load")] | last | .outputs.rows_loaded')"

# rejects, by kind: the reason with numbers taken out
check "reject file: one line per rejected message" 330 "$(wc -l <"$rejects" 2>/dev/null || echo none)"
kinds=$(jq -r '.reason
    | if test("^malformed JSON at byte [0-9]+: ") then "malformed"
      elif test("missing [$][.]tenant") then "no-tenant"
      elif test("tenant") then "null-tenant"
      elif test("node") then "node-too-long"
      elif test("\u0027ts\u0027") then "bad-time"
      elif test("state") then "bad-state"
      else "other: " + . end' "$rejects" 2>/dev/null | sort | uniq -c | awk '{ $1 = $1; print }' | paste -sd,)
check "rejects by reason" "20 bad-state,40 bad-time,100 malformed,100 no-tenant,50 node-too-long,20 null-tenant" "$kinds"
check "the rejected JSON messages are exactly the ones not good" \
    "$(comm -23 <(jq -R -r 'fromjson? // empty | .seq' in_hour.jsonl | sort) <(cut -f6 good.tsv | sort) | sha256sum)" \
    "$(jq -r '.record | fromjson? // empty | .seq' "$rejects" | sort | sha256sum)"
check "a malformed one: where it was and the record as sent" \
    "umb.notifications|7|1|$(sed -n 8p in_hour.jsonl)" \
    "$(jq -r 'select(.record | startswith("{\"source\":\"icinga2\",\"seq\":7,")) | [.where.topic, .where.partition, .where.offset, .record] | map(tostring) | join("|")' "$rejects")"

# the loaded rows
check "rows loaded" 99670 "$(sql 'SELECT COUNT(*) FROM umb_notifications')"
check "checksum of seq" "$(awk -F'\t' '{ s += $6 } END { print s }' good.tsv)" "$(sql 'SELECT SUM(seq) FROM umb_notifications')"
check "nothing from outside the hour" "0 2026-11-02 10:00:00.000 2026-11-02 10:59:59.964" \
    "$(sql 'SELECT SUM(seq >= 1000000), MIN(ts), MAX(ts) FROM umb_notifications' | tr '\t' ' ')"
check "rows equal the good notifications (tenant env state node check seq)" \
    "$(sort good.tsv | sha256sum)" \
    "$(sql 'SELECT tenant, environment, state, node, check_name, seq FROM umb_notifications' | sort | sha256sum)"

# the summary against awk over the good notifications
awk -F'\t' '{ k = $1 "\t" $2 "\t" $3; n[k]++
              if (!((k, $4) in nd)) { nd[k, $4] = 1; nodes[k]++ }
              if (!((k, $5) in cd)) { cd[k, $5] = 1; checks[k]++ } }
            END { for (k in n) print "2026-11-02 10:00:00\t" k "\t" n[k] "\t" nodes[k] "\t" checks[k] }' good.tsv |
    sort >summary.expected
sql "SELECT hour, tenant, environment, state, notifications, nodes, checks FROM umb_summary" | sort >summary.got
check "summary groups" "$(wc -l <summary.expected)" "$(wc -l <summary.got)"
check "summary table equals the independent computation" "" "$(diff summary.expected summary.got | head -5)"
check "summary total" 99670 "$(sql 'SELECT SUM(notifications) FROM umb_summary')"

# the status message
status1=$(printf 'umb_uploader\trun_id=%s\t{"pipeline":"umb_uploader","hour":"2026-11-02T10:00:00Z","run_id":"%s","loaded":99670}' \
    "$run" "$run")
check "status message on umb.status" "$status1" "$(status_messages)"

# lineage: the malformed message at partition 7 offset 1 was read by load, in
# this run. From the JSON: a grep of the text for "load" also matches the
# pipeline's name, umb_uploader, whichever task the answer names.
check "lineage of an offset names the load" "$run load read" \
    "$("$flux" lineage --topic umb.notifications --partition 7 --offset 1 --format json |
        jq -r '[.moves[] | select(.task == "load") | "\(.run_id) \(.task) \(.matched.direction)"] | unique | join(",")')"

# a rerun of the whole run (append mode): the offsets committed with the rows
# say the hour is loaded, so nothing is loaded twice and the counts are the hour's
before=$(sql 'SELECT COUNT(*), SUM(seq) FROM umb_notifications')
rejects_sha=$(sha256sum <"$rejects")
"$flux" clear "$run" >/dev/null
rerun_rc=0
"$flux" run "$root/examples/umb_uploader/umb_uploader.flux" --date 2026-11-02T10:00:00Z >rerun.log 2>&1 || rerun_rc=$?
check "rerun succeeded" 0 "$rerun_rc"
check "rerun: every task succeeded" "create_tables:success load:success status:success summarise:success wait_for_hour:success" \
    "$("$flux" tasks "$run" --format json | jq -r '[.task_instances | group_by(.task)[] | last | "\(.task):\(.state)"] | sort | join(" ")')"
check "rerun: this try loaded nothing" yes \
    "$("$flux" logs "$run" load | grep -q 'this try loaded 0 row(s)' && echo yes || echo no)"
# read, written and rejected are the hour's (committed with the offsets); bytes are this try's
check "rerun: the hour's counts again" "${counts% bytes=*}" "$("$flux" logs "$run" load | grep '^::counts' | sed 's/ bytes=.*//' || true)"
check "rerun: no duplicate row" "$before" "$(sql 'SELECT COUNT(*), SUM(seq) FROM umb_notifications')"
check "rerun: the reject file as it was" "$rejects_sha" "$(sha256sum <"$rejects")"
sql "SELECT hour, tenant, environment, state, notifications, nodes, checks FROM umb_summary" | sort >summary.rerun
check "rerun: the same summary" "" "$(diff summary.expected summary.rerun | head -5)"
check "rerun: a second, equal status message" "$status1
$status1" "$(status_messages)"
# the warehouse password: nowhere flux wrote (state, logs, rejects, rendered fields)
check "the password is in no file flux wrote" "" \
    "$(grep -rlF -- "$UMB_WAREHOUSE_PASSWORD" home rejects rerun.log 2>/dev/null)"
check "the password is in no rendered field or output" no \
    "$("$flux" tasks "$run" --format json | grep -qF -- "$UMB_WAREHOUSE_PASSWORD" && echo yes || echo no)"
finish
