#!/usr/bin/env bash
# {{ conn.NAME.uri }} renders whichever way the connection is given: by
# fields in flux.yaml or as a FLUX_CONN_<NAME> URI; its password (percent-
# encoded in the URI) is masked in the log and the stored fields like
# every secret, while the task itself gets it.
. "$(dirname "$0")/lib.sh"
export DW_PASSWORD='p@ss:w0rd-71'
cat > flux.yaml <<'YAML'
connections:
  fields:
    type: mysql
    host: db.internal
    port: 3306
    user: loader
    database: dw
    password_env: DW_PASSWORD
  tls:
    type: mysql
    host: db.internal
    user: loader
    database: dw
    ssl_mode: verify_identity
    ca_file: certs/db ca.pem
YAML
cat > p.flux <<'FLUX'
pipeline uris {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task by_fields : bash { command = "echo {{ conn.fields.uri | shquote }} > fields.txt; echo {{ conn.fields.uri | shquote }}" }
    task by_env : bash { command = "echo {{ conn.byenv.uri | shquote }} > env.txt; echo {{ conn.byenv.uri | shquote }}" }
    task tls : bash { command = "echo {{ conn.tls.uri | shquote }} > tls.txt" }
    task tls_env : bash { command = "echo {{ conn.tlsenv.uri | shquote }} > tls_env.txt" }
}
FLUX
FLUX_CONN_BYENV='mysql://reader:s%27cr%40t-93@db2.internal:3307/dw' \
    FLUX_CONN_TLSENV='mysql://r:pa?ss@db3.internal/dw?ssl_mode=preferred' \
    flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out.txt 2>&1 && rc=0 || rc=$?
run=$(last_run)
check "run succeeds" 0 "$rc"
[ "$rc" = 0 ] || cat out.txt
check "by fields: the task gets the URI" "mysql://loader:p%40ss%3Aw0rd-71@db.internal:3306/dw" "$(cat fields.txt 2>/dev/null)"
check "by env: the task gets the URI" "mysql://reader:s%27cr%40t-93@db2.internal:3307/dw" "$(cat env.txt 2>/dev/null)"
check "ssl_mode and ca_file in the URI (ca_file made absolute)" \
    "mysql://loader@db.internal/dw?ssl_mode=verify_identity&ca_file=$T/certs/db%20ca.pem" "$(cat tls.txt 2>/dev/null)"
check "a URI's parameters read back, a '?' in its password kept" "mysql://r:pa%3Fss@db3.internal/dw?ssl_mode=preferred" \
    "$(cat tls_env.txt 2>/dev/null)"
check "by fields: the log masks the password" "mysql://loader:***@db.internal:3306/dw" \
    "$(flux logs "$run" by_fields "${DB_ARGS[@]}" | grep '^mysql://' || true)"
check "by env: the log masks the password" "mysql://reader:***@db2.internal:3307/dw" \
    "$(flux logs "$run" by_env "${DB_ARGS[@]}" | grep '^mysql://' || true)"
check "no password in the store, logs or output" 0 \
    "$(grep -rlaE 'p%40ss%3Aw0rd-71|p@ss:w0rd-71|s%27cr%40t-93|s.cr@t-93' home out.txt 2>/dev/null | wc -l)"
finish
