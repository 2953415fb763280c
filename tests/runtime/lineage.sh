#!/usr/bin/env bash
# lineage: what tasks report in their logs (`::counts`, `::lineage`) is stored
# per task instance and answers `flux lineage`: a Kafka offset to the task
# that read it and on to the later task that read the table it wrote; a
# table named with or without its database; a file. A task that exits 0 with
# counts that do not reconcile is failed anyway.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline moves {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task land : bash {
        command = """
            echo '::counts read=10 written=9 rejected=1 bytes=300'
            echo '::lineage {"direction":"read","kind":"kafka","name":"events","detail":{"partition":1,"first":40,"last":49,"count":10}}'
            echo '::lineage {"direction":"write","kind":"table","name":"dw.events","detail":{"rows":9}}'
        """
    }
    task export : bash {
        command = """
            echo '::counts read=9 written=9 rejected=0 bytes=120'
            echo '::lineage {"direction":"read","kind":"table","name":"dw.events","detail":{"rows":9}}'
            echo '::lineage {"direction":"write","kind":"file","name":"/data/events.csv","detail":{"size":120,"records":9,"sha256":"abcdef0123456789"}}'
        """
    }
    task lossy : bash { command = "echo '::counts read=100 written=75 rejected=0 bytes=1'" }
    land >> export
}
FLUX
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out.txt 2>&1 && rc=0 || rc=$?
run=$(last_run)
check "run fails (lossy)" 1 "$rc"
check "land succeeded" success "$(state_of "$run" land)"
check "lossy failed though it exited 0" failed "$(state_of "$run" lossy)"
check "lossy's note says what is missing" "counts do not reconcile: read 100 != written 75 + rejected 0" \
    "$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r '.task_instances[] | select(.task == "lossy") | .note')"
flux lineage --topic events --partition 1 --offset 42 "${DB_ARGS[@]}" > l1.txt
check "offset 42 of partition 1 was read by land" yes "$(grep -q "task land try 1 \[success\]" l1.txt && echo yes || echo no)"
check "and what land wrote" yes "$(grep -q "wrote table dw.events (9 rows)" l1.txt && echo yes || echo no)"
check "then read by export, which wrote the file" yes \
    "$(grep -A3 'then read by' l1.txt | grep -q 'task export' && grep -q 'wrote file /data/events.csv' l1.txt && echo yes || echo no)"
flux lineage --topic events --partition 1 --offset 50 "${DB_ARGS[@]}" > l2.txt && rc=0 || rc=$?
check "an offset nobody read" "1 no task moved kafka events at that offset" "$rc $(cat l2.txt)"
flux lineage --topic events --partition 0 "${DB_ARGS[@]}" > l3.txt && rc=0 || rc=$?
check "another partition" 1 "$rc"
flux lineage --table events --format json "${DB_ARGS[@]}" > l4.json
check "a table without its database: writer then reader" "land export" "$(jq -r '[.moves[] | .task, .then[].task] | join(" ")' l4.json)"
flux lineage --table dw.events --format json "${DB_ARGS[@]}" > l5.json
check "the same with its database" "land export" "$(jq -r '[.moves[] | .task, .then[].task] | join(" ")' l5.json)"
flux lineage --file /data/events.csv --format json "${DB_ARGS[@]}" > l6.json
check "a file" "export 120" "$(jq -r '.moves[0].task + " " + (.moves[0].matched.detail.size | tostring)' l6.json)"
flux lineage --offset 3 --topic events "${DB_ARGS[@]}" > l7.txt 2>&1 && rc=0 || rc=$?
check "offset without partition is a usage error" 2 "$rc"
finish
