#!/usr/bin/env bash
# bounds: what a task prints is bounded. An ::output value over
# max_output_value (64 KiB by default), or outputs over max_outputs (1 MiB)
# together, fails the task with a note naming the output and the limit
# (nothing of it reaches a child); larger limits set on the task or the
# pipeline let them through. A log over max_log_size keeps its head and its
# tail around a line saying how much was dropped, and the count is in the
# task instance (`flux tasks`, text and JSON). A report line too long to be
# one is not recorded, and the log says so. A limit below 1 is a compile error.
. "$(dirname "$0")/lib.sh"
cat > bounds.flux <<'FLUX'
pipeline bounds {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    max_outputs = 2000000
    task huge : bash {
        command = "printf '::output huge='; head -c 50000000 /dev/zero | tr '\\0' x; echo; echo '::output small=1'"
        max_outputs = 1048576
    }
    task after_huge : bash { command = "echo {{ tasks.huge.outputs.small }}" }
    huge >> after_huge
    task many : bash {
        command = "for i in $(seq 20); do printf '::output o%d=' $i; head -c 60000 /dev/zero | tr '\\0' x; echo; done"
        max_outputs = 1048576
    }
    task many_ok : bash {
        command = "for i in $(seq 20); do printf '::output o%d=' $i; head -c 60000 /dev/zero | tr '\\0' x; echo; done"
    }
    task value_ok : bash {
        command = "printf '::output v='; head -c 80000 /dev/zero | tr '\\0' x; echo"
        max_output_value = 100000
    }
    task logcap : bash {
        command = "seq 1 100000"
        max_log_size = 100000
    }
    task long_lineage : bash {
        command = "printf '::lineage {\"direction\": \"read\", \"kind\": \"file\", \"name\": \"big\", \"detail\": {\"pad\": \"'; head -c 70000 /dev/zero | tr '\\0' x; echo '\"}}'; echo '::lineage {\"direction\": \"write\", \"kind\": \"file\", \"name\": \"small\"}'"
    }
}
FLUX
flux run bounds.flux --date 2026-11-01 "${DB_ARGS[@]}" > run.out 2>&1 || true
run=$(last_run)
flux tasks "$run" --format json "${DB_ARGS[@]}" > tasks.json
ti() { jq -r --arg t "$1" ".task_instances[] | select(.task == \$t) | $2" tasks.json; }
check "an output over max_output_value fails its task" failed "$(ti huge .state)"
check "the note names the output and the limit" \
    "output 'huge' is longer than max_output_value (65536 bytes): 50000000 bytes" "$(ti huge .note)"
check "nothing of it is stored" small "$(ti huge '.outputs | keys | join(" ")')"
check "its child does not run" upstream_failed "$(ti after_huge .state)"
check "outputs over max_outputs together fail their task" failed "$(ti many .state)"
check "the note names the output that went over and the limit" \
    "outputs total more than max_outputs (1048576 bytes) with 'o18'" "$(ti many .note)"
check "a pipeline's max_outputs lets them through" "success 20" "$(ti many_ok '"\(.state) \(.outputs | length)"')"
check "a task's max_output_value lets a larger value through" "success 80000" \
    "$(ti value_ok '"\(.state) \(.outputs.v | length)"')"
# the log: 588,895 bytes printed, the first and last 50,000 kept
log=$(ti logcap .log)
check "the capped task succeeds" success "$(ti logcap .state)"
seq 1 100000 > all.txt
check "the log keeps its first 50,000 bytes" "$(head -c 50000 all.txt | md5sum)" "$(head -c 50000 "$log" | md5sum)"
check "and its last 50,000" "$(tail -c 50000 all.txt | md5sum)" "$(tail -c 50000 "$log" | md5sum)"
# between them one line (after a line end if the head ended inside a line)
middle=$(tail -c +50001 "$log" | head -c -50000)
check "a line says what was dropped" \
    "$(printf '\nflux-wrap: 488895 bytes of output dropped here: the log keeps its first 50000 and last 50000 bytes (max_log_size 100000)')" \
    "$middle"
check "the dropped count is in the task instance" 488895 "$(ti logcap .log_dropped)"
check "an uncut log drops nothing" null "$(ti many_ok .log_dropped)"
check "flux tasks says it" 1 \
    "$(flux tasks "$run" "${DB_ARGS[@]}" | grep -c 'log: 488895 bytes dropped (max_log_size 100000)')"
# a report line longer than max_output_value is not one
check "a lineage line too long to be a report is not recorded" "success small" \
    "$(ti long_lineage .state) $(sql "SELECT name FROM lineage ORDER BY id" | grep -v '^name$' | tr '\n' ' ' | sed 's/ $//')"
check "the log says so" 1 \
    "$(grep -c '^flux-wrap: a ::lineage line longer than 66560 bytes is not a report: not recorded$' "$(ti long_lineage .log)")"
# limits below 1 are compile errors
for p in max_output_value max_outputs max_log_size; do
    cat > bad.flux <<FLUX
pipeline bad {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task t : bash {
        command = "true"
        $p = 0
    }
}
FLUX
    check "$p = 0 is a compile error" 1 "$(flux check bad.flux 2>&1 | grep -c "error: '$p' must be at least 1")"
done
finish
