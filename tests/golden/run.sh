#!/usr/bin/env bash
# run.sh — one golden test: run flux on a case and compare with what it printed
# last time it was right.
#
#   tests/golden/run.sh FLUX_BINARY tests/golden/<suite>/<name>.flux
#   tests/golden/run.sh FLUX_BINARY tests/golden/<suite>/<name>.cmd
#
# From the case's directory it runs `FLUX_BINARY check <name>.flux` (or, when
# <name>.args exists, FLUX_BINARY with the words of its first line instead),
# with NO_COLOR=1 and stdin from /dev/null. stdout and stderr are captured
# together, then a last line `exit: <code>` is added; the result must equal
# <name>.out byte for byte. With UPDATE_GOLDEN=1 the .out is written instead.
#
# A .cmd case holds only the argument line (like .args) and names its inputs
# itself, so one source can be checked with several commands (dry-run, graph,
# compile ...). The .args/.cmd line is split on blanks, without shell quoting.
#
# What a run reads from the environment beyond the case is removed
# (FLUX_CONNECTIONS, FLUX_CONN_*), and the case's password files
# (_*secret*.txt) are made private first: git keeps no mode but 644 and 755,
# and flux refuses a password file others can read.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 FLUX_BINARY CASE.flux" >&2
    exit 2
fi

flux=$1
case $flux in
    */*) flux=$(cd "$(dirname "$flux")" && pwd)/$(basename "$flux") ;;
esac
case_file=$2
if [ ! -f "$case_file" ]; then
    echo "golden: no such case: $case_file" >&2
    exit 2
fi
dir=$(cd "$(dirname "$case_file")" && pwd)
case $case_file in
    *.cmd) name=$(basename "$case_file" .cmd); argfile=$dir/$name.cmd ;;
    *) name=$(basename "$case_file" .flux); argfile=$dir/$name.args ;;
esac
expected=$dir/$name.out

args=(check "$name.flux")
if [ -f "$argfile" ]; then
    args=()
    # read fails at a last line with no newline but still fills the array
    read -r -a args <"$argfile" || true
fi

unset FLUX_CONNECTIONS
for v in $(compgen -e | grep '^FLUX_CONN_' || true); do unset "$v"; done
for f in "$dir"/_*secret*.txt; do
    if [ -f "$f" ]; then chmod 600 "$f"; fi
done

actual=$(mktemp)
trap 'rm -f "$actual"' EXIT

set +e
(cd "$dir" && NO_COLOR=1 LC_ALL=C TZ=UTC exec "$flux" "${args[@]}") </dev/null >"$actual" 2>&1
code=$?
set -e
printf 'exit: %d\n' "$code" >>"$actual"

if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$actual" "$expected"
    echo "golden: wrote $name.out"
    exit 0
fi

if [ ! -f "$expected" ]; then
    echo "golden: $name.out is missing; this run printed:"
    cat "$actual"
    echo "golden: review it, then create it with UPDATE_GOLDEN=1"
    exit 1
fi

if ! diff -u --label "$name.out (expected)" --label "$name (actual: flux ${args[*]})" \
        "$expected" "$actual"; then
    echo "golden: $name differs (UPDATE_GOLDEN=1 rewrites the .out once the new output is right)"
    exit 1
fi
