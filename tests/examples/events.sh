#!/usr/bin/env bash
# events.sh FLUX KAFKA_BROKER KAFKA_PRODUCE_TS — test examples/events end to
# end: a throwaway MariaDB and Kafka test broker (user_events, 3 partitions),
# the example's generator produced with its own timestamps, then
# `flux run examples/events/events.flux` for the hour 2026-11-02T10:00Z:
#   - every task succeeds;
#   - each type's JSON Lines file holds exactly that type's messages of the
#     hour (the bytes as produced; messages before and after the hour, at
#     exactly its end, of another type, or not JSON are left out);
#   - every transfer's counts line, exactly (the message that is not JSON read
#     and rejected by each split, the purchase with amount "n/a" by its load),
#     and the reject files' reasons and places;
#   - each table's rows, flattened, equal to what jq makes of the messages;
#   - event_counts and report_counts' log;
#   - a rerun of the hour duplicates nothing (replace_interval), a run of the
#     hour before adds its own rows and leaves the first hour's alone;
#   - the lineage of a file: the partitions it came from, the table it went to.
# Expectations are computed from the generated messages with awk and jq, and
# the generator's own numbers are pinned too. Ends with "N passed, M failed".
set -euo pipefail
usage="usage: events.sh FLUX KAFKA_BROKER KAFKA_PRODUCE_TS"
flux=${1:?$usage}
export FLUX_KAFKA_BROKER=${2:?$usage}
produce=${3:?$usage}
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
flux=$(abs "$flux") FLUX_KAFKA_BROKER=$(abs "$FLUX_KAFKA_BROKER") produce=$(abs "$produce")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ex=$root/examples/events
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-ex-events.XXXXXX")
finished=0
cleanup() {
    local rc=$?
    if [ "$finished" = 0 ]; then
        echo "FAIL: the test stopped early (exit status $rc)"
        echo "$pass passed, $((fail + 1)) failed"
        rc=1
    fi
    bash "$root/tests/servers/kafka.sh" stop "$dir/kafka" >/dev/null 2>&1 || true
    bash "$root/tests/servers/mariadb.sh" stop "$dir/db" >/dev/null 2>&1 || true
    rm -rf "$dir"
    exit $rc
}
trap cleanup EXIT
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
    finished=1
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}

types="signup login page_view purchase"
H=2026-11-02T10:00:00Z
S=$(date -u -d "$H" +%s)000
E=$((S + 3600000))

mysql_url=$(bash "$root/tests/servers/mariadb.sh" start "$dir/db" 2>"$dir/db.err") ||
    { cat "$dir/db.err"; echo "FAIL: MariaDB did not start"; fail=1; finish; }
brokers=$(bash "$root/tests/servers/kafka.sh" start "$dir/kafka" user_events:3 2>"$dir/kafka.err") ||
    { cat "$dir/kafka.err"; echo "FAIL: the Kafka test broker did not start"; fail=1; finish; }
q() { mariadb --no-defaults --socket="$(cat "$dir/db/socket")" -uroot -N -B flux -e "$1"; }
# the warehouse through a user of its own whose password must appear nowhere flux wrote
secret=Ev-9s3cret-wh-77
q "CREATE USER 'events'@'127.0.0.1' IDENTIFIED BY '$secret';
   CREATE USER 'events'@'localhost' IDENTIFIED BY '$secret';
   GRANT ALL ON flux.* TO 'events'@'127.0.0.1', 'events'@'localhost'"
mysql_url=mysql://events:$secret@127.0.0.1:$(cat "$dir/db/port")/flux

bash "$ex/gen.sh" "$H" >"$dir/events.tsv"
"$produce" "$brokers" user_events <"$dir/events.tsv" || { echo "FAIL: producing"; fail=1; finish; }

