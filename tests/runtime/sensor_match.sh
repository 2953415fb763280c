#!/usr/bin/env bash
# external_task_sensor matches another pipeline's run by interval, whatever
# triggered it (a manual run here, a scheduled one there), and `offset` looks
# at an earlier interval; file_sensor's min_files counts a glob's matches.
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
flux run up.flux --date 2026-11-05 "${DB_ARGS[@]}" > up.txt 2>&1
flux run down.flux --date 2026-11-05 "${DB_ARGS[@]}" > down.txt 2>&1 && rc=0 || rc=$?
run=$(last_run)
check "the run succeeds (soft fails skip)" 0 "$rc"
check "same interval found across triggers" success "$(state_of "$run" same_day)"
check "offset 1d looks at a day upstream never ran" skipped "$(state_of "$run" day_before)"
check "min_files = 3 with two files waits" skipped "$(state_of "$run" three_files)"
check "min_files = 2 with two files holds" success "$(state_of "$run" two_files)"
finish
