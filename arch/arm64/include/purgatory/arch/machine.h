/* SPDX-License-Identifier: MIT */
// arm64: what the purgatory changes in the machine and puts back before the jump (see
// <purgatory/arch.h>), and the cache window's context. Every arch has this header.
#pragma once

#include <cstdint>

#include <purgatory/abi.h>
#include <purgatory/sha256.h>

namespace purgatory::arch {

// Which FP/SIMD trap control the purgatory changed to let the Armv8 engine run (arch.cc).
enum class FpControl : std::uint8_t { none, cpacr_el1, cptr_el2_vhe, cptr_el2 };

// The cache window's context (cache_window.cc builds it, cache_window.S reads the first eight fields at
// fixed offsets): the register values that turn the MMU and caches on, the memory they cover, and the
// engine that hashes inside.
struct CacheWindow {
  std::uint64_t ttbr0 = 0, tcr = 0, mair = 0, sctlr = 0;  // 0, 8, 16, 24: the values for the window
  std::uint64_t memory_start = 0, memory_end = 0;         // 32, 40: the purgatory's memory
  std::uint64_t el2 = 0;                                  // 48: nonzero for the _EL2 registers
  Sha256BlockFunction engine = nullptr;                   // 56: what hashes inside the window
  const purgatory_info* request = nullptr;                // whose segments are mapped
};

struct SavedState {
  // The FP/SIMD trap bits the purgatory set or cleared, in the register `fp_control` names.
  FpControl fp_control = FpControl::none;
  std::uint64_t fp_bits_set = 0, fp_bits_cleared = 0;
  // The vector base the purgatory found, while its own table catches faults.
  std::uint64_t entry_vector_base = 0;
  bool vectors_replaced = false;
  // The context of the engine that hashes with the MMU and caches on, if one was prepared.
  CacheWindow window;
};

}  // namespace purgatory::arch