# ---- expectations from the messages themselves --------------------------------
# in.tsv: the messages of [S, E); v.jsonl: the valid JSON ones among them
awk -F'\t' -v s="$S" -v e="$E" '$1 >= s && $1 < e' "$dir/events.tsv" >"$dir/in.tsv"
cut -f3- "$dir/in.tsv" | while IFS= read -r line; do
    printf '%s\n' "$line" | jq -ce . >/dev/null 2>&1 && printf '%s\n' "$line"
done >"$dir/v.jsonl"
bad=$(($(wc -l <"$dir/in.tsv") - $(wc -l <"$dir/v.jsonl")))
declare -A n bytes
for t in $types; do
    # the exact lines, as produced (jq -c would reformat numbers such as 5.10)
    grep -F "\"event_type\":\"$t\"" "$dir/v.jsonl" | LC_ALL=C sort >"$dir/exp-$t.jsonl" || true
    n[$t]=$(wc -l <"$dir/exp-$t.jsonl")
    bytes[$t]=$(($(wc -c <"$dir/exp-$t.jsonl") - n[$t]))
done
badbytes=$(cut -f3- "$dir/in.tsv" | while IFS= read -r line; do
    printf '%s\n' "$line" | jq -e . >/dev/null 2>&1 || printf '%s' "$line"; done | wc -c)

# the generator's numbers, pinned: a change to gen.sh shows here first
check "generator: messages" 466 "$(wc -l <"$dir/events.tsv")"
check "generator: messages in the hour" 405 "$(wc -l <"$dir/in.tsv")"
check "generator: not JSON in the hour" 1 "$bad"
check "generator: per type in the hour" "42 87 188 86" "${n[signup]} ${n[login]} ${n[page_view]} ${n[purchase]}"
check "generator: same bytes twice" "$(sha256sum <"$dir/events.tsv")" "$(bash "$ex/gen.sh" "$H" | sha256sum)"

# ---- the run ------------------------------------------------------------------
mkdir "$dir/work"
cd "$dir/work"
export FLUX_HOME=$dir/work/.flux NO_PROGRESS=1 FLUX_CONNECTIONS=$ex/flux.yaml
export FLUX_CONN_KAFKA=kafka://$brokers FLUX_CONN_WAREHOUSE=$mysql_url
frun() { timeout 120 "$flux" run "$ex/events.flux" --date "$1" >>"$dir/run.txt" 2>&1; }
states() { "$flux" tasks "$1" --format json | jq -r '[.task_instances | group_by(.task)[] | max_by(.try) | "\(.task)=\(.state)"] | join(" ")'; }
counts() { "$flux" logs "$1" "$2" | grep '^::counts' | tail -1; }
all_ok="count_events=success create_tables=success load_login=success load_page_view=success load_purchase=success load_signup=success report_counts=success split_login=success split_page_view=success split_purchase=success split_signup=success wait_events=success"

rc=0; frun "$H" || rc=$?
check "run of the hour exits 0" 0 "$rc"
run=$("$flux" runs --format json | jq -r '.[0].run_id')
check "run id" "manual__$H" "$run"
check "every task succeeded" "$all_ok" "$(states "$run")"
[ "$rc" = 0 ] || { cat "$dir/run.txt"; "$flux" tasks "$run" || true; }

d=out/20261102/10
for t in $types; do
    check "file $t: exactly the hour's $t messages" "$(cat "$dir/exp-$t.jsonl")" "$(LC_ALL=C sort "$d/$t.jsonl" 2>&1)"
    check "split_$t counts" "::counts read=$((n[$t] + bad)) written=${n[$t]} rejected=$bad bytes=$((bytes[$t] + badbytes))" \
        "$(counts "$run" "split_$t")"
    check "split_$t reject: the message that is not JSON, where it was" "malformed JSON|user_events|1|2026-11-02T10:30:00.000Z" \
        "$(jq -r '[(.reason | sub(" at byte.*"; "")), .where.topic, .where.partition, .where.timestamp] | join("|")' "$d/$t.rejects.jsonl" 2>&1)"
    loaded=${n[$t]}
    [ "$t" = purchase ] && loaded=$((loaded - 1))
    check "load_$t counts" "::counts read=${n[$t]} written=$loaded rejected=$((n[$t] - loaded)) bytes=$(wc -c <"$d/$t.jsonl")" \
        "$(counts "$run" "load_$t")"
    check "table ${t}_events: rows of the hour" "$loaded" \
        "$(q "SELECT COUNT(*) FROM ${t}_events WHERE ts >= '2026-11-02 10:00' AND ts < '2026-11-02 11:00'")"
    check "table ${t}_events: no row outside the hour" 0 \
        "$(q "SELECT COUNT(*) FROM ${t}_events WHERE ts < '2026-11-02 10:00' OR ts >= '2026-11-02 11:00'")"
