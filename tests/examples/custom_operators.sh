#!/usr/bin/env bash
# custom_operators.sh FLUX [KAFKA_BROKER KAFKA_PRODUCE_TS] — test
# examples/custom_operators end to end (no server needed; the other two
# arguments, given to every example test, are unused):
#   - flux check finds both operators of the example's operator path;
#   - the run succeeds; the shell sensor poked at least twice (not yet, then
#     met) and its output is stored; the Python transfer's counts are
#     read=4 written=3 rejected=1 and stored per task instance, its lineage
#     names the file, its output rows=3; the table holds the three rows;
#   - the transfer's fields file held only the connection it names;
#   - the plan of the pipeline records each operator's manifest and hash.
# Ends with "N passed, M failed".
set -euo pipefail
flux=${1:?usage: custom_operators.sh FLUX}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-ex-custom.XXXXXX")
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); printf 'FAIL: %s\n  expected: %s\n  got:      %s\n' "$1" "$2" "$3"; fi
}
cp -R "$root/examples/custom_operators/." "$dir/"
cd "$dir"
export FLUX_HOME=$dir/.flux NO_PROGRESS=1
unset FLUX_CONNECTIONS
check "flux check" "ok: 1 pipeline, 4 tasks, 2 dependencies in 1 file" "$("$flux" check custom.flux 2>&1)"
rc=0
timeout 120 "$flux" run custom.flux --date 2026-11-01 >run.txt 2>&1 || rc=$?
check "the run exits 0" 0 "$rc"
[ "$rc" = 0 ] || cat run.txt
run=manual__2026-11-01T00:00:00Z
ti() { "$flux" tasks "$run" --format json | jq -r --arg t "$1" "[.task_instances[] | select(.task == \$t)] | last | $2"; }
for t in drop_orders wait_orders load_orders total; do check "$t succeeded" success "$(ti "$t" .state)"; done
pokes=$("$flux" logs "$run" wait_orders)
check "the sensor poked while the file was missing" yes "$(grep -q 'poke 1: not yet' <<<"$pokes" && echo yes || echo "$pokes")"
check "then its condition was met" 1 "$(grep -c 'poke [0-9]*: met' <<<"$pokes")"
check "the sensor's output" 5 "$(ti wait_orders .outputs.lines)"
check "the transfer's counts line" "::counts read=4 written=3 rejected=1 bytes=41" \
    "$("$flux" logs "$run" load_orders | grep '^::counts')"
check "its counts stored with the task instance" "4 3 1" \
    "$(ti load_orders '"\(.counts.read) \(.counts.written) \(.counts.rejected)"')"
check "its output" 3 "$(ti load_orders .outputs.rows)"
check "only its own connection in its fields" "connections given: warehouse" \
    "$("$flux" logs "$run" load_orders | grep -o 'connections given: .*')"
check "the lineage of the file names the transfer" load_orders \
    "$("$flux" lineage --file "$dir/inbox/orders_20261101.csv" --format json | jq -r '[.. | objects | select(has("task")) | .task] | unique | join(",")')"
check "the table" "1|10.50 2|4.25 4|20.00" "$(sqlite3 .flux/warehouse.db 'SELECT * FROM orders ORDER BY 1' | paste -sd' ')"
"$flux" compile custom.flux -o plans >/dev/null 2>&1
plan=$(ls plans/*.yaml 2>/dev/null | head -1)
check "the plan records both operators" "csv_to_sqlite file_lines_sensor" \
    "$(grep -A1 '^- name:\|^  - name:' "$plan" | grep -o 'name: [a-z_]*' | awk '{print $2}' | grep -E 'csv|lines' | paste -sd' ')"
check "with the manifests' hashes" 2 "$(grep -c 'sha256' <(sed -n '/^operators:/,/^attributes:/p' "$plan"))"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
