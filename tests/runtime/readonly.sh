#!/usr/bin/env bash
# readonly: the commands that only read (runs, tasks, logs, status) work on a
# FLUX_HOME this user cannot write, write nothing there, and never change the
# SQLite store's journal mode.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline ro {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task a : bash { command = "echo hello from a" }
}
FLUX
flux run p.flux --date 2026-11-02 -q "${DB_ARGS[@]}" > /dev/null
run=$(last_run)
# as a user who cannot write FLUX_HOME: nobody when this runs as root (root
# writes anywhere), else this user with the write bits taken away
chmod 755 "$T"
if [ "$(id -u)" -eq 0 ]; then
    # a copy nobody can execute: the checkout may sit in a directory only
    # its owner can enter (a clone into mktemp -d is 0700)
    cp "$FLUX" "$T/flux-reader"
    chmod 755 "$T/flux-reader"
    as_reader() { setpriv --reuid=65534 --regid=65534 --clear-groups env FLUX_HOME="$FLUX_HOME" NO_PROGRESS=1 "$T/flux-reader" "$@"; }
    chmod -R a+rX "$FLUX_HOME"
else
    as_reader() { "$FLUX" "$@"; }
    chmod -R a-w "$FLUX_HOME"
fi
if [ ${#DB_ARGS[@]} -eq 0 ]; then
    # a store whose journal mode someone set: a reader leaves it so
    sqlite3 "$FLUX_HOME/flux.db" "PRAGMA journal_mode=DELETE" > /dev/null
fi
before=$(cd "$FLUX_HOME" && find . -printf '%p %s %T@\n' | sort)
as_reader runs "${DB_ARGS[@]}" > runs.txt 2>&1 && rc=0 || rc=$?
check "flux runs works" 0 "$rc"
check "and lists the run" 1 "$(grep -c 'manual__2026-11-02T00:00:00Z *success' runs.txt)"
as_reader tasks "$run" "${DB_ARGS[@]}" > tasks.txt 2>&1 && rc=0 || rc=$?
check "flux tasks works" 0 "$rc"
as_reader logs "$run" a "${DB_ARGS[@]}" > logs.txt 2>&1 && rc=0 || rc=$?
check "flux logs works" "0 hello from a" "$rc $(cat logs.txt)"
as_reader status "${DB_ARGS[@]}" > status.txt 2>&1 && rc=0 || rc=$?
check "flux status works" 0 "$rc"
check "and lists no finished flux run as a scheduler" 0 "$(grep -c 'run:' status.txt)"
check "nothing under FLUX_HOME changed" "$before" "$(cd "$FLUX_HOME" && find . -printf '%p %s %T@\n' | sort)"
if [ ${#DB_ARGS[@]} -eq 0 ]; then
    check "the journal mode is as it was" delete "$(sqlite3 "$FLUX_HOME/flux.db" "PRAGMA journal_mode")"
fi
chmod -R u+w "$FLUX_HOME"
finish