done
check "load_purchase reject: the amount n/a, its file and line" \
    "column 'amount': 'n/a' is not a number (decimal(10,2))|$d/purchase.jsonl|$(grep -n '"O-BAD"' "$d/purchase.jsonl" | cut -d: -f1)" \
    "$(jq -r '[.reason, .where.file, .where.line] | join("|")' "$d/purchase.load_rejects.jsonl" 2>&1)"
check "no load rejects but the purchase" "0 0 0 1" \
    "$(for t in $types; do wc -l <"$d/$t.load_rejects.jsonl"; done | paste -sd' ')"

# the tables, flattened, row by row against jq's reading of the messages
tsvq='def n: if . == null then "NULL" else tostring end;
      def t: sub("T"; " ") | sub("Z"; "");'
flat() { jq -r "$tsvq $1" "$dir/exp-$2.jsonl" | LC_ALL=C sort; }
check "signup_events rows" \
    "$(flat '[.event_id, (.ts|t), .user.id, .user.country, .payload.plan, (.payload.referrer|n)] | @tsv' signup)" \
    "$(q "SELECT event_id, ts, user_id, country, plan, IFNULL(referrer, 'NULL') FROM signup_events" | LC_ALL=C sort)"
check "login_events rows" \
    "$(flat '[.event_id, (.ts|t), .user.id, .user.country, .payload.method, .payload.device.os, .payload.device.app_version] | @tsv' login)" \
    "$(q "SELECT event_id, ts, user_id, country, method, os, app_version FROM login_events" | LC_ALL=C sort)"
check "page_view_events rows" \
    "$(flat '[.event_id, (.ts|t), .user.id, .user.country, .payload.page.path, .payload.duration_ms] | @tsv' page_view)" \
    "$(q "SELECT event_id, ts, user_id, country, path, duration_ms FROM page_view_events" | LC_ALL=C sort)"
check "purchase_events rows (amount in cents)" \
    "$(flat 'select(.payload.order.amount | type == "number") | [.event_id, (.ts|t), .user.id, .user.country, .payload.order.id, (.payload.order.amount * 100 | round), .payload.order.currency, .payload.order.items] | @tsv' purchase)" \
    "$(q "SELECT event_id, ts, user_id, country, order_id, CAST(amount * 100 AS SIGNED), currency, items FROM purchase_events" | LC_ALL=C sort)"
check "purchase amount sum" \
    "$(jq -s '[.[] | .payload.order.amount | numbers | . * 100 | round] | add' "$dir/exp-purchase.jsonl")" \
    "$(q "SELECT CAST(SUM(amount) * 100 AS SIGNED) FROM purchase_events")"

# event_counts and what report_counts printed
exp_counts=$(for t in $types; do
    jq -rs --arg t "$t" '[.[] | select(.event_type != "purchase" or (.payload.order.amount | type) == "number")]
        | "\($t)\t\(length)\t\([.[].user.id] | unique | length)"' "$dir/exp-$t.jsonl"
done | LC_ALL=C sort)
check "event_counts of the hour" "$exp_counts" \
    "$(q "SELECT event_type, events, users FROM event_counts WHERE hour_start = '2026-11-02 10:00:00'" | LC_ALL=C sort)"
check "event_counts: one hour only" 4 "$(q "SELECT COUNT(*) FROM event_counts")"
check "report_counts printed the counts" "$exp_counts" \
    "$("$flux" logs "$run" report_counts | sed -n 's/^| //p' | grep -v '^event_type' | LC_ALL=C sort)"
