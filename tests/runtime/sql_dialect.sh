#!/usr/bin/env bash
# The sql filter quotes for the database its text runs on: SQLite reads a
# backslash in a string as itself, so a param holding `a\b` and `it's`
# inserted by the sqlite operator, by the mysql operator on a SQLite
# connection (the embedded stand-in) and by a sql_sensor's query is stored
# and matched byte for byte; run-time params, compile-time constants and
# loop values alike. The text given to a shell keeps MySQL's quoting.
. "$(dirname "$0")/lib.sh"
cat > flux.yaml <<'YAML'
connections:
  local:
    type: sqlite
    path: data.db
YAML
cat > p.flux <<'FLUX'
pipeline dialect {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    params {
        text = "a\\b it's"
    }
    task by_param : sqlite {
        conn = "local"
        sql  = "INSERT INTO notes VALUES ('param', {{ params.text | sql }})"
    }
    task by_constant : sqlite {
        conn = "local"
        sql  = "INSERT INTO notes VALUES ('constant', {{ 'c:\\dir\\' | sql }})"
    }
    {% for v in ["x\\'y"] %}
    task by_loop : sqlite {
        conn = "local"
        sql  = "INSERT INTO notes VALUES ('loop', {{ v | sql }})"
    }
    {% endfor %}
    task by_mysql_op : mysql {
        conn = "local"
        sql  = "INSERT INTO notes VALUES ('mysql_op', {{ params.text | sql }})"
    }
    task wait_row : sql_sensor {
        conn          = "local"
        sql           = "SELECT COUNT(*) FROM notes WHERE body = {{ params.text | sql }} AND src = 'cli'"
        poke_interval = 1s
        timeout       = 4s
    }
    task shell : bash { command = "printf '%s\\n' {{ params.text | sql | shquote }} > shell.txt" }
}
FLUX
# a row written by the sqlite3 shell: what the sensor's query must match
sqlite3 data.db "CREATE TABLE notes (src TEXT, body TEXT); INSERT INTO notes VALUES ('cli', 'a\b it''s')"
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out.txt 2>&1 && rc=0 || rc=$?
run=$(last_run)
check "run succeeds" 0 "$rc"
[ "$rc" = 0 ] || cat out.txt
check "a param stored as given" 'a\b it'"'"'s' "$(sqlite3 data.db "SELECT body FROM notes WHERE src = 'param'")"
check "a compile-time constant stored as given" 'c:\dir\' "$(sqlite3 data.db "SELECT body FROM notes WHERE src = 'constant'")"
check "a loop value stored as given" 'x\'"'"'y' "$(sqlite3 data.db "SELECT body FROM notes WHERE src = 'loop'")"
check "the mysql operator on SQLite quotes for SQLite" 'a\b it'"'"'s' "$(sqlite3 data.db "SELECT body FROM notes WHERE src = 'mysql_op'")"
check "the sensor's query matched the row the sqlite3 shell wrote" success "$(state_of "$run" wait_row)"
check "every byte: a, backslash, b" "$(printf '%s' 'a\b it'"'"'s' | od -An -tx1)" "$(sqlite3 data.db "SELECT body FROM notes WHERE src = 'param'" | tr -d '\n' | od -An -tx1)"
check "shell text keeps MySQL's quoting" "'a\\\\b it''s'" "$(cat shell.txt)"
flux dry-run p.flux --date 2026-11-02 > dry.txt 2>&1
check "dry-run shows the SQLite literal" yes "$(grep -qF "INSERT INTO notes VALUES ('param', 'a\\b it''s')" dry.txt && echo yes || echo no)"
finish
