#!/usr/bin/env bash
# store_mariadb.sh TEST_STORE — test integration/store_mariadb: starts a
# throwaway MariaDB (tests/servers/mariadb.sh) in a fresh temp directory,
# runs the state store's contract (the test_store binary) against it as well
# as against SQLite, and stops the server by PID whatever happens.
set -euo pipefail
bin=${1:?usage: store_mariadb.sh TEST_STORE_BINARY [MORE_TEST_BINARIES...]}
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
FLUX_TEST_MYSQL_URL=$url "$bin"
# the others on the store test_store left (each writes its own pipelines)
for more in "${@:2}"; do
    FLUX_TEST_MYSQL_URL=$url "$more"
done
