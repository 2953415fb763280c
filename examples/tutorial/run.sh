#!/usr/bin/env bash
# run.sh [DATE] — the main job (`./build.sh run`): the tutorial end to end on
# the embedded default, from the repository's root: SQLite state in .flux/,
# the SQLite warehouse of examples/tutorial/flux.yaml, files under
# examples/tutorial/inbox/, the local executor. Runs the day DATE (default:
# yesterday, the latest day already over), then prints the run's task
# states, the loaded summary and where the logs are. Running it again for the
# same day finds the run done and changes nothing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
flux=${FLUX:-build/flux}
export FLUX_HOME=${FLUX_HOME:-.flux}
export FLUX_CONNECTIONS=${FLUX_CONNECTIONS:-examples/tutorial/flux.yaml}
day=${1:-$(date -u -d yesterday +%Y-%m-%d)}
mkdir -p "$FLUX_HOME"
echo "== flux run examples/tutorial/tutorial.flux --date $day"
"$flux" run examples/tutorial/tutorial.flux --date "$day" && rc=0 || rc=$?
run=$("$flux" runs tutorial --limit 1 --format json | jq -r '.[0].id')
echo
echo "== flux tasks $run"
"$flux" tasks "$run"
if [ -z "${FLUX_CONN_WAREHOUSE:-}" ] && [ -f "$FLUX_HOME/warehouse.db" ]; then
    echo
    echo "== the warehouse (SQLite standing in for MySQL): daily_summary"
    sqlite3 -header -column "$FLUX_HOME/warehouse.db" "SELECT * FROM daily_summary ORDER BY ds"
fi
echo
echo "logs: $FLUX_HOME/logs/tutorial/ (one directory per run; flux logs $run TASK prints one)"
exit "$rc"
