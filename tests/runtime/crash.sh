#!/usr/bin/env bash
# crash: the runner of a 200-task run is killed with SIGKILL at 20+ random
# moments; running it again with the same arguments resumes. In the end
# every task succeeded exactly once, by the side-effect log each appends to.
. "$(dirname "$0")/lib.sh"
{
echo 'pipeline crashy {'
echo '    schedule = "@daily"'
echo '    start    = "2026-11-01T00:00:00Z"'
echo '    {% for l in range(10) %}{% for i in range(20) %}'
echo '    task t_{{ l }}_{{ i }} : bash { command = "sleep 0.2$((RANDOM % 5)); echo t_{{ l }}_{{ i }} >> side.log" }'
echo '    {% if l > 0 %}'
echo '    [t_{{ l - 1 }}_{{ i }}, t_{{ l - 1 }}_{{ (i + 7) % 20 }}] >> t_{{ l }}_{{ i }}'
echo '    {% endif %}'
echo '    {% endfor %}{% endfor %}'
echo '}'
} > p.flux
kills=0
attempt=0
# each run makes a little progress before it is killed; the tasks (0.20 to
# 0.24 s each, 4 at a time) make the whole run last about 11 s of work
while [ $kills -lt 22 ] && [ $attempt -lt 200 ]; do
    attempt=$((attempt + 1))
    "$FLUX" run p.flux --date 2026-11-02 -j 4 --quiet "${DB_ARGS[@]}" > /dev/null 2>>runner.err &
    pid=$!
    sleep "0.$((RANDOM % 30 + 5))"
    if kill -9 $pid 2>/dev/null; then
        kills=$((kills + 1))
        wait $pid 2>/dev/null || true
    else
        wait $pid 2>/dev/null || true
        break # it finished before the kill
    fi
done
# then to the end, without kills
rc=1
for attempt in 1 2 3; do
    timeout 120 "$FLUX" run p.flux --date 2026-11-02 -j 4 --quiet "${DB_ARGS[@]}" > final.txt 2>>runner.err && rc=0 || rc=$?
    [ $rc -eq 0 ] && break
done
check "killed at 20+ moments" yes "$([ $kills -ge 20 ] && echo yes || echo "no ($kills)")"
check "final run succeeded" 0 "$rc"
check "200 side effects" 200 "$(wc -l < side.log)"
check "no task ran twice" 0 "$(sort side.log | uniq -d | wc -l)"
check "every task ran" 200 "$(sort -u side.log | wc -l)"
run=$(last_run)
check "all 200 recorded success" 200 "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq '[.task_instances | group_by(.task)[] | last | select(.state == "success")] | length')"
check "no instance left running" 0 "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq '[.task_instances[] | select(.state == "running" or .state == "queued")] | length')"
finish
