// SPDX-License-Identifier: MIT
// ppc64 Linux hosts (both byte orders): the POWER8 vector crypto instructions, with the purgatory's own
// code (arch/ppc64/sha256_power8.S). Linux enables VMX and VSX for user space on first use; whether the
// CPU has vector crypto (ISA 2.07) is the kernel's AT_HWCAP2 bit PPC_FEATURE2_VEC_CRYPTO.
#include <purgatory/host/sha256_engine.h>

#include <sys/auxv.h>

#include <purgatory/arch/sha256_power8.h>

namespace purgatory::host {
namespace {

// <asm/cputable.h>'s PPC_FEATURE2_VEC_CRYPTO, which is ABI; glibc's <sys/auxv.h> spells it
// PPC_FEATURE2_HAS_VEC_CRYPTO, other C libraries may not have it at all.
#if defined(PPC_FEATURE2_HAS_VEC_CRYPTO)
constexpr unsigned long hwcap2_vec_crypto = PPC_FEATURE2_HAS_VEC_CRYPTO;
#elif defined(PPC_FEATURE2_VEC_CRYPTO)
constexpr unsigned long hwcap2_vec_crypto = PPC_FEATURE2_VEC_CRYPTO;
#else
constexpr unsigned long hwcap2_vec_crypto = 0x02000000;
#endif

}  // namespace

Sha256BlockFunction host_sha256_blocks() {
  static const bool has_vec_crypto = (getauxval(AT_HWCAP2) & hwcap2_vec_crypto) != 0;
  return has_vec_crypto ? purgatory::arch::sha256_blocks_power8 : nullptr;
}

Sha256TwoLaneFunction host_sha256_two_lanes() { return nullptr; }

const char* host_sha256_engine_name() { return host_sha256_blocks() ? "power8 vector crypto" : "portable"; }

}  // namespace purgatory::host
