// SHA-256 with the POWER8 vector crypto instructions (vshasigmaw; arch/ppc64/sha256_power8.S), shared by
// the purgatory and the host library on ppc64 hosts. Hashes `blocks` 64-byte blocks into state[0..7]
// (a..h), as sha256_detail::compress does; a <purgatory/sha256.h> Sha256BlockFunction.
//
// The caller checks the CPU first (the purgatory: the PVR, arch/ppc64/arch.cc; Linux user space:
// AT_HWCAP2 & PPC_FEATURE2_VEC_CRYPTO) and, in the purgatory, turns on MSR[VEC] and MSR[VSX].
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" [[gnu::visibility("hidden")]] void purgatory_arch_sha256_blocks_power8(std::uint32_t* state,
                                                                                  const std::uint8_t* data,
                                                                                  std::size_t blocks);
