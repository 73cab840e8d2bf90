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

// Why the block cannot be used at all (damaged magic or size, not sealed, too many segments), or null.
const char* info_problem(const purgatory_info& info);

// The first segment that overlaps [begin, end) (the purgatory's own memory), or PURGATORY_NO_SEGMENT.
std::uint32_t first_segment_overlapping(const purgatory_info& info, std::uint64_t begin, std::uint64_t end);

// The success path hashes every byte once, for the all-segments digest (kexec_file's rule: segments
// in order, as one message). Only when that fails does it hash each segment alone, to name the first
// one whose own digest differs. Segment addresses are used as pointers: physical memory is identity
// mapped (or, in host tests, they are host addresses).
// `blocks` is the engine's block function (null: the portable core); `engine` its id, recorded.
Verdict verify_segments(const purgatory_info& info, Sha256BlockFunction blocks = nullptr,
                        std::uint32_t engine = PURGATORY_DIGEST_ENGINE_PORTABLE);

// Stores the verdict in info.result.
void record_verdict(purgatory_info& info, const Verdict& verdict);

}  // namespace purgatory
