// SPDX-License-Identifier: MIT
// A 64 KiB message hashed in a static_assert, the size at which the constant evaluator's default limits
// used to stop a user (clang's -fconstexpr-steps, GCC's -fconstexpr-ops-limit). The tests compile this
// file alone with clang 16, clang 14 and GCC 12 at their defaults (CMakeLists.txt), so the build fails if
// the core's constant-evaluation path gets dearer. scripts/constexpr-steps compiles it for 1, 16 and
// 64 KiB to find how many steps each needs.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <purgatory/sha256.h>

#include "nist_vectors.h"

#ifndef PURGATORY_CONSTEXPR_TEST_KIB
#define PURGATORY_CONSTEXPR_TEST_KIB 64
#endif

namespace {

constexpr std::size_t message_size = std::size_t{PURGATORY_CONSTEXPR_TEST_KIB} * 1024;

// Byte i is (7 i + 3) mod 256, as in sha256_constexpr_test.cc. Eight bytes per step, so that making the
// message costs the evaluator fewer steps than hashing it and the step count scripts/constexpr-steps
// finds is the digest's.
constexpr auto message = [] {
  std::array<std::uint8_t, message_size> bytes{};
  std::uint8_t* byte = bytes.data();
  for (std::size_t i = 0; i < message_size; i += 8) {
    for (std::size_t j = i; j < i + 8; ++j) byte[j] = static_cast<std::uint8_t>(j * 7 + 3);
  }
  return bytes;
}();

// The pattern's digests, from Python's hashlib and from
//   python3 -c 'import sys; sys.stdout.buffer.write(bytes((7*i+3)%256 for i in range(N)))' | sha256sum
constexpr std::string_view expected_hex = message_size == 1024    ? "e9183d9a79aad8a047b8e67981210d50b01fc75b1edba5bc32ba3d3ec4d5056d"
                                          : message_size == 16384 ? "ab571d12466f75ae481bdbbbfec70a0c53bf78e2849862addfa9a049d8f6fbc0"
                                          : message_size == 65536 ? "510b126e1d4ced49107fe4ab03ee54cb1c8e4caf6064e1dd29c48d4a3e74c38b"
                                                                  : "no digest known for this size";

}  // namespace

#ifndef PURGATORY_CONSTEXPR_TEST_MESSAGE_ONLY
static_assert(purgatory::sha256(std::span(message)) == purgatory::test::digest_from_hex(expected_hex));
#endif
