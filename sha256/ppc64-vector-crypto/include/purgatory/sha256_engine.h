/* SPDX-License-Identifier: MIT */
// The ppc64 SHA-256 engine (both byte orders): the POWER8 vector crypto instructions (vshasigmaw), in
// sha256_engine.S beside this header, shared by the purgatory and the host library on ppc64 hosts.
//
// The caller checks the CPU first (the purgatory: the PVR, arch/ppc64/arch.cc; Linux user space:
// AT_HWCAP2 & PPC_FEATURE2_VEC_CRYPTO) and, in the purgatory, turns on MSR[VEC] and MSR[VSX].
//
// Every CPU's engine is this header, <purgatory/sha256_engine.h>, in sha256/<cpu>/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <purgatory/sha256.h>

// The assembler routine, which takes the round constants from its caller: one table in the image for
// the portable core and this engine alike.
extern "C" [[gnu::visibility("hidden")]] void purgatory_sha256_power8_blocks(std::uint32_t* state,
                                                                            const std::uint8_t* data,
                                                                            std::size_t blocks,
                                                                            const std::uint32_t* constants);

namespace purgatory::sha256_engine {

constexpr std::string_view name() { return "power8 vector crypto"; }

// The engine as a Sha256BlockFunction (it needs no context): `count` 64-byte blocks into state[0..7]
// (a..h), as sha256_detail::compress does.
inline void blocks(const void*, std::uint32_t* state, const std::uint8_t* data, std::size_t count) {
  purgatory_sha256_power8_blocks(state, data, count, sha256_detail::round_constants);
}

}  // namespace purgatory::sha256_engine
