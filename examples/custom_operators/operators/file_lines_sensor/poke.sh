#!/bin/sh
# file_lines_sensor: one poke. $1 is the task's fields as JSON (see
# stdlib-ops/OPERATORS.md); jq reads them.
set -eu
path=$(jq -r .path "$1")
min=$(jq -r .min_lines "$1")
if [ ! -f "$path" ]; then
    echo "$path: not there yet"
    exit 100
fi
n=$(wc -l <"$path")
echo "$path: $n of $min lines"
[ "$n" -ge "$min" ] || exit 100
echo "::output lines=$n"
