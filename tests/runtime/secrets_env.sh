#!/usr/bin/env bash
# secrets_env: a secret reaches only what needs it. Three connection
# passwords, given by password_env, password_file and a FLUX_CONN_* URI (and
# FLUX_DB_PASSWORD beside them), while two tasks print their environment and
# argv and wait: one renders the three passwords into its command (masked),
# one renders none. While they wait, the command line and environment of
# every process of their sessions (the wrapper, the shell, the command) are
# read from /proc; afterwards every file flux wrote under FLUX_HOME and
# everything it printed. Two http tasks log in with the password_file and
# FLUX_CONN_* passwords: operators still get their credentials. Logs, the
# journal and their directories are private (0600 in 0700).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
cc -std=c11 -D_DEFAULT_SOURCE -o http_server "$here/../servers/http_server.c" \
    $(pkg-config --cflags --libs libmicrohttpd jansson)
S_ENV='pe-Env-7Qx41k'   # password_env
S_FILE='pf-File-3Zr88w' # password_file
S_URI='pu-Uri-5Hm02c'   # FLUX_CONN_API
S_DB='pd-Db-9Kd63v'     # FLUX_DB_PASSWORD (a SQLite store: unused, must not travel either)
./http_server port_files files "$S_FILE" 2> server_files.err &
srv1=$!
./http_server port_api api "$S_URI" 2> server_api.err &
srv2=$!
for _ in $(seq 100); do [ -s port_files ] && [ -s port_api ] && break; sleep 0.05; done
printf '%s\n' "$S_FILE" > files.secret
chmod 600 files.secret
cat > flux.yaml <<YAML
connections:
  dw:
    type: mysql
    host: 127.0.0.1
    port: 3306
    user: dw
    database: dw
    password_env: DW_PASSWORD
  files:
    type: http
    host: 127.0.0.1
    port: $(cat port_files)
    base: /auth
    user: files
    password_file: files.secret
  api:
    type: http
    host: 127.0.0.1
    port: 1
    user: nobody
