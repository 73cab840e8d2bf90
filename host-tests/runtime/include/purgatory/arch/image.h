/* SPDX-License-Identifier: MIT */
/* The arch constants the generic runtime reads, for compiling it into host tests (the fake arch of
 * fake_arch.cc): every optional runtime path an arch can claim is claimed here, so that the tests reach
 * all of them. The arch's own console is the 8250 by "port I/O" (the fake records what it is given);
 * the generic 8250 MMIO driver writes host memory. */
#define PURGATORY_ARCH_ELF_MACHINE PURGATORY_MACHINE_X86_64
#define PURGATORY_ARCH_FEATURES (PURGATORY_FEATURE_VERIFY_EACH_SEGMENT | PURGATORY_FEATURE_RESET | \
                                 PURGATORY_FEATURE_CONSOLE_8250_PIO | PURGATORY_FEATURE_CONSOLE_8250_MMIO)
