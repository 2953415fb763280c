#!/usr/bin/env bash
# depends_on_past: a task instance starts only once the same task succeeded
# or was skipped in the pipeline's previous run (the greatest logical date
# before, any trigger). The first run, and a task the previous run did not
# have, start at once; a previous instance still running is waited for
# (across processes too); one that failed blocks: the task ends
# upstream_failed with a note naming that run and task and how to go on,
# and following the note runs it. In flux run, flux backfill and the
# scheduler.
. "$(dirname "$0")/lib.sh"
note_of() { # RUN TASK
    flux tasks "$1" --format json "${DB_ARGS[@]}" | jq -r --arg t "$2" '[.task_instances[] | select(.task == $t)] | last | .note'
}
run_of() { # PIPELINE RUN_ID
    flux runs "$1" --format json "${DB_ARGS[@]}" | jq -r --arg r "$2" '.[] | select(.run_id == $r) | .id'
}
lines() { tr '\n' ' ' < "$1" | sed 's/ $//'; }

# ---- backfill: every day succeeds, each day's load after the previous one's ----
cat > ok.flux <<'FLUX'
pipeline chain_ok {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task load : bash {
        command         = "echo start {{ ds }} >> ok.log; sleep 0.3; echo end {{ ds }} >> ok.log"
        depends_on_past = true
    }
    task free : bash { command = "echo {{ ds }} >> free.log" }
}
FLUX
flux backfill ok.flux --from 2026-11-01 --to 2026-11-03 -j 4 "${DB_ARGS[@]}" > ok.out && rc=0 || rc=$?
check "all succeed: backfill succeeded" 0 "$rc"
check "all succeed: each load ran after the previous day's" \
    "start 2026-11-01 end 2026-11-01 start 2026-11-02 end 2026-11-02 start 2026-11-03 end 2026-11-03" "$(lines ok.log)"
check "all succeed: tasks without it did not wait" 3 "$(wc -l < free.log)"

# ---- backfill: day 2 fails, day 3 is blocked with a note ----
cat > p.flux <<'FLUX'
pipeline chain {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task load : bash {
        command         = "echo {{ ds }} >> load.log; test ! -e fail-{{ ds }}"
        depends_on_past = true
    }
    task after : bash { command = "echo {{ ds }} >> after.log" }
    load >> after
}
FLUX
touch fail-2026-11-02
flux backfill p.flux --from 2026-11-01 --to 2026-11-03 -j 4 "${DB_ARGS[@]}" > fail.out && rc=0 || rc=$?
check "a failure: backfill fails" 1 "$rc"
d1=$(run_of chain backfill__2026-11-01T00:00:00Z)
d2=$(run_of chain backfill__2026-11-02T00:00:00Z)
d3=$(run_of chain backfill__2026-11-03T00:00:00Z)
check "a failure: states of load" "success failed upstream_failed" \
    "$(state_of "$d1" load) $(state_of "$d2" load) $(state_of "$d3" load)"
check "a failure: the blocked day's load never ran" "2026-11-01 2026-11-02" "$(lines load.log)"
check "a failure: downstream of the blocked load" upstream_failed "$(state_of "$d3" after)"
want="blocked by depends_on_past: load ended failed in the previous run, backfill__2026-11-02T00:00:00Z; to go on, clear it there (flux clear $d2 load --downstream) and run that run again, then clear this one (flux clear $d3 load --downstream)"
check "a failure: the note names the run, the task and how to go on" "$want" "$(note_of "$d3" load)"
# a manual run the next day: its previous run is day 3's, whose load was blocked
flux run p.flux --date 2026-11-04 "${DB_ARGS[@]}" > d4.out && rc=0 || rc=$?
d4=$(last_run)
check "a manual run after a blocked one: blocked too" "1 upstream_failed" "$rc $(state_of "$d4" load)"
check "flux run prints the note of a blocked task" yes \
    "$(grep -qF "upstream_failed: load: blocked by depends_on_past: load ended upstream_failed in the previous run, backfill__2026-11-03T00:00:00Z; to go on, clear it there (flux clear $d3 load --downstream)" d4.out && echo yes || echo "no: $(grep upstream_failed d4.out)")"

