# SPDX-License-Identifier: MIT
# The native build: host library, purgatory-tool, host tests, and every purgatory as a sub-build.
#
# With PURGATORY_SANITIZE (the native build drives this as a sub-build, with clang): the host parts
# only, built with AddressSanitizer and UndefinedBehaviorSanitizer, and the libFuzzer targets. Test
# names then start with "asan-ubsan.".
option(PURGATORY_SANITIZE "host parts only, with ASan and UBSan, plus the fuzzers (needs clang)" OFF)

include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryHostCommon.cmake)
find_package(nlohmann_json 3 REQUIRED)

set(PURGATORY_HOST_TEST_PREFIX "")
if(PURGATORY_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "PURGATORY_SANITIZE needs clang (libFuzzer)")
  endif()
  set(PURGATORY_HOST_TEST_PREFIX "asan-ubsan.")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

add_subdirectory(host)
add_subdirectory(tools/purgatory-tool)
add_subdirectory(tools/purgatory-qemu)
add_subdirectory(examples/c-loader)
if(NOT PURGATORY_SANITIZE)  # a static program: no sanitizer runtime to link statically
  set(PURGATORY_KEXEC_LOADER_OUTPUT_DIR ${PROJECT_BINARY_DIR}/kexec-loader/x86_64)
  add_subdirectory(examples/kexec-loader)
endif()
add_subdirectory(host-tests)

if(PURGATORY_SANITIZE)
  add_subdirectory(host-tests/fuzz)
else()
  add_subdirectory(benchmarks)
  include(${CMAKE_CURRENT_LIST_DIR}/PurgatorySubBuilds.cmake)
  include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryInstall.cmake)
endif()
