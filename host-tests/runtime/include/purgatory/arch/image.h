/* SPDX-License-Identifier: MIT */
/* The arch constants the generic runtime reads, for compiling it into host tests: every optional
 * runtime path an arch can claim is claimed here, so that the tests reach all of them. */
#define PURGATORY_ARCH_FEATURES PURGATORY_FEATURE_VERIFY_EACH_SEGMENT
