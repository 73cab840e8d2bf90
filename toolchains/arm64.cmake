# SPDX-License-Identifier: MIT
# Purgatory toolchain: arm64 (AArch64), little-endian (ELF machine 183).
set(PURGATORY_ARCH arm64)
set(PURGATORY_TRIPLE aarch64-linux-gnu)
include(${CMAKE_CURRENT_LIST_DIR}/purgatory-common.cmake)
