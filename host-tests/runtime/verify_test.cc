// SPDX-License-Identifier: MIT
// verify_segments and record_verdict on the host: purgatory_info lives in host memory and its segment
// addresses point at host buffers, so the purgatory's own verification code runs unchanged.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <purgatory/abi.h>
#include <purgatory/sha256.h>
#include <purgatory/verify.h>
#if defined(__x86_64__)
#include <purgatory/sha256_engine.h>
#endif

#include "test_pattern.h"

using purgatory::Sha256Digest;
using purgatory::Verdict;

namespace {

Sha256Digest digest_of(const Buffer& bytes) { return purgatory::sha256(bytes.data(), bytes.size()); }

void copy_digest(std::uint8_t (&to)[PURGATORY_SHA256_SIZE], const Sha256Digest& from) {
  std::memcpy(to, from.data(), from.size());
}

// Segments (by default three of awkward sizes: a partial block, more than a page, exactly one block)
// and a purgatory_info sealed over them as a loader would: on the heap, so that a sanitizer sees
// overruns.
struct Sealed {
  std::vector<Buffer> segments;
  std::unique_ptr<purgatory_info> info = std::make_unique<purgatory_info>();

  explicit Sealed(std::vector<Buffer> given = {pattern(1000, 1), pattern(4096 + 17, 2), pattern(64, 3)})
      : segments(std::move(given)) {
    std::memcpy(info->magic, PURGATORY_INFO_MAGIC, 8);
    info->info_size = sizeof(purgatory_info);
    info->sealed = PURGATORY_INFO_SEALED;
    info->segment_count = static_cast<std::uint32_t>(segments.size());
    for (std::size_t i = 0; i < segments.size(); ++i) {
      info->segments[i].start = reinterpret_cast<std::uintptr_t>(segments[i].data());
      info->segments[i].size = segments[i].size();
      copy_digest(info->segments[i].sha256, digest_of(segments[i]));
    }
    copy_digest(info->sha256, digest_of(concatenation()));
  }

  Buffer concatenation() const {
    Buffer all;
    for (const auto& segment : segments) all.insert(all.end(), segment.begin(), segment.end());
    return all;
  }
  std::uint64_t total_size() const { return concatenation().size(); }

  // The lowest-numbered segment whose bytes do not match its digest, as one lane in order finds it.
  std::uint32_t first_bad() const {
    for (std::uint32_t i = 0; i < segments.size(); ++i) {
      if (std::memcmp(info->segments[i].sha256, digest_of(segments[i]).data(), 32) != 0) return i;
    }
    return PURGATORY_NO_SEGMENT;
  }
};

void flip_bit(Buffer& bytes, std::size_t bit) { bytes[bit / 8] = static_cast<std::uint8_t>(bytes[bit / 8] ^ (1u << (bit % 8))); }

}  // namespace

TEST_CASE("Segments that match their digests are VERIFIED, every byte hashed once", "[verify]") {
  const Sealed sealed;
  const Verdict verdict = purgatory::verify_segments(*sealed.info);
  CHECK(verdict.status == PURGATORY_STATUS_VERIFIED);
  CHECK(verdict.failed_segment == PURGATORY_NO_SEGMENT);
  CHECK(verdict.bytes_hashed == 1000 + 4096 + 17 + 64);
  CHECK(verdict.computed == digest_of(sealed.concatenation()));
}

TEST_CASE("No segments with the digest of the empty message are VERIFIED", "[verify]") {
  Sealed sealed;
  sealed.info->segment_count = 0;
  copy_digest(sealed.info->sha256, digest_of(Buffer{}));
  const Verdict verdict = purgatory::verify_segments(*sealed.info);
  CHECK(verdict.status == PURGATORY_STATUS_VERIFIED);
  CHECK(verdict.bytes_hashed == 0);
}

