// SPDX-License-Identifier: MIT
// x86_64 hosts: the SHA extensions, as in the purgatory (arch/x86_64).
#include <purgatory/host/sha256_engine.h>

#include <purgatory/arch/sha256_sha_ni.h>

namespace purgatory::host {

Sha256BlockFunction host_sha256_blocks() {
  static const bool has_sha_ni = arch::cpu_has_sha_ni();
  return has_sha_ni ? arch::sha256_blocks_sha_ni : nullptr;
}

Sha256TwoLaneFunction host_sha256_two_lanes() {
  return host_sha256_blocks() ? arch::sha256_two_lanes_sha_ni : nullptr;
}

const char* host_sha256_engine_name() { return host_sha256_blocks() ? "sha-ni" : "portable"; }

}  // namespace purgatory::host
