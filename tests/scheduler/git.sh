#!/usr/bin/env bash
# git.sh FLUX — commit-to-deploy end to end: a git repository of pipelines,
# `flux scheduler --git main` on it. A committed pipeline runs on its
# schedule (every 2s); uncommitted edits are ignored; a broken commit keeps
# the last good version running and shows its error in `flux errors` and
# `flux status`; a fix becomes a new version whose runs start within
# seconds (the commit-to-run time is printed); deleting the file stops new
# runs; SIGTERM exits 0 and the heartbeat says stopped.
set -euo pipefail
flux=${1:?usage: git.sh FLUX}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/flux-git.XXXXXX")
spid=
cleanup() {
    if [ -n "$spid" ]; then kill -TERM "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT
export FLUX_HOME=$T/home NO_PROGRESS=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
db="sqlite://$T/flux.db"
pass=0 fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
repo=$T/repo
git init -q -b main "$repo"
mkdir -p "$repo/pipes"
write() { # VERSION-WORD
    cat > "$repo/pipes/tick.flux" <<FLUX
pipeline tick {
    schedule = "every 2s"
    start    = "2026-01-01T00:00:00Z"
    params { who = "cron" }
    task say : bash { command = "echo $1 {{ ts }} {{ params.who | shquote }} >> $T/said.txt" }
}
FLUX
}
commit() { git -C "$repo" add -A && git -C "$repo" commit -q -m "$1"; }
write v1
commit "v1"
"$flux" scheduler --pipelines "$repo" --git main --db "$db" > "$T/sched.log" 2>&1 &
spid=$!
. "$(dirname "$0")/../wait.sh"
plan_of() { "$flux" versions tick --db "$db" --format json | jq -r --argjson v "$1" '.[] | select(.version == $v) | .plan'; }
runs_with() { "$flux" runs tick --db "$db" --format json --limit 200 | jq --arg p "$1" '[.[] | select(.plan_id == $p and .state == "success")] | length'; }
has_runs() { [ "$(runs_with "$1")" -ge "$2" ]; }
wait_for 15 test -s "$T/said.txt" || true
check "version 1 deployed from the commit" "1 $(git -C "$repo" rev-parse HEAD)" \
    "$("$flux" versions tick --db "$db" --format json | jq -r '.[0] | "\(.version) \(.commit)"')"
v1=$(plan_of 1)
wait_for 10 has_runs "$v1" 2 || true
check "version 1 runs on its schedule" yes "$([ "$(runs_with "$v1")" -ge 2 ] && echo yes || echo no)"

# SIGHUP recompiles (the same commit: nothing new to deploy)
kill -HUP "$spid"
wait_for 5 grep -q 'tick: unchanged (version 1)' "$T/sched.log" || true
check "SIGHUP recompiles" yes "$(grep -q 'SIGHUP: recompiling' "$T/sched.log" && grep -q 'tick: unchanged (version 1)' "$T/sched.log" && echo yes || echo no)"

# uncommitted edits are ignored
echo "this is not flux" >> "$repo/pipes/tick.flux"
sleep 3
check "an uncommitted edit deploys nothing" 1 "$("$flux" versions tick --db "$db" --format json | jq length)"
"$flux" errors --db "$db" > /dev/null 2>&1 && rc=0 || rc=$?
check "an uncommitted edit is no error" 0 "$rc"
git -C "$repo" checkout -q -- .

# a broken commit: the last good version keeps running, the error shows
echo "pipeline broken {" > "$repo/pipes/broken.flux"
sed -i 's/task say/task say : nosuchop { }\n    task say2/' "$repo/pipes/tick.flux"
commit "broken"
wait_for 10 sh -c "'$flux' errors --db '$db' > '$T/errors.txt' 2>&1; [ \$? -eq 3 ]" || true
check "flux errors names both broken files" "2" "$(grep -c '^pipes/[a-z]*.flux (checked' "$T/errors.txt" || true)"
check "flux errors shows the diagnostic" yes "$(grep -q "unknown operator 'nosuchop'" "$T/errors.txt" && echo yes || echo no)"
check "flux status says the last good version runs" yes \
    "$("$flux" status --db "$db" | grep -q 'tick .* 1 .*active .*fails to compile' && echo yes || echo no)"
before=$(runs_with "$v1")
wait_for 10 has_runs "$v1" $((before + 2)) || true
check "version 1 keeps running after the broken commit" yes "$([ "$(runs_with "$v1")" -ge $((before + 2)) ] && echo yes || echo no)"
check "still one version" 1 "$("$flux" versions tick --db "$db" --format json | jq length)"

# the fix: a new version, running within seconds of the commit
git -C "$repo" rm -q pipes/broken.flux
write v2
commit "v2"
t0=$(date +%s%N)
wait_for 10 sh -c "[ \"\$('$flux' versions tick --db '$db' --format json | jq length)\" = 2 ]" || true
td=$(date +%s%N)
v2=$(plan_of 2)
created() { [ -n "$v2" ] && [ "$("$flux" runs tick --db "$db" --format json --limit 50 | jq --arg p "$v2" '[.[] | select(.plan_id == $p)] | length')" -ge 1 ]; }
wait_for 10 created || true
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
echo "commit to new version deployed: $(( (td - t0) / 1000000 )) ms; to its first run created: $ms ms (the run waits for the next interval end of 'every 2s'; both include the test's 0.1 s polling)"
check "version 2 deployed with its commit" "2 $(git -C "$repo" rev-parse HEAD)" \
    "$("$flux" versions tick --db "$db" --format json | jq -r '.[0] | "\(.version) \(.commit)"')"
check "version 2 runs within 5 s of the commit" yes "$([ "$ms" -lt 5000 ] && echo yes || echo no)"
wait_for 10 grep -q '^v2 ' "$T/said.txt" || true
check "version 2's command ran" yes "$(grep -q '^v2 ' "$T/said.txt" && echo yes || echo no)"
"$flux" errors --db "$db" > /dev/null 2>&1 && rc=0 || rc=$?
check "no errors once fixed" 0 "$rc"
check "flux diff shows the change" yes \
    "$("$flux" diff tick 1 2 --db "$db" | grep -q '^+    command: !template "echo v2' && echo yes || echo no)"

# flux trigger: a manual run with a param, started by the scheduler
"$flux" trigger tick --date 2026-01-01T00:00:00Z --param who=me --db "$db" > "$T/trigger.txt" 2>&1 && rc=0 || rc=$?
check "trigger queues a run" 0 "$rc"
manual() { "$flux" runs tick --db "$db" --format json --limit 500 | jq -r '[.[] | select(.trigger == "manual")] | .[0].state // "none"'; }
wait_for 10 sh -c "[ \"\$('$flux' runs tick --db '$db' --format json --limit 500 | jq -r '[.[] | select(.trigger == \"manual\")] | .[0].state // \"none\"')\" = success ]" || true
check "the scheduler runs the triggered run" success "$(manual)"
check "with its param" yes "$(grep -q '^v2 2026-01-01T00:00:00+00:00 me$' "$T/said.txt" && echo yes || echo no)"
"$flux" trigger tick --param nosuch=1 --db "$db" > "$T/trigger2.txt" 2>&1 && rc=0 || rc=$?
check "an unknown param is refused at trigger time" 2 "$rc"

# pause and unpause
"$flux" pause tick --db "$db" > /dev/null
sleep 1
p1=$("$flux" runs tick --db "$db" --format json --limit 500 | jq '[.[] | select(.trigger == "scheduled")] | length')
sleep 3
p2=$("$flux" runs tick --db "$db" --format json --limit 500 | jq '[.[] | select(.trigger == "scheduled")] | length')
check "paused: no new scheduled runs" "$p1" "$p2"
"$flux" unpause tick --db "$db" > /dev/null
wait_for 5 sh -c "[ \"\$('$flux' runs tick --db '$db' --format json --limit 500 | jq '[.[] | select(.trigger == \"scheduled\")] | length')\" -gt $p2 ]" || true
p3=$("$flux" runs tick --db "$db" --format json --limit 500 | jq '[.[] | select(.trigger == "scheduled")] | length')
check "unpaused: runs again" yes "$([ "$p3" -gt "$p2" ] && echo yes || echo no)"

# deleting the file: no new runs
git -C "$repo" rm -q pipes/tick.flux
commit "remove"
wait_for 10 sh -c "'$flux' status --db '$db' | grep -q 'tick .*removed'" || true
check "a deleted file's pipeline is removed" yes "$("$flux" status --db "$db" | grep -q 'tick .*removed' && echo yes || echo no)"
sleep 1
n1=$("$flux" runs tick --db "$db" --format json --limit 500 | jq length)
sleep 3
n2=$("$flux" runs tick --db "$db" --format json --limit 500 | jq length)
check "no new runs after the removal" "$n1" "$n2"

kill -TERM "$spid"
wait "$spid" && rc=0 || rc=$?
spid=
check "SIGTERM exits 0" 0 "$rc"
check "the heartbeat says stopped" yes "$("$flux" status --db "$db" | grep -q 'scheduler .*: stopped' && echo yes || echo no)"
check "every run of the store finished" 0 \
    "$("$flux" runs tick --db "$db" --format json --limit 500 | jq '[.[] | select(.state != "success")] | length')"
# The store cannot hold two runs of one run_id (UNIQUE), so duplicates are
# looked for where they would show: every execution of say appends its
# version, interval and who to said.txt; an interval run twice repeats a line.
check "said.txt has lines" yes "$([ -s "$T/said.txt" ] && echo yes || echo no)"
check "no interval executed twice" 0 "$(sort "$T/said.txt" 2>/dev/null | uniq -d | wc -l)"
if [ "$fail" -ne 0 ]; then tail -40 "$T/sched.log"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
