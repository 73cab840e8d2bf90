# The native build: host library, purgatory-tool, host tests, and every purgatory as a sub-build.
#
# With PURGATORY_SANITIZE (the native build drives this as a sub-build, with clang): the host parts
# only, built with AddressSanitizer and UndefinedBehaviorSanitizer, and the libFuzzer targets. Test
# names then start with "asan-ubsan.".
option(PURGATORY_SANITIZE "host parts only, with ASan and UBSan, plus the fuzzers (needs clang)" OFF)

# Before any target names an install directory (the host library's include path, say).
include(GNUInstallDirs)

find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)

add_library(purgatory_host_warnings INTERFACE)
target_compile_options(purgatory_host_warnings INTERFACE -Wall -Wextra -Wpedantic -Wconversion -Wshadow)

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
add_subdirectory(examples/c-loader)
add_subdirectory(host-tests)

if(PURGATORY_SANITIZE)
  add_subdirectory(host-tests/fuzz)
else()
  include(${CMAKE_CURRENT_LIST_DIR}/PurgatorySubBuilds.cmake)
  include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryInstall.cmake)
endif()
