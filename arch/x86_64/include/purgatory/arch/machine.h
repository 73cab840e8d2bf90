/* SPDX-License-Identifier: MIT */
// x86_64: what the purgatory changes in the machine and puts back before the jump (see
// <purgatory/arch.h>). Every arch has this header.
#pragma once

#include <cstdint>

namespace purgatory::arch {

// The operand of lidt and sidt.
struct [[gnu::packed]] DescriptorTable {
  std::uint16_t limit;
  std::uint64_t base;
};

struct SavedState {
  // SSE, which SHA-NI needs and the old kernel's relocate_kernel leaves off: the control register bits
  // the purgatory set or cleared.
  std::uint64_t cr0_bits_set = 0, cr0_bits_cleared = 0, cr4_bits_set = 0;
  // The IDT the purgatory found (Linux: an empty one), while its own catches faults.
  DescriptorTable entry_idt{};
  bool idt_replaced = false;
};

}  // namespace purgatory::arch
