/* SPDX-License-Identifier: MIT */
// Checking the loaded segments against the digests the loader sealed into purgatory_info.
#pragma once

#include <cstdint>

#include <purgatory/abi.h>
#include <purgatory/sha256.h>

namespace purgatory {

struct Verdict {
  std::uint32_t status = PURGATORY_STATUS_RUNNING;  // PURGATORY_STATUS_*
  std::uint32_t failed_segment = PURGATORY_NO_SEGMENT;
  Sha256Digest computed{};  // of the failed segment, or of all segments if none alone failed
  std::uint64_t bytes_hashed = 0;
  const char* problem = "";  // for BAD_INFO: what is wrong, as a literal
  std::uint32_t engine = PURGATORY_DIGEST_ENGINE_NONE;  // what hashed (PURGATORY_DIGEST_ENGINE_*)
  std::uint32_t engine_flags = 0;                       // how (PURGATORY_DIGEST_*)
};

// What hashes the segments.
struct DigestEngine {
  std::uint32_t id = PURGATORY_DIGEST_ENGINE_PORTABLE;  // PURGATORY_DIGEST_ENGINE_*, recorded in the verdict
  std::uint32_t flags = 0;                             // PURGATORY_DIGEST_*: how it runs, recorded too
  Sha256BlockFunction blocks = nullptr;                // null: the portable core
  const void* context = nullptr;                       // what `blocks` is given (arm64: its cache window)
  Sha256TwoLaneFunction two_lanes = nullptr;           // null: one segment at a time
};

// Why the block cannot be used at all (damaged magic or size, not sealed), or null. What a sealed block
// must obey besides is <purgatory/seal_rules.h>.
const char* block_problem(const purgatory_info& info);

// The success path hashes every byte once. By default that is for the all-segments digest
// (kexec_file's rule: segments in order, as one message), and only when it fails is each segment hashed
// alone, to name the first one whose own digest differs. With PURGATORY_FLAG_VERIFY_EACH_SEGMENT each
// segment is checked against its own digest instead, two segments side by side where the engine has
// two lanes, and every segment is hashed once whatever the outcome. Segment addresses are used as
// pointers: physical memory is identity mapped (or, in host tests, they are host addresses).
Verdict verify_segments(const purgatory_info& info, const DigestEngine& engine = {});

// Stores the verdict in a result.
void record_verdict(purgatory_result& result, const Verdict& verdict);

}  // namespace purgatory
