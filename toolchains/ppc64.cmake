# SPDX-License-Identifier: MIT
# Purgatory toolchain: 64-bit POWER, big-endian; built for the ELFv2 ABI, see arch/ppc64 (ELF machine 21).
set(PURGATORY_ARCH ppc64)
set(PURGATORY_TRIPLE powerpc64-linux-gnu)
include(${CMAKE_CURRENT_LIST_DIR}/purgatory-common.cmake)
