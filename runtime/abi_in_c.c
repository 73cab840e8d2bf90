/* SPDX-License-Identifier: MIT */
/* Compiled as C99 for every purgatory target (never linked): proves <purgatory/abi.h> is valid C for each
 * arch, and runs its layout checks there with the C compiler too. */
#include <purgatory/abi.h>
