#!/usr/bin/env bash
# dot_check.sh FLUX FILE... — `flux graph --format dot` of each file must
# render with Graphviz (dot -Tsvg) without a warning.
set -euo pipefail
flux=$1
shift
for f in "$@"; do
    err=$("$flux" graph "$f" --format dot | dot -Tsvg 2>&1 >/dev/null) || { echo "dot failed on $f: $err"; exit 1; }
    [ -z "$err" ] || { echo "dot warned on $f: $err"; exit 1; }
    echo "renders with dot: $f"
done
