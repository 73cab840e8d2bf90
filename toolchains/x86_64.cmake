# SPDX-License-Identifier: MIT
# Purgatory toolchain: x86_64, little-endian (ELF machine 62).
set(PURGATORY_ARCH x86_64)
set(PURGATORY_TRIPLE x86_64-linux-gnu)
include(${CMAKE_CURRENT_LIST_DIR}/purgatory-common.cmake)
