/* SPDX-License-Identifier: MIT */
// Reading NIST CAVP SHA-256 response files (.rsp) and hex strings, for the digest tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <purgatory/sha256.h>

namespace purgatory::test {

struct MessageVector {
  std::size_t bit_length = 0;
  std::vector<std::uint8_t> message;
  Sha256Digest digest{};
};

struct MonteCarloVectors {
  Sha256Digest seed{};
  std::vector<Sha256Digest> checkpoints;  // MD for COUNT = 0, 1, ...
};

// SHA256ShortMsg.rsp / SHA256LongMsg.rsp: "Len = ", "Msg = ", "MD = " records.
std::vector<MessageVector> read_message_vectors(const std::string& file_name);
// SHA256Monte.rsp: "Seed = ", then "COUNT = " / "MD = " records.
MonteCarloVectors read_monte_carlo_vectors(const std::string& file_name);

std::vector<std::uint8_t> bytes_from_hex(std::string_view hex);
std::string to_hex(const Sha256Digest& digest);

// At compile time too, for static_assert and STATIC_REQUIRE.
constexpr Sha256Digest digest_from_hex(std::string_view hex) {
  auto nibble = [](char c) -> std::uint8_t {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
    throw "not a hex digit";  // in a constant expression: a compile error
  };
  if (hex.size() != 2 * sha256_digest_size) throw "a SHA-256 digest is 64 hex digits";
  Sha256Digest digest{};
  for (std::size_t i = 0; i < digest.size(); ++i) {
    digest[i] = static_cast<std::uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  }
  return digest;
}

}  // namespace purgatory::test
