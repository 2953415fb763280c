#!/usr/bin/env bash
# priority: tries waiting for a process slot, a pool's slot or their
# pipeline's max_active_tasks start in decreasing priority (default 1,
# negative allowed); ties go to the run with the earlier logical date, then
# to the order the tries became ready (plan order here). In flux run, flux
# backfill and the scheduler; start orders are read from what the tasks
# write as they start.
. "$(dirname "$0")/lib.sh"
cat > flux.yaml <<'YAML'
pools:
  one: 1
YAML

# ---- -j 1: a wide DAG whose children have distinct priorities ----
cat > wide.flux <<'FLUX'
pipeline wide {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task first : bash { command = "true" }
    task m2  : bash {
        command = "echo m2 >> wide.log"
        priority = -2
    }
    task p3  : bash {
        command = "echo p3 >> wide.log"
        priority = 3
    }
    task t5x : bash {
        command = "echo t5x >> wide.log"
        priority = 5
    }
    task p10 : bash {
        command = "echo p10 >> wide.log"
        priority = 10
    }
    task p1  : bash { command = "echo p1 >> wide.log" }
    task p0  : bash {
        command = "echo p0 >> wide.log"
        priority = 0
    }
    task t5y : bash {
        command = "echo t5y >> wide.log"
        priority = 5
    }
    task p7  : bash {
        command = "echo p7 >> wide.log"
        priority = 7
    }
    first >> [m2, p3, t5x, p10, p1, p0, t5y, p7]
}
FLUX
flux run wide.flux --date 2026-11-02 -j 1 "${DB_ARGS[@]}" > wide.out && rc=0 || rc=$?
check "wide: run succeeded" 0 "$rc"
check "wide: -j 1 starts the children by priority, ties in plan order" "p10 p7 t5x t5y p3 p1 p0 m2" \
    "$(tr '\n' ' ' < wide.log | sed 's/ $//')"

# ---- a pool of one slot, the other tasks free to run beside it ----
{
echo 'pipeline pooled {'
echo '    schedule = "@daily"'
echo '    start    = "2026-11-01T00:00:00Z"'
for p in 2 -1 9 4 6; do
    echo "    task q_${p/-/m} : bash {"
    echo "        command  = \"echo ${p/-/m} >> pool.log; sleep 0.1\""
    echo "        pool     = \"one\""
    echo "        priority = $p"
    echo "    }"
done
for i in 1 2 3; do
    echo "    task free_$i : bash {"
    echo "        command  = \"sleep 0.2\""
    echo "        priority = 20"
    echo "    }"
done
echo '}'
} > pool.flux
flux run pool.flux --date 2026-11-02 -j 4 "${DB_ARGS[@]}" > pool.out && rc=0 || rc=$?
check "pool: run succeeded" 0 "$rc"
check "pool: its one slot goes by priority" "9 6 4 2 m1" "$(tr '\n' ' ' < pool.log | sed 's/ $//')"

# ---- backfill: equal priorities, the earlier run first ----
# The consumers c of both days wait for the pool's slot, which hog holds on
# the first day; the second day's c becomes ready first (its a is quicker),
# yet the first day's c starts first once the slot is free.
cat > days.flux <<'FLUX'
pipeline days {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task hog : bash {
        command  = "case {{ ds }} in 2026-11-01) sleep 2;; esac"
        pool     = "one"
        priority = 9
    }
    task a : bash { command = "case {{ ds }} in 2026-11-01) sleep 1;; *) sleep 0.1;; esac; echo a {{ ds }} >> days.log" }
    task c : bash {
        command = "echo c {{ ds }} >> days.log"
        pool = "one"
    }
    a >> c
}
FLUX
flux backfill days.flux --from 2026-11-01 --to 2026-11-02 -j 3 "${DB_ARGS[@]}" > days.out && rc=0 || rc=$?
check "backfill: succeeded" 0 "$rc"
check "backfill: the later day's c was ready first" "a 2026-11-02 a 2026-11-01" "$(grep '^a' days.log | tr '\n' ' ' | sed 's/ $//')"
check "backfill: the earlier day's c starts first" "c 2026-11-01 c 2026-11-02" "$(grep '^c' days.log | tr '\n' ' ' | sed 's/ $//')"

# ---- the scheduler: max_active_tasks = 1 orders the pipeline's tries ----
mkdir sched
start=$(date -u -d '1 day ago' +%Y-%m-%dT00:00:00Z)
cat > sched/s.flux <<FLUX
pipeline sched_prio {
    schedule         = "@daily"
    start            = "$start"
    max_active_tasks = 1
    task lo  : bash {
        command = "echo lo >> $T/sched.log"
        priority = -5
    }
    task mid : bash { command = "echo mid >> $T/sched.log" }
    task hi  : bash {
        command = "echo hi >> $T/sched.log"
        priority = 50
    }
}
FLUX
sched_done() { [ -f "$T/sched.log" ] && [ "$(wc -l < "$T/sched.log")" -ge 3 ]; }
start_bg sched.out scheduler --pipelines sched "${DB_ARGS[@]}"
wait_for 30 sched_done || true
kill -TERM "$BG"
wait "$BG" || true
check "scheduler: max_active_tasks = 1 starts by priority" "hi mid lo" "$(tr '\n' ' ' < sched.log | sed 's/ $//')"
finish
