#!/usr/bin/env bash
# external_task_sensor matches another pipeline's run by interval, whatever
# triggered it (backfill runs there, manual runs here: their run ids differ),
# and `offset` looks at an earlier interval, not a later one; file_sensor's
# min_files counts a glob's matches.
. "$(dirname "$0")/lib.sh"
cat > up.flux <<'FLUX'
pipeline upstream {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task produce : bash { command = "true" }
}
FLUX
cat > down.flux <<'FLUX'
pipeline downstream {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task same_day : external_task_sensor {
        pipeline = "upstream"
        task     = "produce"
        poke_interval = 1s
        timeout  = 5s
    }
    task day_before : external_task_sensor {
        pipeline  = "upstream"
        task      = "produce"
        offset    = 1d
        poke_interval = 1s
        timeout   = 2s
        soft_fail = true
    }
    task three_files : file_sensor {
        path          = "in/*.csv"
        min_files     = 3
        poke_interval = 1s
        timeout       = 3s
        soft_fail     = true
    }
    task two_files : file_sensor {
        path      = "in/*.csv"
        min_files = 2
    }
}
FLUX
mkdir -p in && touch in/a.csv in/b.csv
# upstream ran 11-04 and 11-05 as a backfill (run ids backfill__...), so a
# sensor that matched the manual run id of the same day would find nothing
flux backfill up.flux --from 2026-11-04 --to 2026-11-05 "${DB_ARGS[@]}" > up.txt 2>&1
check "upstream ran as a backfill" "backfill__2026-11-04T00:00:00Z backfill__2026-11-05T00:00:00Z" \
    "$(flux runs upstream --format json "${DB_ARGS[@]}" | jq -r '[.[].run_id] | sort | join(" ")')"
# runs are listed by date, so the latest run is not always .[0]: by run id
run_of() { flux runs downstream --format json "${DB_ARGS[@]}" | jq -r --arg r "$1" '.[] | select(.run_id == $r) | .id'; }
flux run down.flux --date 2026-11-05 "${DB_ARGS[@]}" > down.txt 2>&1 && rc=0 || rc=$?
run=$(run_of manual__2026-11-05T00:00:00Z)
check "the run succeeds (soft fails skip)" 0 "$rc"
check "same interval found across triggers" success "$(state_of "$run" same_day)"
check "offset 1d finds the day before, which upstream ran" success "$(state_of "$run" day_before)"
check "min_files = 3 with two files waits" skipped "$(state_of "$run" three_files)"
check "min_files = 2 with two files holds" success "$(state_of "$run" two_files)"
# 11-04: the day before (11-03) never ran upstream, the day after did; an
# offset added instead of subtracted would find 11-05 and succeed
flux run down.flux --date 2026-11-04 "${DB_ARGS[@]}" > down2.txt 2>&1 && rc=0 || rc=$?
run=$(run_of manual__2026-11-04T00:00:00Z)
check "the 11-04 run succeeds" 0 "$rc"
check "same interval found on 11-04" success "$(state_of "$run" same_day)"
check "offset 1d looks at a day upstream never ran, not the day after" skipped "$(state_of "$run" day_before)"
finish
