# SPDX-License-Identifier: MIT
# Hosted, statically linked Linux programs for ppc64le, run under qemu-user: the SDK builds its portable
# digest tests this way to run them as ppc64le code (byte order, word size and compiler back end).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ppc64le)

set(PURGATORY_CLANG_VERSION 16 CACHE STRING "LLVM major version for the cross-compiled tests")
set(CMAKE_C_COMPILER /usr/lib/llvm-${PURGATORY_CLANG_VERSION}/bin/clang)
set(CMAKE_CXX_COMPILER /usr/lib/llvm-${PURGATORY_CLANG_VERSION}/bin/clang++)
set(CMAKE_C_COMPILER_TARGET powerpc64le-linux-gnu)
set(CMAKE_CXX_COMPILER_TARGET powerpc64le-linux-gnu)
# The host library's SHA-256 engine is an assembler file (sha256/ppc64-vector-crypto/sha256_engine.S;
# host/CMakeLists.txt enables ASM on ppc64), which clang must assemble for ppc64le too.
set(CMAKE_ASM_COMPILER_TARGET powerpc64le-linux-gnu)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld -static")

find_program(PURGATORY_QEMU_USER qemu-ppc64le-static REQUIRED)
# A named CPU rather than qemu-user's default: POWER8 is the oldest CPU the SHA-256 engine
# (sha256/ppc64-vector-crypto/sha256_engine.S) claims, so the engine test there (host-tests/digest)
# also proves that it uses nothing newer than Power ISA 2.07.
set(CMAKE_CROSSCOMPILING_EMULATOR ${PURGATORY_QEMU_USER} -cpu power8)
