# Building the purgatories of one arch (configured with toolchains/<arch>.cmake).
enable_language(ASM)

include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryIgnoreHostFlags.cmake)

set(PURGATORY_SDK_RUNTIME_INCLUDE_DIR ${PURGATORY_SDK_SOURCE_DIR}/runtime/include)
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

add_subdirectory(runtime)
add_subdirectory(arch/${PURGATORY_ARCH_DIR})
add_subdirectory(examples)
add_subdirectory(linker-scripts/tests)
add_subdirectory(host-tests/boot)
