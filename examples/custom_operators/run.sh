#!/usr/bin/env bash
# run.sh — the custom operators example end to end, needing no server:
#
#   examples/custom_operators/run.sh        (after ./build.sh)
#
# In a temp directory holding a copy of this example: flux run custom.flux for
# 2026-11-01 (the shell sensor pokes until the late file has its lines, the
# Python transfer loads it into SQLite), then the task states, the sensor's
# pokes, the transfer's counts and lineage, and the table. FLUX (default
# build/flux), CUSTOM_KEEP=1 keeps the temp directory.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
flux=${FLUX:-$root/build/flux}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
[ -x "$flux" ] || { echo "run.sh: $flux is missing: run ./build.sh first" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-custom.XXXXXX")
cleanup() { if [ "${CUSTOM_KEEP:-0}" = 1 ]; then echo "kept: $dir"; else rm -rf "$dir"; fi; }
trap cleanup EXIT
cp -R "$here/." "$dir/"
cd "$dir"
export FLUX_HOME=$dir/.flux NO_PROGRESS=1
unset FLUX_CONNECTIONS
rc=0
"$flux" run custom.flux --date 2026-11-01 || rc=$?
run=manual__2026-11-01T00:00:00Z
echo "== task instances"
"$flux" tasks "$run"
echo "== the sensor's pokes"
"$flux" logs "$run" wait_orders
echo "== the transfer's log"
"$flux" logs "$run" load_orders
echo "== the table"
sqlite3 -header .flux/warehouse.db "SELECT * FROM orders"
exit $rc
