#!/usr/bin/env bash
# runs_search: `flux runs` searches with the web API's filters as options
# (--state, --trigger, --run-id, --from/--to, --task with --field, --output,
# --limit), and for each filter lists exactly the runs GET /api/v1/runs
# gives: one search, two front ends. A state, trigger or time that is none
# is a usage error (exit 2) that says what is allowed.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline shop {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    params { region = "eu-west" }
    task fetch : bash { command = "echo fetch {{ params.region | shquote }}; echo '::output batch=B-{{ ds }}'" }
    task check : bash { command = "[ {{ ds | shquote }} != 2026-11-03 ]" }
    fetch >> check
}
FLUX
cat > q.flux <<'FLUX'
pipeline other {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task only : bash { command = "echo ok" }
}
FLUX
for d in 2026-11-01 2026-11-02 2026-11-03; do
    flux run p.flux --date $d "${DB_ARGS[@]}" > /dev/null 2>&1 || true
done
flux run p.flux --date 2026-11-04 --param region=us-east "${DB_ARGS[@]}" > /dev/null 2>&1 || true
flux backfill p.flux --from 2026-11-05 --to 2026-11-06 "${DB_ARGS[@]}" > /dev/null 2>&1 || true
flux run q.flux --date 2026-11-02 "${DB_ARGS[@]}" > /dev/null 2>&1 || true
flux deploy p.flux "${DB_ARGS[@]}" > /dev/null 2>&1
flux trigger shop --date 2026-11-07 "${DB_ARGS[@]}" > /dev/null 2>&1

check "eight runs" 8 "$(flux runs --format json "${DB_ARGS[@]}" | jq length)"

start_bg web.out web --port 0 "${DB_ARGS[@]}"
PORT=
for _ in $(seq 100); do
    PORT=$(sed -n 's|^flux web: listening on http://127.0.0.1:\([0-9]*\)/$|\1|p' web.out)
    [ -n "$PORT" ] && break
    sleep 0.05
done
check "flux web listens" yes "$([ -n "$PORT" ] && echo yes || cat web.out)"

# same CLI_OPTIONS... -- API_QUERY EXPECTED_COUNT: the ids of both, and how many
same() {
    local opts=() q n want cli api
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    q=$2 want=$3
    cli=$(flux runs "${opts[@]}" --format json "${DB_ARGS[@]}" | jq -c '[.[].id]')
    api=$(curl -s "http://127.0.0.1:$PORT/api/v1/runs?$q" | jq -c '[.items[].id]')
    n=$(jq length <<<"$cli")
    check "flux runs ${opts[*]}: $want runs, as the API's $q" "$want $cli" "$n $api"
}
same -- "" 8
same shop -- "pipeline=shop" 7
same --pipeline other -- "pipeline=other" 1
same --state failed -- "state=failed" 1
same --state success -- "state=success" 6
same --trigger backfill -- "trigger=backfill" 2
same --trigger manual -- "trigger=manual" 6
same --run-id backfill__ -- "run_id=backfill__" 2
same --run-id manual__2026-11-0 -- "run_id=manual__2026-11-0" 6
same --run-id MANUAL__ -- "run_id=MANUAL__" 0
same --from 2026-11-02T00:00:00Z --to 2026-11-04T00:00:00Z -- "from=2026-11-02T00:00:00Z&to=2026-11-04T00:00:00Z" 4
same --task check -- "task=check" 6
same --field us-east -- "field=us-east" 1
same --task check --field us-east -- "task=check&field=us-east" 0
same --field eu-west -- "field=eu-west" 5
same --field EU-WEST -- "field=EU-WEST" 0
same --output B-2026-11-05 -- "output=B-2026-11-05" 1
same --task fetch --output B-2026-11 -- "task=fetch&output=B-2026-11" 6
same --limit 2 -- "limit=2" 2
check "newest first by logical date" "2026-11-07 2026-11-06 2026-11-05" \
    "$(flux runs --limit 3 --format json "${DB_ARGS[@]}" | jq -r '[.[].interval_start[0:10]] | join(" ")')"
check "the text view has the same runs" 2 "$(flux runs --state failed --trigger manual "${DB_ARGS[@]}" | wc -l)"

flux runs --state bogus "${DB_ARGS[@]}" > bad.txt 2>&1 && rc=0 || rc=$?
check "a state that is none: usage error" "2 1" "$rc $(grep -c "state 'bogus' is not a run's state (queued, running, success, failed)" bad.txt)"
flux runs --trigger nope "${DB_ARGS[@]}" > bad.txt 2>&1 && rc=0 || rc=$?
check "a trigger that is none: usage error" "2 1" "$rc $(grep -c "trigger 'nope' is not scheduled, manual or backfill" bad.txt)"
flux runs --from yesterday "${DB_ARGS[@]}" > bad.txt 2>&1 && rc=0 || rc=$?
check "a time that is none: usage error" "2 1" "$rc $(grep -c "from 'yesterday' is not a time" bad.txt)"
flux runs --field x --date 2026-11-02 "${DB_ARGS[@]}" > bad.txt 2>&1 && rc=0 || rc=$?
check "flux runs has no --date" 2 "$rc"

kill -TERM "$BG"
wait "$BG" || true
finish