TEST_CASE("A flipped bit in one segment is a MISMATCH naming it, with the digest of its bytes", "[verify]") {
  Sealed sealed;
  const std::size_t segment = GENERATE(std::size_t{0}, std::size_t{1}, std::size_t{2});
  Buffer& bytes = sealed.segments[segment];
  const std::size_t bit = GENERATE_COPY(std::size_t{0}, bytes.size() * 8 / 2 + 3, bytes.size() * 8 - 1);
  INFO("segment " << segment << ", bit " << bit);
  flip_bit(bytes, bit);

  const Verdict verdict = purgatory::verify_segments(*sealed.info);
  CHECK(verdict.status == PURGATORY_STATUS_MISMATCH);
  CHECK(verdict.failed_segment == segment);
  CHECK(verdict.computed == digest_of(bytes));
  // docs/abi.md section 5: all sizes, plus segments 0..i hashed again alone.
  std::uint64_t second_pass = 0;
  for (std::size_t i = 0; i <= segment; ++i) second_pass += sealed.segments[i].size();
  CHECK(verdict.bytes_hashed == sealed.total_size() + second_pass);
}

TEST_CASE("When several segments are corrupted, the first is named", "[verify]") {
  Sealed sealed;
  flip_bit(sealed.segments[2], 5);
  flip_bit(sealed.segments[1], 7);
  const Verdict verdict = purgatory::verify_segments(*sealed.info);
  CHECK(verdict.status == PURGATORY_STATUS_MISMATCH);
  CHECK(verdict.failed_segment == 1);
  CHECK(verdict.computed == digest_of(sealed.segments[1]));
}

TEST_CASE("A wrong all-segments digest over matching segments is a MISMATCH of no single segment",
          "[verify]") {
  Sealed sealed;
  sealed.info->sha256[31] ^= 1;
  const Verdict verdict = purgatory::verify_segments(*sealed.info);
  CHECK(verdict.status == PURGATORY_STATUS_MISMATCH);
  CHECK(verdict.failed_segment == PURGATORY_NO_SEGMENT);
  CHECK(verdict.computed == digest_of(sealed.concatenation()));
  CHECK(verdict.bytes_hashed == 2 * sealed.total_size());  // both passes, the second to the end
}

TEST_CASE("An unsealed or damaged purgatory_info is BAD_INFO, and nothing is hashed", "[verify]") {
  Sealed sealed;
  SECTION("not sealed") { sealed.info->sealed = 0; }
  SECTION("sealed with the wrong value") { sealed.info->sealed = PURGATORY_INFO_SEALED ^ 1; }
  SECTION("bad magic") { sealed.info->magic[7] = 'X'; }
  SECTION("wrong info_size") { sealed.info->info_size = sizeof(purgatory_info) - 8; }
  SECTION("17 segments") { sealed.info->segment_count = PURGATORY_MAX_SEGMENTS + 1; }
  SECTION("a huge segment count") { sealed.info->segment_count = UINT32_MAX; }
  const Verdict verdict = purgatory::verify_segments(*sealed.info);
  CHECK(verdict.status == PURGATORY_STATUS_BAD_INFO);
  CHECK(verdict.failed_segment == PURGATORY_NO_SEGMENT);
  CHECK(verdict.bytes_hashed == 0);
  CHECK(verdict.computed == Sha256Digest{});
  REQUIRE(verdict.problem != nullptr);
  CHECK(std::strlen(verdict.problem) > 0);
  // The same check, alone, gives the same reason.
  const char* problem = purgatory::block_problem(*sealed.info);
  REQUIRE(problem != nullptr);
  CHECK(std::string(problem) == verdict.problem);
}

TEST_CASE("block_problem names what makes a block unusable, and nothing for a good one", "[verify]") {
  Sealed sealed;
  CHECK(purgatory::block_problem(*sealed.info) == nullptr);
  SECTION("bad magic") {
    sealed.info->magic[0] = 'p';
    CHECK_THAT(purgatory::block_problem(*sealed.info), Catch::Contains("magic or size"));
  }
  SECTION("info_size larger than this ABI's") {
    sealed.info->info_size = sizeof(purgatory_info) + 8;
    CHECK_THAT(purgatory::block_problem(*sealed.info), Catch::Contains("magic or size"));
  }
  SECTION("not sealed") {
    sealed.info->sealed = 0;
    CHECK_THAT(purgatory::block_problem(*sealed.info), Catch::Contains("not sealed"));
  }
  SECTION("17 segments") {
    sealed.info->segment_count = 17;
    CHECK_THAT(purgatory::block_problem(*sealed.info), Catch::Contains("PURGATORY_MAX_SEGMENTS"));
  }
  SECTION("16 segments are fine") {
    sealed.info->segment_count = 16;
    CHECK(purgatory::block_problem(*sealed.info) == nullptr);
  }
}

