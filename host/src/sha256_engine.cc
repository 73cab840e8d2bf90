// SPDX-License-Identifier: MIT
// The host's SHA-256 engine: this CPU's <purgatory/sha256_engine.h> (sha256/<cpu>/, the one the purgatory
// uses on this arch; host/CMakeLists.txt picks it), used when the CPU has the instructions; on x86_64
// without SHA-NI, the SSSE3 and BMI2 engine, as the purgatory chooses. Asking what the CPU has is the
// one thing user space does differently from the purgatory: CPUID on x86, the kernel's hardware
// capabilities elsewhere (ID registers and the PVR are privileged).
#include <purgatory/host/sha256_engine.h>

#include <purgatory/sha256_engine.h>
#if defined(__x86_64__)
#include <purgatory/sha256_vector_schedule.h>
#endif

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

struct HostEngine {
  Sha256BlockFunction blocks = nullptr;
  Sha256TwoLaneFunction two_lanes = nullptr;
  const char* name = "portable";
};

HostEngine choose_engine() {
#if defined(__x86_64__)
  if (cpu_has_engine()) return {sha256_engine::blocks, sha256_engine::two_lanes, sha256_engine::name().data()};
  if (sha256_vector_schedule::cpu_has_it()) {
    return {sha256_vector_schedule::blocks, nullptr, sha256_vector_schedule::name().data()};
  }
  return {};
#elif defined(__aarch64__) || defined(__powerpc64__)
  if (cpu_has_engine()) return {sha256_engine::blocks, nullptr, sha256_engine::name().data()};
  return {};
#else
  (void)cpu_has_engine;
  return {};
#endif
}

const HostEngine& host_engine() {
  static const HostEngine engine = choose_engine();
  return engine;
}

}  // namespace

Sha256BlockFunction host_sha256_blocks() { return host_engine().blocks; }

Sha256TwoLaneFunction host_sha256_two_lanes() { return host_engine().two_lanes; }

const char* host_sha256_engine_name() { return host_engine().name; }

}  // namespace purgatory::host
