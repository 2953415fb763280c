#!/usr/bin/env bash
# shell: the bash operator runs its command with bash unless `shell = sh`
# (pipefail, [[ ]], arrays and $'..' work under bash; `shell = sh` is dash's
# reading), and a failed try's note, in `flux run`'s failure lines and in the
# store, ends with the last line the task printed (the shell's own message
# for a command not found or a syntax error), masked like the log and cut to
# 200 bytes; `::` report lines are not that line.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline shells {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    params { api_token = "tok-default" }
    task pipefail_bash : bash { command = "set -o pipefail; false | true" }
    task pipefail_sh : bash {
        command = "set -o pipefail; false | true"
        shell   = sh
    }
    task no_pipefail_sh : bash {
        command = "false | true"
        shell   = sh
    }
    task bashisms : bash {
        command = """
            [[ 1 == 1 ]] || exit 1
            a=(x y z)
            set -- "${a[@]}"
            echo "::output n=$# ${a[1]}"
            [ "$(printf '%s' $'tab\there' | od -An -c | tr -d ' ')" = 'tab\there' ] || exit 1
            echo "::output interp=$BASH_VERSION"
        """
    }
    task which_sh : bash {
        command = """echo "::output bash=${BASH_VERSION:-none}"; echo 'a\nb' | wc -l | sed 's/^/::output n=/'"""
        shell   = sh
    }
    task not_found : bash { command = "echo starting; no_such_command_4711" }
    task not_found_sh : bash {
        command = "no_such_command_4711"
        shell   = sh
    }
    task syntax : bash { command = "if then fi" }
    task secret : bash { command = "echo fine; {{ params.api_token | shquote }}" }
    task long_line : bash { command = "echo short; printf 'x%.0s' $(seq 300); echo; exit 4" }
    task report_last : bash { command = """echo 'why it failed' >&2; echo '::output x=1'; printf '\n  \n'; exit 5""" }
    task silent : bash { command = "exit 6" }
}
FLUX
flux run p.flux --date 2026-11-02 -j 2 --param api_token=TOPSECRET-4711 "${DB_ARGS[@]}" > run.txt 2>&1 || true
run=$(last_run)
check "pipefail under the default bash fails the task" failed "$(state_of "$run" pipefail_bash)"
check "and the same pipe succeeds with shell = sh" success "$(state_of "$run" no_pipefail_sh)"
# dash 0.5.12 refuses `set -o pipefail` (an error that ends the shell), 0.5.13
# applies it: either way shell = sh does what /bin/sh does
want=$(/bin/sh -c 'set -o pipefail; false | true' 2>/dev/null && echo success || echo failed)
check "set -o pipefail under shell = sh is /bin/sh's" "$want" "$(state_of "$run" pipefail_sh)"
check "[[ ]], arrays and \$'..' work under bash" success "$(state_of "$run" bashisms)"
outputs() { flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r --arg t "$1" --arg k "$2" '[.task_instances[] | select(.task == $t)] | last | .outputs[$k]'; }
check "the array had three items" "3 y" "$(outputs bashisms n)"
check "the default shell is bash" yes "$([ -n "$(outputs bashisms interp)" ] && [ "$(outputs bashisms interp)" != null ] && echo yes || echo no)"
check "shell = sh is not bash" none "$(outputs which_sh bash)"
check "and its echo is dash's (backslash escapes)" 2 "$(outputs which_sh n | tr -d ' ')"

line() { grep "^failed: $1 (try 1): " run.txt || echo "no failure line for $1"; }
check "a command not found: bash's message in the failure line" \
    "failed: not_found (try 1): exit status 127: /dev/fd/3: line 1: no_such_command_4711: command not found" \
    "$(line not_found)"
check "the same under sh: dash's message" \
    "failed: not_found_sh (try 1): exit status 127: /bin/sh: 1: /dev/fd/3: no_such_command_4711: not found" \
    "$(line not_found_sh)"
check "a syntax error: the shell's message" yes \
    "$(grep -q "^failed: syntax (try 1): exit status 2: /dev/fd/3: line 1: syntax error near unexpected token" run.txt && echo yes || line syntax)"
check "the task's line is also in the run's event line" 1 \
    "$(grep -c ' not_found failed (.*, exit status 127: /dev/fd/3: line 1: no_such_command_4711: command not found)$' run.txt)"
check "a secret in the message is masked" \
    "failed: secret (try 1): exit status 127: /dev/fd/3: line 1: ***: command not found" "$(line secret)"
check "the secret is nowhere in the output" 0 "$(grep -c TOPSECRET run.txt)"
note() { flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r --arg t "$1" '[.task_instances[] | select(.task == $t)] | last | .note'; }
check "the store's note is the same" "exit status 127: /dev/fd/3: line 1: ***: command not found" "$(note secret)"
long=$(note long_line)
check "a long last line is cut to 200 bytes and marked" \
    "exit status 4: $(printf 'x%.0s' $(seq 200))..." "$long"
check "the report line is not the last line, nor blank lines after it" "exit status 5: why it failed" \
    "$(note report_last)"
check "a task that printed nothing: the exit status alone" "exit status 6" "$(note silent)"
check "a task that succeeded has no note" null "$(note no_pipefail_sh)"

# a cut inside a character keeps the character whole or drops it
cat > u.flux <<'FLUX'
pipeline utf {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task wide : bash { command = "printf 'a'; printf 'é%.0s' $(seq 150); echo; exit 1" }
}
FLUX
flux run u.flux --date 2026-11-02 "${DB_ARGS[@]}" > u.txt 2>&1 || true
urun=$(last_run)
unote=$(flux tasks "$urun" --format json "${DB_ARGS[@]}" | jq -r '.task_instances[0].note')
check "a cut never splits a UTF-8 character" "exit status 1: a$(printf 'é%.0s' $(seq 99))..." "$unote"
finish
