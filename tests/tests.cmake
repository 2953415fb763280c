# Test registration: unit programs, golden diagnostics, the reference's code
# blocks, the examples, and (with FLUX_FUZZ) the libFuzzer targets.
# Included from the top CMakeLists.txt after every library and `flux` exist.
set(FLUX_TESTS ${CMAKE_SOURCE_DIR}/tests)

# ---- unit: one program per tests/unit/test_*.c, exit 0 = all checks passed --
file(GLOB UNIT_TESTS CONFIGURE_DEPENDS ${FLUX_TESTS}/unit/test_*.c)
foreach(src ${UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE flux_compiler flux_ops flux_store)
  add_test(NAME unit/${name} COMMAND ${name} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endforeach()
# the executor's unit tests (its DAG rules, the executor with a fake backend, flux-wrap's copy of the output) link its library
foreach(name test_dag test_exec test_wrap)
  target_link_libraries(${name} PRIVATE flux_exec)
endforeach()
target_link_libraries(test_layout PRIVATE flux_layout)

# the web UI's store side: the engine's views (history.c and what it uses)
# on a store written by the seed (tests/web/seed_lib.c), also the benchmark's
add_library(flux_seed_lib STATIC ${FLUX_TESTS}/web/seed_lib.c)
target_include_directories(flux_seed_lib PUBLIC ${FLUX_TESTS}/web)
target_link_libraries(flux_seed_lib PUBLIC flux_compiler flux_store)
add_executable(seed ${FLUX_TESTS}/web/seed.c)
target_link_libraries(seed PRIVATE flux_seed_lib)
target_sources(test_history PRIVATE ${ENGINE_SRC})
target_include_directories(test_history PRIVATE ${CMAKE_SOURCE_DIR}/runtime/engine)
target_link_libraries(test_history PRIVATE flux_seed_lib flux_exec)

# ---- integration: the state store against a real MariaDB --------------------
# The script starts a throwaway server (tests/servers/mariadb.sh), runs
# test_store with FLUX_TEST_MYSQL_URL, and stops the server by PID whatever
# happens. RESOURCE_LOCK: MariaDB tests run one at a time; each starts its own
# server, and two at once would mostly fight over the two cores.
add_test(NAME integration/store_mariadb
  COMMAND bash ${FLUX_TESTS}/integration/store_mariadb.sh $<TARGET_FILE:test_store> $<TARGET_FILE:test_history>)
set_tests_properties(integration/store_mariadb PROPERTIES TIMEOUT 120 RESOURCE_LOCK mariadb)

# ---- web: the JSON API served in process on a seeded store ------------------
# test_api seeds a store through the store and engine API, starts the server
# on 127.0.0.1 port 0 and asks it with libcurl: SQLite here; the MariaDB
# variant starts a throwaway server (tests/servers/mariadb.sh) and passes its
# URL in FLUX_TEST_MYSQL_URL, as store_mariadb does.
add_executable(test_api ${FLUX_TESTS}/web/test_api.c)
target_link_libraries(test_api PRIVATE flux_web PkgConfig::CURL)
add_test(NAME web/api_sqlite COMMAND test_api)
set_tests_properties(web/api_sqlite PROPERTIES TIMEOUT 120)
add_test(NAME integration/web_api_mariadb
  COMMAND bash ${FLUX_TESTS}/integration/web_api_mariadb.sh $<TARGET_FILE:test_api>)
set_tests_properties(integration/web_api_mariadb PROPERTIES TIMEOUT 180 RESOURCE_LOCK mariadb)

# ---- integration: the Kafka test broker against kcat ------------------------
# kafka_broker is a test server, not a test: a mock Kafka cluster (librdkafka's
# experimental mock API, kept out of flux itself) that tests/servers/kafka.sh
# starts. RESOURCE_LOCK: one broker test at a time, for the same reason as
# MariaDB's; the ports are random, so they never collide.
add_executable(kafka_broker ${FLUX_TESTS}/servers/kafka_broker.c)
target_link_libraries(kafka_broker PRIVATE PkgConfig::RDKAFKA)
add_test(NAME integration/kafka_broker
  COMMAND bash ${FLUX_TESTS}/integration/kafka_broker.sh $<TARGET_FILE:kafka_broker>)
set_tests_properties(integration/kafka_broker PROPERTIES TIMEOUT 120 RESOURCE_LOCK kafka)

# ---- integration: the single-node Slurm cluster against Slurm's clients ------
# tests/servers/slurm.sh starts munged, slurmctld and slurmd on 127.0.0.1 in a
# temp directory and stops them by PID. RESOURCE_LOCK: one cluster at a time
# (each is private, but two would fight over the two cores).
add_test(NAME integration/slurm_cluster COMMAND bash ${FLUX_TESTS}/integration/slurm_cluster.sh)
set_tests_properties(integration/slurm_cluster PROPERTIES TIMEOUT 120 RESOURCE_LOCK slurm)

# ---- integration: every server script waits out a slow exec of its daemon ---
# FLUX_TEST_EXEC_DELAY holds each daemon's exec 1.5 s, as a loaded machine
# may: a start that took the not-yet-exec'd child for a dead daemon failed in
# CI. RESOURCE_LOCK: it starts a MariaDB, a Slurm cluster and a broker.
add_test(NAME integration/server_starts
  COMMAND bash ${FLUX_TESTS}/integration/server_starts.sh $<TARGET_FILE:kafka_broker>)
set_tests_properties(integration/server_starts PROPERTIES TIMEOUT 120 RESOURCE_LOCK "mariadb;slurm;kafka")

# ---- golden: tests/golden/<suite>/<name>.flux against <name>.out ------------
# Files whose name starts with '_' are helpers (e.g. included by a case), not
# cases; so are files in deeper folders, which this one-level glob skips.
file(GLOB GOLDEN_CASES CONFIGURE_DEPENDS ${FLUX_TESTS}/golden/*/*.flux ${FLUX_TESTS}/golden/*/*.cmd)
foreach(case ${GOLDEN_CASES})
  get_filename_component(name ${case} NAME_WE)
  get_filename_component(dir ${case} DIRECTORY)
  get_filename_component(suite ${dir} NAME)
  if(name MATCHES "^_")
    continue()
  endif()
  add_test(NAME golden/${suite}/${name}
    COMMAND bash ${FLUX_TESTS}/golden/run.sh $<TARGET_FILE:flux> ${case})
endforeach()

# ---- reference: every ```flux block of lang/REFERENCE.md compiles -----------
# Registered even before the file exists, so a missing reference fails loudly.
add_test(NAME reference/blocks
  COMMAND bash ${FLUX_TESTS}/reference/check_blocks.sh $<TARGET_FILE:flux>
          ${CMAKE_SOURCE_DIR}/lang/REFERENCE.md)

# ---- examples: everything under examples/ passes `flux check` ---------------
file(GLOB_RECURSE EXAMPLE_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/examples/*.flux)
if(EXAMPLE_FILES)
  add_test(NAME examples/check
    COMMAND $<TARGET_FILE:flux> check examples/
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(examples/check PROPERTIES ENVIRONMENT NO_COLOR=1)
endif()

# ---- fuzz: libFuzzer targets tests/fuzz/fuzz_*.c (clang, FLUX_FUZZ=ON) -------
# The libraries are instrumented by the FLUX_FUZZ block of CMakeLists.txt; the
# targets link libFuzzer's main. `cmake --build DIR --target fuzzers` builds
# them all into DIR/fuzz/; build.sh fuzz runs them.
if(FLUX_FUZZ)
  set(FUZZ_FLAGS -fsanitize=fuzzer,address,undefined)
  add_custom_target(fuzzers)
  file(GLOB FUZZ_TARGETS CONFIGURE_DEPENDS ${FLUX_TESTS}/fuzz/fuzz_*.c)
  foreach(src ${FUZZ_TARGETS})
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src})
    target_compile_options(${name} PRIVATE ${FUZZ_FLAGS})
    target_link_options(${name} PRIVATE ${FUZZ_FLAGS})
    target_link_libraries(${name} PRIVATE flux_compiler flux_ops)
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
    add_dependencies(fuzzers ${name})
  endforeach()
endif()

# ---- reference: the operators section is generated from the registry --------
add_test(NAME reference/operators
  COMMAND bash ${FLUX_TESTS}/reference/check_operators.sh $<TARGET_FILE:flux> ${CMAKE_SOURCE_DIR}/lang/REFERENCE.md)

# ---- preview: same source, same bytes (plans, dry-run, graphs) ---------------
file(GLOB_RECURSE EXAMPLE_FLUX CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/examples/*.flux)
list(FILTER EXAMPLE_FLUX EXCLUDE REGEX "/_[^/]*$")
add_test(NAME preview/determinism
  COMMAND bash ${FLUX_TESTS}/preview/determinism.sh $<TARGET_FILE:flux> ${FLUX_TESTS}/golden/preview/_design.flux ${EXAMPLE_FLUX})

# ---- preview: Mermaid output parses with Mermaid's own parser ----------------
add_test(NAME preview/mermaid
  COMMAND bash ${FLUX_TESTS}/preview/mermaid_check.sh $<TARGET_FILE:flux> ${CMAKE_SOURCE_DIR}/.cache/mermaid-check
          ${FLUX_TESTS}/golden/preview/_design.flux ${EXAMPLE_FLUX})
set_tests_properties(preview/mermaid PROPERTIES TIMEOUT 300)
add_test(NAME preview/dot
  COMMAND bash ${FLUX_TESTS}/preview/dot_check.sh $<TARGET_FILE:flux> ${FLUX_TESTS}/golden/preview/_design.flux ${EXAMPLE_FLUX})

# ---- web: flux web in a real Chromium (puppeteer-core, node --test) ----------
# Screenshots go to the build directory; tests/web/run.sh with docs/screenshots
# as its third argument refreshes the ones the README shows.
add_test(NAME web/browser
  COMMAND bash ${FLUX_TESTS}/web/run.sh $<TARGET_FILE:flux> ${CMAKE_SOURCE_DIR}/.cache/web-browser
          ${CMAKE_BINARY_DIR}/web-screenshots)
set_tests_properties(web/browser PROPERTIES TIMEOUT 300)

# ---- runtime: flux run / backfill / clear / test against a fresh FLUX_HOME ---
file(GLOB RUNTIME_TESTS CONFIGURE_DEPENDS ${FLUX_TESTS}/runtime/*.sh)
list(FILTER RUNTIME_TESTS EXCLUDE REGEX "/lib\\.sh$")
foreach(script ${RUNTIME_TESTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME runtime/${name} COMMAND bash ${script} $<TARGET_FILE:flux>)
  set_tests_properties(runtime/${name} PROPERTIES TIMEOUT 300)
endforeach()
add_test(NAME integration/runtime_mariadb
  COMMAND bash ${FLUX_TESTS}/integration/runtime_mariadb.sh $<TARGET_FILE:flux>)
set_tests_properties(integration/runtime_mariadb PROPERTIES TIMEOUT 600 RESOURCE_LOCK mariadb)
add_test(NAME integration/mysql_op
  COMMAND bash ${FLUX_TESTS}/integration/mysql_op.sh $<TARGET_FILE:flux>)
set_tests_properties(integration/mysql_op PROPERTIES TIMEOUT 120 RESOURCE_LOCK mariadb)

# ---- integration: every operator against a real MariaDB and Kafka test broker
# (tests/integration/ops/NAME.sh FLUX KAFKA_BROKER; each starts its own servers)
file(GLOB OPS_TESTS CONFIGURE_DEPENDS ${FLUX_TESTS}/integration/ops/*.sh)
foreach(script ${OPS_TESTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME ops/${name}
    COMMAND bash ${script} $<TARGET_FILE:flux> $<TARGET_FILE:kafka_broker>)
  set_tests_properties(ops/${name} PROPERTIES TIMEOUT 600)
endforeach()

# a producer that sets each message's timestamp (kcat cannot), for the
# interval transfers' tests and the examples' data generators
add_executable(kafka_produce_ts ${FLUX_TESTS}/servers/kafka_produce_ts.c)
target_link_libraries(kafka_produce_ts PRIVATE PkgConfig::RDKAFKA)

# ---- examples: each one end to end against a real MariaDB and Kafka test broker
# (tests/examples/NAME.sh FLUX KAFKA_BROKER KAFKA_PRODUCE_TS)
file(GLOB EXAMPLE_TESTS CONFIGURE_DEPENDS ${FLUX_TESTS}/examples/*.sh)
foreach(script ${EXAMPLE_TESTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME examples/${name}
    COMMAND bash ${script} $<TARGET_FILE:flux> $<TARGET_FILE:kafka_broker> $<TARGET_FILE:kafka_produce_ts>)
  set_tests_properties(examples/${name} PROPERTIES TIMEOUT 600)
endforeach()

# ---- the scheduler: commit-to-deploy with git; restarts and two schedulers on MariaDB
add_test(NAME scheduler/git COMMAND bash ${FLUX_TESTS}/scheduler/git.sh $<TARGET_FILE:flux>)
set_tests_properties(scheduler/git PROPERTIES TIMEOUT 300)
add_test(NAME scheduler/mariadb COMMAND bash ${FLUX_TESTS}/scheduler/mariadb.sh $<TARGET_FILE:flux>)
set_tests_properties(scheduler/mariadb PROPERTIES TIMEOUT 300 RESOURCE_LOCK mariadb)
add_test(NAME scheduler/soak COMMAND bash ${FLUX_TESTS}/scheduler/soak.sh $<TARGET_FILE:flux>)
set_tests_properties(scheduler/soak PROPERTIES TIMEOUT 400 RESOURCE_LOCK mariadb)

# ---- the slurm executor: tries as Slurm jobs, the store (MariaDB) as the truth
# (tests/slurm/NAME.sh FLUX; each starts its own MariaDB and Slurm cluster)
file(GLOB SLURM_TESTS CONFIGURE_DEPENDS ${FLUX_TESTS}/slurm/*.sh)
list(FILTER SLURM_TESTS EXCLUDE REGEX "/lib\\.sh$")
foreach(script ${SLURM_TESTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME slurm/${name} COMMAND bash ${script} $<TARGET_FILE:flux>)
  set_tests_properties(slurm/${name} PROPERTIES TIMEOUT 300 RESOURCE_LOCK "mariadb;slurm")
endforeach()

# ---- the shape of the house: layers, cycles, sizes, prototypes (and the checker checked)
add_test(NAME layering/check COMMAND bash ${FLUX_TESTS}/layering/check.sh ${CMAKE_SOURCE_DIR})
add_test(NAME layering/selftest COMMAND bash ${FLUX_TESTS}/layering/selftest.sh)

# ---- every test names itself in its processes' environment ------------------
# build.sh's guard (tests/suite_guard.c) reads FLUX_TEST_NAME back from
# /proc/PID/environ to say which test left a process running.
get_property(FLUX_ALL_TESTS DIRECTORY PROPERTY TESTS)
foreach(t ${FLUX_ALL_TESTS})
  set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT FLUX_TEST_NAME=${t})
endforeach()