# following the note: clear day 2, run it again, clear day 3, run it
rm fail-2026-11-02
flux clear "$d2" load --downstream "${DB_ARGS[@]}" > /dev/null
flux backfill p.flux --from 2026-11-02 --to 2026-11-02 "${DB_ARGS[@]}" > again2.out && rc=0 || rc=$?
flux clear "$d3" load --downstream "${DB_ARGS[@]}" > /dev/null
flux backfill p.flux --from 2026-11-03 --to 2026-11-03 "${DB_ARGS[@]}" > again3.out && rc3=0 || rc3=$?
check "the note followed: both runs succeed" "0 0" "$rc $rc3"
check "the note followed: load of days 2 and 3 succeeded" "success success" "$(state_of "$d2" load) $(state_of "$d3" load)"

# ---- the first run, and a task the previous run did not have, start ----
cat > first.flux <<'FLUX'
pipeline first_run {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task load : bash {
        command         = "true"
        depends_on_past = true
    }
}
FLUX
flux run first.flux --date 2026-11-05 "${DB_ARGS[@]}" > first.out && rc=0 || rc=$?
check "the first run: its load runs" "0 success" "$rc $(state_of "$(last_run)" load)"
cat > first.flux <<'FLUX'
pipeline first_run {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task load : bash {
        command         = "true"
        depends_on_past = true
    }
    task added : bash {
        command         = "true"
        depends_on_past = true
    }
}
FLUX
flux run first.flux --date 2026-11-06 "${DB_ARGS[@]}" > added.out && rc=0 || rc=$?
check "a task the previous run did not have: it runs" "0 success" "$rc $(state_of "$(last_run)" added)"

# ---- the previous run still running in another process: waited for ----
# day 1's load comes after a slow task, so when day 2 asks, day 1 has no
# try of load yet; day 2's load fails unless day 1's is done
cat > bg.flux <<'FLUX'
pipeline bg {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task slow : bash { command = "case {{ ds }} in 2026-11-01) sleep 2;; esac" }
    task load : bash {
        command         = "case {{ ds }} in 2026-11-01) sleep 1; touch done-1;; *) test -e done-1 && echo 2 >> bg.log;; esac"
        depends_on_past = true
    }
    slow >> load
}
FLUX
start_bg bg1.out run bg.flux --date 2026-11-01 "${DB_ARGS[@]}"
wait_for 10 grep -qs 'slow running' bg1.out || true
flux run bg.flux --date 2026-11-02 "${DB_ARGS[@]}" > bg2.out && rc=0 || rc=$?
wait "$BG" && rc1=0 || rc1=$?
check "previous run running elsewhere: both succeed" "0 0" "$rc1 $rc"
check "previous run running elsewhere: day 2's load ran after day 1's" 2 "$(cat bg.log 2>/dev/null)"

# ---- the scheduler: three catch-up runs, the middle one fails ----
mkdir sched
start=$(date -u -d '3 days ago' +%Y-%m-%dT00:00:00Z)
mid=$(date -u -d '2 days ago' +%Y-%m-%d)
cat > sched/s.flux <<FLUX
pipeline sched_past {
    schedule = "@daily"
    start    = "$start"
    catchup  = true
    task load : bash {
        command         = "echo {{ ds }} >> $T/sched.log; test {{ ds }} != $mid"
        depends_on_past = true
    }
}
FLUX
three_done() {
    [ "$(flux runs sched_past --format json "${DB_ARGS[@]}" 2>/dev/null |
        jq '[.[] | select(.state == "success" or .state == "failed")] | length')" = 3 ]
}
start_bg sched.out scheduler --pipelines sched "${DB_ARGS[@]}"
wait_for 30 three_done || true
kill -TERM "$BG"
wait "$BG" || true
states=$(flux runs sched_past --format json "${DB_ARGS[@]}" | jq -r 'sort_by(.interval_start) | [.[] | .state] | join(" ")')
check "scheduler: runs after a failed day fail too" "success failed failed" "$states"
last=$(flux runs sched_past --format json "${DB_ARGS[@]}" | jq -r 'sort_by(.interval_start) | last | .id')
check "scheduler: the last day's load was blocked, not run" "upstream_failed 2" \
    "$(state_of "$last" load) $(wc -l < sched.log)"
check "scheduler: its note says why" yes \
    "$(note_of "$last" load | grep -q '^blocked by depends_on_past: load ended failed in the previous run' && echo yes || echo no)"
finish
