#!/usr/bin/env bash
# web_live: what flux web shows of history and of what happens now. The
# grid, a run's gantt, runs per day and transfer counts answer from the
# store (checked against SQL); /api/v1/events streams each run and try
# transition of a run made while it is open, in order, within 2 s of the
# transition; Last-Event-ID resumes after the id given; SIGTERM with a
# stream open exits 0 at once. The task panel's why is flux why's answer.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline live {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task a : bash { command = "sleep 0.5" }
    task b : bash { command = "echo '::counts read=10 written=7 rejected=3 bytes=100'" }
    a >> b
}
FLUX
today=$(date -u +%Y-%m-%d)
flux run p.flux --date "$today" -q "${DB_ARGS[@]}" > /dev/null
run1=$(last_run)

start_bg web.out web --port 0 "${DB_ARGS[@]}"
WEB=$BG
PORT=
for _ in $(seq 100); do
    PORT=$(sed -n 's|^flux web: listening on http://127.0.0.1:\([0-9]*\)/$|\1|p' web.out)
    [ -n "$PORT" ] && break
    sleep 0.05
done
api() { curl -s "http://127.0.0.1:$PORT/api/v1/$1"; }

check "grid: the tasks in plan order, one cell each" '["a","b"] ["success","success"]' \
    "$(api 'grid?pipeline=live' | jq -c '.tasks, [.runs[0].cells[].state]' | tr '\n' ' ' | sed 's/ $//')"
check "grid: one pipeline only" 400 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/grid")"
check "gantt: every try, a before b" "a b" "$(api "runs/$run1/gantt" | jq -r '[.tries[].task] | join(" ")')"
check "gantt: ready, queued, started in order" true \
    "$(api "runs/$run1/gantt" | jq '[.tries[] | .ready <= .queued and .queued <= .started] | all')"
check "stats: today's run succeeded" "1 0" \
    "$(api 'stats/daily?days=14' | jq -r --arg d "$today" '.items[] | select(.day == $d and .pipeline == "live") | "\(.succeeded) \(.failed)"')"
check "transfers: the counts and the loss ratio" "10 7 3 0.3" \
    "$(api 'transfers?pipeline=live' | jq -r '.items[0] | "\(.records_read) \(.records_written) \(.records_rejected) \(.loss_ratio)"')"
check "transfers: as the store holds them" "$(sql 'SELECT records_read FROM transfer_counts' | tail -n 1)" \
    "$(api 'transfers' | jq -r '.items[0].records_read')"

# why, for the task panel: the same answer as flux why
check "why: the API's reasons are flux why's" \
    "$(flux why "$run1" b --format json "${DB_ARGS[@]}" | jq -c '[.reasons[].code]')" \
    "$(api "runs/$run1/tasks/b/why" | jq -c '[.reasons[].code]')"
check "why: a task the run does not have is 404" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/runs/$run1/tasks/nosuch/why")"
check "notifiers: none failing" '{"items":[],"next_cursor":null}' "$(api 'notifiers/failing' | jq -c .)"

# the live feed: opened, then a run happens
curl -sN "http://127.0.0.1:$PORT/api/v1/events" > events.txt &
CURL=$!
sleep 0.5
flux run p.flux --date "$(date -u -d yesterday +%Y-%m-%d)" -q "${DB_ARGS[@]}" > /dev/null
ended=$(date +%s%N)
got=
for _ in $(seq 40); do
    got=$(grep -c '"state":"success"' events.txt || true)
    [ "$got" -ge 3 ] && break
    sleep 0.05
done
lag=$((($(date +%s%N) - ended) / 1000000))
check "events: a, b and the run reached success" 3 "$got"
check "events: within 2 s of the run's end" yes "$([ "$lag" -lt 2000 ] && echo yes || echo "$lag ms")"
check "events: a's transitions in order" "queued running success" \
    "$(grep '^data:' events.txt | sed 's/^data: //' | jq -r 'select(.task == "a") | .state' | tr '\n' ' ' | sed 's/ $//')"
check "events: ids increase" true \
    "$(grep '^id:' events.txt | awk '{ print $2 }' | jq -s '. == (. | sort) and length > 4')"
check "events: nothing from before the page opened" 0 \
    "$(grep '^data:' events.txt | sed 's/^data: //' | jq -r --argjson r "$run1" 'select(.run == $r)' | wc -l)"
first=$(grep '^id:' events.txt | head -1 | awk '{ print $2 }')
check "Last-Event-ID: resumes right after it" "$((first + 1))" \
    "$(curl -sN -m 1 -H "Last-Event-ID: $first" "http://127.0.0.1:$PORT/api/v1/events" | grep -m1 '^id:' | awk '{ print $2 }')"
check "events: a text/event-stream with the safety headers" "text/event-stream default-src 'self'" \
    "$(curl -s -m 1 -D - -o /dev/null "http://127.0.0.1:$PORT/api/v1/events" | tr -d '\r' |
        awk -F': ' 'tolower($1) == "content-type" { t = $2 } tolower($1) == "content-security-policy" { c = $2 } END { print t, c }')"
check "events: a foreign Host is refused" 400 \
    "$(curl -s -m 1 -o /dev/null -w '%{http_code}' -H 'Host: evil.example' "http://127.0.0.1:$PORT/api/v1/events")"

s=$(date +%s%N)
kill -TERM "$WEB"
wait "$WEB" && rc=0 || rc=$?
took=$((($(date +%s%N) - s) / 1000000))
wait "$CURL" || true
check "SIGTERM with a stream open: exit 0" 0 "$rc"
check "SIGTERM with a stream open: at once" yes "$([ "$took" -lt 2000 ] && echo yes || echo "$took ms")"
finish
