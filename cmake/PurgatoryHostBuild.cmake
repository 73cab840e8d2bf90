# SPDX-License-Identifier: MIT
# The native build: host library and tools, every purgatory as a sub-build, and (PURGATORY_BUILD_TESTS)
# the tests, each family also switchable on its own.
#
# With PURGATORY_SANITIZE (the native build drives this as a sub-build, with clang): the host parts
# only, built with AddressSanitizer and UndefinedBehaviorSanitizer, and the libFuzzer targets. Test
# names then start with "asan-ubsan.".
include(CMakeDependentOption)
include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryTools.cmake)

option(PURGATORY_SANITIZE "host parts only, with ASan and UBSan, plus the fuzzers (needs clang)" OFF)
set(PURGATORY_CLANG_VERSIONS 16 14 19 CACHE STRING
    "clang/lld major versions every purgatory is built with; the first one's are installed")
cmake_dependent_option(PURGATORY_BUILD_BENCHMARKS "the benchmarks (Google Benchmark, OpenSSL)" ON
                       "PURGATORY_BUILD_TESTS;NOT PURGATORY_SANITIZE" OFF)
cmake_dependent_option(PURGATORY_BUILD_SANITIZED_TESTS "the host parts again with ASan and UBSan, and the fuzzers"
                       ON "PURGATORY_BUILD_TESTS;NOT PURGATORY_SANITIZE" OFF)
cmake_dependent_option(PURGATORY_BUILD_CROSS_TESTS "the digest tests as arm64/ppc64 programs under qemu-user"
                       ON "PURGATORY_BUILD_TESTS;NOT PURGATORY_SANITIZE" OFF)
cmake_dependent_option(PURGATORY_BUILD_SYSTEM_TESTS
                       "kernel-to-kernel kexec tests (Debian kernels from scripts/fetch-test-kernels.sh; needs the cross tests)"
                       ON "PURGATORY_BUILD_CROSS_TESTS" OFF)
set(PURGATORY_TEST_DOWNLOADS ${PROJECT_SOURCE_DIR}/.downloads CACHE PATH
    "where scripts/fetch-test-kernels.sh puts the system tests' kernels, busybox and libfdt")

include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryHostCommon.cmake)
purgatory_require_package(nlohmann_json 3 nlohmann-json3-dev)

set(PURGATORY_HOST_TEST_PREFIX "")
if(PURGATORY_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "PURGATORY_SANITIZE needs clang (libFuzzer)")
  endif()
  set(PURGATORY_HOST_TEST_PREFIX "asan-ubsan.")
  # fuzzer-no-link: the fuzzers' coverage comes from the code they call (the host library's parsers),
  # not from their own small files; without it they mutate blind.
  add_compile_options(-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

add_subdirectory(host)
add_subdirectory(tools/purgatory-tool)
if(NOT PURGATORY_SANITIZE)  # no sanitized test boots anything: the boot runner is not built there
  add_subdirectory(tools/purgatory-qemu)
endif()
add_subdirectory(examples/c-loader)
if(NOT PURGATORY_SANITIZE)
  set(PURGATORY_KEXEC_LOADER_OUTPUT_DIR ${PROJECT_BINARY_DIR}/kexec-loader/x86_64)
endif()
add_subdirectory(tools/kexec-loader)

if(PURGATORY_SANITIZE)
  add_subdirectory(host-tests)
  add_subdirectory(host-tests/fuzz)
  return()
endif()

if(PURGATORY_BUILD_TESTS)
  add_subdirectory(host-tests)  # first: the purgatory sub-builds depend on its boot test driver
endif()
# The tree's include and licence rules (cmake/CheckSourceRules.cmake): breaking one fails the build.
add_custom_target(source-rules ALL
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -P ${CMAKE_CURRENT_LIST_DIR}/CheckSourceRules.cmake
  COMMENT "Checking the source tree's include and SPDX rules"
  VERBATIM)

include(${CMAKE_CURRENT_LIST_DIR}/PurgatorySubBuilds.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryInstall.cmake)
if(PURGATORY_BUILD_TESTS)
  include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryTestSubBuilds.cmake)
endif()
if(PURGATORY_BUILD_BENCHMARKS)
  add_subdirectory(benchmarks)
endif()
