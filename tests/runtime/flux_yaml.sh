#!/usr/bin/env bash
# flux_yaml: flux.yaml is checked with the file modes git cannot keep in a
# golden case. A password_file others can read is refused as ssh refuses a
# key (the message names the mode and says chmod 600); a password in a uri: (or an http base URL)
# of a file others can read is refused as an inline password: is; a
# malformed FLUX_CONN_<NAME> is an error naming the variable, never its
# value; flux run prints the same diagnostics as flux check; flux check
# finds the flux.yaml a run would use (walking up, FLUX_CONNECTIONS) and
# checks names against FLUX_CONN_* too. No secret is ever printed.
. "$(dirname "$0")/lib.sh"
unset FLUX_CONNECTIONS
for v in $(env | grep -o '^FLUX_CONN_[A-Za-z0-9_]*' || true); do unset "$v"; done
secret='S3cr-et-pw-41'
printf '%s\n' "$secret" > pw.txt
cat > p.flux <<'FLUX'
pipeline yaml_modes {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task q : sqlite {
        conn = "lite"
        sql  = "SELECT 1"
    }
    task show : bash { command = "echo {{ conn.warehouse.host | shquote }}" }
}
FLUX
good_yaml() {
    cat <<YAML
connections:
  lite:
    type: sqlite
    path: lite.db
  warehouse:
    type: mysql
    host: db.internal
    user: loader
    $1
YAML
}

# a password file others can read: refused; at 0600 it is used
good_yaml "password_file: pw.txt" > flux.yaml
chmod 600 flux.yaml
chmod 644 pw.txt
flux check p.flux > out1.txt 2>&1 && rc=0 || rc=$?
check "password file at 0644: check fails" 3 "$rc"
check "the message names the file and its mode" yes \
    "$(grep -q "flux.yaml:9:20: error: password file 'pw.txt' has mode 0644: others can read it" out1.txt && echo yes || cat out1.txt)"
check "the help says chmod 600" yes "$(grep -q '^help: chmod 600 pw.txt' out1.txt && echo yes || cat out1.txt)"
chmod 640 pw.txt
flux check p.flux > out2.txt 2>&1 && rc=0 || rc=$?
check "password file at 0640: refused too (its group can read it)" "3 yes" \
    "$rc $(grep -q "has mode 0640: its group can read it" out2.txt && echo yes || cat out2.txt)"
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out3.txt 2>&1 && rc=0 || rc=$?
check "a run refuses it too" 2 "$rc"
check "with the same message" yes "$(grep -q "password file 'pw.txt' has mode 0640" out3.txt && echo yes || cat out3.txt)"
chmod 600 pw.txt
flux check p.flux > out4.txt 2>&1 && rc=0 || rc=$?
check "password file at 0600: accepted" "0" "$rc"
[ "$rc" = 0 ] || cat out4.txt
# relative to the flux.yaml, not to where the command runs
mkdir -p sub/deeper
(cd sub/deeper && "$FLUX" check ../../p.flux > ../../out5.txt 2>&1) && rc=0 || rc=$?
check "check below the flux.yaml finds it and its password file" 0 "$rc"
[ "$rc" = 0 ] || cat out5.txt

# a password in a uri: refused when others can read the file, as an inline one
good_yaml "port: 3306" > flux.yaml
printf '  byuri:\n    uri: "mysql://loader:%s@db.internal:3306/dw"\n' "$secret" >> flux.yaml
chmod 644 flux.yaml
flux check p.flux > out6.txt 2>&1 && rc=0 || rc=$?
check "uri with a password in a 0644 flux.yaml: refused" 3 "$rc"
check "it says chmod 600" yes \
    "$(grep -q "error: a password in uri needs the file to be private" out6.txt && grep -q 'chmod 600' out6.txt && echo yes || cat out6.txt)"
chmod 600 flux.yaml
flux check p.flux > out7.txt 2>&1 && rc=0 || rc=$?
check "the same file at 0600: accepted" 0 "$rc"
[ "$rc" = 0 ] || cat out7.txt
# an http base written as a whole URL with a password in it: the same rule as
# a uri, and the URL read as one (host, port, scheme), its password masked in
# a run's log and rendered fields and never listed
good_yaml "port: 3306" > flux.yaml
printf '  api:\n    type: http\n    base: "https://svc:%s@api.example.com:8443/v1"\n' "$secret" >> flux.yaml
chmod 644 flux.yaml
flux check p.flux > out6b.txt 2>&1 && rc=0 || rc=$?
check "http base with a password in a 0644 flux.yaml: refused" "3 yes" \
    "$rc $(grep -q "error: a password in base needs the file to be private" out6b.txt && echo yes || cat out6b.txt)"
chmod 600 flux.yaml
check "connections list: the base URL's host, port and a password, never its value" \
    "api http api.example.com:8443 svc flux.yaml" \
    "$(flux connections list | awk '$1 == "api" { print $1, $2, $3, $4, ($5 == "none" ? "none" : "flux.yaml") }')"
cat > base.flux <<'FLUX'
pipeline base_url {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task show : bash { command = "echo {{ conn.api.uri | shquote }} {{ conn.api.host | shquote }}" }
}
FLUX
flux run base.flux --date 2026-11-02 -q "${DB_ARGS[@]}" > out6c.txt 2>&1 && rc=0 || rc=$?
check "a run with the base URL's connection succeeds" 0 "$rc"
check "its log holds the URL masked and the host" "https://svc:***@api.example.com:8443/v1 api.example.com" \
    "$(cat "$FLUX_HOME"/logs/base_url/*/show.1.log)"