TEST_CASE("16 segments, the most purgatory_info holds, are verified", "[verify]") {
  std::vector<Buffer> segments;
  for (unsigned i = 0; i < PURGATORY_MAX_SEGMENTS; ++i) segments.push_back(pattern(1 + 37 * i, 10 + i));
  Sealed sealed(std::move(segments));
  REQUIRE(sealed.info->segment_count == PURGATORY_MAX_SEGMENTS);
  CHECK(purgatory::verify_segments(*sealed.info).status == PURGATORY_STATUS_VERIFIED);
  flip_bit(sealed.segments[15], 0);
  const Verdict verdict = purgatory::verify_segments(*sealed.info);
  CHECK(verdict.status == PURGATORY_STATUS_MISMATCH);
  CHECK(verdict.failed_segment == 15);
}

TEST_CASE("PURGATORY_FLAG_SKIP_VERIFICATION is UNVERIFIED without hashing, even over corrupted segments",
          "[verify]") {
  Sealed sealed;
  sealed.info->flags = PURGATORY_FLAG_SKIP_VERIFICATION | PURGATORY_FLAG_QUIET;
  flip_bit(sealed.segments[0], 0);
  const Verdict verdict = purgatory::verify_segments(*sealed.info);
  CHECK(verdict.status == PURGATORY_STATUS_UNVERIFIED);
  CHECK(verdict.failed_segment == PURGATORY_NO_SEGMENT);
  CHECK(verdict.bytes_hashed == 0);
  CHECK(verdict.computed == Sha256Digest{});
}

TEST_CASE("PURGATORY_FLAG_SKIP_VERIFICATION does not make an unsealed purgatory_info acceptable", "[verify]") {
  Sealed sealed;
  sealed.info->flags = PURGATORY_FLAG_SKIP_VERIFICATION;
  sealed.info->sealed = 0;
  CHECK(purgatory::verify_segments(*sealed.info).status == PURGATORY_STATUS_BAD_INFO);
}

TEST_CASE("Other flags do not change the verdict", "[verify]") {
  Sealed sealed;
  sealed.info->flags = PURGATORY_FLAG_RESET_ON_FAILURE | PURGATORY_FLAG_QUIET;
  CHECK(purgatory::verify_segments(*sealed.info).status == PURGATORY_STATUS_VERIFIED);
  flip_bit(sealed.segments[2], 100);
  CHECK(purgatory::verify_segments(*sealed.info).status == PURGATORY_STATUS_MISMATCH);
}

TEST_CASE("record_verdict stores status, failed segment, digest and bytes in purgatory_info.result",
          "[verify]") {
  Sealed sealed;
  purgatory_result& result = sealed.info->result;
  result.log_length = 5;
  std::memcpy(result.log, "hello", 5);

  SECTION("a mismatch") {
    flip_bit(sealed.segments[1], 12345);
    const Verdict verdict = purgatory::verify_segments(*sealed.info);
    REQUIRE(verdict.status == PURGATORY_STATUS_MISMATCH);
    purgatory::record_verdict(sealed.info->result, verdict);
    CHECK(result.status == PURGATORY_STATUS_MISMATCH);
    CHECK(result.failed_segment == 1);
    CHECK(std::memcmp(result.computed_sha256, digest_of(sealed.segments[1]).data(), 32) == 0);
    CHECK(result.bytes_verified == verdict.bytes_hashed);
  }
  SECTION("a success") {
    result.failed_segment = 7;  // as a previous, failed run left it
    const Verdict verdict = purgatory::verify_segments(*sealed.info);
    purgatory::record_verdict(sealed.info->result, verdict);
    CHECK(result.status == PURGATORY_STATUS_VERIFIED);
    CHECK(result.failed_segment == PURGATORY_NO_SEGMENT);
    CHECK(std::memcmp(result.computed_sha256, digest_of(sealed.concatenation()).data(), 32) == 0);
    CHECK(result.bytes_verified == sealed.total_size());
  }
  SECTION("a verdict built by hand") {
    Verdict verdict;
    verdict.status = PURGATORY_STATUS_BAD_INFO;
    verdict.failed_segment = 3;
    for (std::size_t i = 0; i < verdict.computed.size(); ++i) verdict.computed[i] = static_cast<std::uint8_t>(i + 1);
    verdict.bytes_hashed = 0x0123456789abcdef;
    purgatory::record_verdict(sealed.info->result, verdict);
    CHECK(result.status == PURGATORY_STATUS_BAD_INFO);
    CHECK(result.failed_segment == 3);
    CHECK(std::memcmp(result.computed_sha256, verdict.computed.data(), 32) == 0);
    CHECK(result.bytes_verified == 0x0123456789abcdef);
  }
  // The log is the console's, not the verdict's.
  CHECK(result.log_length == 5);
  CHECK(std::memcmp(result.log, "hello", 5) == 0);
}

