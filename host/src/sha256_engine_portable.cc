// SPDX-License-Identifier: MIT
// Hosts with no SHA-256 engine of the SDK's: the portable core.
#include <purgatory/host/sha256_engine.h>

namespace purgatory::host {

Sha256BlockFunction host_sha256_blocks() { return nullptr; }
Sha256TwoLaneFunction host_sha256_two_lanes() { return nullptr; }

const char* host_sha256_engine_name() { return "portable"; }

}  // namespace purgatory::host
