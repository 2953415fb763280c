#!/usr/bin/env bash
# build.sh — the one entry point: install missing Debian packages, build, test, run.
#
#   ./build.sh              build build/ (-O2 -g, asserts on)
#   ./build.sh test         everything: ctest in build/, ctest under ASan+UBSan in
#                           build-asan/, a short fuzz run, then a check that no
#                           process of the suite is left; ends with "N passed, N failed"
#   ./build.sh asan         only the ASan+UBSan build and its ctest
#   ./build.sh fuzz [SECS]  build the libFuzzer targets with clang in build-fuzz/ and
#                           run each for SECS seconds (default 60)
#   ./build.sh run          build, then run the main job
#   ./build.sh bench        build, then every benchmark of tests/bench
#
# Environment: FLUX_TEST_FUZZ_SECONDS (length of the fuzz run of `test`, default 30).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# The main job of `./build.sh run`.
RUN_CMD=(examples/tutorial/run.sh)

# faketime: runtime/clocks steps the wall clock under a running flux (libfaketime)
# openssl: runtime/notify_tls makes a private CA and a server certificate
BUILD_PACKAGES=(build-essential cmake ninja-build pkg-config flex bison
    libyaml-dev libjansson-dev libssl-dev libsqlite3-dev libuv1-dev
    librdkafka-dev default-libmysqlclient-dev libcurl4-openssl-dev libmicrohttpd-dev libgraphviz-dev
    tzdata graphviz time jq sqlite3 gawk git
    mariadb-server kcat faketime slurm-wlm munge musl-tools openssl)
FUZZ_PACKAGES=(clang libclang-rt-dev)

TEST_FUZZ_SECONDS=${FLUX_TEST_FUZZ_SECONDS:-30}

usage() {
    sed -n '2,15s/^# \{0,1\}//p' "$0"
}

# ---- packages ----------------------------------------------------------------

APT_UPDATED=0
ensure_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "build.sh: no dpkg-query (not Debian?); not checking packages" >&2
        return 0
    fi
    local missing=() p status
    for p in "$@"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [ "$status" = "install ok installed" ] || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    echo "== installing missing packages: ${missing[*]}"
    if [ "$APT_UPDATED" -eq 0 ]; then
        "${sudo[@]}" apt-get update
        APT_UPDATED=1
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
}

# node and npm run the Mermaid parser test; Debian's packages when absent
ensure_node() {
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        ensure_packages nodejs npm
    fi
}

# the browser tests of flux web drive Debian's Chromium (never a downloaded one)
ensure_browser() {
    ensure_node
    ensure_packages chromium
}

# ---- builds --------------------------------------------------------------------

# configure_and_build DIR TARGET CMAKE_ARGS...   (TARGET "all" builds everything)
configure_and_build() {
    local dir=$1 target=$2
    shift 2
    echo "== build $dir"
    cmake -S . -B "$dir" -G Ninja "$@" &&
        cmake --build "$dir" --target "$target"
}

build_release() {
    configure_and_build build all \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g"
}

build_asan() {
    configure_and_build build-asan all -DFLUX_SANITIZE=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g"
}

# clang's warnings differ from gcc's: -Werror is enforced by the gcc builds.
build_fuzz() {
    configure_and_build build-fuzz fuzzers -DCMAKE_C_COMPILER=clang -DFLUX_FUZZ=ON \
        -DFLUX_WERROR=OFF \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g"
}

# ---- results ---------------------------------------------------------------------

PASSED=0
FAILED=0
RESULTS=()
record() { # LABEL PASSED FAILED
    PASSED=$((PASSED + $2))
    FAILED=$((FAILED + $3))
    RESULTS+=("$(printf '%-24s %6d passed %6d failed' "$1" "$2" "$3")")
}

