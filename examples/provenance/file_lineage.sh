#!/bin/sh
# file_lineage.sh DIRECTION PATH — the line a bash task prints to record that
# it read (DIRECTION read) or wrote (write) a file: `::lineage` with the
# file's absolute path, size, SHA-256 and number of lines (records), as a
# transfer records its files; `flux lineage --file PATH` then finds the task.
set -eu
p=$(realpath "$2")
jq -cn --arg d "$1" --arg p "$p" --arg sha "$(sha256sum <"$p" | cut -c1-64)" \
    --argjson size "$(wc -c <"$p")" --argjson n "$(wc -l <"$p")" \
    '{direction: $d, kind: "file", name: $p, detail: {size: $size, sha256: $sha, records: $n}}' |
    sed 's/^/::lineage /'
