// SPDX-License-Identifier: MIT
// aarch64 Linux hosts: the Armv8 SHA-256 instructions, with the purgatory's own code
// (arch/arm64/sha256_armv8.S). Linux enables FP/SIMD for user space; whether the CPU has the
// instructions is the kernel's HWCAP_SHA2 (ID_AA64ISAR0_EL1.SHA2, which user space cannot read itself).
#include <purgatory/host/sha256_engine.h>

#include <sys/auxv.h>

#include <purgatory/arch/sha256_armv8.h>

namespace purgatory::host {
namespace {

// <asm/hwcap.h>'s value, which is ABI; spelled out for C libraries whose <sys/auxv.h> lacks it.
#ifdef HWCAP_SHA2
constexpr unsigned long hwcap_sha2 = HWCAP_SHA2;
#else
constexpr unsigned long hwcap_sha2 = 1ul << 6;
#endif

}  // namespace

Sha256BlockFunction host_sha256_blocks() {
  static const bool has_sha2 = (getauxval(AT_HWCAP) & hwcap_sha2) != 0;
  return has_sha2 ? purgatory::arch::sha256_blocks_armv8 : nullptr;
}

Sha256TwoLaneFunction host_sha256_two_lanes() { return nullptr; }

const char* host_sha256_engine_name() { return host_sha256_blocks() ? "armv8 sha2" : "portable"; }

}  // namespace purgatory::host
