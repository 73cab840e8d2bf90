#include <purgatory/verify.h>

namespace purgatory {
namespace {

const std::uint8_t* segment_bytes(const purgatory_segment& segment) {
  return reinterpret_cast<const std::uint8_t*>(static_cast<std::uintptr_t>(segment.start));
}

// The runtime's memcmp (runtime/string.cc): one loop in the image rather than one per comparison.
bool equal(const Sha256Digest& computed, const std::uint8_t (&expected)[PURGATORY_SHA256_SIZE]) {
  static_assert(sizeof(expected) == std::tuple_size_v<Sha256Digest>);
  return __builtin_memcmp(computed.data(), expected, sizeof(expected)) == 0;
}

bool starts_with_magic(const std::uint8_t (&magic)[8], const char (&expected)[9]) {
  return __builtin_memcmp(magic, expected, sizeof(magic)) == 0;
}

}  // namespace

const char* info_problem(const purgatory_info& info) {
  if (!starts_with_magic(info.magic, PURGATORY_INFO_MAGIC) || info.info_size != sizeof(purgatory_info)) {
    return "purgatory_info is damaged (magic or size)";
  }
  if (info.sealed != PURGATORY_INFO_SEALED) return "purgatory_info was not sealed by a loader";
  if (info.segment_count > PURGATORY_MAX_SEGMENTS) return "more segments than PURGATORY_MAX_SEGMENTS";
  for (std::uint32_t i = 0; i < info.segment_count; ++i) {
    const purgatory_segment& segment = info.segments[i];
    // The last byte, not the end: a segment may end exactly at the top of the address space.
    if (segment.size != 0 && segment.start + (segment.size - 1) < segment.start) {
      return "a segment runs past the end of the address space";
    }
  }
  return nullptr;
}

std::uint32_t first_segment_overlapping(const purgatory_info& info, std::uint64_t begin, std::uint64_t end) {
  const std::uint32_t count = info.segment_count < PURGATORY_MAX_SEGMENTS ? info.segment_count : PURGATORY_MAX_SEGMENTS;
  for (std::uint32_t i = 0; i < count; ++i) {
    const purgatory_segment& segment = info.segments[i];
    if (segment.size != 0 && segment.start < end && begin <= segment.start + (segment.size - 1)) return i;
  }
  return PURGATORY_NO_SEGMENT;
}

Verdict verify_segments(const purgatory_info& info, Sha256BlockFunction blocks, std::uint32_t engine) {
  Verdict verdict;
  if (const char* problem = info_problem(info)) {
    verdict.status = PURGATORY_STATUS_BAD_INFO;
    verdict.problem = problem;
    return verdict;
  }
  if (info.flags & PURGATORY_FLAG_SKIP_VERIFICATION) {
    verdict.status = PURGATORY_STATUS_UNVERIFIED;
    return verdict;
  }

  verdict.engine = engine;
  Sha256 all_segments(blocks);
  for (std::uint32_t i = 0; i < info.segment_count; ++i) {
    all_segments.update(segment_bytes(info.segments[i]), info.segments[i].size);
    verdict.bytes_hashed += info.segments[i].size;
  }
  verdict.computed = all_segments.finish();
  if (equal(verdict.computed, info.sha256)) {
    verdict.status = PURGATORY_STATUS_VERIFIED;
    return verdict;
  }

  verdict.status = PURGATORY_STATUS_MISMATCH;
  for (std::uint32_t i = 0; i < info.segment_count; ++i) {
    Sha256 segment_hasher(blocks);
    segment_hasher.update(segment_bytes(info.segments[i]), info.segments[i].size);
    const Sha256Digest computed = segment_hasher.finish();
    verdict.bytes_hashed += info.segments[i].size;
    if (!equal(computed, info.segments[i].sha256)) {
      verdict.failed_segment = i;
      verdict.computed = computed;
      break;
    }
  }
  return verdict;
}

void record_verdict(purgatory_info& info, const Verdict& verdict) {
  info.result.status = verdict.status;
  info.result.failed_segment = verdict.failed_segment;
  for (std::size_t i = 0; i < verdict.computed.size(); ++i) info.result.computed_sha256[i] = verdict.computed[i];
  info.result.bytes_verified = verdict.bytes_hashed;
  info.result.digest_engine = static_cast<std::uint16_t>(verdict.engine);
  info.result.digest_flags = static_cast<std::uint16_t>(verdict.engine_flags);
}

}  // namespace purgatory
