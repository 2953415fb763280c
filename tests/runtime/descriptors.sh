#!/usr/bin/env bash
# descriptors: -j beyond what RLIMIT_NOFILE allows. With a hard limit of 128
# a 500-wide run at -j 500 succeeds whole: tasks wait for descriptors (said
# once) instead of failing. With only the soft limit at 128, the runner
# raises it to the hard limit and runs all 500 at once, while each task
# still sees the soft limit it was started under.
. "$(dirname "$0")/lib.sh"
{
    echo 'pipeline wide {'
    echo '    schedule = "@daily"'
    echo '    start    = "2026-11-01T00:00:00Z"'
    for i in $(seq 500); do
        echo "    task t$i : bash { command = \"sleep 0.3; echo \$(ulimit -Sn) > $T/limit.\$FLUX_TASK\" }"
    done
    echo '}'
} > wide.flux
succeeded() { flux tasks "$1" --format json "${DB_ARGS[@]}" | jq '[.task_instances[] | select(.state == "success")] | length'; }
said='the other tasks wait for a slot'

# ---- soft and hard limit 128: nothing to raise, tasks wait ----
(ulimit -n 128 && exec "$FLUX" run wide.flux --date 2026-11-02 -j 500 "${DB_ARGS[@]}") > low.txt 2>&1 && rc=0 || rc=$?
run=$(last_run)
check "hard limit 128, -j 500: the run succeeds" 0 "$rc"
check "hard limit 128, -j 500: every task succeeded once" "500 500" \
    "$(succeeded "$run") $(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq '.task_instances | length')"
check "hard limit 128: the wait said once" 1 "$(grep -c "$said" low.txt)"
check "hard limit 128: nothing failed" 0 "$(grep -c 'Too many open files' low.txt)"

# ---- soft limit 128, hard 4096: raised, all 500 at once ----
rm -f limit.*
(ulimit -Sn 128 && ulimit -Hn 4096 && exec "$FLUX" run wide.flux --date 2026-11-03 -j 500 "${DB_ARGS[@]}") > raised.txt 2>&1 &
BG=$!
seen=
for _ in $(seq 100); do
    seen=$(awk '/^Max open files/ { print $4 " " $5 }' "/proc/$BG/limits" 2> /dev/null || true)
    [ "$seen" = "4096 4096" ] && break
    sleep 0.05
done
wait "$BG" && rc=0 || rc=$?
run=$(last_run)
check "soft limit 128: the runner raised it to the hard limit" "4096 4096" "$seen"
check "soft limit 128, -j 500: the run succeeds" 0 "$rc"
check "soft limit 128, -j 500: every task succeeded" 500 "$(succeeded "$run")"
check "soft limit 128: no task waited" 0 "$(grep -c "$said" raised.txt)"
check "soft limit 128: each task sees 128" "500 128" "$(cat limit.* | sort | uniq -c | awk '{ print $1 " " $2 }')"
finish
