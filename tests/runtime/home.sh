#!/usr/bin/env bash
# home: FLUX_HOME is found as git finds .git — FLUX_HOME, else the nearest
# .flux/ (or flux.yaml) walking up from the working directory, else .flux/
# here for a command that writes. A read-only command never creates a store:
# with none found it says where it looked. Log paths are stored absolute, so
# flux logs works from any directory. flux.yaml is found the same way:
# --connections, else FLUX_CONNECTIONS, else the nearest flux.yaml walking
# up from the working directory, for the runner and the operator processes
# it starts alike; flux status says which store, FLUX_HOME and flux.yaml are
# in use. This is about the embedded default store, so the test uses it
# whatever FLUX_TEST_DB says (and shows a mysql:// one without its password).
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

# flux.yaml is found walking up, as .flux/ is, by every command and by the
# operator process the runner starts (here a sqlite task's, from a directory
# two levels below the flux.yaml)
mkdir -p "$T/conf/sub/deeper"
printf 'connections:\n  lite: { type: sqlite, path: %s }\n' "$T/conf/lite.db" > "$T/conf/flux.yaml"
cat > "$T/lite.flux" <<'FLUX'
pipeline lite_home {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task q : sqlite {
        conn = "lite"
        sql  = "CREATE TABLE IF NOT EXISTS t (x INTEGER); INSERT INTO t VALUES (1)"
    }
}
FLUX
cd "$T/conf/sub/deeper"
"$FLUX" run "$T/lite.flux" --date 2026-11-02 > "$T/lite.txt" 2>&1 && rc=0 || rc=$?
check "a run below a flux.yaml uses its connections" 0 "$rc"
check "its operator process found the same flux.yaml" 1 "$(sqlite3 "$T/conf/lite.db" 'SELECT COUNT(*) FROM t' 2>&1)"
check "flux connections list finds it too" yes \
    "$("$FLUX" connections list 2>&1 | grep -q "^lite" && echo yes || echo "no: $("$FLUX" connections list 2>&1)")"
"$FLUX" status > "$T/st.txt" 2>&1 && rc=0 || rc=$?
check "flux status from below works" 0 "$rc"
check "flux status names the store" "store      sqlite://$T/conf/.flux/flux.db (FLUX_HOME/flux.db)" "$(grep '^store ' "$T/st.txt")"
check "flux status names FLUX_HOME" "FLUX_HOME  $T/conf/.flux (found walking up from $T/conf/sub/deeper)" \
    "$(grep '^FLUX_HOME ' "$T/st.txt")"
check "flux status names the flux.yaml" "flux.yaml  $T/conf/flux.yaml (found walking up from $T/conf/sub/deeper)" \
    "$(grep '^flux.yaml ' "$T/st.txt")"
check "the same in JSON" "$T/conf/flux.yaml" "$("$FLUX" status --format json | jq -r '.where.flux_yaml.path')"
FLUX_CONNECTIONS=$T/conf/flux.yaml "$FLUX" status > "$T/st2.txt" 2>&1 || true
check "FLUX_CONNECTIONS is named as where it came from" "flux.yaml  $T/conf/flux.yaml (FLUX_CONNECTIONS)" \
    "$(grep '^flux.yaml ' "$T/st2.txt")"
cd "$T/proj/sub"
"$FLUX" status > "$T/st3.txt" 2>&1 || true
check "without a flux.yaml, status says where it looked" \
    "flux.yaml  none found (looked in $T/proj/sub and its parents)" "$(grep '^flux.yaml ' "$T/st3.txt")"
check "and FLUX_HOME found in a parent" "FLUX_HOME  $T/proj/.flux (found walking up from $T/proj/sub)" \
    "$(grep '^FLUX_HOME ' "$T/st3.txt")"
FLUX_HOME=$T/proj/.flux "$FLUX" status > "$T/st4.txt" 2>&1 || true
check "FLUX_HOME set is named so" "FLUX_HOME  $T/proj/.flux (FLUX_HOME)" "$(grep '^FLUX_HOME ' "$T/st4.txt")"
case ${FLUX_TEST_DB:-} in
mysql://*)
    "$FLUX" status --db "$FLUX_TEST_DB" > "$T/st5.txt" 2>&1 || true
    shown=$(grep '^store ' "$T/st5.txt")
    check "a MySQL store is shown without its password" yes \
        "$(grep -q "^store      mysql://[^:/@]*@.* (--db)$" <<<"$shown" && echo yes || echo "no: $shown")"
    ;;
esac
finish
