#!/usr/bin/env bash
# dates: --date names the run whose logical date (its interval's start) it
# is, for trigger and clear as for run, test, render and dry-run (goldens in
# tests/golden/cli/date_*): a time must be a logical date exactly; a day
# (YYYY-MM-DD) names the one run whose logical date falls on it, and several
# (an hourly pipeline) are an error saying how many and how to give a time.
# clear --date looks in the store, where a manual and a backfill run can
# share a logical date: then it lists them to name one.
. "$(dirname "$0")/lib.sh"
mkdir pipes
cat > pipes/d.flux <<'FLUX'
pipeline d {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task a : bash { command = "echo {{ ds }} >> d.txt" }
}
FLUX
cat > pipes/h.flux <<'FLUX'
pipeline h {
    schedule = "@hourly"
    start    = "2026-11-01T00:00:00Z"
    task a : bash { command = "true" }
}
FLUX
flux deploy pipes "${DB_ARGS[@]}" > deploy.txt 2>&1
start_of() { flux runs "$1" --format json "${DB_ARGS[@]}" | jq -r --arg r "$2" '.[] | select(.run_id == $r) | .interval_start'; }

# trigger
flux trigger d --date 2026-11-25T10:00 "${DB_ARGS[@]}" > t1.txt 2>&1 && rc=0 || rc=$?
check "trigger: a time that is no logical date is refused" 1 "$rc"
check "trigger: saying which are nearest" yes \
    "$(grep -q "is not the logical date of a run of 'd': the runs nearest it have logical dates 2026-11-25T00:00:00Z and 2026-11-26T00:00:00Z" t1.txt && echo yes || echo "no: $(cat t1.txt)")"
flux trigger d --date 2026-11-25 "${DB_ARGS[@]}" > t2.txt 2>&1 && rc=0 || rc=$?
check "trigger: a day names its run" 0 "$rc"
check "trigger: the run of that logical date" 2026-11-25T00:00:00Z "$(start_of d manual__2026-11-25T00:00:00Z)"
flux trigger h --date 2026-11-25 "${DB_ARGS[@]}" > t3.txt 2>&1 && rc=0 || rc=$?
check "trigger: a day of an hourly pipeline is refused" 1 "$rc"
check "trigger: saying how many runs it has and how to give a time" yes \
    "$(grep -q "24 runs of 'h' have their logical date on 2026-11-25 (in UTC), the first 2026-11-25T00:00:00Z and the last 2026-11-25T23:00:00Z" t3.txt &&
       grep -q 'help: --date names one run: give its time, e.g. --date 2026-11-25T00:00:00Z' t3.txt && echo yes || echo "no: $(cat t3.txt)")"
flux trigger h --date 2026-11-25T10:00 "${DB_ARGS[@]}" > t4.txt 2>&1 && rc=0 || rc=$?
check "trigger: an hour of an hourly pipeline" "0 2026-11-25T10:00:00Z" "$rc $(start_of h manual__2026-11-25T10:00:00Z)"

# clear
flux run pipes/d.flux --date 2026-11-02 "${DB_ARGS[@]}" > r1.txt 2>&1
flux clear --date 2026-11-02T10:00 "${DB_ARGS[@]}" > c1.txt 2>&1 && rc=0 || rc=$?
check "clear: a time that is no run's logical date is refused" 1 "$rc"
check "clear: saying so" yes "$(grep -q 'no run has the logical date 2026-11-02T10:00 (flux runs lists them' c1.txt && echo yes || echo "no: $(cat c1.txt)")"
flux clear --date 2026-11-02 a "${DB_ARGS[@]}" > c2.txt 2>&1 && rc=0 || rc=$?
check "clear: a day names the run, TASK after it" "0 yes" \
    "$rc $(grep -q 'cleared 1 task instance of run manual__2026-11-02T00:00:00Z of d' c2.txt && echo yes || echo "no: $(cat c2.txt)")"
flux run pipes/d.flux --date 2026-11-02 "${DB_ARGS[@]}" > r2.txt 2>&1
check "clear: the cleared task ran again" 2 "$(grep -c 2026-11-02 d.txt)"
flux clear --date 2026-11-02T00:00 --pipeline d "${DB_ARGS[@]}" > c3.txt 2>&1 && rc=0 || rc=$?
check "clear: the exact logical date works too" "0 yes" \
    "$rc $(grep -q 'cleared 1 task instance of run manual__2026-11-02T00:00:00Z' c3.txt && echo yes || echo "no: $(cat c3.txt)")"
flux backfill pipes/d.flux --from 2026-11-02 --to 2026-11-02 "${DB_ARGS[@]}" > b.txt 2>&1
flux clear --date 2026-11-02 --pipeline d "${DB_ARGS[@]}" > c4.txt 2>&1 && rc=0 || rc=$?
check "clear: a manual and a backfill run of one date are refused" 1 "$rc"
check "clear: listing both to name one" yes \
    "$(grep -q "2 runs of 'd' have the logical date 2026-11-02: [0-9]* (.*__2026-11-02T00:00:00Z), [0-9]* (.*__2026-11-02T00:00:00Z)" c4.txt && echo yes || echo "no: $(cat c4.txt)")"
flux clear "${DB_ARGS[@]}" > c5.txt 2>&1 && rc=0 || rc=$?
check "clear: neither RUN nor --date is a usage error" 2 "$rc"
finish
