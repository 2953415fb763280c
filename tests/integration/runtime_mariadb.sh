#!/usr/bin/env bash
# runtime_mariadb.sh FLUX — test integration/runtime_mariadb: the runtime
# tests (tests/runtime/*.sh) again with a real MariaDB as the state store,
# each in a database of its own, on a throwaway server stopped by PID.
set -euo pipefail
flux=${1:?usage: runtime_mariadb.sh FLUX_BINARY}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-mariadb.XXXXXX")
cleanup() {
    bash "$here/servers/mariadb.sh" stop "$dir" || true
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
url=$(bash "$here/servers/mariadb.sh" start "$dir")
sock=$(cat "$dir/socket")
base=${url%/*}
failed=0
passed=0
for t in "$here"/runtime/*.sh; do
    name=$(basename "$t" .sh)
    [ "$name" = lib ] && continue
    db=flux_$name
    mariadb --no-defaults --socket="$sock" -uroot -e \
        "CREATE DATABASE \`$db\`; GRANT ALL ON \`$db\`.* TO 'flux'@'127.0.0.1'; GRANT ALL ON \`$db\`.* TO 'flux'@'localhost';"
    echo "== $name on MariaDB"
    if FLUX_TEST_DB="$base/$db" bash "$t" "$flux"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
