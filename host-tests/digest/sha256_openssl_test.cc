// SPDX-License-Identifier: MIT
// The digest core against OpenSSL's libcrypto, an independent implementation: random messages of
// random lengths (0 to 20 KiB and more) fed in random pieces. Native builds only (libcrypto is the
// host's).
#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <purgatory/sha256.h>

#include "nist_vectors.h"

using purgatory::Sha256;
using purgatory::Sha256Digest;
using purgatory::test::to_hex;

extern const Sha256Digest generated_kib_digest;
std::span<const std::uint8_t> generated_kib_message();

namespace {

Sha256Digest openssl_sha256(const std::uint8_t* data, std::size_t size) {
  Sha256Digest digest{};
  unsigned int length = 0;
  REQUIRE(EVP_Digest(data, size, digest.data(), &length, EVP_sha256(), nullptr) == 1);
  REQUIRE(length == digest.size());
  return digest;
}

}  // namespace

TEST_CASE("Random messages in random pieces match OpenSSL", "[sha256][openssl]") {
  std::mt19937_64 random(Catch::rngSeed());
  std::uniform_int_distribution<std::size_t> length_of(0, 20 * 1024 + 512);
  for (int round = 0; round < 500; ++round) {
    std::vector<std::uint8_t> message(length_of(random));
    for (auto& byte : message) byte = static_cast<std::uint8_t>(random());

    Sha256 hasher;
    std::size_t offset = 0;
    while (offset < message.size()) {
      std::uniform_int_distribution<std::size_t> piece_of(1, message.size() - offset);
      const std::size_t piece = piece_of(random);
      hasher.update(message.data() + offset, piece);
      offset += piece;
    }
    INFO("message length " << message.size());
    REQUIRE(to_hex(hasher.finish()) == to_hex(openssl_sha256(message.data(), message.size())));
  }
}

TEST_CASE("The compile-time test's 1 KiB digest is what OpenSSL computes", "[sha256][openssl]") {
  const auto message = generated_kib_message();
  CHECK(to_hex(openssl_sha256(message.data(), message.size())) == to_hex(generated_kib_digest));
}

TEST_CASE("One million 'a' (FIPS 180-4 example) matches OpenSSL and the published digest", "[sha256][openssl]") {
  const std::vector<std::uint8_t> message(1000000, 'a');
  const auto ours = purgatory::sha256(message.data(), message.size());
  CHECK(to_hex(ours) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(to_hex(ours) == to_hex(openssl_sha256(message.data(), message.size())));
}
