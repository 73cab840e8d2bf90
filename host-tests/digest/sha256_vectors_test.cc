// SPDX-License-Identifier: MIT
// The digest core against NIST's CAVP vectors (SHA256ShortMsg, SHA256LongMsg, SHA256Monte).
#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <purgatory/sha256.h>

#include "nist_vectors.h"

using purgatory::Sha256;
using purgatory::Sha256Digest;
using purgatory::sha256;
using namespace purgatory::test;

namespace {

// Hashes `message` fed in pieces cut at random points.
Sha256Digest sha256_in_random_pieces(const std::vector<std::uint8_t>& message, std::mt19937_64& random) {
  Sha256 hasher;
  std::size_t offset = 0;
  while (offset < message.size()) {
    std::uniform_int_distribution<std::size_t> piece(0, std::min<std::size_t>(message.size() - offset, 200));
    const std::size_t size = piece(random);
    hasher.update(message.data() + offset, size);
    offset += size;
  }
  return hasher.finish();
}

}  // namespace

TEST_CASE("SHA256ShortMsg: every message of 0 to 64 bytes", "[sha256][nist]") {
  const auto vectors = read_message_vectors("SHA256ShortMsg.rsp");
  REQUIRE(vectors.size() == 65);
  std::mt19937_64 random(Catch::rngSeed());
  for (const auto& vector : vectors) {
    INFO("Len = " << vector.bit_length);
    CHECK(to_hex(sha256(vector.message.data(), vector.message.size())) == to_hex(vector.digest));
    CHECK(to_hex(sha256_in_random_pieces(vector.message, random)) == to_hex(vector.digest));
  }
}

TEST_CASE("SHA256LongMsg: messages up to 6.4 KB", "[sha256][nist]") {
  const auto vectors = read_message_vectors("SHA256LongMsg.rsp");
  REQUIRE(vectors.size() == 64);
  std::mt19937_64 random(Catch::rngSeed());
  for (const auto& vector : vectors) {
    INFO("Len = " << vector.bit_length);
    CHECK(to_hex(sha256(vector.message.data(), vector.message.size())) == to_hex(vector.digest));
    CHECK(to_hex(sha256_in_random_pieces(vector.message, random)) == to_hex(vector.digest));
  }
}

TEST_CASE("SHA256Monte: the Monte Carlo procedure of the SHAVS", "[sha256][nist]") {
  // For j in 0..99: M0 = M1 = M2 = Seed; Mi = SHA256(M(i-3) || M(i-2) || M(i-1)) for i in 3..1002;
  // checkpoint j is M1002, which is also the next seed.
  const auto vectors = read_monte_carlo_vectors("SHA256Monte.rsp");
  REQUIRE(vectors.checkpoints.size() == 100);
  Sha256Digest seed = vectors.seed;
  for (std::size_t j = 0; j < vectors.checkpoints.size(); ++j) {
    Sha256Digest older = seed, old = seed, current = seed;
    for (int i = 3; i < 1003; ++i) {
      Sha256 hasher;
      hasher.update(older.data(), older.size());
      hasher.update(old.data(), old.size());
      hasher.update(current.data(), current.size());
      older = old;
      old = current;
      current = hasher.finish();
    }
    INFO("COUNT = " << j);
    REQUIRE(to_hex(current) == to_hex(vectors.checkpoints[j]));
    seed = current;
  }
}
