#!/usr/bin/env bash
# http.sh FLUX [KAFKA_BROKER] — the http operator against a test server
# (tests/servers/http_server.c, built here): GET and POST with headers and
# body echoed back exactly, a relative url joined to a connection's base,
# expected_status as a list, a 500 and a too-large body failing with clear
# messages, basic auth from a connection whose password (password_env)
# appears nowhere flux wrote, and a refused connection.
set -euo pipefail
flux=${1:?usage: http.sh FLUX_BINARY}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-http.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT
cc -std=c11 -D_DEFAULT_SOURCE -o "$dir/http_server" "$here/servers/http_server.c" \
    $(pkg-config --cflags --libs libmicrohttpd jansson)
export API_PASSWORD='Hx7-t0ps3cret-41'
"$dir/http_server" "$dir/port" api "$API_PASSWORD" 2> "$dir/server.err" &
server_pid=$!
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
port=$(cat "$dir/port")
# a port nobody listens on: a second test server's, once it has stopped
"$dir/http_server" "$dir/port2" api x 2> /dev/null &
p2=$!
for _ in $(seq 100); do [ -s "$dir/port2" ] && break; sleep 0.05; done
closed=$(cat "$dir/port2")
kill "$p2"
wait "$p2" 2>/dev/null || true
cd "$dir"
export FLUX_HOME=$dir/home NO_PROGRESS=1
cat > flux.yaml <<YAML
connections:
  echo:
    type: http
    host: 127.0.0.1
    port: $port
    base: /echo/
  api:
    type: http
    host: 127.0.0.1
    port: $port
    base: /auth
    user: api
    password_env: API_PASSWORD
YAML
cat > p.flux <<FLUX
pipeline web {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task get_echo : http {
        conn    = "echo"
        url     = "/items/{{ ds }}?x=1"
        headers = { "X-Trace" = "abc 123", Accept = "application/json" }
    }
    task post_echo : http {
        method  = POST
        url     = "http://127.0.0.1:$port/echo/post"
        headers = { "Content-Type" = "application/json" }
        body    = """{"name": "it's \\"quoted\\"", "n": 1}"""
    }
    task text : http { url = "http://127.0.0.1:$port/text" }
    task use_text : bash { command = "echo '{{ tasks.text.outputs.body }}|{{ tasks.text.outputs.status }}' > text.txt" }
    task listed : http {
        url             = "http://127.0.0.1:$port/status/404"
        expected_status = [200, 404]
    }
    task fails500 : http { url = "http://127.0.0.1:$port/status/500" }
    task too_big : http { url = "http://127.0.0.1:$port/big/3000000" }
    task too_big_chunked : http {
        url               = "http://127.0.0.1:$port/stream/5000"
        max_response_size = 1000
    }
    task authed : http {
        conn   = "api"
        method = PUT
        url    = "whoami"
        body   = "x"
    }
    task refused : http { url = "http://127.0.0.1:$closed/nothing" }
    text >> use_text
}
FLUX
pass=0
fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
state() { "$flux" tasks "$1" --format json | jq -r --arg t "$2" '[.task_instances[] | select(.task == $t)] | last | .state'; }
# the echoed JSON: the body line of the log, behind its "| "
echoed() { "$flux" logs "$1" "$2" | sed -n 's/^| //p' | head -1; }
has() { "$flux" logs "$1" "$2" | grep -qF -- "$3" && echo yes || echo no; }

"$flux" run p.flux --date 2026-11-02 > out.txt 2>&1 && rc=0 || rc=$?
check "run fails (the failing tasks)" 1 "$rc"
[ "$rc" = 1 ] || cat out.txt
for t in get_echo post_echo text use_text listed authed; do check "$t succeeds" success "$(state 1 $t)"; done
for t in fails500 too_big too_big_chunked refused; do check "$t fails" failed "$(state 1 $t)"; done

e=$(echoed 1 get_echo)
check "GET method" GET "$(jq -r .method <<<"$e")"
check "relative url joined to the base with one /" /echo/items/2026-11-02 "$(jq -r .path <<<"$e")"
check "header X-Trace" "abc 123" "$(jq -r '.headers["x-trace"]' <<<"$e")"
check "header Accept" application/json "$(jq -r .headers.accept <<<"$e")"
check "GET sends no body" "" "$(jq -r .body <<<"$e")"

e=$(echoed 1 post_echo)
check "POST method" POST "$(jq -r .method <<<"$e")"
check "POST body exactly" '{"name": "it'"'"'s \"quoted\"", "n": 1}' "$(jq -r .body <<<"$e")"
check "POST content type" application/json "$(jq -r '.headers["content-type"]' <<<"$e")"
check "the JSON body is an output too" yes "$(has 1 post_echo '::output body={"body":')"

check "short text body and status downstream" "hello flux|200" "$(cat text.txt)"
check "expected_status list: status output" yes "$(has 1 listed '::output status=404')"
check "500: clear message" yes \
    "$(has 1 fails500 "GET http://127.0.0.1:$port/status/500 returned status 500, expected 2xx; the body begins: status 500")"
check "too large (Content-Length)" yes "$(has 1 too_big 'the response body is larger than max_response_size (1048576 bytes)')"
check "too large (chunked)" yes "$(has 1 too_big_chunked 'the response body is larger than max_response_size (1000 bytes)')"
check "too large body not in the log" no "$(has 1 too_big_chunked 'xxxxxxxx')"
e=$(echoed 1 authed)
check "basic auth: PUT reached the protected endpoint" "PUT /auth/whoami x" "$(jq -r '"\(.method) \(.path) \(.body)"' <<<"$e")"
check "refused: clear message" yes "$(has 1 refused "GET http://127.0.0.1:$closed/nothing failed: Couldn't connect to server")"

# a wrong password: the server's 401 fails the task
API_PASSWORD=not-it "$flux" run p.flux --date 2026-11-03 > out2.txt 2>&1 || true
check "wrong password fails" failed "$(state 2 authed)"
check "wrong password: 401 in the log" yes "$(has 2 authed 'returned status 401, expected 2xx')"

check "password nowhere flux wrote" 0 "$(grep -rlaF -- "$API_PASSWORD" home out.txt out2.txt text.txt 2>/dev/null | wc -l)"
check "password not in the logs as shown" 0 "$(for t in get_echo authed; do "$flux" logs 1 $t; done | grep -cF -- "$API_PASSWORD" || true)"
# under ASan/UBSan builds: no report in any log, failing tasks' included
check "no sanitizer report" 0 "$(grep -rlaE 'Sanitizer|runtime error' home out.txt out2.txt 2>/dev/null | wc -l)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
