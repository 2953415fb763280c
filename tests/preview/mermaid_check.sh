#!/usr/bin/env bash
# mermaid_check.sh FLUX WORKDIR FILE... — `flux graph --format mermaid` of each
# file must parse with Mermaid itself. The parser (npm packages pinned by
# mermaid/package-lock.json) is installed once into WORKDIR with `npm ci`.
set -euo pipefail
flux=$1
work=$2
shift 2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$work"
if ! cmp -s "$here/mermaid/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules/mermaid" ]; then
    cp "$here/mermaid/package.json" "$here/mermaid/package-lock.json" "$work/"
    (cd "$work" && npm ci --silent --no-audit --no-fund)
fi
cp "$here/mermaid/check.mjs" "$work/"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
files=()
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
    name=$(basename "$f" .flux)
    several=$(pipelines_of "$f")
    if [ -z "$several" ]; then
        "$flux" graph "$f" --format mermaid >"$out/$name.mmd"
        files+=("$out/$name.mmd")
    else
        for p in $several; do
            "$flux" graph "$f" --pipeline "$p" --format mermaid >"$out/$name.$p.mmd"
            files+=("$out/$name.$p.mmd")
        done
    fi
done
node "$work/check.mjs" "${files[@]}"
