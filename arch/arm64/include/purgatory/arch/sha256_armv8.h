/* SPDX-License-Identifier: MIT */
// SHA-256 with the Armv8 SHA-256 instructions (FEAT_SHA256): arch/arm64/sha256_armv8.S, one assembler
// file that the purgatory and the host library (on aarch64 Linux) both link. The caller checks that the
// CPU has the instructions (purgatory: ID_AA64ISAR0_EL1.SHA2; Linux: HWCAP_SHA2) and, in the purgatory,
// that FP/SIMD is enabled first (arch/arm64/arch.cc).
#pragma once

#include <cstddef>
#include <cstdint>

#include <purgatory/sha256.h>

// Hashes `blocks` 64-byte blocks into state[0..7] (a..h), as sha256_detail::compress does, with the
// round constants from the caller: one table in the image for the portable core and this engine alike.
// Hidden (in the purgatory every declaration is, by the forced-included visibility pragma; here
// explicitly for the host build), so the address is formed PC-relative: no GOT entry, no relocation.
extern "C" [[gnu::visibility("hidden")]] void purgatory_arch_sha256_armv8(std::uint32_t* state,
                                                                         const std::uint8_t* data,
                                                                         std::size_t blocks,
                                                                         const std::uint32_t* constants);

namespace purgatory::arch {

// The engine as a <purgatory/sha256.h> Sha256BlockFunction.
inline void sha256_blocks_armv8(std::uint32_t* state, const std::uint8_t* data, std::size_t blocks) {
  purgatory_arch_sha256_armv8(state, data, blocks, sha256_detail::round_constants);
}

}  // namespace purgatory::arch
