/* SPDX-License-Identifier: MIT */
/* arm64 constants for the image header (runtime/image_header.S). Every arch has this file. */
#define PURGATORY_ARCH_ELF_MACHINE PURGATORY_MACHINE_AARCH64
#define PURGATORY_ARCH_FEATURES (PURGATORY_FEATURE_RESET | PURGATORY_FEATURE_HARDWARE_DIGEST | \
                                 PURGATORY_FEATURE_CONSOLE_PL011 | PURGATORY_FEATURE_CONSOLE_8250_MMIO)
/* adrp computes addresses in 4 KiB pages relative to the PC's page: the image must keep its page
 * offsets, so it loads at a multiple of 4 KiB. */
#define PURGATORY_ARCH_MIN_LOAD_ALIGNMENT 4096
