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
# the pipelines of a file that declares several, from flux's own message
# (dry-run and graph refuse such a file without --pipeline, so each is run)
pipelines_of() { "$flux" graph "$1" --format json 2>&1 >/dev/null | sed -n 's/.*choose one with --pipeline: //p' || true; }
# run OUT ARGS...: flux's stdout into OUT, its stderr into OUT.err, then a last
# line `exit: N` in OUT, so both rounds are compared with their exit status.
# A crash or a refusal must fail here: twice the same empty output is equal.
run() {
    local out=$1 rc=0
    shift
    "$flux" "$@" >"$out" 2>"$out.err" || rc=$?
    if [ "$rc" != 0 ] || [ ! -s "$out" ]; then
        echo "determinism: flux $* exited $rc with $(wc -c <"$out") bytes of output: $(head -c 300 "$out.err")"
        fail=1
    fi
    echo "exit: $rc" >>"$out"
}
runs=0
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
    for k in 1 2; do
        mkdir -p "$tmp/$k"
        "$flux" compile "$f" -o "$tmp/$k" >/dev/null
        for p in ${several:-""}; do
            sel=()
            [ -n "$p" ] && sel=(--pipeline "$p")
            run "$tmp/$k/dry${p:+.$p}.json" dry-run "$f" "${sel[@]}" --format json
            for fmt in dot mermaid json; do
                run "$tmp/$k/graph${p:+.$p}.$fmt" graph "$f" "${sel[@]}" --format "$fmt"
            done
            [ $k = 1 ] && runs=$((runs + 4))
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
[ $fail = 0 ] && echo "determinism: $# files ($runs dry-runs and graphs) give identical bytes twice"
exit $fail
