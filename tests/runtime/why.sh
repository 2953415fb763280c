#!/usr/bin/env bash
# why: `flux why RUN TASK` for every reason it gives, each state prepared for
# real and the output compared with tests/golden/why/NAME.txt (times, pids,
# hosts and heartbeat ages masked; UPDATE_GOLDEN=1 writes the files):
#   - a run in the background: a sensor between pokes (last and next poke),
#     a task waiting for that sensor (trigger rule), a running task holding
#     the one slot of a pool and one waiting for it (who holds it), a try
#     waiting for its retry (next try), then the run's owner stopped;
#   - depends_on_past after a failed previous run: the instance that ended
#     upstream_failed, and a queued one no scheduler claimed yet;
#   - a paused deployed pipeline with a triggered run;
#   - a backfill's second run held by max_active_runs = 1;
#   - a scheduler holding a pipeline to max_active_tasks = 1.
GOLDEN=$(cd "$(dirname "$0")/../golden/why" && pwd)
. "$(dirname "$0")/lib.sh"
mask() {
    perl -pe 's/(?<!__)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/TIME/g;
              s/pid \d+ on [^ ,)]+/pid PID on HOST/g; s/heartbeat [\d.]+ s ago/heartbeat N s ago/g;
              s/"(run|scheduler):[^"]+"/"OWNER"/g; s/poke \d+ at/poke N at/g; s/"pokes":\d+/"pokes":N/g'
}
# golden NAME ARGS...: flux why ARGS, masked, against NAME.txt
golden() {
    local name=$1 got
    shift
    got=$(flux why "$@" 2>&1 | mask)
    if [ -n "${UPDATE_GOLDEN:-}" ]; then printf '%s\n' "$got" > "$GOLDEN/$name.txt"; fi
    check "flux why $* ($name.txt)" "$(cat "$GOLDEN/$name.txt")" "$got"
}
ti_state() { flux tasks "$1" --format json 2>/dev/null | jq -r --arg t "$2" '[.task_instances[] | select(.task == $t)] | last | .state'; }
is() { [ "$(ti_state "$1" "$2")" = "$3" ]; }

cat > flux.yaml <<'YAML'
pools:
  one: 1
YAML
cat > w.flux <<'FLUX'
pipeline w {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task gate : file_sensor {
        path          = "gate.txt"
        poke_interval = 1s
    }
    task after : bash { command = "true" }
    gate >> after
    task hold : bash {
        command  = "while [ ! -e gate.txt ]; do sleep 0.1; done"
        pool     = "one"
        priority = 10
    }
    task blocked : bash {
        command = "true"
        pool    = "one"
    }
    task flaky : bash {
        command     = "exit 1"
        retries     = 2
        retry_delay = 1h
    }
}
FLUX
export FLUX_HOME=$T/home-w
start_bg w.out run w.flux --date 2026-11-02
wait_for 20 is 1 flaky up_for_retry || echo "waited in vain: 20 is 1 flaky up_for_retry"
wait_for 20 is 1 hold running || echo "waited in vain: 20 is 1 hold running"
wait_for 20 is 1 gate up_for_reschedule || echo "waited in vain: 20 is 1 gate up_for_reschedule"
golden sensor_waiting 1 gate
golden upstream_waiting 1 after
golden running 1 hold
golden pool_full 1 blocked
check "the JSON says who holds the pool" "one 1 1 hold" \
    "$(flux why 1 blocked --format json | jq -r '.pool | "\(.name) \(.slots) \(.used) \(.holders[0].task)"')"
golden retry_waiting 1 flaky
check "the JSON's next try is an hour after the failed one" 3600 \
    "$(flux why 1 flaky --format json | jq -r '(.retry.next_try | sub("\\.[0-9]+Z$"; "Z") | fromdate) - (.ended | sub("\\.[0-9]+Z$"; "Z") | fromdate)')"
golden sensor_json 1 gate --format json
touch gate.txt
wait_for 20 is 1 after success || echo "waited in vain: 20 is 1 after success"
golden upstream_done 1 after
kill -TERM "$BG"
wait "$BG" || true
golden owner_stopped 1 flaky

# depends_on_past after a failed previous run
mkdir dp
cat > dp/dp.flux <<'FLUX'
pipeline dp {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task t : bash {
        command         = "exit 1"
        depends_on_past = true
    }
}
FLUX
export FLUX_HOME=$T/home-dp
flux run dp/dp.flux --date 2026-11-01 > /dev/null 2>&1 || true
flux run dp/dp.flux --date 2026-11-02 > /dev/null 2>&1 || true
golden past_failed 2 t
flux deploy dp > /dev/null
flux trigger dp --date 2026-11-03 > /dev/null
golden past_blocks_queued 3 t

# a paused deployed pipeline, a run triggered meanwhile
mkdir pz
cat > pz/pz.flux <<'FLUX'
pipeline pz {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task t : bash { command = "true" }
}
FLUX
export FLUX_HOME=$T/home-pz
flux deploy pz > /dev/null
flux pause pz > /dev/null
flux trigger pz --date 2026-11-02 > /dev/null
golden paused 1 t

# a backfill's second run behind max_active_runs = 1
rm -f gate.txt
cat > ma.flux <<'FLUX'
pipeline ma {
    schedule        = "@daily"
    start           = "2026-11-01T00:00:00Z"
    max_active_runs = 1
    task gate : file_sensor {
        path          = "gate.txt"
        poke_interval = 1s
    }
}
FLUX
export FLUX_HOME=$T/home-ma
start_bg ma.out backfill ma.flux --from 2026-11-01 --to 2026-11-02
wait_for 20 is 1 gate up_for_reschedule || echo "waited in vain: 20 is 1 gate up_for_reschedule"
golden max_active_runs 2 gate
touch gate.txt
wait "$BG" || true

# a scheduler holding a pipeline to max_active_tasks = 1
rm -f gate.txt
mkdir mt
cat > mt/mt.flux <<'FLUX'
pipeline mt {
    schedule         = "@daily"
    start            = "2030-11-01T00:00:00Z"
    max_active_tasks = 1
    task a : bash {
        command  = "while [ ! -e gate.txt ]; do sleep 0.1; done"
        priority = 5
    }
    task b : bash { command = "true" }
}
FLUX
export FLUX_HOME=$T/home-mt
flux deploy mt > /dev/null
flux trigger mt --date 2030-11-02 > /dev/null
start_bg sched.out scheduler --pipelines mt
wait_for 30 is 1 a running || echo "waited in vain: 30 is 1 a running"
golden max_active_tasks 1 b
touch gate.txt
wait_for 20 is 1 b success || echo "waited in vain: 20 is 1 b success"
kill -TERM "$BG"
wait "$BG" || true

out=$(flux why 1 c 2>&1) && rc=0 || rc=$?
check "an unknown task is an error" "2 flux why: run manual__2030-11-02T00:00:00Z of mt has no task 'c'" "$rc $out"
finish
