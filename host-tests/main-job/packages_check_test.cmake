# SPDX-License-Identifier: MIT
# packages_test.sh fails, naming the package, when the list it checks against lacks one the build reads;
# scripts/setup.sh --list prints what that list is made from.
#   cmake -DSOURCE_DIR=... -DBUILD_DIR=<a built tree of purgatory sub-builds> -DWORK_DIR=... -P packages_check_test.cmake
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${SOURCE_DIR}/scripts/setup.sh --list OUTPUT_VARIABLE listed RESULT_VARIABLE result)
if(NOT result EQUAL 0 OR NOT listed MATCHES "(^|\n)libnewlib-dev\n")
  message(FATAL_ERROR "scripts/setup.sh --list (${result}) does not list libnewlib-dev:\n${listed}")
endif()
# --tests adds the test set to the build's.
execute_process(COMMAND ${SOURCE_DIR}/scripts/setup.sh --list --tests OUTPUT_VARIABLE listed_for_tests
                RESULT_VARIABLE result)
string(FIND "${listed_for_tests}" "${listed}" build_set_at)
if(NOT result EQUAL 0 OR NOT build_set_at EQUAL 0 OR NOT listed_for_tests MATCHES "\ncatch2\n")
  message(FATAL_ERROR "scripts/setup.sh --list --tests (${result}) is not the build's packages and then catch2 "
                      "among the tests':\n${listed_for_tests}")
endif()
string(REGEX REPLACE "(^|\n)libnewlib-dev\n" "\\1" without_newlib "${listed}")
file(WRITE ${WORK_DIR}/packages ${without_newlib})

execute_process(COMMAND ${SOURCE_DIR}/host-tests/main-job/packages_test.sh ${SOURCE_DIR} ${BUILD_DIR} ${WORK_DIR}/packages
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(result EQUAL 0)
  message(FATAL_ERROR "the check passed without libnewlib-dev in the list:\n${out}${err}")
endif()
if(NOT err MATCHES "libnewlib-dev \\(for /usr/include/newlib/[^)]+\\) is not installed by scripts/setup.sh")
  message(FATAL_ERROR "the check failed without naming libnewlib-dev:\n${out}${err}")
endif()
# Only that one: the rest of what the purgatories read is in the list.
string(REGEX MATCHALL "\n  [^\n]+" problems "\n${err}")
list(LENGTH problems count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "expected one problem (libnewlib-dev), got ${count}:\n${err}")
endif()
message(STATUS "the package check names libnewlib-dev when the list lacks it")
