/* SPDX-License-Identifier: MIT */
// arm64: hashing with the MMU and caches on (cache_window.cc, cache_window.S). Private to arch/arm64.
#pragma once

#include <cstddef>
#include <cstdint>

#include <purgatory/abi.h>
#include <purgatory/arch/machine.h>
#include <purgatory/sha256.h>

namespace purgatory::arch {

// Builds the identity map of the purgatory's memory and the request's segments for the exception level
// the purgatory runs at (1, or 2 with or without VHE), and fills in `window`. False if the machine or
// the segments do not allow it (MMU already on, no 4 KiB granule, an address beyond 48 bits, more tables
// than the purgatory reserves): the engine then hashes with the caches off, as before. `request` and
// `window` must outlive the hashing. `engine` is the block function the window will run (the Armv8 one,
// or the portable core).
bool prepare_cache_window(const purgatory_info& request, unsigned exception_level, bool vhe,
                          Sha256BlockFunction engine, CacheWindow& window);

// The prepared engine with the MMU and caches on for the duration of the call: a Sha256BlockFunction
// whose context is the CacheWindow. Memory it cannot vouch for (state outside the purgatory, data outside
// the purgatory and the segments) is hashed with the caches off instead.
void sha256_blocks_in_cache_window(const void* window, std::uint32_t* state, const std::uint8_t* data,
                                   std::size_t blocks);

}  // namespace purgatory::arch
