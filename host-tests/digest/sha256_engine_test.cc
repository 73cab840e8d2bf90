// SPDX-License-Identifier: MIT
// The host's hardware SHA-256 engine (the same block function the purgatory uses on this arch) against
// the portable core, the oracle: random messages of random lengths in random pieces.
#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include <catch2/catch.hpp>

#include <purgatory/host/sha256_engine.h>
#include <purgatory/sha256.h>

#include "nist_vectors.h"

#if defined(__x86_64__)
#include <purgatory/sha256_vector_schedule.h>
#endif

using purgatory::Sha256;
using purgatory::test::to_hex;

TEST_CASE("This machine's SHA-256 engine is the hardware one", "[sha256][engine]") {
  // The CI machine's CPU has SHA-256 instructions; a portable fallback here would hide that the
  // hardware path stopped being chosen.
  INFO("engine: " << purgatory::host::host_sha256_engine_name());
  REQUIRE(purgatory::host::host_sha256_blocks() != nullptr);
}

namespace {

// Random messages of random lengths in random pieces through `blocks`, against the portable core.
void check_against_portable_core(purgatory::Sha256BlockFunction blocks) {
  std::mt19937_64 random(Catch::rngSeed());
  std::uniform_int_distribution<std::size_t> length_of(0, 70 * 1024);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::uint8_t> message(length_of(random));
    for (auto& byte : message) byte = static_cast<std::uint8_t>(random());
    Sha256 engine(blocks);
    std::size_t offset = 0;
    while (offset < message.size()) {
      std::uniform_int_distribution<std::size_t> piece_of(1, message.size() - offset);
      const std::size_t piece = piece_of(random);
      engine.update(message.data() + offset, piece);
      offset += piece;
    }
    INFO("message length " << message.size());
    REQUIRE(to_hex(engine.finish()) == to_hex(purgatory::sha256(message.data(), message.size())));
  }
}

void check_long_message_vectors(purgatory::Sha256BlockFunction blocks) {
  for (const auto& vector : purgatory::test::read_message_vectors("SHA256LongMsg.rsp")) {
    Sha256 engine(blocks);
    engine.update(vector.message.data(), vector.message.size());
    INFO("Len = " << vector.bit_length);
    CHECK(to_hex(engine.finish()) == to_hex(vector.digest));
  }
}

}  // namespace

TEST_CASE("The hardware engine agrees with the portable core", "[sha256][engine]") {
  const auto blocks = purgatory::host::host_sha256_blocks();
  REQUIRE(blocks != nullptr);
  check_against_portable_core(blocks);
}

TEST_CASE("The hardware engine passes SHA256LongMsg", "[sha256][engine][nist]") {
  const auto blocks = purgatory::host::host_sha256_blocks();
  REQUIRE(blocks != nullptr);
  check_long_message_vectors(blocks);
}

#if defined(__x86_64__)
// The x86_64 engine for CPUs without SHA-NI, which the purgatory and the host pick there: tested here
// on whatever x86_64 CPU runs the tests (SSSE3 and BMI2 are on every x86_64 server CPU since 2013, the
// CI machine's included), whichever engine the host would choose itself.
TEST_CASE("The SSSE3+BMI2 engine agrees with the portable core", "[sha256][engine]") {
  REQUIRE(purgatory::sha256_vector_schedule::cpu_has_it());
  check_against_portable_core(purgatory::sha256_vector_schedule::blocks);
}

TEST_CASE("The SSSE3+BMI2 engine passes SHA256LongMsg", "[sha256][engine][nist]") {
  REQUIRE(purgatory::sha256_vector_schedule::cpu_has_it());
  check_long_message_vectors(purgatory::sha256_vector_schedule::blocks);
}
#endif

TEST_CASE("The two-lane engine hashes two messages as the portable core hashes each", "[sha256][engine]") {
  const auto two_lanes = purgatory::host::host_sha256_two_lanes();
#if !defined(__x86_64__)
  // Only SHA-NI has a two-lane form.
  CHECK(two_lanes == nullptr);
  return;
#endif
  REQUIRE(two_lanes != nullptr);
  std::mt19937_64 random(Catch::rngSeed());
  std::uniform_int_distribution<std::size_t> length_of(0, 20 * 1024);
  for (int round = 0; round < 300; ++round) {
    // Segments start anywhere: each message at its own offset from a 16-byte boundary.
    std::vector<std::uint8_t> storage[2];
    std::span<const std::uint8_t> messages[2];
    for (int lane = 0; lane < 2; ++lane) {
      const std::size_t offset = random() % 16;
      storage[lane].resize(offset + length_of(random));
      for (auto& byte : storage[lane]) byte = static_cast<std::uint8_t>(random());
      messages[lane] = std::span(storage[lane]).subspan(offset);
    }
    // As the purgatory pairs segments: whole blocks of both together, then each finishes alone.
    const std::size_t together = std::min(messages[0].size(), messages[1].size()) / 64 * 64;
    Sha256 hashers[2] = {Sha256(purgatory::host::host_sha256_blocks()), Sha256(purgatory::host::host_sha256_blocks())};
    update_side_by_side(hashers[0], messages[0].data(), hashers[1], messages[1].data(), together / 64, two_lanes);
    INFO("message lengths " << messages[0].size() << " and " << messages[1].size());
    for (int lane = 0; lane < 2; ++lane) {
      hashers[lane].update(messages[lane].data() + together, messages[lane].size() - together);
      REQUIRE(to_hex(hashers[lane].finish()) == to_hex(purgatory::sha256(messages[lane].data(), messages[lane].size())));
    }
  }
}
