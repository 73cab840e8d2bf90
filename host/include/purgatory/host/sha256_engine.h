/* SPDX-License-Identifier: MIT */
// The SHA-256 engine for host-side hashing (sealing): the CPU's SHA-256 instructions when it has them,
// else, on x86_64 with SSSE3 and BMI2, the vector-schedule engine, else the portable core. The same
// block functions the purgatory uses on that arch, chosen the same way.
#pragma once

#include <purgatory/sha256.h>

namespace purgatory::host {

// Null when only the portable core applies.
Sha256BlockFunction host_sha256_blocks();

// The engine's two-lane form (two messages hashed at once), or null where it has none: x86 SHA-NI.
Sha256TwoLaneFunction host_sha256_two_lanes();

// "sha-ni", "ssse3+bmi2", "armv8 sha2", "power8 vector crypto" or "portable".
const char* host_sha256_engine_name();

// A hasher using host_sha256_blocks().
inline Sha256 host_sha256() { return Sha256(host_sha256_blocks()); }

}  // namespace purgatory::host
