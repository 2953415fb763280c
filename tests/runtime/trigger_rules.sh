#!/usr/bin/env bash
# trigger rules: every rule of Airflow's list against parents that succeed,
# fail or are skipped; upstream_failed propagates down a chain.
. "$(dirname "$0")/lib.sh"
{
cat <<'FLUX'
pipeline rules {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task ok   : bash { command = "true" }
    task bad  : bash { command = "false" }
    # skipped: all_failed over a parent that succeeded
    task skip : bash {
        command = "true"
        trigger_rule = all_failed
    }
    ok >> skip
FLUX
for rule in all_success all_failed all_done all_skipped one_success one_failed one_done none_failed none_failed_min_one_success none_skipped always; do
    for set in ok bad skip okbad okskip; do
        case $set in
            ok) parents="ok" ;; bad) parents="bad" ;; skip) parents="skip" ;;
            okbad) parents="ok, bad" ;; okskip) parents="ok, skip" ;;
        esac
        echo "    task ${rule}__${set} : bash {"
        echo "        command = \"true\""
        echo "        trigger_rule = $rule"
        echo "    }"
        echo "    [$parents] >> ${rule}__${set}"
    done
done
cat <<'FLUX'
    task after_upfailed : bash { command = "true" }
    all_success__bad >> after_upfailed
}
FLUX
} > p.flux
flux run p.flux --date 2026-11-02 -j 4 "${DB_ARGS[@]}" > out.txt && rc=0 || rc=$?
check "a run with a failed leaf fails" 1 "$rc"
run=$(last_run)
check "bad failed" failed "$(state_of "$run" bad)"
check "skip skipped" skipped "$(state_of "$run" skip)"
# expected state per rule for parents: ok | bad | skip | ok+bad | ok+skip
expect() {
    case $1 in
        all_success) echo "success upstream_failed skipped upstream_failed skipped" ;;
        all_failed) echo "skipped success skipped skipped skipped" ;;
        all_done) echo "success success success success success" ;;
        all_skipped) echo "skipped skipped success skipped skipped" ;;
        one_success) echo "success upstream_failed skipped success success" ;;
        one_failed) echo "skipped success skipped success skipped" ;;
        one_done) echo "success success skipped success success" ;;
        none_failed) echo "success upstream_failed success upstream_failed success" ;;
        none_failed_min_one_success) echo "success upstream_failed skipped upstream_failed success" ;;
        none_skipped) echo "success success skipped success skipped" ;;
        always) echo "success success success success success" ;;
    esac
}
json=$(flux tasks "$run" --format json "${DB_ARGS[@]}")
for rule in all_success all_failed all_done all_skipped one_success one_failed one_done none_failed none_failed_min_one_success none_skipped always; do
    got=""
    for set in ok bad skip okbad okskip; do
        got="$got $(echo "$json" | jq -r --arg t "${rule}__$set" '[.task_instances[] | select(.task == $t)] | last | .state')"
    done
    check "trigger rule $rule (ok bad skip ok+bad ok+skip)" "$(expect $rule)" "${got# }"
done
check "upstream_failed propagates" upstream_failed "$(state_of "$run" after_upfailed)"
finish
