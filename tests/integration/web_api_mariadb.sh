#!/usr/bin/env bash
# web_api_mariadb.sh TEST_API — test integration/web_api_mariadb: starts a
# throwaway MariaDB (tests/servers/mariadb.sh) in a fresh temp directory,
# runs the web API's test (the test_api binary) on it, and stops the server
# by PID whatever happens.
set -euo pipefail
bin=${1:?usage: web_api_mariadb.sh TEST_API_BINARY}
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
