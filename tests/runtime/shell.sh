#!/usr/bin/env bash
# shell: the bash operator runs its command with bash unless `shell = sh`
# (pipefail, [[ ]], arrays and $'..' work under bash; `shell = sh` is dash's
# reading).
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

finish
