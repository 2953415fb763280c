#!/usr/bin/env bash
# notify_crash: a runner SIGKILLed at a random moment around a task's
# failure and its notification, 20 times (each a run of its own), then run
# again to resume: every failure reaches the webhook receiver, and none is
# delivered twice within the notifier's dedupe window (a kill in the middle
# of a send may cause one repeat after the window, with the same
# idempotency key, which the receiver drops; the count is printed).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
hook_server port
srv=$SRV
cat > flux.yaml <<YAML
notifiers:
  ops: { type: webhook, url: "http://127.0.0.1:$(cat port)/hook", dedupe: 2s }
YAML
cat > p.flux <<'FLUX'
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    on_failure = ["ops"]
    task a : bash { command = "echo boom; exit 1" }
}
FLUX
N=20
for i in $(seq 1 $N); do
    d=$(date -u -d "2026-01-01 + $i days" +%Y-%m-%d)
    start_bg "run$i.out" run p.flux --date "$d" "${DB_ARGS[@]}"
    sleep "0.$(printf '%03d' $((RANDOM % 120)))"
    kill -KILL "$BG" 2>/dev/null || true
    wait "$BG" 2>/dev/null || true
    flux run p.flux --date "$d" "${DB_ARGS[@]}" > "resume$i.out" 2>&1 || true
done
check "every run's failure recorded once" "$N" \
    "$(flux notifications --format json "${DB_ARGS[@]}" | jq '[.[] | select(.event == "failure")] | length')"
check "every notice sent" "$N" "$(flux notifications --format json "${DB_ARGS[@]}" | jq '[.[] | select(.state == "sent")] | length')"
check "every failure received" "$N" "$(jq -r .key hooks.jsonl | sort -u | wc -l)"
check "the keys received are the store's" "$(flux notifications --format json "${DB_ARGS[@]}" | jq -r '.[].key' | sort)" \
    "$(jq -r .key hooks.jsonl | sort -u)"
# a key received twice: the deliveries at least the dedupe window apart
close=$(jq -s 'group_by(.key) | map(select(length > 1) | [.[].ms] | sort | [range(1; length) as $i | .[$i] - .[$i - 1]] | min) | map(select(. < 2000)) | length' hooks.jsonl)
check "no failure delivered twice within the dedupe window" "0" "$close"
# how many kills came after the failure was recorded (the resumed run had already failed)
echo "kills after the failure was recorded: $(grep -l 'had already failed' resume*.out | wc -l) of $N"
echo "repeats after the window (a kill mid-send): $(($(wc -l < hooks.jsonl) - N))"
kill -TERM "$srv"
wait "$srv" 2>/dev/null || true
finish
