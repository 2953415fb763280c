#!/usr/bin/env bash
# tls.sh FLUX [KAFKA_BROKER] — connections over TLS to real servers whose
# certificates a private CA signed (made here with openssl): MariaDB under
# each ssl_mode (flux connections test, the mysql operator, whose session
# records its TLS version, and the state store's URL), the URI form of
# FLUX_CONN_*, an https API through the http operator and flux connections
# test with the connection's ca_file. Refused with the reason, and before
# any login reaches the server (its general log is read): verify_identity
# against a server without TLS. Refused too: another CA, the system's CAs
# only, a certificate for another host, an unreadable ca_file. flux check
# refuses MySQL's required and verify_ca (Connector/C 3.3 would log in
# before finding no TLS), a ca_file no mode checks with, an unknown mode.
# The password is in nothing flux printed or wrote.
set -euo pipefail
flux=${1:?usage: tls.sh FLUX_BINARY [KAFKA_BROKER]}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flux-tls.XXXXXX")
web=
cleanup() {
    [ -z "$web" ] || kill -TERM "$web" 2>/dev/null || true
    bash "$here/servers/mariadb.sh" stop "$dir/db" >/dev/null 2>&1 || true
    bash "$here/servers/mariadb.sh" stop "$dir/plain" >/dev/null 2>&1 || true
    [ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"
pass=0 fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}

# a private CA; server certificates for 127.0.0.1 and for db.internal; another CA
mkdir certs
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -keyout certs/ca.key -out certs/ca.pem -days 2 -subj /CN=flux-test-ca 2>/dev/null
openssl req -x509 "${ec[@]}" -keyout certs/other.key -out certs/other.pem -days 2 -subj /CN=other-ca 2>/dev/null
server_cert() { # NAME SAN
    openssl req "${ec[@]}" -keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$2" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA certs/ca.pem -CAkey certs/ca.key -CAcreateserial -days 2 \
        -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
server_cert here IP:127.0.0.1
server_cert elsewhere DNS:db.internal
cp here.pem srv.pem
cp here.key srv.key

FLUX_MARIADB_TLS="$dir/srv.pem $dir/srv.key" bash "$here/servers/mariadb.sh" start "$dir/db" >/dev/null
bash "$here/servers/mariadb.sh" start "$dir/plain" >/dev/null
P=$(cat db/port) PP=$(cat plain/port)
secret='Tls-Pw-7Hq2x9'
for d in db plain; do
    mariadb --no-defaults --socket="$(cat $d/socket)" -uroot -e \
        "CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY '$secret'; GRANT ALL ON flux.* TO 'app'@'127.0.0.1';"
done
cc -std=c11 -D_DEFAULT_SOURCE -o http_server "$here/servers/http_server.c" \
    $(pkg-config --cflags --libs libmicrohttpd jansson) -lpthread
./http_server web.port --tls "$dir/here.pem" "$dir/here.key" 2> web.err &
web=$!
for _ in $(seq 100); do [ -s web.port ] && break; sleep 0.05; done
HP=$(cat web.port)

export FLUX_HOME=$dir/home NO_PROGRESS=1 APP_PASSWORD=$secret
conn() { # NAME PORT [SETTING...]
    printf '  %s:\n    type: mysql\n    host: 127.0.0.1\n    port: %s\n    user: app\n    database: flux\n' "$1" "$2"
    printf '    password_env: APP_PASSWORD\n'
    local s
    shift 2
    for s in "$@"; do printf '    %s\n' "$s"; done
}
{
    echo "connections:"
    conn verified "$P" "ssl_mode: verify_identity" "ca_file: certs/ca.pem"
    conn preferred "$P" "ssl_mode: preferred"
    conn cleartext "$P"
    conn plain_preferred "$PP" "ssl_mode: preferred"
    conn plain_verified "$PP" "ssl_mode: verify_identity" "ca_file: certs/ca.pem"
    conn other_ca "$P" "ssl_mode: verify_identity" "ca_file: certs/other.pem"
    conn system_ca "$P" "ssl_mode: verify_identity"
    conn missing_ca "$P" "ssl_mode: verify_identity" "ca_file: certs/missing.pem"
    printf '  api:\n    type: http\n    host: 127.0.0.1\n    port: %s\n    scheme: https\n    base: /echo\n' "$HP"
    printf '    ca_file: certs/ca.pem\n'
    printf '  api_system_ca:\n    type: http\n    host: 127.0.0.1\n    port: %s\n    scheme: https\n' "$HP"
} > flux.yaml

ctest_() { "$flux" connections test "$1" 2>&1 && echo "rc=0" || echo "rc=$?"; }
tls_of() { ctest_ "$1" | grep -o 'TLS TLS_\|no TLS' | head -1; }
has() { echo "$2" | grep -q -- "$1" && echo yes || echo "$2"; }
check "verify_identity with the CA: TLS" "TLS TLS_" "$(tls_of verified)"
check "preferred, offered: TLS" "TLS TLS_" "$(tls_of preferred)"
check "no ssl_mode (disabled): in the clear" "no TLS" "$(tls_of cleartext)"
check "preferred, not offered: in the clear" "no TLS" "$(tls_of plain_preferred)"
out=$(ctest_ other_ca)
check "another CA: refused" yes "$(has 'unable to get local issuer certificate' "$out")"
out=$(ctest_ system_ca)
check "the system's CAs only: refused" yes "$(has 'unable to get local issuer certificate' "$out")"
out=$(SSL_CERT_FILE=$dir/certs/ca.pem ctest_ system_ca)
check "the system's CAs, SSL_CERT_FILE naming the CA: TLS" yes "$(has 'TLS TLS_' "$out")"
out=$(ctest_ missing_ca)
check "an unreadable ca_file: said" yes "$(has "cannot read ca_file '$dir/certs/missing.pem': No such file or directory" "$out")"
out=$(FLUX_CONN_FROM_ENV="mysql://app:$secret@127.0.0.1:$P/flux?ssl_mode=verify_identity&ca_file=$dir/certs/ca.pem" ctest_ from_env)
check "a FLUX_CONN_ URI with ssl_mode and ca_file: TLS" yes "$(has 'TLS TLS_' "$out")"
out=$(ctest_ api)
check "api (https, the connection's CA): answers" yes "$(has "GET https://127.0.0.1:$HP/echo answered 200" "$out")"
out=$(ctest_ api_system_ca)
check "api, the system's CAs only: refused" yes "$(has 'SSL peer certificate or SSH remote key was not OK' "$out")"

# against the server without TLS, verify_identity never logs in: its general
# log holds no login of app while the attempts below run
plainsql() { mariadb --no-defaults --socket="$(cat plain/socket)" -uroot -N -e "$1"; }
plainsql "SET GLOBAL general_log_file = '$dir/plain.general', general_log = 1"
out=$(ctest_ plain_verified)
check "verify_identity, no TLS offered: refused" yes "$(has 'SSL is required, but the server does not support it' "$out")"

# the operators: the connection's TLS reaches their processes
cat > p.flux <<'FLUX'
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task setup : mysql {
        conn = "verified"
        sql = "CREATE TABLE IF NOT EXISTS seen (v VARCHAR(32))"
    }
    task record : mysql {
        conn = "verified"
        sql = "INSERT INTO seen SELECT variable_value FROM information_schema.session_status WHERE variable_name = 'Ssl_version'"
    }
    task call : http {
        conn = "api"
        url = "/hello"
    }
    task refused : mysql {
        conn = "plain_verified"
        sql = "SELECT 1"
    }
    setup >> record
}
FLUX
"$flux" run p.flux --date 2026-01-01 > run.out 2>&1 && rc=0 || rc=$?
check "the run ends failed (refused)" 1 "$rc"
state() { "$flux" tasks 1 --format json | jq -r --arg t "$1" '[.task_instances[] | select(.task == $t)] | last | .state'; }
check "the mysql operator over verify_identity: success" success "$(state record)"
check "its session was TLS" TLSv1.3 \
    "$(mariadb --no-defaults --socket="$(cat db/socket)" -uroot -N -e 'SELECT v FROM flux.seen' 2>&1)"
check "the http operator over https with the connection's CA: success" success "$(state call)"
check "the mysql operator, verify_identity against a server without TLS: failed" failed "$(state refused)"
check "  with the reason in its log" yes \
    "$("$flux" logs 1 refused 2>&1 | grep -q 'SSL is required, but the server does not support it' && echo yes || echo no)"

# the state store on MariaDB over TLS: the URL's ssl_mode and ca_file
accepts() { mariadb --no-defaults --socket="$(cat db/socket)" -uroot -N -e "SHOW GLOBAL STATUS LIKE 'Ssl_accepts'" | cut -f2; }
printf 'pipeline s {\n    schedule = "@daily"\n    start = "2026-01-01T00:00:00Z"\n    task a : bash { command = "true" }\n}\n' > s.flux
before=$(accepts)
FLUX_DB_PASSWORD=$secret "$flux" run s.flux --date 2026-01-01 -q \
    --db "mysql://app@127.0.0.1:$P/flux?ssl_mode=verify_identity&ca_file=$dir/certs/ca.pem" > store.out 2>&1 && rc=0 || rc=$?
check "a run on a store over verify_identity: succeeds" 0 "$rc"
check "  its sessions were TLS" yes "$([ "$(accepts)" -gt "$before" ] && echo yes || echo "no: $before -> $(accepts)")"
FLUX_DB_PASSWORD=$secret "$flux" run s.flux --date 2026-01-01 -q \
    --db "mysql://app@127.0.0.1:$PP/flux?ssl_mode=verify_identity&ca_file=$dir/certs/ca.pem" > store2.out 2>&1 && rc=0 || rc=$?
check "a store URL with verify_identity, a server without TLS: refused" "1 yes" \
    "$rc $(has 'SSL is required, but the server does not support it' "$(cat store2.out)")"
plainsql "SET GLOBAL general_log = 0"
check "no login of app reached the server without TLS" 0 "$(grep -c 'Connect.*app@' plain.general || true)"
check "  (the log records logins: root's, which turned it off, is there)" yes \
    "$(grep -q 'Connect.*root@localhost' plain.general && echo yes || echo no)"
FLUX_DB_PASSWORD=$secret "$flux" runs --db "mysql://app@127.0.0.1:$P/flux?ssl_mode=preferred&ca_file=$dir/certs/ca.pem" \
    > store3.out 2>&1 && rc=0 || rc=$?
check "a store URL with a ca_file no mode checks with: refused" "1 yes" \
    "$rc $(has 'ca_file is used only when ssl_mode is verify_identity' "$(cat store3.out)")"
FLUX_DB_PASSWORD=$secret "$flux" runs --db "mysql://app@127.0.0.1:$P/flux?ssl_mode=required" > store4.out 2>&1 && rc=0 || rc=$?
check "a store URL with ssl_mode=required: refused, and why" "1 yes" "$rc $(has 'is not offered' "$(cat store4.out)")"

# another certificate, for db.internal: the chain is still the CA's, the name is not 127.0.0.1
cp elsewhere.pem srv.pem
cp elsewhere.key srv.key
mariadb --no-defaults --socket="$(cat db/socket)" -uroot -e 'FLUSH SSL'
out=$(ctest_ verified)
check "verify_identity, a certificate for another host: refused" yes "$(has 'Validation of SSL server certificate failed' "$out")"
check "preferred, the same certificate: TLS (nothing checked)" "TLS TLS_" "$(tls_of preferred)"

# flux check: a CA no mode checks with, an unknown mode
mkdir bad
{
    echo "connections:"
    conn loose "$P" "ssl_mode: preferred" "ca_file: certs/ca.pem"
    conn typo "$P" "ssl_mode: verify_full"
    conn mysqls "$P" "ssl_mode: verify_ca"
    printf '  plain_api:\n    type: http\n    host: 127.0.0.1\n    port: 80\n    ca_file: certs/ca.pem\n'
} > bad/flux.yaml
printf 'pipeline q {\n    schedule = "@daily"\n    start = "2026-01-01T00:00:00Z"\n    task t : bash { command = "true" }\n}\n' > bad/q.flux
(cd bad && "$flux" check q.flux > ../bad.out 2>&1) && rc=0 || rc=$?
check "flux check refuses them" 3 "$rc"
l1=$(grep -n 'ca_file: certs/ca.pem' bad/flux.yaml | head -1 | cut -d: -f1)
l2=$(grep -n 'verify_full' bad/flux.yaml | cut -d: -f1)
l3=$(grep -n 'verify_ca' bad/flux.yaml | cut -d: -f1)
check "a ca_file with ssl_mode preferred: where and why" \
    "flux.yaml:$l1:5: error: ca_file of connection 'loose' is used only when ssl_mode is verify_identity" \
    "$(grep "^flux.yaml:$l1:" bad.out | sed 's/ \[[a-z-]*\]$//')"
check "an unknown ssl_mode: where and why" "flux.yaml:$l2:15: error: ssl_mode 'verify_full' is unknown" \
    "$(grep "^flux.yaml:$l2:" bad.out | sed 's/ \[[a-z-]*\]$//')"
check "  and the modes" yes "$(grep -q 'help: the modes are disabled, preferred and verify_identity' bad.out && echo yes || echo no)"
l4=$(grep -n 'plain_api' -A4 bad/flux.yaml | grep ca_file | cut -d- -f1)
check "an http ca_file on plain http: a warning" \
    "flux.yaml:$l4:5: warning: ca_file of connection 'plain_api' has no effect: it speaks plain http" \
    "$(grep "^flux.yaml:$l4:" bad.out | sed 's/ \[[a-z-]*\]$//')"
check "MySQL's verify_ca: refused, and why" \
    "flux.yaml:$l3:15: error: ssl_mode 'verify_ca' is not offered: MariaDB Connector/C 3.3 would log in before it found that the server offers no TLS" \
    "$(grep "^flux.yaml:$l3:" bad.out | sed 's/ \[[a-z-]*\]$//')"

"$flux" logs 1 record > record.log 2>&1 || true
check "the password in nothing flux printed or wrote" 0 \
    "$(cat run.out bad.out record.log store*.out | grep -c -- "$secret" || true)"
check "  nor in a file of FLUX_HOME" 0 "$(grep -rl -- "$secret" "$FLUX_HOME" 2>/dev/null | wc -l)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
