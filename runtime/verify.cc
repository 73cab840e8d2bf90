// SPDX-License-Identifier: MIT
#include <purgatory/verify.h>

#include <purgatory/arch_features.h>

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

// Segment i's own digest against what it should be: the first one to differ is kept in the verdict.
void check_segment(const purgatory_info& info, std::uint32_t i, const Sha256Digest& computed, Verdict& verdict) {
  verdict.bytes_hashed += info.segments[i].size;
  if (verdict.failed_segment == PURGATORY_NO_SEGMENT && !equal(computed, info.segments[i].sha256)) {
    verdict.failed_segment = i;
    verdict.computed = computed;
  }
}

// Checks every segment against its own digest, hashing every one. Where the engine has two lanes,
// segments go side by side in pairs (0 with 1, 2 with 3, ...): both take whole blocks together up to
// the shorter one's last whole block, then each finishes alone.
void check_each_segment(const purgatory_info& info, const DigestEngine& engine, Verdict& verdict) {
  const std::uint32_t lanes = engine.two_lanes != nullptr ? 2 : 1;
  for (std::uint32_t i = 0; i < info.segment_count; i += lanes) {
    Sha256 hashers[2] = {Sha256(engine.blocks, engine.context), Sha256(engine.blocks, engine.context)};
    std::uint64_t together = 0;  // bytes hashed side by side from the start of each of the pair
    if (lanes == 2 && i + 1 < info.segment_count) {
      const purgatory_segment &first = info.segments[i], &second = info.segments[i + 1];
      const std::uint64_t shorter = first.size < second.size ? first.size : second.size;
      together = shorter - shorter % sha256_block_size;
      if (together != 0) {
        update_side_by_side(hashers[0], segment_bytes(first), hashers[1], segment_bytes(second),
                            together / sha256_block_size, engine.two_lanes);
        verdict.engine_flags |= PURGATORY_DIGEST_TWO_LANES;
      }
    }
    for (std::uint32_t lane = 0; lane < lanes && i + lane < info.segment_count; ++lane) {
      const purgatory_segment& segment = info.segments[i + lane];
      hashers[lane].update(segment_bytes(segment) + together, segment.size - together);
      check_segment(info, i + lane, hashers[lane].finish(), verdict);
    }
  }
}

}  // namespace

const char* block_problem(const purgatory_info& info) {
  if (!starts_with_magic(info.magic, PURGATORY_INFO_MAGIC) || info.info_size != sizeof(purgatory_info)) {
    return "purgatory_info is damaged (magic or size)";
  }
  if (info.sealed != PURGATORY_INFO_SEALED) return "purgatory_info was not sealed by a loader";
  if (info.segment_count > PURGATORY_MAX_SEGMENTS) return "more segments than PURGATORY_MAX_SEGMENTS (16)";
  return nullptr;
}

Verdict verify_segments(const purgatory_info& info, const DigestEngine& engine) {
  Verdict verdict;
  if (const char* problem = block_problem(info)) {
    verdict.status = PURGATORY_STATUS_BAD_INFO;
    verdict.problem = problem;
    return verdict;
  }
  if (info.flags & PURGATORY_FLAG_SKIP_VERIFICATION) {
    verdict.status = PURGATORY_STATUS_UNVERIFIED;
    return verdict;
  }

  verdict.engine = engine.id;
  verdict.engine_flags = engine.flags;
  // An arch whose engine cannot hash two segments at once has nothing to gain from checking each alone
  // and leaves that out of its image: it checks the all-segments digest, which loaders fill in anyway.
  if (arch_has(PURGATORY_FEATURE_VERIFY_EACH_SEGMENT) && (info.flags & PURGATORY_FLAG_VERIFY_EACH_SEGMENT)) {
    // Every segment is hashed whatever the outcome, so the verdict is the same with one lane or two.
    check_each_segment(info, engine, verdict);
    verdict.status = verdict.failed_segment == PURGATORY_NO_SEGMENT ? PURGATORY_STATUS_VERIFIED : PURGATORY_STATUS_MISMATCH;
    return verdict;
  }

  Sha256 all_segments(engine.blocks, engine.context);
  for (std::uint32_t i = 0; i < info.segment_count; ++i) {
    all_segments.update(segment_bytes(info.segments[i]), info.segments[i].size);
    verdict.bytes_hashed += info.segments[i].size;
  }
  verdict.computed = all_segments.finish();
  if (equal(verdict.computed, info.sha256)) {
    verdict.status = PURGATORY_STATUS_VERIFIED;
    return verdict;
  }
  // Only now each segment alone, in order, to name the first whose own digest differs.
  verdict.status = PURGATORY_STATUS_MISMATCH;
  for (std::uint32_t i = 0; i < info.segment_count && verdict.failed_segment == PURGATORY_NO_SEGMENT; ++i) {
    Sha256 segment_hasher(engine.blocks, engine.context);
    segment_hasher.update(segment_bytes(info.segments[i]), info.segments[i].size);
    check_segment(info, i, segment_hasher.finish(), verdict);
  }
  return verdict;
}

void record_verdict(purgatory_result& result, const Verdict& verdict) {
  result.status = verdict.status;
  result.failed_segment = verdict.failed_segment;
  for (std::size_t i = 0; i < verdict.computed.size(); ++i) result.computed_sha256[i] = verdict.computed[i];
  result.bytes_verified = verdict.bytes_hashed;
  result.digest_engine = static_cast<std::uint16_t>(verdict.engine);
  result.digest_flags = static_cast<std::uint16_t>(verdict.engine_flags);
}

}  // namespace purgatory