check "report_counts output rows" 4 \
    "$("$flux" tasks "$run" --format json | jq -r '.task_instances[] | select(.task == "report_counts") | .outputs.rows')"

# lineage: the login file written by split_login (from the three partitions), read by load_login
check "lineage of the login file" "split_login $((n[login] + bad)) file:${n[login]};load_login 0 table:${n[login]}" \
    "$("$flux" lineage --file "$PWD/$d/login.jsonl" --format json 2>&1 | jq -r '[.. | objects | select(has("task"))
        | "\(.task) \([.moved[] | select(.kind == "kafka") | .detail.count] | add // 0) \([.moved[] | select(.direction == "write") | "\(.kind):\(.detail.records // .detail.rows)"] | join(","))"] | join(";")' 2>&1)"

# ---- a rerun of the hour: nothing duplicated -----------------------------------
snapshot() { for t in $types; do q "SELECT COUNT(*), SUM(event_id), SUM(user_id) FROM ${t}_events"; done; q "SELECT * FROM event_counts ORDER BY 1, 2"; }
before=$(snapshot)
"$flux" clear "$run" >/dev/null
rc=0; frun "$H" || rc=$?
check "rerun exits 0" 0 "$rc"
check "rerun: every task succeeded" "$all_ok" "$(states "$run")"
check "rerun: tables and event_counts unchanged" "$before" "$(snapshot)"
for t in $types; do
    check "rerun: file $t the same" "$(cat "$dir/exp-$t.jsonl")" "$(LC_ALL=C sort "$d/$t.jsonl")"
done
check "rerun: load_login replaced the hour's rows" "flux: replace_interval: ${n[login]} rows of [2026-11-02T10:00:00.000Z, 2026-11-02T11:00:00.000Z) deleted before loading (same transaction)" \
    "$("$flux" logs "$run" load_login | grep 'replace_interval:' | tail -1)"

# ---- the hour before: its own rows, the first hour's left alone ----------------
S9=$((S - 3600000))
before9=$(awk -F'\t' -v s="$S9" -v e="$S" '$1 >= s && $1 < e {print $3}' "$dir/events.tsv")
rc=0; frun 2026-11-02T09:00:00Z || rc=$?
check "run of 09:00 exits 0" 0 "$rc"
run9=manual__2026-11-02T09:00:00Z
check "run of 09:00: every task succeeded" "$all_ok" "$(states "$run9")"
exp9=$(for t in $types; do printf '%s\t%s\n' "$t" "$(printf '%s\n' "$before9" | grep -cF "\"event_type\":\"$t\"" || true)"; done | awk -F'\t' '$2 > 0' | LC_ALL=C sort)
check "09:00: 30 messages before the hour" 30 "$(printf '%s\n' "$before9" | wc -l)"
check "event_counts of 09:00" "$exp9" \
    "$(q "SELECT event_type, events FROM event_counts WHERE hour_start = '2026-11-02 09:00:00'" | LC_ALL=C sort)"
check "event_counts of 10:00 unchanged" "$exp_counts" \
    "$(q "SELECT event_type, events, users FROM event_counts WHERE hour_start = '2026-11-02 10:00:00'" | LC_ALL=C sort)"
check "tables: both hours, nothing else" "$((405 - 3 + 30))" \
    "$(q "SELECT (SELECT COUNT(*) FROM signup_events) + (SELECT COUNT(*) FROM login_events) + (SELECT COUNT(*) FROM page_view_events) + (SELECT COUNT(*) FROM purchase_events)")"
check "the warehouse password nowhere flux wrote" 0 "$(grep -rlaF -- "$secret" "$dir/work" "$dir/run.txt" 2>/dev/null | wc -l)"
check "no sanitizer report in any task log" 0 \
    "$(grep -rlaE "ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:" "$FLUX_HOME/logs" 2>/dev/null | wc -l)"
finish