// PURGATORY_FLAG_VERIFY_EACH_SEGMENT (ABI 1.2).
namespace {

// A two-lane engine made of the portable core run on each lane in turn: what the scheduling must
// produce does not depend on how an engine is built. It counts what it was given.
struct TwoLaneCalls {
  std::size_t calls = 0, blocks = 0;
};
TwoLaneCalls two_lane_calls;

void portable_two_lanes(std::uint32_t* state_a, const std::uint8_t* data_a, std::uint32_t* state_b,
                        const std::uint8_t* data_b, std::size_t blocks) {
  ++two_lane_calls.calls;
  two_lane_calls.blocks += blocks;
  purgatory::sha256_portable_blocks(nullptr, state_a, data_a, blocks);
  purgatory::sha256_portable_blocks(nullptr, state_b, data_b, blocks);
}

const purgatory::DigestEngine one_lane{};
const purgatory::DigestEngine two_lanes{.two_lanes = portable_two_lanes};

}  // namespace

TEST_CASE("Each segment by its own digest: VERIFIED, every byte hashed once, no all-segments digest",
          "[verify][each-segment]") {
  Sealed sealed;
  sealed.info->flags = PURGATORY_FLAG_VERIFY_EACH_SEGMENT;
  sealed.info->sha256[0] ^= 1;  // not looked at in this mode
  for (const auto& engine : {one_lane, two_lanes}) {
    const Verdict verdict = purgatory::verify_segments(*sealed.info, engine);
    CHECK(verdict.status == PURGATORY_STATUS_VERIFIED);
    CHECK(verdict.failed_segment == PURGATORY_NO_SEGMENT);
    CHECK(verdict.bytes_hashed == sealed.total_size());
    CHECK(verdict.computed == Sha256Digest{});
  }
}

TEST_CASE("Each segment by its own digest: a flipped bit names the segment, whatever else is hashed",
          "[verify][each-segment]") {
  Sealed sealed;
  sealed.info->flags = PURGATORY_FLAG_VERIFY_EACH_SEGMENT;
  const std::size_t segment = GENERATE(std::size_t{0}, std::size_t{1}, std::size_t{2});
  flip_bit(sealed.segments[segment], 77);
  for (const auto& engine : {one_lane, two_lanes}) {
    const Verdict verdict = purgatory::verify_segments(*sealed.info, engine);
    CHECK(verdict.status == PURGATORY_STATUS_MISMATCH);
    CHECK(verdict.failed_segment == segment);
    CHECK(verdict.computed == digest_of(sealed.segments[segment]));
    CHECK(verdict.bytes_hashed == sealed.total_size());  // every segment, once, in this mode
  }
}

namespace {

// 1 to 16 segments whose sizes end mid-block, on a block, at zero, or far apart (up to `largest`
// bytes), sealed with PURGATORY_FLAG_VERIFY_EACH_SEGMENT.
Sealed random_each_segment(std::mt19937_64& random, unsigned seed, std::size_t largest) {
  const std::size_t count = std::uniform_int_distribution<std::size_t>(1, PURGATORY_MAX_SEGMENTS)(random);
  std::vector<Buffer> segments;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t size = std::uniform_int_distribution<std::size_t>(0, 4)(random) == 0
                                 ? 64 * std::uniform_int_distribution<std::size_t>(0, largest / 64)(random)
                                 : std::uniform_int_distribution<std::size_t>(0, largest)(random);
    segments.push_back(pattern(size, seed * 100 + static_cast<unsigned>(i)));
  }
  Sealed sealed(std::move(segments));
  sealed.info->flags = PURGATORY_FLAG_VERIFY_EACH_SEGMENT;
  return sealed;
}

}  // namespace

