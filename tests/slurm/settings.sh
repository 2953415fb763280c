#!/usr/bin/env bash
# settings: where each task runs and what its job asks Slurm for.
# executor = slurm / local on a task or pipeline, --executor and flux.yaml's
# executor: in that order of precedence; one run mixing local tries and
# Slurm jobs, outputs passed across; slurm { } of the pipeline and the task
# (key by key) reaching sbatch and Slurm's record of the job; flux
# scheduler --executor slurm; an SQLite store refused for any of them.
. "$(dirname "$0")/lib.sh"
real_sbatch=$(command -v sbatch)
mkdir -p bin pipes
# sbatch as flux calls it, each call's arguments on one line
cat > bin/sbatch <<SH
#!/bin/sh
echo "\$*" >> "$T/sbatch.args"
exec "$real_sbatch" "\$@"
SH
chmod +x bin/sbatch
export PATH=$T/bin:$PATH
cat > flux.yaml <<'YAML'
executor: slurm
YAML
cat > p.flux <<'FLUX'
pipeline mixed {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    slurm {
        partition = "debug"
        account   = "etl"
    }
    task big : bash {
        command = "echo ${SLURM_JOB_ID:-none} $SLURM_CPUS_PER_TASK > big.where; echo ::output n=5"
        timeout = 5m
        slurm {
            cpus        = 2
            mem         = "256M"
            gres        = "fpga:1"
            qos         = "normal"
            time        = 10m
            sbatch_args = ["--nice=7"]
        }
    }
    task here : bash {
        command  = "echo ${SLURM_JOB_ID:-none} {{ tasks.big.outputs.n }} > here.where; echo ::output m=6"
        executor = local
    }
    task plain : bash { command = "echo ${SLURM_JOB_ID:-none} {{ tasks.here.outputs.m }} > plain.where" }
    big >> here >> plain
}
pipeline pinned {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    executor = slurm
    task p1 : bash { command = "echo ${SLURM_JOB_ID:-none} > p1.where" }
    task p2 : bash {
        command  = "echo ${SLURM_JOB_ID:-none} > p2.where"
        executor = local
    }
}
FLUX
where() { awk '{print ($1 == "none" ? "local" : "slurm") (NF > 1 ? " " $2 : "")}' "$1"; }
jobs_in() { sql "SELECT ti.task FROM slurm_tries s JOIN task_instances ti ON ti.id = s.ti JOIN runs r ON r.id = ti.run WHERE r.run_id LIKE '%$1%' ORDER BY ti.task" | tail -n +2 | tr '\n' ' ' | sed 's/ $//'; }

# 1. flux.yaml says slurm: big and plain are jobs, here (executor = local) is not
flux run p.flux --pipeline mixed --date 2026-11-05 --connections flux.yaml "${DB_ARGS[@]}" > run1.out 2>&1 && rc=0 || rc=$?
check "the mixed run succeeds" 0 "$rc"
[ "$rc" -eq 0 ] || cat run1.out
check "big ran as a job with its 2 CPUs" "slurm 2" "$(where big.where)"
check "here ran locally, with big's output" "local 5" "$(where here.where)"
check "plain ran as a job, with here's output" "slurm 6" "$(where plain.where)"
check "the store's Slurm tries" "big plain" "$(jobs_in 2026-11-05)"
big_args=$(grep -- '--comment=flux:[0-9]*:1:' sbatch.args | head -1)
for a in --partition=debug --account=etl --cpus-per-task=2 --mem=256M --gres=fpga:1 --qos=normal --time=10 --nice=7; do
    check "big's sbatch has $a" 1 "$(echo "$big_args" | tr ' ' '\n' | grep -cxF -- "$a")"
done
check "big's time limit is its own, not the computed one" 1 "$(echo "$big_args" | tr ' ' '\n' | grep -c -- '^--time=')"
plain_args=$(tail -1 sbatch.args)
check "plain inherits the pipeline's keys only" "--partition=debug --account=etl" \
    "$(echo "$plain_args" | tr ' ' '\n' | grep -E -- '^--(partition|account|cpus-per-task|mem|gres|qos|nice)=' | tr '\n' ' ' | sed 's/ $//')"
