/* SPDX-License-Identifier: MIT */
// The arm64 SHA-256 engine: the Armv8 SHA-256 instructions (FEAT_SHA256), in sha256_engine.S beside this
// header, one assembler file that the purgatory and the host library (on aarch64 Linux) both link. The
// caller checks that the CPU has the instructions (the purgatory: ID_AA64ISAR0_EL1.SHA2; Linux user
// space: HWCAP_SHA2) and, in the purgatory, that FP/SIMD is enabled first (arch/arm64/arch.cc).
//
// Every CPU's engine is this header, <purgatory/sha256_engine.h>, in sha256/<cpu>/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <purgatory/sha256.h>

// Hashes `blocks` 64-byte blocks into state[0..7] (a..h), as sha256_detail::compress does, with the
// round constants from the caller: one table in the image for the portable core and this engine alike.
// Hidden (in the purgatory every declaration is, by the forced-included visibility pragma; here
// explicitly for the host build), so the address is formed PC-relative: no GOT entry, no relocation.
extern "C" [[gnu::visibility("hidden")]] void purgatory_sha256_armv8_blocks(std::uint32_t* state,
                                                                           const std::uint8_t* data,
                                                                           std::size_t blocks,
                                                                           const std::uint32_t* constants);

namespace purgatory::sha256_engine {

constexpr std::string_view name() { return "armv8 sha2"; }

// The engine as a Sha256BlockFunction (it needs no context).
inline void blocks(const void*, std::uint32_t* state, const std::uint8_t* data, std::size_t count) {
  purgatory_sha256_armv8_blocks(state, data, count, sha256_detail::round_constants);
}

}  // namespace purgatory::sha256_engine
