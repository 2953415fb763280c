#!/usr/bin/env bash
# determinism.sh FLUX FILE... — compiling, dry-running and graphing the same
# source twice gives the same bytes (plans are named by their hash: a byte
# that changed between runs would be a new version deployed for nothing).
set -euo pipefail
flux=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for f in "$@"; do
    for k in 1 2; do
        mkdir -p "$tmp/$k"
        "$flux" compile "$f" -o "$tmp/$k" >/dev/null
        "$flux" dry-run "$f" --format json >"$tmp/$k/dry.json" 2>/dev/null || true
        for fmt in dot mermaid json; do
            "$flux" graph "$f" --format "$fmt" >"$tmp/$k/graph.$fmt" 2>/dev/null || true
        done
    done
    if ! diff -r "$tmp/1" "$tmp/2" >/dev/null; then
        echo "determinism: $f differs between two runs:"
        diff -r "$tmp/1" "$tmp/2" | head -20
        fail=1
    fi
    ls "$tmp/1"/*.plan.yaml >/dev/null 2>&1 || { echo "determinism: $f produced no plan"; fail=1; }
    rm -rf "$tmp/1" "$tmp/2"
done
[ $fail = 0 ] && echo "determinism: $# files give identical bytes twice"
exit $fail
