/* SPDX-License-Identifier: MIT */
// SHA-256 with the POWER8 vector crypto instructions (vshasigmaw; arch/ppc64/sha256_power8.S), shared by
// the purgatory and the host library on ppc64 hosts. Hashes `blocks` 64-byte blocks into state[0..7]
// (a..h), as sha256_detail::compress does.
//
// The caller checks the CPU first (the purgatory: the PVR, arch/ppc64/arch.cc; Linux user space:
// AT_HWCAP2 & PPC_FEATURE2_VEC_CRYPTO) and, in the purgatory, turns on MSR[VEC] and MSR[VSX].
#pragma once

#include <cstddef>
#include <cstdint>

#include <purgatory/sha256.h>

// The assembler routine, which takes the round constants from its caller: one table in the image for
// the portable core and this engine alike.
extern "C" [[gnu::visibility("hidden")]] void purgatory_arch_sha256_power8(std::uint32_t* state,
                                                                          const std::uint8_t* data,
                                                                          std::size_t blocks,
                                                                          const std::uint32_t* constants);

namespace purgatory::arch {

// The engine as a <purgatory/sha256.h> Sha256BlockFunction.
inline void sha256_blocks_power8(std::uint32_t* state, const std::uint8_t* data, std::size_t blocks) {
  purgatory_arch_sha256_power8(state, data, blocks, sha256_detail::round_constants);
}

}  // namespace purgatory::arch
