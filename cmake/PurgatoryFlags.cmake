# SPDX-License-Identifier: MIT
# Compile and link flags every purgatory is built with, as INTERFACE targets. Each flag says why.
# The arch's own code-generation flags live in arch/<dir>/flags.cmake (target purgatory_arch_flags).
# Inputs: PURGATORY_SDK_RUNTIME_INCLUDE_DIR (and PURGATORY_SDK_SHA256_INCLUDE_DIR, where the digest core's
# header is if not there), PURGATORY_SDK_COMPAT_INCLUDE_DIR, PURGATORY_LLD (the
# toolchain file). Shared by the SDK's own build and the installed package.

find_path(PURGATORY_NEWLIB_INCLUDE_DIR newlib.h PATHS /usr/include/newlib NO_DEFAULT_PATH
          DOC "newlib's headers: the C library declarations purgatory code compiles against")
if(NOT PURGATORY_NEWLIB_INCLUDE_DIR)
  message(FATAL_ERROR "newlib headers not found (Debian package libnewlib-dev; run scripts/setup.sh)")
endif()

# libstdc++'s header-only parts (<type_traits>, <array>, <span>, <bit>, ...) for this target: ask the
# compiler where its C++ headers are for the triple, rather than guessing GCC versions and layouts.
execute_process(COMMAND ${CMAKE_CXX_COMPILER} --target=${CMAKE_CXX_COMPILER_TARGET} -x c++ -E -v /dev/null
                OUTPUT_QUIET ERROR_VARIABLE search_list RESULT_VARIABLE result)
string(REGEX MATCHALL "\n /[^\n]*/c\\+\\+/[^\n]*" libstdcxx_lines "${search_list}")
set(PURGATORY_LIBSTDCXX_INCLUDE_DIRS "")
foreach(line IN LISTS libstdcxx_lines)
  string(STRIP "${line}" dir)
  if(NOT dir MATCHES "/backward$")
    list(APPEND PURGATORY_LIBSTDCXX_INCLUDE_DIRS "${dir}")
  endif()
endforeach()
if(NOT PURGATORY_LIBSTDCXX_INCLUDE_DIRS)
  # Debian 12's package for each target's headers.
  set(libstdcxx_package_x86_64 libstdc++-12-dev)
  set(libstdcxx_package_aarch64 libstdc++-12-dev-arm64-cross)
  set(libstdcxx_package_powerpc64le libstdc++-12-dev-ppc64el-cross)
  set(libstdcxx_package_powerpc64 libstdc++-12-dev-ppc64-cross)
  string(REGEX REPLACE "-.*" "" target_cpu "${CMAKE_CXX_COMPILER_TARGET}")
  set(package "${libstdcxx_package_${target_cpu}}")
  if(NOT package)
    set(package "the libstdc++ dev package for ${CMAKE_CXX_COMPILER_TARGET}")
  endif()
  message(FATAL_ERROR "no libstdc++ headers for ${CMAKE_CXX_COMPILER_TARGET}: install the Debian package "
                      "${package} (scripts/setup.sh installs it)")
endif()
# Joined spellings ("-isystem<dir>") throughout: CMake de-duplicates repeated options, which would
# separate a bare "-isystem" from its directory.
list(TRANSFORM PURGATORY_LIBSTDCXX_INCLUDE_DIRS PREPEND "-isystem" OUTPUT_VARIABLE libstdcxx_flags)

add_library(purgatory_freestanding INTERFACE)
target_compile_features(purgatory_freestanding INTERFACE cxx_std_20 c_std_11)
target_include_directories(purgatory_freestanding INTERFACE ${PURGATORY_SDK_RUNTIME_INCLUDE_DIR}
                                                           ${PURGATORY_SDK_SHA256_INCLUDE_DIR})
target_compile_options(purgatory_freestanding INTERFACE
  # No hosted C library underneath. This also stops the compiler from turning our own memset loop into
  # a call to memset.
  -ffreestanding
  # Headers: none of the system's (no glibc, nothing from /usr/local). In order: an answer to the one
  # glibc question libstdc++ asks (see runtime/libstdcxx-compat/features.h), newlib's C headers, so that
  # <string.h> declares what the runtime defines, then libstdc++'s header-only parts; clang's own
  # freestanding headers (<stdint.h>, <stddef.h>, ...) stay after them.
  -nostdlibinc
  -isystem${PURGATORY_SDK_COMPAT_INCLUDE_DIR}
  -isystem${PURGATORY_NEWLIB_INCLUDE_DIR}
  "$<$<COMPILE_LANGUAGE:CXX>:${libstdcxx_flags}>"
  # Nothing could unwind or catch: no exceptions, no unwind tables, and no RTTI (its tables are
  # address constants, which would need relocating).
  $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics>
  -fno-asynchronous-unwind-tables -fno-unwind-tables
  # The image runs wherever the loader copies it.
  -fPIE
  # Hidden visibility for definitions, and through the forced include for declarations too.
  -fvisibility=hidden
  $<$<COMPILE_LANGUAGE:C,CXX>:-include${PURGATORY_SDK_RUNTIME_INCLUDE_DIR}/purgatory/hidden_visibility.h>
  # Physical address 0 is memory like any other here (ppc64's low memory is a segment starting there):
  # a load from it must be a load, not undefined behaviour the optimiser may act on.
  -fno-delete-null-pointer-checks
  # A stack canary needs a thread pointer and __stack_chk_fail; neither exists between two kernels.
  -fno-stack-protector
  # Unused functions and data are dropped by --gc-sections.
  -ffunction-sections -fdata-sections
  # Size first: the image is copied on every kexec and its file size is a figure loaders budget for.
  -Os
  # The digest core's compact form: a purgatory image's size counts, and a hardware engine does the
  # hashing where the CPU has SHA-256 instructions (sha256/portable/include/purgatory/sha256.h).
  -DPURGATORY_SHA256_SMALL
  -Wall -Wextra
)
target_link_options(purgatory_freestanding INTERFACE
  -nostdlib
  -fuse-ld=lld --ld-path=${PURGATORY_LLD}
  # A position-independent executable that no dynamic linker will ever see.
  -static-pie -Wl,--no-dynamic-linker
  # RELRO would split the image into more segments; there is no one to mprotect it anyway.
  -Wl,-z,norelro
  # Reproducible images and no note sections to place.
  -Wl,--build-id=none
  -Wl,--gc-sections
  # Keep the ELF file small: the segment is placed by the loader, not mapped by page.
  -Wl,-z,max-page-size=4096
  # Every input section must be placed by the linker script on purpose.
  -Wl,--orphan-handling=error
)
