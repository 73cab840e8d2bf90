# SPDX-License-Identifier: MIT
# A cross build (toolchains/linux-<arch>.cmake, driven by the native build as cross-tests/<arch>): the
# portable digest tests as static <arch> programs that ctest runs under qemu-user, and with
# PURGATORY_BUILD_KEXEC_LOADER the static kexec-loader the system tests boot with.
include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryTools.cmake)
purgatory_require_package(Catch2 2 catch2)
include(Catch)
add_library(purgatory_catch_main OBJECT ${PROJECT_SOURCE_DIR}/host-tests/catch_main.cc)
set_source_files_properties(${PROJECT_SOURCE_DIR}/host-tests/catch_main.cc PROPERTIES COMPILE_OPTIONS "-O0;-g0")
target_link_libraries(purgatory_catch_main PUBLIC Catch2::Catch2)
add_subdirectory(host-tests/digest)
if(PURGATORY_BUILD_KEXEC_LOADER)
  include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryHostCommon.cmake)
  add_subdirectory(host)
  add_subdirectory(tools/kexec-loader)
endif()
