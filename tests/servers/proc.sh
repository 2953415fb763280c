# proc.sh — how the server scripts launch a daemon and what they ask of its
# PID (sourced by mariadb.sh, slurm.sh and kafka.sh), and their timers.
#
# Two questions, because they differ right after a start: a child the
# script has just launched with `cmd &` is, until it has exec'd, a copy of
# the script itself, and its /proc/PID/cmdline is the script's. On a loaded
# machine that lasts long enough to be seen, so a start must not ask whether
# the PID is its daemon (proc_ours), only whether its own child is still
# there (proc_running). A PID read back from a file, by stop, may have been
# reused: there proc_ours asks the command line as well.

# proc_exec CMD ARGS...: exec CMD, run in the background by the caller
# (`proc_exec mariadbd ... &`: $! becomes the daemon's PID at the exec).
# FLUX_TEST_EXEC_DELAY=SECONDS holds the exec back that long, as a loaded
# machine may (integration/server_starts): the child is the script's copy,
# with the script's command line, all that time.
proc_exec() {
    [ -z "${FLUX_TEST_EXEC_DELAY:-}" ] || sleep "$FLUX_TEST_EXEC_DELAY"
    exec "$@"
}

# proc_running PID: the process exists and is not a zombie nobody reaped
proc_running() {
    local stat state
    [ -n "$1" ] && stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    state=${stat##*) } # after the command's name, which may hold ") "
    state=${state%% *}
    [ -n "$state" ] && [ "$state" != Z ]
}

# proc_ours PID TEXT: running, and its command line holds TEXT (a fixed string)
proc_ours() {
    proc_running "$1" || return 1
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# proc_exit_status PID: how the launched child ended, as words for a
# message, in REPLY (not printed: `wait` must run in the shell that launched
# the child, never in a $(...) subshell). Only after proc_running said no.
proc_exit_status() {
    local rc=0
    wait "$1" 2>/dev/null || rc=$?
    if [ "$rc" -gt 128 ] && [ "$rc" -lt 160 ]; then
        REPLY="killed by signal $((rc - 128))"
    else
        REPLY="exit status $rc"
    fi
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
