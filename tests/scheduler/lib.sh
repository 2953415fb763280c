# lib.sh — shared by the scheduler tests on MariaDB (mariadb.sh, soak.sh):
# the flux binary from $1, a private directory T, a throwaway MariaDB whose
# URL is $url, q to query it as root, checks that say what they compared,
# and a cleanup that SIGKILLs every PID in pids and stops the server.
set -euo pipefail
flux=${1:?usage: $0 FLUX}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/flux-sched.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    bash "$here/servers/mariadb.sh" stop "$T/db" > /dev/null 2>&1 || true
    rm -rf "$T"
}
trap cleanup EXIT
url=$(bash "$here/servers/mariadb.sh" start "$T/db")
sock=$(cat "$T/db/socket")
q() { mariadb --no-defaults --socket="$sock" -uroot -N -B flux -e "$1"; }
export FLUX_HOME=$T/home NO_PROGRESS=1
pass=0 fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
mkdir -p "$T/pipes"