finish() {
    echo
    echo "== summary"
    local r
    for r in "${RESULTS[@]}"; do
        echo "$r"
    done
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

TMP_ROOT=
cleanup() {
    if [ -n "$TMP_ROOT" ]; then rm -rf "$TMP_ROOT"; fi
}
trap cleanup EXIT

# ---- stages ------------------------------------------------------------------------

# run_ctest DIR LABEL [VAR=VALUE...]: runs ctest in DIR and records its counts.
run_ctest() {
    local dir=$1 label=$2
    shift 2
    local log=$dir/ctest.log rc=0
    echo "== ctest in $dir"
    # UPDATE_GOLDEN rewrites every golden file and passes: never inside a test run
    (cd "$dir" && env -u UPDATE_GOLDEN "$@" ctest --output-on-failure -j2) 2>&1 | tee "$log" || rc=$?

    local summary passed failed total
    summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
    if [ -n "$summary" ]; then
        failed=$(sed -E 's/.*passed, ([0-9]+) tests? failed out of.*/\1/' <<<"$summary")
        total=$(sed -E 's/.*failed out of ([0-9]+).*/\1/' <<<"$summary")
        passed=$((total - failed))
    else
        passed=0 failed=1 # ctest itself did not get to its summary
    fi
    if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
        failed=1
    fi
    record "$label" "$passed" "$failed"
}

stage_release() {
    if build_release; then
        run_ctest build "ctest build/"
    else
        record "build build/" 0 1
    fi
}

stage_asan() {
    if build_asan; then
        run_ctest build-asan "ctest build-asan/" \
            ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    else
        record "build build-asan/" 0 1
    fi
}

# stage_fuzz SECONDS: each fuzzer runs on a fresh copy of the seed corpus, which
# is every *.flux of examples/ and tests/. Crash inputs land in build-fuzz/artifacts/.
stage_fuzz() {
    local secs=$1
    if ! build_fuzz; then
        record "build build-fuzz/" 0 1
        return 0
    fi
    [ -n "$TMP_ROOT" ] || TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/flux-build.XXXXXX")
    local seeds=$TMP_ROOT/seeds f n=0
    mkdir -p "$seeds"
    while IFS= read -r -d '' f; do
        cp "$f" "$seeds/${f//\//_}"
        n=$((n + 1))
    done < <(find examples tests -type f -name '*.flux' -print0)

    local fuzzer name corpus artifacts log execs found=0
    for fuzzer in build-fuzz/fuzz/fuzz_*; do
        [ -x "$fuzzer" ] || continue
        found=1
        name=$(basename "$fuzzer")
        corpus=$TMP_ROOT/corpus-$name
        artifacts=build-fuzz/artifacts/$name/
        log=build-fuzz/$name.log
        rm -rf "$corpus"
        # a fuzzer with its own seeds (tests/fuzz/plan-corpus for fuzz_plan)
        # starts from them; the compiler's starts from every .flux file
        local own=tests/fuzz/${name#fuzz_}-corpus dict=()
        if [ -d "$own" ]; then
            cp -r "$own" "$corpus"
        else
            cp -r "$seeds" "$corpus"
            dict=(-dict=tests/fuzz/dict)
        fi
        mkdir -p "$artifacts"
        echo "== fuzz $name for ${secs}s from $(ls "$corpus" | wc -l) seeds (log: $log)"
        if "$fuzzer" "${dict[@]}" -max_total_time="$secs" -timeout=10 \
                -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" \
                "$corpus" >"$log" 2>&1; then
            execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
            echo "fuzz $name: no crash, leak or timeout in ${execs:-?} executions"
            record "fuzz $name" 1 0
        else
            tail -n 60 "$log"
            echo "fuzz $name: FAILED; the input is in $artifacts, the full log in $log"
            record "fuzz $name" 0 1
        fi
    done
    if [ "$found" -eq 0 ]; then
        echo "fuzz: no fuzz target was built in build-fuzz/fuzz/"
        record "fuzz" 0 1
    fi
}

# ---- the guard: nothing the suite starts outlives it ----------------------------------

# guard_suite ARGS...: re-runs this script with ARGS under tests/suite_guard.c,
# a child subreaper, so every process a test starts stays findable however it
# detaches; FLUX_TEST_SUITE marks their environment too (ctest adds the test's
# name as FLUX_TEST_NAME). Compiled with cc alone, before anything is built.
guard_suite() {
    [ -z "${FLUX_SUITE_GUARD:-}" ] || return 0
    mkdir -p build/tools
    cc -std=c11 -O1 -Wall -Wextra -Werror -o build/tools/suite_guard tests/suite_guard.c
    export FLUX_TEST_SUITE="flux-$$-$(date +%s%N)"
    exec build/tools/suite_guard run -- bash "$PWD/build.sh" "$@"
}

# stage_guard: every process of the suite still alive fails the run; the guard
# lists each with the test that started it, then kills it.
stage_guard() {
    echo "== processes left running by the tests"
    if build/tools/suite_guard check; then
        record "leftover processes" 1 0
    else
        record "leftover processes" 0 1
    fi
}

# ---- modes ---------------------------------------------------------------------------

mode=${1:-build}
case $mode in
    build)
        ensure_packages "${BUILD_PACKAGES[@]}"
        build_release
        ;;
    test)
        ensure_packages "${BUILD_PACKAGES[@]}" "${FUZZ_PACKAGES[@]}"
        guard_suite "$@"
        ensure_browser
        stage_release
        stage_asan
        if command -v clang >/dev/null 2>&1; then
            stage_fuzz "$TEST_FUZZ_SECONDS"
        else
            echo "== fuzz: clang is not installed"
            record "fuzz (no clang)" 0 1
        fi
        stage_guard
        finish
        ;;
    asan)
        ensure_packages "${BUILD_PACKAGES[@]}"
        guard_suite "$@"
        ensure_browser
        stage_asan
        stage_guard
        finish
        ;;
    fuzz)
        secs=${2:-60}
        if ! [[ $secs =~ ^[1-9][0-9]*$ ]]; then
            echo "build.sh: fuzz SECONDS must be a positive whole number, not '$secs'" >&2
            exit 2
        fi
        ensure_packages "${BUILD_PACKAGES[@]}" "${FUZZ_PACKAGES[@]}"
        stage_fuzz "$secs"
        finish
        ;;
    run)
        ensure_packages "${BUILD_PACKAGES[@]}"
        build_release
        echo "== run: ${RUN_CMD[*]}"
        "${RUN_CMD[@]}"
        ;;
    bench)
        ensure_packages "${BUILD_PACKAGES[@]}"
        build_release
        tests/bench/compile build/flux
        tests/bench/dryrun build/flux
        tests/bench/run build/flux
        tests/bench/transfer build/flux build/kafka_broker
        tests/bench/scheduler build/flux
        tests/bench/web build/flux build/seed
        tests/bench/slurm build/flux
        ;;
    help | -h | --help)
        usage
        ;;
    *)
        echo "build.sh: unknown mode '$mode'" >&2
        usage >&2
        exit 2
        ;;
esac
