# SPDX-License-Identifier: MIT
# Purgatory toolchain: 64-bit POWER, little-endian, ELFv2 (ELF machine 21).
set(PURGATORY_ARCH ppc64le)
set(PURGATORY_TRIPLE powerpc64le-linux-gnu)
include(${CMAKE_CURRENT_LIST_DIR}/purgatory-common.cmake)
