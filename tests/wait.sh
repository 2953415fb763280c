# wait.sh — sourced by the shell tests that wait for something a process
# does in the background (runtime/lib.sh, scheduler/git.sh).
#
# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds
# (0) or SECONDS have passed (1)
wait_for() {
    local n=$(($1 * 10))
    shift
    for _ in $(seq "$n"); do
        if "$@"; then return 0; fi
        sleep 0.1
    done
    return 1
}
