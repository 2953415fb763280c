#!/usr/bin/env bash
# owners: every run has exactly one owner. Three `flux run` of one run at once:
# one executes it, the others say which process does and exit 2; `--wait`
# waits for that process instead; a running scheduler never takes over a run
# a foreground `flux run` executes; a runner whose transition cannot be
# written stops at once with the reason, and a second run resumes it.
. "$(dirname "$0")/lib.sh"
mkdir pipes
# own_pipeline START: pipes/own.flux, the daily pipeline `own` from START
# with the task lines read from stdin
own_pipeline() {
    { printf 'pipeline own {\n    schedule = "@daily"\n    start    = "%s"\n' "$1"; cat; echo '}'; } > pipes/own.flux
}
own_pipeline 2026-11-01T00:00:00Z <<'FLUX'
    task a : bash { command = "echo a >> ran.txt; sleep 2" }
    task b : bash { command = "echo b >> ran.txt" }
    a >> b
FLUX

# ---- three at once ----
pids=()
for i in 1 2 3; do
    start_bg "three$i.txt" run pipes/own.flux --date 2026-11-02 "${DB_ARGS[@]}"
    pids+=("$BG")
done
rcs=()
for p in "${pids[@]}"; do wait "$p" && rcs+=(0) || rcs+=($?); done
check "exactly one of three executes the run" 1 "$(printf '%s\n' "${rcs[@]}" | grep -c '^0$')"
check "the other two exit 2" 2 "$(printf '%s\n' "${rcs[@]}" | grep -c '^2$')"
check "and say which process owns the run" 2 \
    "$(cat three*.txt | grep -c 'run manual__2026-11-02T00:00:00Z of own is being executed by flux run (pid [0-9]* on ')"
check "each task ran once" "a b" "$(tr '\n' ' ' < ran.txt | sed 's/ $//')"

# ---- --wait ----
rm ran.txt
start_bg first.txt run pipes/own.flux --date 2026-11-03 "${DB_ARGS[@]}"
first=$BG
for _ in $(seq 100); do [ -s ran.txt ] && break; sleep 0.05; done
flux run pipes/own.flux --date 2026-11-03 --wait "${DB_ARGS[@]}" > waited.txt 2>&1 && rc=0 || rc=$?
wait "$first" && rc1=0 || rc1=$?
check "the first run succeeds" 0 "$rc1"
check "--wait waits, then finds the run done" 0 "$rc"
check "saying what it waits for" 1 "$(grep -c '^flux run: waiting: run manual__2026-11-03T00:00:00Z of own is being executed by flux run' waited.txt)"
check "nothing ran twice" "a b" "$(tr '\n' ' ' < ran.txt | sed 's/ $//')"

# ---- a scheduler beside a foreground run ----
rm ran.txt
own_pipeline 2030-01-01T00:00:00Z <<'FLUX'
    task a : bash { command = "echo a >> ran.txt; sleep 3" }
    task b : bash { command = "echo b >> ran.txt" }
    a >> b
FLUX
start_bg sched.txt scheduler --pipelines pipes "${DB_ARGS[@]}"
sched=$BG
for _ in $(seq 100); do grep -q 'own: version 1' sched.txt 2>/dev/null && break; sleep 0.1; done
flux run pipes/own.flux --date 2030-01-04 "${DB_ARGS[@]}" > fg.txt 2>&1 && rc=0 || rc=$?
kill -TERM "$sched"
wait "$sched" || true
check "the foreground run succeeds" 0 "$rc"
check "the scheduler leaves it alone" 0 "$(grep -c 'manual__' sched.txt)"
check "each task ran once" "a b" "$(tr '\n' ' ' < ran.txt | sed 's/ $//')"

# ---- a transition that cannot be written ----
rm ran.txt
own_pipeline 2026-11-01T00:00:00Z <<'FLUX'
    task a : bash { command = "echo a >> ran.txt" }
    task b : bash { command = "echo b >> ran.txt" }
    task c : bash { command = "echo c >> ran.txt" }
    task d : bash { command = "sleep 4; echo d >> ran.txt" }
    a >> b >> c
FLUX
if [ ${#DB_ARGS[@]} -eq 0 ]; then
    sql "CREATE TRIGGER inj BEFORE UPDATE ON task_instances WHEN NEW.state = 'success' AND NEW.task = 'b'
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
else
    sql "CREATE TRIGGER inj BEFORE UPDATE ON task_instances FOR EACH ROW BEGIN
         IF NEW.state = 'success' AND NEW.task = 'b' THEN
         SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'; END IF; END"
fi
t0=$(date +%s%N)
flux run pipes/own.flux --date 2026-11-05 "${DB_ARGS[@]}" > broken.txt 2>&1 && rc=0 || rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "the runner fails" 1 "$rc"
check "at once, not after the running task (d sleeps 4 s)" yes "$([ "$ms" -lt 3000 ] && echo yes || echo "no: $ms ms")"
check "saying which run, task and transition" 1 \
    "$(grep -c "state store: run manual__2026-11-05T00:00:00Z of own, task b: cannot record a task's end: .*injected failure" broken.txt)"
check "c did not start" 0 "$(grep -c '^c$' ran.txt)"
sql "DROP TRIGGER inj"
flux run pipes/own.flux --date 2026-11-05 "${DB_ARGS[@]}" > resumed.txt 2>&1 && rc=0 || rc=$?
check "a second run resumes it" 0 "$rc"
check "every task ran once" "a b c d" "$(sort ran.txt | tr '\n' ' ' | sed 's/ $//')"

# ---- fenced: a runner frozen past the takeover limit ----
# The first runner is stopped (SIGSTOP) while its task a sleeps; after 11 s
# without its heartbeat a second runner takes the run over, adopts a and
# runs b and c. The first, let go on, must start nothing and write nothing
# more of the run: it finds the run is no longer its own and stops.
rm ran.txt
own_pipeline 2026-11-01T00:00:00Z <<'FLUX'
    task a : bash { command = "echo a >> ran.txt; sleep 13" }
    task b : bash { command = "echo b >> ran.txt" }
    task c : bash { command = "echo c >> ran.txt" }
    a >> b >> c
FLUX
start_bg frozen.txt run pipes/own.flux --date 2026-11-06 "${DB_ARGS[@]}"
frozen=$BG
for _ in $(seq 100); do [ -s ran.txt ] && break; sleep 0.05; done
kill -STOP "$frozen"
sleep 11
flux run pipes/own.flux --date 2026-11-06 "${DB_ARGS[@]}" > taker.txt 2>&1 && rc=0 || rc=$?
kill -CONT "$frozen"
wait "$frozen" && rc1=0 || rc1=$?
check "the second runner takes the run over and finishes it" 0 "$rc"
check "the frozen one, let go on, fails" 1 "$rc1"
check "saying the run was taken over" 1 "$(grep -c 'was taken over by another process' frozen.txt)"
check "every task ran once" "a b c" "$(tr '\n' ' ' < ran.txt | sed 's/ $//')"
check "each task has one try" "1 1 1" "$(r=manual__2026-11-06T00:00:00Z; echo "$(tries_of "$r" a) $(tries_of "$r" b) $(tries_of "$r" c)")"
finish
