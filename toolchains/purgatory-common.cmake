# SPDX-License-Identifier: MIT
# Shared part of the purgatory toolchain files. A toolchain file only chooses tools: the arch's file names
# the arch and its clang target triple, this file finds clang, lld and llvm-objcopy of one LLVM version.
# Every compile and link flag comes from the SDK's flag targets (cmake/PurgatoryFlags.cmake and
# arch/<dir>/CMakeLists.txt), never from here or from the environment.

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR ${PURGATORY_ARCH})

# Which LLVM builds the purgatory: 16 (the default), 14 or 19 are the tested ones. The cache entry lets a preset or -D choose;
# try_compile projects re-read this file, so the choice is forwarded to them too.
set(PURGATORY_CLANG_VERSION 16 CACHE STRING "LLVM major version used for purgatories (16, 14 or 19)")
set_property(CACHE PURGATORY_CLANG_VERSION PROPERTY STRINGS 16 14 19)
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES PURGATORY_ARCH PURGATORY_CLANG_VERSION)

function(_purgatory_find_llvm_tool variable tool)
  # Debian keeps unsuffixed names in the version's own directory; other layouts use the suffix.
  find_program(${variable} NAMES ${tool} PATHS /usr/lib/llvm-${PURGATORY_CLANG_VERSION}/bin NO_DEFAULT_PATH)
  find_program(${variable} NAMES ${tool}-${PURGATORY_CLANG_VERSION})
  if(NOT ${variable})
    message(FATAL_ERROR "purgatory toolchain: ${tool}-${PURGATORY_CLANG_VERSION} not found: install the Debian "
                        "packages clang-${PURGATORY_CLANG_VERSION} lld-${PURGATORY_CLANG_VERSION} "
                        "llvm-${PURGATORY_CLANG_VERSION}, or choose another -DPURGATORY_CLANG_VERSION")
  endif()
endfunction()
_purgatory_find_llvm_tool(PURGATORY_CLANG clang)
_purgatory_find_llvm_tool(PURGATORY_CLANGXX clang++)
_purgatory_find_llvm_tool(PURGATORY_LLD ld.lld)
_purgatory_find_llvm_tool(PURGATORY_LLVM_OBJCOPY llvm-objcopy)

set(CMAKE_C_COMPILER ${PURGATORY_CLANG})
set(CMAKE_CXX_COMPILER ${PURGATORY_CLANGXX})
set(CMAKE_ASM_COMPILER ${PURGATORY_CLANG})
foreach(lang IN ITEMS C CXX ASM)
  set(CMAKE_${lang}_COMPILER_TARGET ${PURGATORY_TRIPLE})
endforeach()
set(CMAKE_OBJCOPY ${PURGATORY_LLVM_OBJCOPY} CACHE FILEPATH "llvm-objcopy for flat images" FORCE)

# There is no C library to link a test program against: probe compilers with static libraries.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
