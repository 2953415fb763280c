#!/usr/bin/env bash
# deploy.sh FLUX ... — examples/deploy's hooks end to end: a push to a bare
# repository (post-receive) and a merge in a clone (post-merge) each deploy
# the committed pipelines with their commit id; a broken commit deploys
# nothing and keeps the last good version; versions and diff show history.
set -euo pipefail
flux=${1:?usage: deploy.sh FLUX}
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/flux-deploy.XXXXXX")
trap 'rm -rf "$T"' EXIT
export FLUX=$flux FLUX_DB="sqlite://$T/flux.db" GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
pass=0 fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
git init -q --bare -b main "$T/origin.git"
cp "$root/examples/deploy/post-receive" "$T/origin.git/hooks/post-receive"
git clone -q "$T/origin.git" "$T/dev" 2> /dev/null
mkdir -p "$T/dev/pipelines"
pipeline() { # WORD
    cat > "$T/dev/pipelines/hello.flux" <<FLUX
pipeline hello {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task say : bash { command = "echo $1" }
}
FLUX
}
pipeline one
git -C "$T/dev" add -A && git -C "$T/dev" commit -qm one
git -C "$T/dev" push -q origin main 2> "$T/push1.txt"
c1=$(git -C "$T/dev" rev-parse HEAD)
check "a push deploys version 1 with its commit" "1 $c1" "$("$flux" versions hello --format json | jq -r '.[0] | "\(.version) \(.commit)"')"
echo "pipeline broken {" > "$T/dev/pipelines/broken.flux"
git -C "$T/dev" add -A && git -C "$T/dev" commit -qm broken
git -C "$T/dev" push -q origin main 2> "$T/push2.txt"
check "a broken push deploys nothing" 1 "$("$flux" versions hello --format json | jq length)"
# flux's own diagnostic, not the hook's fixed echo (which only says flux exited 3);
# git prefixes the hook's output with "remote: " and pads the lines with blanks
check "and says why in the push's output" "broken.flux: not deployed, 1 error (its pipelines keep their last good version)
broken.flux:2:1: error: unexpected end of file, expected '}' to close '{' opened at 1:17" \
    "$(sed 's/^remote: //; s/[[:space:]]*$//' "$T/push2.txt" | grep -E '^broken\.flux(: not deployed|:[0-9]+:[0-9]+: error:)')"
"$flux" errors > /dev/null 2>&1 && rc=0 || rc=$?
check "flux errors shows it" 3 "$rc"
# a production clone with post-merge: pulls the fix
git clone -q "$T/origin.git" "$T/prod" 2> /dev/null
cp "$root/examples/deploy/post-merge" "$T/prod/.git/hooks/post-merge"
git -C "$T/dev" rm -q pipelines/broken.flux
pipeline two
git -C "$T/dev" add -A && git -C "$T/dev" commit -qm two
git -C "$T/dev" push -q origin main 2> /dev/null
git -C "$T/prod" pull -q --no-rebase origin main > "$T/pull.txt" 2>&1
c2=$(git -C "$T/dev" rev-parse HEAD)
check "the push and the merge agree: version 2 at the fix" "2 $c2" "$("$flux" versions hello --format json | jq -r '.[0] | "\(.version) \(.commit)"')"
check "the merge hook found nothing new to deploy" yes "$(grep -q 'hello: unchanged (version 2)' "$T/pull.txt" && echo yes || echo no)"
check "flux diff shows the change" yes "$("$flux" diff hello 1 2 | grep -q '^+    command: "echo two"' && echo yes || echo no)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
