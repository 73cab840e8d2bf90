# SPDX-License-Identifier: MIT
# Hosted, statically linked Linux programs for ppc64, run under qemu-user: the SDK builds its portable
# digest tests this way to run them as ppc64 code (byte order, word size and compiler back end).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ppc64)

set(PURGATORY_CLANG_VERSION 16 CACHE STRING "LLVM major version for the cross-compiled tests")
set(CMAKE_C_COMPILER /usr/lib/llvm-${PURGATORY_CLANG_VERSION}/bin/clang)
set(CMAKE_CXX_COMPILER /usr/lib/llvm-${PURGATORY_CLANG_VERSION}/bin/clang++)
set(CMAKE_C_COMPILER_TARGET powerpc64-linux-gnu)
set(CMAKE_CXX_COMPILER_TARGET powerpc64-linux-gnu)
# The SHA-256 engine test assembles sha256/ppc64-vector-crypto/sha256_engine.S for this target too.
set(CMAKE_ASM_COMPILER_TARGET powerpc64-linux-gnu)
# GNU ld, because Debian's big-endian glibc objects are ELFv1, which lld refuses to link.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=bfd -static")

find_program(PURGATORY_QEMU_USER qemu-ppc64-static REQUIRED)
# POWER8, the oldest CPU the SHA-256 engine claims (as in toolchains/linux-ppc64le.cmake).
set(CMAKE_CROSSCOMPILING_EMULATOR ${PURGATORY_QEMU_USER} -cpu power8)