big_job=$(sql "SELECT s.job_id FROM slurm_tries s JOIN task_instances ti ON ti.id = s.ti WHERE ti.task = 'big'" | tail -1)
job=$(scontrol show job "$big_job")
for f in Partition=debug Account=etl NumCPUs=2 TimeLimit=00:10:00 MinMemoryNode=256M TresPerNode=gres:fpga:1 Nice=7; do
    check "Slurm's record of big: $f" 1 "$(echo "$job" | tr ' ' '\n' | grep -cxF -- "$f")"
done

# 2. --executor local beats flux.yaml: the mixed pipeline runs wholly here
rm -f ./*.where
flux run p.flux --pipeline mixed --date 2026-11-06 --executor local --connections flux.yaml "${DB_ARGS[@]}" > run2.out 2>&1 && rc=0 || rc=$?
check "--executor local: the run succeeds" 0 "$rc"
check "--executor local: big ran locally" "local" "$(where big.where | cut -d' ' -f1)"
check "--executor local: no Slurm try" "" "$(jobs_in 2026-11-06)"

# 3. a pipeline's executor beats --executor; a task's beats its pipeline's
flux run p.flux --pipeline pinned --date 2026-11-05 --executor local "${DB_ARGS[@]}" > run3.out 2>&1 && rc=0 || rc=$?
check "pinned: the run succeeds" 0 "$rc"
check "pinned: p1 a job, p2 local" "slurm local" "$(where p1.where) $(where p2.where)"

# 4. flux scheduler --executor slurm
mkdir -p sched
cat > sched/s.flux <<'FLUX'
pipeline sched_slurm {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task s : bash { command = "echo ${SLURM_JOB_ID:-none} >> s.where" }
}
FLUX
start_bg sched.out scheduler --pipelines sched --executor slurm "${DB_ARGS[@]}"
sched=$BG
done_run() { [ "$(sql "SELECT COUNT(*) FROM runs WHERE pipeline = 'sched_slurm' AND state = 'success'" 2>/dev/null | tail -1)" -ge 1 ] 2>/dev/null; }
wait_for 60 done_run || echo "the scheduler's run did not succeed: $(tail -5 sched.out)"
kill -TERM "$sched"
wait "$sched" || true
check "the scheduler's try ran as a job" "slurm" "$(where s.where | head -1)"
check "and is a Slurm try in the store" 1 "$(sql "SELECT COUNT(*) FROM slurm_tries s JOIN task_instances ti ON ti.id = s.ti WHERE ti.task = 's'" | tail -1)"
flux scheduler --pipelines sched --executor slurmm "${DB_ARGS[@]}" > bad.out 2>&1 && rc=0 || rc=$?
check "an unknown --executor is refused" "2 1" "$rc $(grep -c "unknown executor 'slurmm'" bad.out)"

# 5. SQLite: a task that runs through Slurm is refused before anything runs
flux run p.flux --pipeline pinned --date 2026-11-07 > sqlite1.out 2>&1 && rc=0 || rc=$?
check "SQLite: executor = slurm refused" "2 1" "$rc $(grep -c 'the slurm executor needs the MySQL state store' sqlite1.out)"
flux run p.flux --pipeline mixed --date 2026-11-07 --connections flux.yaml > sqlite2.out 2>&1 && rc=0 || rc=$?
check "SQLite: flux.yaml's executor: slurm refused" "2 1" "$rc $(grep -c 'the slurm executor needs the MySQL state store' sqlite2.out)"
flux run p.flux --pipeline mixed --date 2026-11-07 --executor local --connections flux.yaml > sqlite3.out 2>&1 && rc=0 || rc=$?
check "SQLite: all local runs" 0 "$rc"
finish
