// SPDX-License-Identifier: MIT
// Incremental hashing must not depend on how a message is split: every split point around the block
// and padding boundaries, and random messages of random lengths in random pieces.
#include <cstdint>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <purgatory/sha256.h>

#include "nist_vectors.h"

using purgatory::Sha256;
using purgatory::sha256;
using purgatory::test::to_hex;

namespace {

std::vector<std::uint8_t> random_bytes(std::size_t size, std::mt19937_64& random) {
  std::vector<std::uint8_t> bytes(size);
  for (auto& byte : bytes) byte = static_cast<std::uint8_t>(random());
  return bytes;
}

}  // namespace

TEST_CASE("Every two-piece split of messages around block boundaries", "[sha256][split]") {
  std::mt19937_64 random(Catch::rngSeed());
  // 55/56: the length field still fits / no longer fits in the last block; 63/64/65: block edges.
  for (std::size_t length : {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 191, 192, 193}) {
    const auto message = random_bytes(length, random);
    const auto expected = to_hex(sha256(message.data(), message.size()));
    for (std::size_t split = 0; split <= length; ++split) {
      Sha256 hasher;
      hasher.update(message.data(), split);
      hasher.update(message.data() + split, length - split);
      INFO("length " << length << ", split at " << split);
      REQUIRE(to_hex(hasher.finish()) == expected);
    }
  }
}

TEST_CASE("Random messages up to 24 KiB in random pieces", "[sha256][split]") {
  std::mt19937_64 random(Catch::rngSeed());
  std::uniform_int_distribution<std::size_t> length_of(0, 24 * 1024);
  for (int round = 0; round < 200; ++round) {
    const auto message = random_bytes(length_of(random), random);
    const auto expected = to_hex(sha256(message.data(), message.size()));
    Sha256 hasher;
    std::size_t offset = 0;
    while (offset < message.size()) {
      std::uniform_int_distribution<std::size_t> piece_of(0, message.size() - offset);
      const std::size_t piece = piece_of(random);
      hasher.update(message.data() + offset, piece);
      offset += piece;
    }
    INFO("message length " << message.size());
    REQUIRE(to_hex(hasher.finish()) == expected);
  }
}

// sha256_portable_blocks is the core behind a function pointer (arm64's cache window runs it): the same
// digests as the inline core, whatever the split.
TEST_CASE("The portable core as a block function gives the same digests", "[sha256][split]") {
  std::mt19937_64 random(Catch::rngSeed());
  for (int round = 0; round < 50; ++round) {
    const auto message = random_bytes(random() % 5000, random);
    Sha256 through_pointer(purgatory::sha256_portable_blocks);
    const std::size_t split = message.empty() ? 0 : random() % message.size();
    through_pointer.update(message.data(), split);
    through_pointer.update(message.data() + split, message.size() - split);
    INFO("length " << message.size() << ", split at " << split);
    REQUIRE(to_hex(through_pointer.finish()) == to_hex(sha256(message.data(), message.size())));
  }
}
