#!/usr/bin/env bash
# run.sh FLUX WORKDIR SHOTS — flux web in a real browser. Seeds a store with
# `flux run` of real pipelines (one moving records with counts and lineage,
# one with retries and a failure, one with a secret param, one with a 50 MB
# log, a deployed pipeline with two versions, and two left running for the
# live tests), starts `flux web --port 0` on it twice (without a token, and
# with --token-file), and runs browser.test.mjs
# under node --test with Debian's Chromium (puppeteer-core, installed once
# into WORKDIR with `npm ci` from package-lock.json). Screenshots of every
# view go to SHOTS. Everything started here is stopped by its PID.
set -euo pipefail
flux=$1
work=$2
shots=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
case $flux in /*) ;; *) flux=$PWD/$flux ;; esac
chromium=${FLUX_TEST_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
    echo "FAIL: no Chromium at $chromium (build.sh installs Debian's chromium)" >&2
    exit 1
fi
mkdir -p "$work" "$shots"
work=$(cd "$work" && pwd)
shots=$(cd "$shots" && pwd)
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules/puppeteer-core" ]; then
    cp "$here/package.json" "$here/package-lock.json" "$work/"
    (cd "$work" && npm ci --silent --no-audit --no-fund)
fi
cp "$here/browser.test.mjs" "$work/"

T=$(mktemp -d "${TMPDIR:-/tmp}/flux-web.XXXXXX")
export FLUX_HOME=$T/home NO_PROGRESS=1
web_pid=
tok_pid=
live_pid=
live2_pid=
cleanup() {
    local p
    touch "$T/go" "$T/go2" 2>/dev/null || true
    for p in $web_pid $tok_pid $live_pid $live2_pid; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in $web_pid $tok_pid $live_pid $live2_pid; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
    [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
cd "$T"
mkdir -p src deploy

day() { date -u -d "$1 day" +%F; }

# records moved with counts, lineage and an output; a daily run on three days
cat > src/moves.flux <<'FLUX'
pipeline moves {
    schedule = "@daily"
    start    = "2026-01-01T00:00:00Z"
    timezone = "Europe/Paris"
    task land : bash {
        command = """
            echo '::counts read=10 written=9 rejected=1 bytes=300'
            echo '::lineage {"direction":"read","kind":"kafka","name":"events","detail":{"partition":1,"first":40,"last":49,"count":10}}'
            echo '::lineage {"direction":"write","kind":"table","name":"dw.events","detail":{"rows":9}}'
            echo '::output rows=9'
            echo "landed 9 of 10 records"
        """
    }
    task export : bash {
        command = """
            echo '::counts read=9 written=9 rejected=0 bytes=120'
            echo '::lineage {"direction":"read","kind":"table","name":"dw.events","detail":{"rows":9}}'
            echo '::lineage {"direction":"write","kind":"file","name":"/data/events.csv","detail":{"size":120,"records":9,"sha256":"abcdef0123456789"}}'
        """
    }
    task trim : bash { command = "echo '::counts read=100 written=75 rejected=25 bytes=1'" }
    land >> export >> trim
}
FLUX
# a retried task (its first try fails) and a task that always fails
cat > src/flaky.flux <<FLUX
pipeline flaky {
    schedule    = "@daily"
    start       = "2026-01-01T00:00:00Z"
    retries     = 1
    retry_delay = 1s
    task wobble : bash { command = "if [ -e $T/wobbled-{{ ds }} ]; then echo second try; else touch $T/wobbled-{{ ds }}; echo first try fails; exit 3; fi" }
    task broken : bash {
        command = "echo about to fail; exit 4"
        retries = 0
    }
    wobble >> broken
}
FLUX
cat > src/sp.flux <<'FLUX'
pipeline sp {
    schedule = "@daily"
    start    = "2026-01-01T00:00:00Z"
    params {
        api_token = "default-secret-value"
        region    = "eu-west"
    }
    task show : bash { command = "echo token={{ params.api_token }} region={{ params.region }}" }
}
FLUX
# 50 MB of log, then one last line
cat > src/big.flux <<'FLUX'
pipeline big {
    schedule = "@daily"
    start    = "2026-01-01T00:00:00Z"
    task spew : bash { command = "yes 'a line of the big log, repeated to fill fifty megabytes of output' | head -c 52428800; echo; echo END-OF-BIG-LOG" }
}
FLUX
for l in live live2; do
    gate=$T/go${l#live}
    cat > src/$l.flux <<FLUX
pipeline $l {
    schedule = "@daily"
    start    = "2026-01-01T00:00:00Z"
    task gate : bash { command = "for i in \$(seq 600); do [ -e $gate ] && exit 0; sleep 0.1; done; exit 1" }
    task after : bash { command = "echo after the gate" }
    gate >> after
}
FLUX
done

run() { "$flux" run "$@" > "$T/run.out" 2>&1 || true; }
for d in -3 -2 -1; do run src/moves.flux --date "$(day $d)"; done
run src/flaky.flux --date "$(day -2)"
run src/flaky.flux --date "$(day -1)"
run src/sp.flux --date "$(day -1)" --param api_token=TOPSECRET-4711
if grep -q TOPSECRET "$T/run.out"; then echo "FAIL: flux run printed the secret"; exit 1; fi
run src/big.flux --date "$(day -1)"

# a deployed pipeline with two versions
cat > deploy/shop.flux <<'FLUX'
pipeline shop {
    schedule = "@daily"
    start    = "2026-01-01T00:00:00Z"
    task fetch : bash { command = "echo fetch" }
}
FLUX
"$flux" deploy deploy > /dev/null
cat > deploy/shop.flux <<'FLUX'
pipeline shop {
    schedule = "@daily"
    start    = "2026-01-01T00:00:00Z"
    task fetch : bash { command = "echo fetch all" }
    task store : bash { command = "echo store" }
    fetch >> store
}
FLUX
"$flux" deploy deploy > /dev/null
# a plan too big to draw whole: a chain of 2,001 tasks
awk 'BEGIN {
    print "pipeline huge {\n    schedule = \"@daily\"\n    start    = \"2026-01-01T00:00:00Z\""
    for (i = 0; i <= 2000; i++) printf "    task t%d : bash { command = \"true\" }\n", i
    for (i = 0; i < 2000; i++) printf "    t%d >> t%d\n", i, i + 1
    print "}"
}' > deploy/huge.flux
"$flux" deploy deploy > /dev/null

# flux web on an ephemeral port, without a token and with one; the first
# line of each says where
listening() { # OUT PID: the URL the server printed, or nothing
    local u=
    for _ in $(seq 100); do
        u=$(sed -n 's|^flux web: listening on \(http://[^ ]*\)$|\1|p' "$1")
        [ -n "$u" ] && break
        kill -0 "$2" 2>/dev/null || break
        sleep 0.05
    done
    echo "$u"
}
"$flux" web --port 0 > "$T/web.out" 2> "$T/web.err" &
web_pid=$!
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
(umask 077 && echo "$token" > "$T/token")
"$flux" web --port 0 --token-file "$T/token" > "$T/tok.out" 2> "$T/tok.err" &
tok_pid=$!
url=$(listening "$T/web.out" "$web_pid")
tok_url=$(listening "$T/tok.out" "$tok_pid")
if [ -z "$url" ] || [ -z "$tok_url" ]; then
    echo "FAIL: flux web did not say where it listens"
    cat "$T/web.out" "$T/web.err" "$T/tok.out" "$T/tok.err"
    exit 1
fi

# the live runs: each gate waits for its file ($T/go, $T/go2), which the
# browser test creates
"$flux" run src/live.flux --date "$(day 0)" > "$T/live.out" 2>&1 &
live_pid=$!
"$flux" run src/live2.flux --date "$(day 0)" > "$T/live2.out" 2>&1 &
live2_pid=$!
for _ in $(seq 200); do
    [ "$(sqlite3 "$FLUX_HOME/flux.db" "select count(*) from task_instances ti join runs r on r.id = ti.run where r.pipeline in ('live', 'live2') and ti.task = 'gate' and ti.state = 'running'")" = 2 ] && break
    sleep 0.05
done

export FLUX_WEB_URL=$url FLUX_WEB_DB=$FLUX_HOME/flux.db FLUX_WEB_GO=$T/go FLUX_WEB_SHOTS=$shots \
    FLUX_WEB_SECRET=TOPSECRET-4711 FLUX_WEB_CHROMIUM=$chromium \
    FLUX_WEB_TOKEN_URL=$tok_url FLUX_WEB_TOKEN=$token FLUX_WEB_GO2=$T/go2
rc=0
(cd "$work" && node --test --test-reporter=spec browser.test.mjs) || rc=$?
touch "$T/go" "$T/go2" # the live runs end even when the test stopped early
wait "$live_pid" "$live2_pid" 2>/dev/null || true
live_pid= live2_pid=
# both servers stopped here, not by the trap, so that what they write as
# they exit (a sanitizer's leak report) is read below: SIGTERM exits 0
for e in web tok; do
    p=$web_pid
    [ "$e" = tok ] && p=$tok_pid
    kill -TERM "$p"
    st=0
    wait "$p" || st=$?
    if [ "$st" -ne 0 ]; then
        echo "FAIL: flux web ($e) exited $st on SIGTERM"
        rc=1
    fi
done
web_pid= tok_pid=
for e in web tok; do
    if [ -s "$T/$e.err" ] && grep -qi "error\|sanitizer" "$T/$e.err"; then
        echo "FAIL: flux web wrote errors:"
        cat "$T/$e.err"
        rc=1
    fi
done
if grep -rqF "$token" "$T/web.out" "$T/tok.out" "$T/web.err" "$T/tok.err" "$T/live.out" "$T/live2.out"; then
    echo "FAIL: the token is in a log"
    rc=1
fi
exit "$rc"
