#!/usr/bin/env bash
# cancel: flux clear of a run whose tries are Slurm jobs cancels the jobs
# still queued or running, all in one scancel, after marking their tries
# lost (a job cancelled too late records nothing, a queued one claims
# nothing; a clear whose scancel failed leaves them to the next clear);
# the task's processes are gone, nothing of the run is left in squeue.
# flux logs says when a try's job has not started yet.
. "$(dirname "$0")/lib.sh"
real_scancel=$(command -v scancel)
mkdir -p bin
# the wrapper waits after cancelling, as a loaded machine may: the job's
# wrapper then records its end before flux clear goes on, which must change
# nothing (its try is lost before the scancel)
# With fail.scancel present it fails as a controller out of reach would.
cat > bin/scancel <<SH
#!/bin/sh
[ -e "$T/fail.scancel" ] && { echo "scancel: error: Unable to contact slurm controller" >&2; exit 1; }
echo "\$*" >> "$T/scancel.args"
"$real_scancel" "\$@" || exit
sleep 3
SH
chmod +x bin/scancel
export PATH=$T/bin:$PATH
cat > p.flux <<'FLUX'
pipeline cancelme {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    executor = slurm
    task spin : bash { command = "sleep 300 & echo $! > spin.pid; wait" }
    task hold : bash {
        command = "echo held >> hold.ran"
        slurm   = { sbatch_args = ["--begin=now+1hour"] }
    }
    task done_first : bash { command = "echo ok >> first.ran" }
}
FLUX
start_bg run1.out run p.flux --date 2026-11-05 -j 4 "${DB_ARGS[@]}"
ready() {
    [ "$(sql "SELECT COUNT(*) FROM slurm_tries WHERE phase = 'claimed'" 2>/dev/null | tail -1)" = 1 ] &&
        [ "$(sql "SELECT COUNT(*) FROM slurm_tries WHERE phase = 'submitted'" 2>/dev/null | tail -1)" = 1 ] &&
        [ "$(sql "SELECT COUNT(*) FROM slurm_tries WHERE phase = 'done'" 2>/dev/null | tail -1)" = 1 ] && [ -s spin.pid ]
}
wait_for 60 ready || echo "not ready: $(cat run1.out)"
run_id=$(flux runs --format json "${DB_ARGS[@]}" | jq -r '.[0].run_id')
hold_job=$(slurm_rows "$run_id" hold | awk '{print $2}')
spin_job=$(slurm_rows "$run_id" spin | awk '{print $2}')
flux logs "$run_id" hold "${DB_ARGS[@]}" > hold.log 2> hold.err && rc=0 || rc=$?
check "flux logs of a queued job: empty, exit 0" "0 0" "$rc $(wc -c < hold.log)"
check "flux logs says the job has not started" 1 \
    "$(grep -c "^flux logs: Slurm job $hold_job has not started yet (PENDING)" hold.err)"
# the runner stops; its jobs go on
kill -TERM "$BG"
wait "$BG" || true
check "the jobs still queued or running" "PENDING RUNNING" \
    "$(for j in $hold_job $spin_job; do squeue -h -j "$j" -o '%T'; done | tr '\n' ' ' | sed 's/ $//')"
# a clear whose scancel fails changes nothing a later clear needs: the
# tries it marked lost still have their jobs cancelled by the next one
touch fail.scancel
flux clear "$run_id" "${DB_ARGS[@]}" > clear0.out 2>&1 && rc=0 || rc=$?
rm fail.scancel
check "a clear whose scancel fails exits 1 and says why" "1 1" \
    "$rc $(grep -c 'Unable to contact slurm controller' clear0.out)"
check "the jobs still queued or running after it" "PENDING RUNNING" \
    "$(for j in $hold_job $spin_job; do squeue -h -j "$j" -o '%T'; done | tr '\n' ' ' | sed 's/ $//')"
flux clear "$run_id" "${DB_ARGS[@]}" > clear.out 2>&1 && rc=0 || rc=$?
check "clear succeeds" 0 "$rc"
[ "$rc" -eq 0 ] || cat clear.out
check "clear says what it cancelled" 1 "$(grep -c '^cancelled 2 Slurm jobs' clear.out)"
check "one scancel for both jobs" "1 $(echo "$hold_job $spin_job" | tr ' ' '\n' | sort | tr '\n' ' ')" \
    "$(wc -l < scancel.args) $(tr ' ' '\n' < scancel.args | grep -E '^[0-9]+$' | sort | tr '\n' ' ')"
gone() { [ -z "$(squeue -h -t PENDING,RUNNING,COMPLETING -o %i --name "flux-$run_id")" ]; }
wait_for 30 gone || echo "still in Slurm: $(jobs_of "$run_id")"
check "both jobs cancelled" "CANCELLED CANCELLED" \
    "$(for j in $hold_job $spin_job; do squeue -h -t all -j "$j" -o '%T'; done | tr '\n' ' ' | sed 's/ $//')"
pid=$(cat spin.pid)
dead() { ! kill -0 "$pid" 2>/dev/null; }
wait_for 20 dead || true
check "spin's process is gone" gone "$(kill -0 "$pid" 2>/dev/null && echo alive || echo gone)"
check "their tries are lost in the store, the finished one kept" "done lost lost" \
    "$(sql "SELECT phase FROM slurm_tries ORDER BY phase" | tail -n +2 | tr '\n' ' ' | sed 's/ $//')"
check "the cleared tasks have a new try to run, the cancelled ones ended failed" "none none none failed failed" \
    "$(flux tasks "$run_id" --format json "${DB_ARGS[@]}" |
        jq -r '[(.task_instances | group_by(.task)[] | last | .state), (.task_instances[] | select(.note == "its Slurm job was cancelled by flux clear") | .state)] | join(" ")')"
check "hold never ran" "" "$(cat hold.ran 2>/dev/null || true)"
check "nothing of the run left in squeue" "" "$(squeue -h -t PENDING,RUNNING,COMPLETING,CONFIGURING -o %i --name "flux-$run_id")"
finish
