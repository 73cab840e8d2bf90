# SPDX-License-Identifier: MIT
# Building the purgatories of one arch (configured with toolchains/<arch>.cmake).
enable_language(ASM)

include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryIgnoreHostFlags.cmake)

set(PURGATORY_SDK_RUNTIME_INCLUDE_DIR ${PURGATORY_SDK_SOURCE_DIR}/runtime/include)
set(PURGATORY_SDK_SHA256_INCLUDE_DIR ${PURGATORY_SDK_SOURCE_DIR}/sha256/portable/include)
set(PURGATORY_SDK_COMPAT_INCLUDE_DIR ${PURGATORY_SDK_SOURCE_DIR}/runtime/libstdcxx-compat)
set(PURGATORY_SDK_LINKER_SCRIPT ${PURGATORY_SDK_SOURCE_DIR}/linker-scripts/purgatory.ld)
set(PURGATORY_SDK_CMAKE_DIR ${CMAKE_CURRENT_LIST_DIR})
include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryFlags.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryExecutable.cmake)

set(PURGATORY_BOOT_TEST "" CACHE FILEPATH
    "purgatory-boot-test (host program); when given, the boot tests under QEMU are registered")

# ppc64le and ppc64 share one arch directory: the same sources serve both byte orders.
if(PURGATORY_ARCH MATCHES "^ppc64")
  set(PURGATORY_ARCH_DIR ppc64)
else()
  set(PURGATORY_ARCH_DIR ${PURGATORY_ARCH})
endif()

# What every arch/<dir>/CMakeLists.txt declares, the same three targets for each:
#   purgatory_arch_flags  the arch's code-generation flags (arch/<dir>/flags.cmake, also installed) and
#                         its <purgatory/arch/...> headers, which every arch provides under the same names
#   purgatory_arch_entry  the entry stub, entry.S, always linked in whole (an object library): nothing
#                         references it but the linker script's ENTRY
#   purgatory_arch        the arch's half of the runtime (<purgatory/arch.h>, the jump to the next kernel)
#                         from SOURCES, with the SHA-256 ENGINES under sha256/ this CPU may use
function(purgatory_arch_targets)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "" "SOURCES;ENGINES")
  add_library(purgatory_arch_flags INTERFACE)
  include(${CMAKE_CURRENT_SOURCE_DIR}/flags.cmake)
  target_include_directories(purgatory_arch_flags INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)

  add_library(purgatory_arch_entry OBJECT entry.S)
  target_link_libraries(purgatory_arch_entry PRIVATE purgatory_freestanding purgatory_arch_flags)

  add_library(purgatory_arch STATIC ${arg_SOURCES})
  target_link_libraries(purgatory_arch PRIVATE purgatory_freestanding purgatory_arch_flags)
  purgatory_sha256_engine(purgatory_arch ${arg_ENGINES})
endfunction()

add_subdirectory(runtime)
add_subdirectory(arch/${PURGATORY_ARCH_DIR})
add_subdirectory(examples)
add_subdirectory(tools/purgatory-qemu)
if(PURGATORY_BUILD_TESTS)
  add_subdirectory(linker-scripts/tests)
  add_subdirectory(host-tests/boot)
endif()

# What `cmake --install` of the native build takes from this arch (see cmake/PurgatoryInstall.cmake):
# the libraries and objects a custom purgatory links, the arch's headers and flags, and the prebuilt
# default purgatory.
include(GNUInstallDirs)
set(arch_destination ${CMAKE_INSTALL_LIBDIR}/purgatory-sdk/${PURGATORY_ARCH})
install(TARGETS purgatory_runtime purgatory_arch ARCHIVE DESTINATION ${arch_destination})
install(FILES $<TARGET_OBJECTS:purgatory_arch_entry> $<TARGET_OBJECTS:purgatory_image>
        DESTINATION ${arch_destination})
install(DIRECTORY arch/${PURGATORY_ARCH_DIR}/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/purgatory-sdk/${PURGATORY_ARCH})
install(FILES arch/${PURGATORY_ARCH_DIR}/flags.cmake
        DESTINATION ${CMAKE_INSTALL_DATADIR}/purgatory-sdk/${PURGATORY_ARCH})
install(FILES ${PROJECT_BINARY_DIR}/examples/minimal/purgatory.elf ${PROJECT_BINARY_DIR}/examples/minimal/purgatory.bin
        DESTINATION ${CMAKE_INSTALL_DATADIR}/purgatory-sdk/${PURGATORY_ARCH})
