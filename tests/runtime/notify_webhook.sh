#!/usr/bin/env bash
# notify_webhook: a task's retry, failure and success reach a real webhook
# receiver (tests/servers/hook_server.c on 127.0.0.1) with the document:
# pipeline, run, date, task, try, state, note, duration, the log's last 20
# lines with the secret the task printed masked, the web_url link, and one
# idempotency key per notice, in the body and the Idempotency-Key header;
# the Authorization header comes from the environment and is in no body.
# Then the receiver is down when a run fails: the notice stays pending with
# its attempts and error, and is delivered once the receiver is back.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
SECRET='pw-Hook-8Tq25e'
TOKEN='Bearer tok-Auth-4Kp77z'
hook_server port
srv=$SRV
P=$(cat port)
cat > flux.yaml <<YAML
web_url: http://flux.example/
connections:
  dw: { type: mysql, host: db.invalid, user: u, password_env: DW_PW }
notifiers:
  ops:
    type: webhook
    url: http://127.0.0.1:$P/hook
    headers:
      Authorization: { env: HOOK_TOKEN }
    dedupe: 1m
    max_attempts: 20
YAML
cat > p.flux <<'FLUX'
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    on_failure = ["ops"]
    on_retry = ["ops"]
    task a : bash {
        command = "for i in $(seq 30); do echo line $i; done; echo 'pw={{ conn.dw.password }}'; exit 3"
        retries = 1
        retry_delay = 1s
    }
    task b : bash {
        command = "true"
        on_success = ["ops"]
    }
}
FLUX
export DW_PW=$SECRET HOOK_TOKEN=$TOKEN
flux run p.flux --date 2026-01-01 "${DB_ARGS[@]}" > run1.out 2>&1 || true
check "three notices delivered" 3 "$(wc -l < hooks.jsonl)"
ev() { jq -c --arg e "$1" 'select(.body.event == $e)' hooks.jsonl; }
check "retry: task and try" "a 1 up_for_retry" "$(ev retry | jq -r '.body | "\(.task) \(.try) \(.state)"')"
check "failure: task and try" "a 2 failed" "$(ev failure | jq -r '.body | "\(.task) \(.try) \(.state)"')"
check "success: task" "b 1 success" "$(ev success | jq -r '.body | "\(.task) \(.try) \(.state)"')"
check "document: pipeline, run, date" "p manual__2026-01-01T00:00:00Z 2026-01-01T00:00:00Z" \
    "$(ev failure | jq -r '.body | "\(.pipeline) \(.run_id) \(.logical_date)"')"
check "document: the note" "exit status 3: pw=***" "$(ev failure | jq -r .body.note)"
check "document: a duration" "number" "$(ev failure | jq -r '.body.duration | type')"
check "document: the log's last 20 lines" "20" "$(ev failure | jq -r .body.log | wc -l)"
check "document: the log's first line kept" "line 12" "$(ev failure | jq -r .body.log | head -1)"
check "document: the secret masked in the log" "pw=***" "$(ev failure | jq -r .body.log | tail -1)"
check "the secret is in no notice" "0" "$(grep -c -- "$SECRET" hooks.jsonl || true)"
check "the token is in no body" "0" "$(jq -c .body hooks.jsonl | grep -c -- "tok-Auth" || true)"
check "the Authorization header from the environment" "$TOKEN" "$(ev failure | jq -r .authorization)"
check "document: the web link" "http://flux.example/runs/p/manual__2026-01-01T00:00:00Z" "$(ev failure | jq -r .body.web_url)"
check "the header's key is the body's" "3" "$(jq -r 'select(.key == .body.key) | .key' hooks.jsonl | grep -c '^flux-')"
check "one key per notice" "3" "$(jq -r .key hooks.jsonl | sort -u | wc -l)"
check "flux notifications: all sent, once each" "sent 1,sent 1,sent 1" \
    "$(flux notifications --format json "${DB_ARGS[@]}" | jq -r '[.[] | "\(.state) \(.attempts)"] | join(",")')"
check "the store's keys are the ones received" "$(jq -r .key hooks.jsonl | sort)" \
    "$(flux notifications --format json "${DB_ARGS[@]}" | jq -r '.[].key' | sort)"

# the receiver down: the notice waits in the store, retried with backoff
kill -TERM "$srv"
wait "$srv" 2>/dev/null || true
: > hooks.jsonl
sed -i 's/retries = 1/retries = 0/' p.flux
start_bg run2.out run p.flux --date 2026-01-02 "${DB_ARGS[@]}"
runner=$!
wait_for 20 sh -c "'$FLUX' notifications --pending --format json ${DB_ARGS[*]} | jq -e '.[0].attempts >= 2' > /dev/null" ||
    echo "FAIL: no second attempt while the receiver was down"
pending=$(flux notifications --pending --format json "${DB_ARGS[@]}")
check "pending while the receiver is down" "failure a,success b" \
    "$(jq -r '[.[] | "\(.event) \(.task)"] | sort | join(",")' <<<"$pending")"
check "its last error stored" "yes" \
    "$(jq -r '.[] | select(.event == "failure") | .last_error | if test("onnect") then "yes" else . end' <<<"$pending")"
check "flux status names the failing notifier" "1" "$(flux status "${DB_ARGS[@]}" | grep -c '^notifier ops is failing')"
hook_server port2 "$P"
srv=$SRV
wait "$runner" || true
check "delivered once the receiver is back" "2" "$(wc -l < hooks.jsonl)"
check "the delivered ones are the run's" "failure manual__2026-01-02T00:00:00Z,success manual__2026-01-02T00:00:00Z" \
    "$(jq -r '.body | "\(.event) \(.run_id)"' hooks.jsonl | sort | paste -sd,)"
check "nothing pending" "0" "$(flux notifications --pending --format json "${DB_ARGS[@]}" | jq length)"
check "flux status: no failing notifier" "0" "$(flux status "${DB_ARGS[@]}" | grep -c '^notifier ops is failing' || true)"
kill -TERM "$srv"
wait "$srv" 2>/dev/null || true
finish
