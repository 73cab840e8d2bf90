/* SPDX-License-Identifier: MIT */
// ppc64 (both byte orders): what the purgatory changes in the machine and puts back before the jump (see
// <purgatory/arch.h>). Every arch has this header. (The interrupt vectors are not put back: the next
// kernel writes its own at physical 0 when it moves itself there.)
#pragma once

#include <cstdint>

namespace purgatory::arch {

struct SavedState {
  // MSR[VEC] and MSR[VSX], which the POWER8 engine needs and which are normally off at kexec: the bits
  // the purgatory turned on.
  std::uint64_t msr_bits_set = 0;
  // Whether the secondary CPUs were called up into the purgatory (the low stub's hold slot published),
  // so that they are released to the next kernel. (What they spin on, and the boot CPU's id the entry
  // stub records, are memory shared with other CPUs and the stub: next_kernel.S and entry.S.)
  bool secondaries_held = false;
};

}  // namespace purgatory::arch
