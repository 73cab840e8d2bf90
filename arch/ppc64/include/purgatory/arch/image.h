/* SPDX-License-Identifier: MIT */
/* ppc64 (both byte orders) constants for the image header (runtime/image_header.S). Every arch has
 * this file. */
#define PURGATORY_ARCH_ELF_MACHINE PURGATORY_MACHINE_PPC64
/* No MMIO consoles: in real mode an ordinary load or store to a device is cacheable. */
#define PURGATORY_ARCH_FEATURES (PURGATORY_FEATURE_RESET | PURGATORY_FEATURE_HARDWARE_DIGEST | \
                                 PURGATORY_FEATURE_CONSOLE_HVC)
/* TOC-relative addressing works at any address; only the sections' own alignment matters. */
#define PURGATORY_ARCH_MIN_LOAD_ALIGNMENT 16
