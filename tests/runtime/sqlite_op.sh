#!/usr/bin/env bash
# sqlite operator: SQL text with several statements in one transaction, rows
# affected as an output read downstream; a failing statement rolls back the
# whole task; the connection comes from flux.yaml or FLUX_CONN_<NAME>.
. "$(dirname "$0")/lib.sh"
cat > flux.yaml <<'YAML'
connections:
  local:
    type: sqlite
    path: data.db
YAML
cat > p.flux <<'FLUX'
pipeline sql {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task create : sqlite {
        conn = "local"
        sql  = """
            CREATE TABLE IF NOT EXISTS loads (ds TEXT, n INTEGER);
            INSERT INTO loads VALUES ({{ ds | sql }}, 1), ({{ ds | sql }}, 2);
        """
    }
    task report : bash { command = "echo {{ tasks.create.outputs.rows_affected }} > affected.txt" }
    task broken : sqlite {
        conn = "local"
        sql  = "INSERT INTO loads VALUES ('bad', 3); INSERT INTO no_such_table VALUES (1);"
    }
    create >> report
    create >> broken
}
FLUX
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out.txt && rc=0 || rc=$?
run=$(last_run)
check "run fails (broken)" 1 "$rc"
check "create succeeded" success "$(state_of "$run" create)"
check "rows of the interval" "2026-11-02|1 2026-11-02|2" "$(sqlite3 data.db "SELECT ds, n FROM loads WHERE ds = '2026-11-02' ORDER BY n" | tr '\n' ' ' | sed 's/ $//')"
check "rows_affected output read downstream" 2 "$(cat affected.txt)"
check "broken failed" failed "$(state_of "$run" broken)"
check "broken rolled back" 0 "$(sqlite3 data.db "SELECT COUNT(*) FROM loads WHERE ds = 'bad'")"
check "error in the log" yes "$(flux logs "$run" broken "${DB_ARGS[@]}" | grep -q 'no such table' && echo yes || echo no)"
FLUX_CONN_LOCAL=sqlite://other.db flux run p.flux --date 2026-11-03 "${DB_ARGS[@]}" > out2.txt || true
check "FLUX_CONN_LOCAL overrides flux.yaml" 2 "$(sqlite3 other.db 'SELECT COUNT(*) FROM loads')"
finish
