#!/usr/bin/env bash
# home: FLUX_HOME is found as git finds .git — FLUX_HOME, else the nearest
# .flux/ (or flux.yaml) walking up from the working directory, else .flux/
# here for a command that writes. A read-only command never creates a store:
# with none found it says where it looked. Log paths are stored absolute, so
# flux logs works from any directory. This is about the embedded default
# store, so the test uses it whatever FLUX_TEST_DB says.
. "$(dirname "$0")/lib.sh"
unset FLUX_HOME FLUX_DB
mkdir -p empty proj/sub/deeper yaml/inner
cat > pipe.flux <<'FLUX'
pipeline homes {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task a : bash { command = "echo hello-from-a" }
}
FLUX

# nothing anywhere: every read-only command refuses, and leaves nothing
cd "$T/empty"
for args in "runs" "status" "tasks 1" "logs 1 a" "versions homes" "errors" "lineage --table t"; do
    # shellcheck disable=SC2086
    "$FLUX" $args > "$T/ro.txt" 2>&1 && rc=0 || rc=$?
    check "flux $args with no store fails" yes "$([ "$rc" -ne 0 ] && echo yes || echo "no (exit $rc)")"
    check "flux $args says where it looked" yes \
        "$(grep -q "no .flux/ or flux.yaml is in $T/empty or a parent" "$T/ro.txt" && echo yes || echo no)"
    check "flux $args created nothing" "" "$(ls -A "$T/empty")"
done

# a run creates .flux/ here; below, commands find it
cd "$T/proj"
"$FLUX" run "$T/pipe.flux" --date 2026-11-02 > "$T/run.txt" 2>&1 && rc=0 || rc=$?
check "the run succeeds" 0 "$rc"
check "it created .flux/ where it ran" yes "$([ -f "$T/proj/.flux/flux.db" ] && echo yes || echo no)"
cd "$T/proj/sub/deeper"
check "flux runs below finds the run" 1 "$("$FLUX" runs --format json | jq length)"
check "flux logs works from another directory" hello-from-a "$("$FLUX" logs 1 a 2>&1 | grep -o hello-from-a)"
check "nothing was created below" "" "$(ls -A "$T/proj/sub/deeper")"

# a flux.yaml marks the home too: .flux/ beside it
printf 'connections: {}\n' > "$T/yaml/flux.yaml"
cd "$T/yaml/inner"
"$FLUX" run "$T/pipe.flux" --date 2026-11-02 > "$T/run2.txt" 2>&1 && rc=0 || rc=$?
check "a run below a flux.yaml succeeds" 0 "$rc"
check "its store is beside the flux.yaml" yes "$([ -f "$T/yaml/.flux/flux.db" ] && echo yes || echo no)"
check "and not where it ran" "" "$(ls -A "$T/yaml/inner")"

# FLUX_HOME wins over what is found
cd "$T/proj/sub"
FLUX_HOME=$T/elsewhere "$FLUX" runs > "$T/ro.txt" 2>&1 && rc=0 || rc=$?
check "FLUX_HOME without a store: refused" yes "$([ "$rc" -ne 0 ] && echo yes || echo no)"
check "FLUX_HOME named in the message" yes "$(grep -q "FLUX_HOME is $T/elsewhere" "$T/ro.txt" && echo yes || echo no)"
check "FLUX_HOME not created by a read-only command" no "$([ -e "$T/elsewhere" ] && echo yes || echo no)"
finish