YAML
export DW_PASSWORD=$S_ENV FLUX_DB_PASSWORD=$S_DB
export FLUX_CONN_API="http://api:$S_URI@127.0.0.1:$(cat port_api)/auth"
cat > p.flux <<'FLUX'
pipeline leaks {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task plain : bash {
        env = { GREETING = "hello" }
        command = """
            echo ENV-BEGIN; env; echo ENV-END
            echo "ARGV: $(tr '\000' ' ' < /proc/$$/cmdline)"
            n=0; while [ ! -e release ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done
        """
    }
    task masked : bash {
        command = """
            echo "using {{ conn.dw.password }} {{ conn.files.password }} {{ conn.api.password }}"
            echo ENV-BEGIN; env; echo ENV-END
            echo "ARGV: $(tr '\000' ' ' < /proc/$$/cmdline)"
            n=0; while [ ! -e release ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done
        """
    }
    task call_files : http {
        conn = "files"
        url  = "hello"
    }
    task call_api : http {
        conn = "api"
        url  = "hello"
    }
}
FLUX
start_bg out.txt run p.flux --date 2026-11-02 -j 4 "${DB_ARGS[@]}"
runner=$BG
journal_pid() { # TASK: the pid line of its first try in the run's journal, once written
    { sed -n "s/^pid $1 1 \([0-9]*\)$/\1/p" "$FLUX_HOME"/logs/leaks/*/journal 2>/dev/null || true; } | tail -1
}
p_plain= p_masked=
for _ in $(seq 200); do
    p_plain=$(journal_pid plain) p_masked=$(journal_pid masked)
    [ -n "$p_plain" ] && [ -n "$p_masked" ] && break
    sleep 0.05
done
check "both waiting tasks started" yes "$([ -n "$p_plain" ] && [ -n "$p_masked" ] && echo yes || echo no)"
sleep 0.5 # their shells are in the wait loop, each with a child
# every process of a session: the one the task's first process leads
session_of() {
    local st rest
    for st in /proc/[0-9]*/stat; do
        rest=$(sed 's/.*) //' "$st" 2>/dev/null) || continue
        # state ppid pgrp session ...
        set -- $rest
        [ "${4:-}" = "$SID" ] && { p=${st#/proc/}; echo "${p%/stat}"; }
    done
}
scanned=0 leaks=()
for SID in $p_plain $p_masked; do
    for p in $(session_of); do
        scanned=$((scanned + 1))
        for part in cmdline environ; do
            tr '\0' '\n' < "/proc/$p/$part" > "proc_$p.$part" 2>/dev/null || true
            for s in "$S_ENV" "$S_FILE" "$S_URI" "$S_DB"; do
                if grep -qF -- "$s" "proc_$p.$part"; then
                    leaks+=("$(head -c 60 "/proc/$p/comm" 2>/dev/null | tr -d '\n') $p $part holds ${s%%-*}")
                fi
            done
            grep -q '^FLUX_SECRETS=' "proc_$p.$part" && leaks+=("$p $part holds FLUX_SECRETS")
        done
    done
done
check "processes of the two sessions read (wrapper or shell, and a child each)" yes \
    "$([ "$scanned" -ge 4 ] && echo yes || echo "no ($scanned)")"
check "no secret in any task process's argv or environment" "" "${leaks[*]:-}"
touch release
wait "$runner" && rc=0 || rc=$?
kill "$srv1" "$srv2" 2>/dev/null || true
wait "$srv1" "$srv2" 2>/dev/null || true
run=$(last_run)
check "the run succeeded" 0 "$rc"
check "call_files logged in with the password_file password" success "$(state_of "$run" call_files)"
check "call_api logged in with the FLUX_CONN_API password" success "$(state_of "$run" call_api)"
flux logs "$run" plain "${DB_ARGS[@]}" > log_plain.txt 2>&1 || true
flux logs "$run" masked "${DB_ARGS[@]}" > log_masked.txt 2>&1 || true
sed -n '/^ENV-BEGIN$/,/^ENV-END$/p' log_plain.txt | sed '1d;$d' | cut -d= -f1 | sort > env_plain.txt
check "the declared variable reaches the task" yes "$(grep -qx 'GREETING=hello' log_plain.txt && echo yes || echo no)"
check "flux's own variables reach the task" "FLUX_HOME FLUX_PIPELINE FLUX_RUN_ID FLUX_TASK FLUX_TRY_NUMBER" \
    "$(grep '^FLUX_' env_plain.txt | tr '\n' ' ' | sed 's/ $//')"
check "PATH is passed through" yes "$(grep -qx PATH env_plain.txt && echo yes || echo no)"
check "no variable of the runner outside the list" "" \
    "$(grep -vxE 'GREETING|PATH|HOME|LANG|LANGUAGE|LC_[A-Z_]+|TZ|TZDIR|USER|LOGNAME|SHELL|TMPDIR|[A-Z]*SAN_OPTIONS|PWD|SHLVL|_|OLDPWD|FLUX_(HOME|PIPELINE|RUN_ID|TASK|TRY_NUMBER)' env_plain.txt | tr '\n' ' ')"
check "the command is not in the shell's argv" "" "$(grep '^ARGV:' log_plain.txt | grep -F 'ENV-BEGIN' || true)"
check "the masked task's secrets are masked" yes "$(grep -qx 'using \*\*\* \*\*\* \*\*\*' log_masked.txt && echo yes || echo no)"
flux tasks "$run" --format json "${DB_ARGS[@]}" > tasks.json
hits=()
for s in "$S_ENV" "$S_FILE" "$S_URI" "$S_DB"; do
    while IFS= read -r f; do hits+=("${f#"$T"/} holds ${s%%-*}"); done \
        < <(grep -rlaF -- "$s" "$FLUX_HOME" out.txt log_plain.txt log_masked.txt tasks.json 2>/dev/null || true)
done
check "no secret in any file flux wrote or printed" "" "${hits[*]:-}"
check "no fields file left" "" "$(find "$FLUX_HOME" -name '*.fields.json')"
check "log directories are 0700" "" "$(find "$FLUX_HOME/logs" -type d ! -perm 700 | sed "s|^$FLUX_HOME/||" | tr '\n' ' ')"
check "logs and the journal are 0600" "" "$(find "$FLUX_HOME/logs" -type f ! -perm 600 | sed "s|^$FLUX_HOME/||" | tr '\n' ' ')"
check "logs and the journal were written" yes "$(j=$(ls "$FLUX_HOME"/logs/leaks/*/journal | head -1); [ -s "$j" ] && [ -s log_plain.txt ] && echo yes || echo no)"
finish