TEST_CASE("Two lanes pair segments 0 with 1, 2 with 3, and give the verdict one lane gives",
          "[verify][each-segment]") {
  std::mt19937_64 random(Catch::rngSeed());
  for (int round = 0; round < 200; ++round) {
    Sealed sealed = random_each_segment(random, static_cast<unsigned>(round), 3000);
    const auto& segments = sealed.segments;
    purgatory_info* info = sealed.info.get();
    const std::size_t count = segments.size();
    std::size_t expected_blocks = 0;  // what the pairs have in common, in whole blocks
    for (std::size_t i = 1; i < count; i += 2) expected_blocks += std::min(segments[i - 1].size(), segments[i].size()) / 64;
    // Damage up to two segments' digests (not their bytes: the digests are what is compared).
    std::uniform_int_distribution<std::size_t> segment_of(0, count);  // count: none
    for (int damage = 0; damage < 2; ++damage) {
      if (const std::size_t i = segment_of(random); i < count) info->segments[i].sha256[i % 32] ^= 0x40;
    }
    INFO("round " << round << ", " << count << " segments");

    const Verdict alone = purgatory::verify_segments(*info, one_lane);
    two_lane_calls = {};
    const Verdict paired = purgatory::verify_segments(*info, two_lanes);
    CHECK(paired.status == alone.status);
    CHECK(paired.failed_segment == alone.failed_segment);
    CHECK(paired.computed == alone.computed);
    CHECK(paired.bytes_hashed == alone.bytes_hashed);
    CHECK((alone.engine_flags & PURGATORY_DIGEST_TWO_LANES) == 0);
    // Two lanes are used exactly where a pair has a whole block in common, and for all of it.
    CHECK(two_lane_calls.blocks == expected_blocks);
    CHECK(((paired.engine_flags & PURGATORY_DIGEST_TWO_LANES) != 0) == (expected_blocks != 0));
    CHECK(alone.failed_segment == sealed.first_bad());
  }
}

#if defined(__x86_64__)
// The x86_64 purgatory's own pairing with its own two-lane engine (sha256/x86_64-sha-ni), natively:
// QEMU's TCG has no SHA-NI, so the boot tests cannot run this path.
TEST_CASE("With the SHA-NI engine, as the x86_64 purgatory runs it, each segment gets the portable core's verdict",
          "[verify][each-segment][sha-ni]") {
  REQUIRE(purgatory::sha256_engine::cpu_has_it());  // the test machine has SHA-NI
  const purgatory::DigestEngine sha_ni{.id = PURGATORY_DIGEST_ENGINE_X86_SHA_NI,
                                       .blocks = purgatory::sha256_engine::blocks,
                                       .two_lanes = purgatory::sha256_engine::two_lanes};
  std::mt19937_64 random(Catch::rngSeed());
  for (int round = 0; round < 100; ++round) {
    Sealed sealed = random_each_segment(random, static_cast<unsigned>(round), 20000);
    // Flip a bit in up to two segments' bytes: the engine computes what is compared.
    std::uniform_int_distribution<std::size_t> segment_of(0, sealed.segments.size());  // size: none
    for (int damage = 0; damage < 2; ++damage) {
      if (const std::size_t i = segment_of(random); i < sealed.segments.size() && !sealed.segments[i].empty()) {
        flip_bit(sealed.segments[i], random() % (8 * sealed.segments[i].size()));
      }
    }
    INFO("round " << round << ", " << sealed.segments.size() << " segments");
    const Verdict portable = purgatory::verify_segments(*sealed.info, one_lane);
    const Verdict hardware = purgatory::verify_segments(*sealed.info, sha_ni);
    CHECK(hardware.status == portable.status);
    CHECK(hardware.failed_segment == sealed.first_bad());
    CHECK(hardware.computed == portable.computed);
    CHECK(hardware.bytes_hashed == portable.bytes_hashed);
    CHECK(hardware.engine == PURGATORY_DIGEST_ENGINE_X86_SHA_NI);
  }
}
#endif

TEST_CASE("Without the flag two lanes are never used, and the all-segments digest decides", "[verify][each-segment]") {
  Sealed sealed;
  two_lane_calls = {};
  const Verdict verdict = purgatory::verify_segments(*sealed.info, two_lanes);
  CHECK(verdict.status == PURGATORY_STATUS_VERIFIED);
  CHECK(verdict.computed == digest_of(sealed.concatenation()));
  CHECK(two_lane_calls.calls == 0);
  CHECK((verdict.engine_flags & PURGATORY_DIGEST_TWO_LANES) == 0);
}
