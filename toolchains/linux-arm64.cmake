# SPDX-License-Identifier: MIT
# Hosted, statically linked Linux programs for arm64, run under qemu-user: the SDK builds its portable
# digest tests this way to run them as arm64 code (byte order, word size and compiler back end).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(PURGATORY_CLANG_VERSION 16 CACHE STRING "LLVM major version for the cross-compiled tests")
set(CMAKE_C_COMPILER /usr/lib/llvm-${PURGATORY_CLANG_VERSION}/bin/clang)
set(CMAKE_CXX_COMPILER /usr/lib/llvm-${PURGATORY_CLANG_VERSION}/bin/clang++)
set(CMAKE_C_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_CXX_COMPILER_TARGET aarch64-linux-gnu)
# The host library's SHA-256 engine is an assembler file (sha256/arm64-sha2/sha256_engine.S;
# host/CMakeLists.txt enables ASM on aarch64), which clang must assemble for arm64 too.
set(CMAKE_ASM_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld -static")

find_program(PURGATORY_QEMU_USER qemu-aarch64-static REQUIRED)
# A named CPU rather than qemu-user's default ("max"): the Cortex-A57 has the SHA-256 instructions the
# engine test requires (host-tests/digest), as in the boot and system tests' machines, and runs the
# SIMD code faster than "max", whose SVE state TCG keeps up to date on every vector write.
set(CMAKE_CROSSCOMPILING_EMULATOR ${PURGATORY_QEMU_USER} -cpu cortex-a57)