check "no stored field holds the password" 0 \
    "$(flux tasks "$(last_run)" --format json "${DB_ARGS[@]}" | grep -c "$secret" || true)"
# an inline password: the existing rule, and its line shown masked
good_yaml "password: $secret" > flux.yaml
printf '    databse: dw\n' >> flux.yaml
chmod 644 flux.yaml
flux check p.flux > out8.txt 2>&1 && rc=0 || rc=$?
check "inline password in a 0644 file: refused, with the other error" "3 2" \
    "$rc $(grep -c ': error: ' out8.txt)"
check "the line is shown with the password masked" yes \
    "$(grep -q '^    password: \*\*\*\*' out8.txt && echo yes || cat out8.txt)"

# a malformed FLUX_CONN_<NAME>: an error naming the variable, not its value
good_yaml "port: 3306" > flux.yaml
FLUX_CONN_WAREHOUSE="mysql:/loader:$secret@db.internal" flux check p.flux > out9.txt 2>&1 && rc=0 || rc=$?
check "malformed FLUX_CONN_WAREHOUSE: check fails" 3 "$rc"
check "the error names the variable" yes \
    "$(grep -q "^error: FLUX_CONN_WAREHOUSE is not a connection URI" out9.txt && echo yes || cat out9.txt)"
FLUX_CONN_WAREHOUSE="mysql:/loader:$secret@db.internal" flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" \
    > out10.txt 2>&1 && rc=0 || rc=$?
check "a run refuses it too, naming the variable" "2 yes" \
    "$rc $(grep -q "FLUX_CONN_WAREHOUSE is not a connection URI" out10.txt && echo yes || cat out10.txt)"
FLUX_CONN_WAREHOUSE="mysql://loader:$secret@db.internal:99999/dw" flux check p.flux > out11.txt 2>&1 && rc=0 || rc=$?
check "a bad port in FLUX_CONN_WAREHOUSE" "3 yes" \
    "$rc $(grep -q "^error: FLUX_CONN_WAREHOUSE has an invalid port '99999'" out11.txt && echo yes || cat out11.txt)"
# a FLUX_CONN_ connection is checked like one of the file: type included
FLUX_CONN_LITE="kafka://k1:9092" flux check p.flux > out12.txt 2>&1 && rc=0 || rc=$?
check "FLUX_CONN_LITE of the wrong type for sqlite" "3 yes" \
    "$rc $(grep -q "error: 'conn' of operator 'sqlite' needs a sqlite connection; 'lite' is a kafka connection" out12.txt && echo yes || cat out12.txt)"
check "the note says where it came from" yes "$(grep -q "note: 'lite' is FLUX_CONN_LITE" out12.txt && echo yes || cat out12.txt)"

# flux run prints the same diagnostics as flux check for a bad flux.yaml
printf 'connections:\n  lite:\n    type: sqlitee\n    pth: lite.db\n  warehouse: { type: mysql }\npools:\n  etl: none\n' > flux.yaml
flux check p.flux > c.txt 2>&1 || true
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > r.txt 2>&1 && rc=0 || rc=$?
check "run with a bad flux.yaml fails before anything runs" 2 "$rc"
check "check reports the three errors" 3 "$(grep -c ': error: ' c.txt)"
check "run prints the same diagnostics" "" "$(diff <(grep -v '^[0-9]* error' c.txt) <(grep -v '^[0-9]* error' r.txt))"
flux connections list > l.txt 2>&1 && rc=0 || rc=$?
check "so does flux connections list" "2 " "$rc $(diff <(grep -v '^[0-9]* error' c.txt) <(grep -v '^[0-9]* error' l.txt))"

# FLUX_CONNECTIONS names the file check uses; without any, a note
mkdir -p elsewhere
printf 'connections:\n  lite: { type: sqlite, path: lite.db }\n  warehouse: { type: mysql }\n' > elsewhere/conns.yaml
rm flux.yaml
flux check p.flux > n1.txt 2>&1 && rc=0 || rc=$?
check "no flux.yaml: check passes" 0 "$rc"
check "with a note naming what was not checked" yes \
    "$(grep -q "^note: no flux.yaml here or in a parent directory: connections 'lite', 'warehouse' were not checked" n1.txt && echo yes || cat n1.txt)"
FLUX_CONNECTIONS=elsewhere/conns.yaml flux check p.flux > n2.txt 2>&1 && rc=0 || rc=$?
check "FLUX_CONNECTIONS: checked, no note" "0 0" "$rc $(grep -c '^note:' n2.txt)"
printf 'connections:\n  lite: { type: sqlite, path: lite.db }\n' > elsewhere/conns.yaml
FLUX_CONNECTIONS=elsewhere/conns.yaml flux check p.flux > n3.txt 2>&1 && rc=0 || rc=$?
check "FLUX_CONNECTIONS: an undefined connection is an error" "3 yes" \
    "$rc $(grep -q "error: connection 'warehouse' is not defined in elsewhere/conns.yaml" n3.txt && echo yes || cat n3.txt)"
FLUX_CONN_WAREHOUSE="mysql://db.internal/dw" FLUX_CONNECTIONS=elsewhere/conns.yaml flux check p.flux > n4.txt 2>&1 && rc=0 || rc=$?
check "a FLUX_CONN_ variable defines it" 0 "$rc"

check "the secret appears in nothing flux printed" 0 "$(grep -rlaF -- "$secret" ./*.txt home 2>/dev/null | grep -v '^./pw.txt$' | wc -l)"
finish
