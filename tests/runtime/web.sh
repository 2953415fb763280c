#!/usr/bin/env bash
# web: `flux web` on port 0 says where it listens, serves the page and the
# JSON API with the safety headers, refuses a foreign Host (400) and a write
# without a token (401), accepts one with the token, refuses to listen
# beyond loopback without a token (exit 2, saying how), reports a store it
# cannot open (exit 2), and exits 0 on SIGTERM; `flux webserver` is the same.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline demo {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task a : bash { command = "echo hello from a" }
    task b : bash { command = "exit 3" }
    a >> b
}
FLUX
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > /dev/null 2>&1 || true
flux run p.flux --date 2026-11-03 "${DB_ARGS[@]}" > /dev/null 2>&1 || true

# start_web OUT ARGS...: flux web in the background; PORT once it listens
start_web() {
    local out=$1
    shift
    start_bg "$out" "$@"
    PORT=
    for _ in $(seq 100); do
        PORT=$(sed -n 's|^flux web[a-z]*: listening on http://127.0.0.1:\([0-9]*\)/$|\1|p' "$out")
        [ -n "$PORT" ] && break
        kill -0 "$BG" 2>/dev/null || break
        sleep 0.05
    done
}
openssl rand -hex 24 > token
start_web web.out web --port 0 --token-file token "${DB_ARGS[@]}"
check "it says where it listens" yes "$([ -n "$PORT" ] && echo yes || cat web.out)"
url=http://127.0.0.1:$PORT
auth=(-H "Authorization: Bearer $(cat token)")
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "the page is served" 200 "$(code "$url/")"
check "with the content security policy" 1 \
    "$(curl -s -D - -o /dev/null "$url/" | grep -ci "^Content-Security-Policy: default-src 'self'")"
check "the API needs the token when one is given" 401 "$(code "$url/api/v1/runs")"
check "runs, newest first" "2 1" "$(curl -s "${auth[@]}" "$url/api/v1/runs" | jq -r '[.items[].id] | join(" ")')"
page=$(curl -s "${auth[@]}" "$url/api/v1/runs?limit=1")
check "a page of one has a cursor" 2 "$(jq -r '.items[0].id' <<<"$page")"
check "which gives the next page" 1 \
    "$(curl -s "${auth[@]}" "$url/api/v1/runs?limit=1&cursor=$(jq -r .next_cursor <<<"$page")" | jq -r '.items[0].id')"
check "a foreign Host is refused" 400 "$(code "${auth[@]}" -H 'Host: evil.example' "$url/api/v1/runs")"
check "localhost with the port is a good Host" 200 "$(code "${auth[@]}" -H "Host: localhost:$PORT" "$url/api/v1/runs")"
check "a write without the token is refused" 401 "$(code -X POST "$url/api/v1/pipelines/demo/pause")"
check "a write with a wrong token is refused" 401 \
    "$(code -X POST -H 'Authorization: Bearer nope' "$url/api/v1/pipelines/demo/pause")"
check "a write with the token is done" true \
    "$(curl -s -X POST "${auth[@]}" "$url/api/v1/pipelines/demo/pause" | jq -r .paused)"
check "by the same store call as flux pause" true \
    "$(curl -s "${auth[@]}" "$url/api/v1/pipelines" | jq -r '.items[] | select(.pipeline == "demo") | .paused')"
check "clear with downstream clears both tries" 2 \
    "$(curl -s -X POST "${auth[@]}" -d '{"tasks":["a"],"downstream":true}' "$url/api/v1/runs/1/clear" | jq -r .cleared)"
ti=$(curl -s "${auth[@]}" "$url/api/v1/runs/1" | jq -r '.task_instances[] | select(.task == "a") | .log')
check "the run's tries are served" yes "$([ -f "$ti" ] && echo yes || echo "no: $ti")"
kill -TERM "$BG"
wait "$BG" && rc=0 || rc=$?
check "SIGTERM stops it with status 0" 0 "$rc"

start_web web2.out webserver --port 0 "${DB_ARGS[@]}"
check "flux webserver is the same" yes "$([ -n "$PORT" ] && echo yes || cat web2.out)"
check "without a token, writes are refused" 401 "$(code -X POST "http://127.0.0.1:$PORT/api/v1/pipelines/demo/pause")"
check "and reads are open on loopback" 200 "$(code "http://127.0.0.1:$PORT/api/v1/pipelines")"
kill -TERM "$BG"
wait "$BG" || true

flux web --bind 0.0.0.0 --port 0 "${DB_ARGS[@]}" > bind.out 2>&1 && rc=0 || rc=$?
check "beyond loopback without a token it refuses" 2 "$rc"
check "saying how to give one" 1 "$(grep -c 'without a token.*--token-file' bind.out)"
flux web --port 0 --db "sqlite://$T/none/flux.db" > none.out 2>&1 && rc=0 || rc=$?
check "a store that is not there is reported" 2 "$rc"

finish
