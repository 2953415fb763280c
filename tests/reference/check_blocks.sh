#!/usr/bin/env bash
# check_blocks.sh — compiles every flux code block of the language reference,
# so the reference cannot drift from what the compiler accepts.
#
#   tests/reference/check_blocks.sh FLUX_BINARY lang/REFERENCE.md
#
# Fences understood (the opening fence may be indented, e.g. inside a list;
# that indentation is removed from the block's lines):
#   ```flux                  must pass `flux check` (exit 0; warnings allowed)
#   ```flux-error            must fail with compile errors (exit 3)
#   ```flux-include NAME     not checked itself: written as NAME next to the
#                            other blocks, so a block can {% include "NAME" %}
# Every block becomes ref-line-<L>.flux in one temporary directory, where L is
# the line of its opening fence; diagnostics therefore read
# ref-line-<L>.flux:<l>:<c>, i.e. line L+l of the reference.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 FLUX_BINARY REFERENCE.md" >&2
    exit 2
fi
flux=$1
case $flux in
    */*) flux=$(cd "$(dirname "$flux")" && pwd)/$(basename "$flux") ;;
esac
ref=$2
if [ ! -f "$ref" ]; then
    echo "reference: $ref does not exist; every construct of the language must be shown there in \`\`\`flux blocks" >&2
    exit 1
fi
ref_name=$(basename "$ref")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
blocks=$work/blocks
mkdir "$blocks"

# Extract. Prints one manifest line per block: "<line> <kind> <file>".
manifest=$work/manifest
awk -v dir="$blocks" '
    function fail(msg) { printf "%s\n", msg > "/dev/stderr"; bad = 1; exit 1 }
    !inblock && /^[ \t]*```flux(-error|-include[ \t]+[^ \t]+)?[ \t]*$/ {
        match($0, /^[ \t]*/); indent = RLENGTH
        tag = substr($0, indent + 4); sub(/[ \t]+$/, "", tag)
        start = NR
        if (tag == "flux")            { kind = "ok";      file = "ref-line-" NR ".flux" }
        else if (tag == "flux-error") { kind = "error";   file = "ref-line-" NR ".flux" }
        else {
            kind = "include"; file = tag; sub(/^flux-include[ \t]+/, "", file)
            if (file ~ /\// || file ~ /^\./) fail("line " NR ": flux-include name must be a plain file name: " file)
        }
        path = dir "/" file
        printf "" > path
        inblock = 1
        next
    }
    inblock && /^[ \t]*```[ \t]*$/ {
        close(path)
        print start, kind, file
        inblock = 0
        next
    }
    inblock {
        line = $0
        if (indent > 0 && match(line, /^[ \t]+/)) line = substr(line, (RLENGTH < indent ? RLENGTH : indent) + 1)
        print line > path
    }
    END {
        if (bad) exit 1
        if (inblock) { printf "line %d: code block is never closed\n", start > "/dev/stderr"; exit 1 }
    }
' "$ref" >"$manifest" || { echo "reference: could not extract the code blocks of $ref_name" >&2; exit 1; }

checked=0
failed=0
while read -r line kind file; do
    [ "$kind" = include ] && continue
    checked=$((checked + 1))
    want=0
    [ "$kind" = error ] && want=3
    set +e
    (cd "$blocks" && NO_COLOR=1 LC_ALL=C TZ=UTC exec "$flux" check "$file") </dev/null >"$work/output" 2>&1
    code=$?
    set -e
    if [ "$code" -ne "$want" ]; then
        failed=$((failed + 1))
        if [ "$kind" = error ]; then what="a \`\`\`flux-error block"; else what="a \`\`\`flux block"; fi
        echo "$ref_name:$line: $what: flux check exited $code, expected $want"
        sed 's/^/    /' "$work/output"
    fi
done <"$manifest"

if [ "$checked" -eq 0 ]; then
    echo "reference: $ref_name has no \`\`\`flux or \`\`\`flux-error code blocks; its examples must be tagged so they are compiled" >&2
    exit 1
fi
echo "reference: $checked blocks checked, $failed failed"
[ "$failed" -eq 0 ]
