# SPDX-License-Identifier: MIT
# Runs FUZZER for SECONDS on CORPUS, seeded with SEEDS (their first SEED_PREFIX bytes, if given) and
# whatever the script PREPARE (if given) puts there; fails on any crash, leak or sanitizer report, and
# when the fuzzer's coverage stays under MIN_COVERAGE edges: a fuzzer that cannot see the code it tests
# mutates blind and finds nothing, which no crash would reveal.
file(MAKE_DIRECTORY ${CORPUS})
if(PREPARE)
  include(${PREPARE})  # adds seeds of its own to CORPUS
endif()
foreach(seed IN LISTS SEEDS)
  if(NOT EXISTS ${seed})
    message(FATAL_ERROR "fuzz seed ${seed} does not exist (build the whole project, and run scripts/setup.sh)")
  endif()
  if(SEED_PREFIX)
    get_filename_component(name "${seed}" NAME)
    execute_process(COMMAND head -c ${SEED_PREFIX} "${seed}" OUTPUT_FILE "${CORPUS}/seed-${name}" RESULT_VARIABLE status)
    if(NOT status EQUAL 0)
      message(FATAL_ERROR "cannot copy the start of ${seed}")
    endif()
  else()
    file(COPY ${seed} DESTINATION ${CORPUS})
  endif()
endforeach()
execute_process(COMMAND ${FUZZER} -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
                        ${CORPUS}
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
string(REGEX MATCH "stat::number_of_executed_units: *[0-9]+" executions "${output}")
message(STATUS "${executions}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the fuzzer found a problem:\n${output}")
endif()
string(REGEX MATCHALL "cov: [0-9]+" coverages "${output}")
list(POP_BACK coverages coverage)
string(REGEX REPLACE "cov: " "" coverage "${coverage}")
message(STATUS "coverage: ${coverage} edges (at least ${MIN_COVERAGE})")
if(NOT coverage MATCHES "^[0-9]+$" OR coverage LESS MIN_COVERAGE)
  message(FATAL_ERROR "the fuzzer reached ${coverage} edges, fewer than the ${MIN_COVERAGE} expected: is the code it "
                      "tests built with coverage instrumentation (-fsanitize=fuzzer-no-link)?\n${output}")
endif()
