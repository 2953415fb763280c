#!/usr/bin/env bash
# flux compile -o DIR makes DIR, and the directories above it, when they are
# missing, as compilers do; a DIR that cannot be made is a usage error that
# says why, and nothing is written.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline out_dir {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task t : bash { command = "true" }
}
FLUX
flux compile p.flux -o build/plans > out.txt 2>&1 && rc=0 || rc=$?
check "compile into a missing directory succeeds" 0 "$rc"
[ "$rc" = 0 ] || cat out.txt
check "the plan is in the directory it made" yes "$([ -f build/plans/out_dir.plan.yaml ] && echo yes || echo no)"
flux compile p.flux -o build/plans > out2.txt 2>&1 && rc=0 || rc=$?
check "compile into the directory it made before succeeds" 0 "$rc"
touch a_file
flux compile p.flux -o a_file/plans > out3.txt 2>&1 && rc=0 || rc=$?
check "a directory under a file cannot be made: usage error" 2 "$rc"
check "the message names the directory and the reason" \
    "flux compile: cannot make output directory 'a_file/plans': Not a directory" "$(cat out3.txt)"
flux compile p.flux -o a_file > out4.txt 2>&1 && rc=0 || rc=$?
check "a file given as the directory: usage error" 2 "$rc"
check "the message says it is not a directory" \
    "flux compile: output directory 'a_file' is not a directory" "$(cat out4.txt)"
finish
