// SPDX-License-Identifier: MIT
// The host's SHA-256 engine: this CPU's <purgatory/sha256_engine.h> (sha256/<cpu>/, the one the purgatory
// uses on this arch; host/CMakeLists.txt picks it), used when the CPU has the instructions. Asking
// that is the one thing user space does differently from the purgatory: CPUID on x86, the kernel's
// hardware capabilities elsewhere (ID registers and the PVR are privileged).
#include <purgatory/host/sha256_engine.h>

#include <string>

#include <purgatory/sha256_engine.h>

#if defined(__aarch64__) || defined(__powerpc64__)
#include <sys/auxv.h>
#endif

namespace purgatory::host {
namespace {

bool cpu_has_engine() {
#if defined(__x86_64__)
  return sha256_engine::cpu_has_it();
#elif defined(__aarch64__)
#ifdef HWCAP_SHA2
  constexpr unsigned long hwcap_sha2 = HWCAP_SHA2;
#else
  constexpr unsigned long hwcap_sha2 = 1ul << 6;
#endif
  return (getauxval(AT_HWCAP) & hwcap_sha2) != 0;
#elif defined(__powerpc64__)
#if defined(PPC_FEATURE2_HAS_VEC_CRYPTO)
  constexpr unsigned long hwcap2_vec_crypto = PPC_FEATURE2_HAS_VEC_CRYPTO;
#elif defined(PPC_FEATURE2_VEC_CRYPTO)
  constexpr unsigned long hwcap2_vec_crypto = PPC_FEATURE2_VEC_CRYPTO;
#else
  constexpr unsigned long hwcap2_vec_crypto = 0x02000000;
#endif
  return (getauxval(AT_HWCAP2) & hwcap2_vec_crypto) != 0;
#else
  return false;  // sha256/none: no engine
#endif
}

}  // namespace

Sha256BlockFunction host_sha256_blocks() {
#if defined(__x86_64__) || defined(__aarch64__) || defined(__powerpc64__)
  static const bool has_engine = cpu_has_engine();
  return has_engine ? sha256_engine::blocks : nullptr;
#else
  (void)cpu_has_engine;
  return nullptr;
#endif
}

Sha256TwoLaneFunction host_sha256_two_lanes() {
#if defined(__x86_64__)
  return host_sha256_blocks() ? sha256_engine::two_lanes : nullptr;
#else
  return nullptr;
#endif
}

const char* host_sha256_engine_name() {
  static const std::string name(host_sha256_blocks() ? sha256_engine::name() : "portable");
  return name.c_str();
}

}  // namespace purgatory::host
