#!/usr/bin/env bash
# dot_check.sh FLUX FILE... — `flux graph --format dot` of each file must
# render with Graphviz (dot -Tsvg) without a warning.
set -euo pipefail
flux=$1
shift
# the pipelines of a file that declares several, from flux's own message
pipelines_of() { "$flux" graph "$1" --format json 2>&1 >/dev/null | sed -n 's/.*choose one with --pipeline: //p' || true; }
# the flux.yaml beside a file, when there is one, as its own directory would
# find it: an example's operators of one's own are declared there
yaml_of() {
    if [ -f "$(dirname "$1")/flux.yaml" ]; then
        export FLUX_CONNECTIONS=$(dirname "$1")/flux.yaml
    else
        unset FLUX_CONNECTIONS
    fi
}
for f in "$@"; do
    yaml_of "$f"
    several=$(pipelines_of "$f")
    for p in ${several:-""}; do
        args=(graph "$f" --format dot)
        [ -n "$p" ] && args+=(--pipeline "$p")
        err=$("$flux" "${args[@]}" | dot -Tsvg 2>&1 >/dev/null) || { echo "dot failed on $f $p: $err"; exit 1; }
        [ -z "$err" ] || { echo "dot warned on $f $p: $err"; exit 1; }
        echo "renders with dot: $f $p"
    done
done
