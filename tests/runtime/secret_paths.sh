#!/usr/bin/env bash
# secret_paths: the last ways a password could show.
# - A multi-line password_file: the whole file is the password (its final
#   newline dropped), and each of its lines is masked on its own too, in
#   the log (a task printing one line of it), the stored fields, flux
#   render and dry-run.
# - flux test masks what its task prints, as flux run does.
# - No error message holds a password: a uri whose port cannot be read (a
#   missing '@host', a '/' in the password), in flux.yaml (message and
#   excerpt) or FLUX_CONN_*, a kafka uri with a password (refused), and a
#   --db URL the store cannot read.
. "$(dirname "$0")/lib.sh"
L1='Ml1-first-8Qw2' L2='Ml2-second-4Tz7' P='Prm-token-6Vb1'
printf '%s\n%s\n' "$L1" "$L2" > api.pw
chmod 600 api.pw
cat > flux.yaml <<'YAML'
connections:
  api: { type: http, host: 127.0.0.1, port: 9, user: u, password_file: api.pw }
YAML
cat > p.flux <<'FLUX'
pipeline sp {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    params { api_token = "none" }
    task show : bash {
        command = "printf '%s\n' \"$PW\" | wc -l; printf '%s\n' \"$PW\" | head -1; echo -; printf '%s\n' \"$PW\" | tail -1; printf '%s' \"$PW\" | tr '\n' ' '; echo; echo {{ conn.api.password | json | shquote }}; echo token={{ params.api_token | shquote }}"
        env     = { PW = "{{ conn.api.password }}" }
    }
    task quoted : bash { command = "echo {{ conn.api.password | shquote }} > /dev/null" }
}
FLUX
# every file and output so far, and FLUX_HOME, hold no line of the password nor the token
leaks() { grep -rlaE -- "$L1|$L2|$P" "$FLUX_HOME" ./*.txt 2> /dev/null | wc -l; }

# ---- a multi-line password_file ----
flux run p.flux --date 2026-11-02 --param api_token="$P" "${DB_ARGS[@]}" > run.txt 2>&1 && rc=0 || rc=$?
check "the run succeeds" 0 "$rc"
run=$(last_run)
flux logs "$run" show "${DB_ARGS[@]}" > log.txt
check "the password is the whole file: two lines" 2 "$(head -1 log.txt | tr -d ' ')"
shown() { sed -n "$2p" "$1" | sed 's/ *$//' | paste -sd'|'; }
# bash's echo prints the JSON text as it is, "L1\nL2" with its quotes, which
# is masked whole (dash's echo made the \n a newline: "***")
check "each line masked wherever it shows" '***|-|***|*** ***|***|token=***' "$(shown log.txt 2,7)"
flux tasks "$run" --format json "${DB_ARGS[@]}" > tasks.txt
flux render p.flux quoted --date 2026-11-02 > render.txt 2>&1 || true
flux dry-run p.flux --date 2026-11-02 > dry.txt 2>&1 || true
check "render shows the field masked" 1 "$(grep -c "echo '\*\*\*'" render.txt)"
check "nothing flux wrote or printed holds a line of it" 0 "$(leaks)"

# ---- flux test masks as flux run does ----
flux test p.flux show --date 2026-11-02 --param api_token="$P" > test.txt 2>&1 && rc=0 || rc=$?
check "flux test: the task succeeds" 0 "$rc"
check "flux test: its output is masked" '2|***|-|***|*** ***|***|token=***' "$(shown test.txt 2,8 | sed 's/^ *//')"
check "flux test: nothing holds a secret" 0 "$(leaks)"

# ---- no error message holds a password ----
cat > bad.yaml <<'YAML'
connections:
  noat: { uri: "mysql://u:Ue1-noat-2Kd9:3306/db" }
  slash:
    uri: mysql://u:Ue2/slash-7Hs3@h:3306/db
  port: { uri: "mysql://u:Ue3-port-5Jq8@h:99999/db" }
  events: { uri: "kafka://u:Ue8-kafka-2Cx7@127.0.0.1:9092" }
YAML
chmod 600 bad.yaml
flux check p.flux --connections bad.yaml > bad_check.txt 2>&1 || true
check "flux.yaml: each bad uri reported" 3 "$(grep -c 'has an invalid port' bad_check.txt)"
check "flux.yaml: no password in the messages or excerpts" 0 "$(grep -cE 'Ue1|Ue2|slash-7Hs3|Ue3' bad_check.txt)"
check "flux.yaml: a port after '@' is quoted" 1 "$(grep -c "invalid port '99999'" bad_check.txt)"
check "flux.yaml: a kafka uri with a password refused" 1 "$(grep -c "'events' holds a user or password" bad_check.txt)"
check "flux.yaml: no password in that one either" 0 "$(grep -c 'Ue8' bad_check.txt)"
FLUX_CONN_NOAT='mysql://u:Ue4-env-3Ws6:3306/db' FLUX_CONN_SLASH='mysql://u:Ue5/env-8Pl2@h/db' \
    flux check p.flux > env_check.txt 2>&1 || true
check "FLUX_CONN_*: named" 2 "$(grep -cE 'FLUX_CONN_(NOAT|SLASH) has an invalid port' env_check.txt)"
check "FLUX_CONN_*: no password in the messages" 0 "$(grep -cE 'Ue4|Ue5|env-8Pl2' env_check.txt)"
flux runs --db 'mysql://u:Ue6-db-1Mn4:3306/flux' > db1.txt 2>&1 || true
flux runs --db 'mysql://u@127.0.0.1:1/flux?password=Ue7-db-4Rt5' > db2.txt 2>&1 || true
# a '?' in a password without its @host: nothing after it is quoted
flux runs --db 'mysql://u:pa?Ue9-db-6Qw1/flux' > db3.txt 2>&1 || true
flux status --db 'mysql://u:pa?Ue0-db-2Zx8@127.0.0.1:1/flux' > db4.txt 2>&1 || true
FLUX_CONN_QM='mysql://u:ab/cd?Ue1-env-5Tg7@h/db' flux check p.flux > env_check2.txt 2>&1 || true
check "a '?' in a password: no part of it in a message" 0 \
    "$(cat db3.txt db4.txt env_check2.txt | grep -cE 'Ue9|6Qw1|Ue0|2Zx8|Ue1|5Tg7' || true)"
check "--db: the errors say what is wrong" "1 1" "$(grep -c 'port' db1.txt) $(grep -c 'unknown parameter' db2.txt)"
check "--db: no password in them" 0 "$(grep -cE 'Ue6|Ue7' db1.txt db2.txt | awk -F: '{ s += $2 } END { print s }')"
finish
