/* SPDX-License-Identifier: MIT */
/* x86_64 constants for the image header (runtime/image_header.S). Every arch has this file. */
#define PURGATORY_ARCH_ELF_MACHINE PURGATORY_MACHINE_X86_64
/* VERIFY_EACH_SEGMENT: SHA-NI hashes two segments in the time of one (arch.cc, select_digest_engine). */
#define PURGATORY_ARCH_FEATURES (PURGATORY_FEATURE_RESET | PURGATORY_FEATURE_HARDWARE_DIGEST | \
                                 PURGATORY_FEATURE_VERIFY_EACH_SEGMENT | PURGATORY_FEATURE_CONSOLE_8250_PIO | \
                                 PURGATORY_FEATURE_CONSOLE_8250_MMIO)
/* All addressing is RIP-relative, so only the sections' own alignment constrains the load address. */
#define PURGATORY_ARCH_MIN_LOAD_ALIGNMENT 16
