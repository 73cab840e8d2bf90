// The host's hardware SHA-256 engine (the same block function the purgatory uses on this arch) against
// the portable core, the oracle: random messages of random lengths in random pieces.
#include <cstdint>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <purgatory/host/sha256_engine.h>
#include <purgatory/sha256.h>

#include "nist_vectors.h"

using purgatory::Sha256;
using purgatory::test::to_hex;

TEST_CASE("This machine's SHA-256 engine is the hardware one", "[sha256][engine]") {
  // The CI machine's CPU has SHA-256 instructions; a portable fallback here would hide that the
  // hardware path stopped being chosen.
  INFO("engine: " << purgatory::host::host_sha256_engine_name());
  REQUIRE(purgatory::host::host_sha256_blocks() != nullptr);
}

TEST_CASE("The hardware engine agrees with the portable core", "[sha256][engine]") {
  const auto blocks = purgatory::host::host_sha256_blocks();
  REQUIRE(blocks != nullptr);
  std::mt19937_64 random(Catch::rngSeed());
  std::uniform_int_distribution<std::size_t> length_of(0, 70 * 1024);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::uint8_t> message(length_of(random));
    for (auto& byte : message) byte = static_cast<std::uint8_t>(random());
    Sha256 hardware(blocks);
    std::size_t offset = 0;
    while (offset < message.size()) {
      std::uniform_int_distribution<std::size_t> piece_of(1, message.size() - offset);
      const std::size_t piece = piece_of(random);
      hardware.update(message.data() + offset, piece);
      offset += piece;
    }
    INFO("message length " << message.size());
    REQUIRE(to_hex(hardware.finish()) == to_hex(purgatory::sha256(message.data(), message.size())));
  }
}

TEST_CASE("The hardware engine passes SHA256LongMsg", "[sha256][engine][nist]") {
  const auto blocks = purgatory::host::host_sha256_blocks();
  REQUIRE(blocks != nullptr);
  for (const auto& vector : purgatory::test::read_message_vectors("SHA256LongMsg.rsp")) {
    Sha256 hardware(blocks);
    hardware.update(vector.message.data(), vector.message.size());
    INFO("Len = " << vector.bit_length);
    CHECK(to_hex(hardware.finish()) == to_hex(vector.digest));
  }
}
