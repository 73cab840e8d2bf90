// SPDX-License-Identifier: MIT
// The digest core at compile time: every check here is a static_assert (STATIC_REQUIRE), so a wrong
// digest fails the build, and the test run reports that the checks exist.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <catch2/catch.hpp>

#include <purgatory/sha256.h>

#include "nist_vectors.h"

namespace {

using purgatory::Sha256;
using purgatory::sha256;
using purgatory::test::digest_from_hex;

constexpr auto sha256_of(std::string_view text) { return sha256(text.data(), text.size()); }

// FIPS 180-4 example messages (NIST "Examples with Intermediate Values", SHA-256).
constexpr std::string_view one_block = "abc";
constexpr std::string_view two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr std::string_view long_two_blocks =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrst"
    "nopqrstu";

// A generated 1 KiB message: byte i is (7 i + 3) mod 256. Its digest was computed with Python's hashlib;
// the OpenSSL test (sha256_openssl_test.cc) recomputes it with libcrypto.
constexpr std::array<std::uint8_t, 1024> generated_kib = [] {
  std::array<std::uint8_t, 1024> message{};
  for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return message;
}();

}  // namespace

// Shared with the OpenSSL test, which checks this constant against libcrypto.
extern const purgatory::Sha256Digest generated_kib_digest;
constexpr purgatory::Sha256Digest generated_kib_expected =
    digest_from_hex("e9183d9a79aad8a047b8e67981210d50b01fc75b1edba5bc32ba3d3ec4d5056d");
const purgatory::Sha256Digest generated_kib_digest = generated_kib_expected;
std::span<const std::uint8_t> generated_kib_message() { return generated_kib; }

TEST_CASE("FIPS 180-4 examples hash correctly at compile time", "[sha256][constexpr]") {
  STATIC_REQUIRE(sha256_of("") == digest_from_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  STATIC_REQUIRE(sha256_of(one_block) ==
                 digest_from_hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  STATIC_REQUIRE(sha256_of(two_blocks) ==
                 digest_from_hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
  STATIC_REQUIRE(sha256_of(long_two_blocks) ==
                 digest_from_hex("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
}

TEST_CASE("A generated 1 KiB message hashes correctly at compile time", "[sha256][constexpr]") {
  STATIC_REQUIRE(sha256(std::span(generated_kib)) == generated_kib_expected);
}

TEST_CASE("Incremental updates agree with one-shot at compile time", "[sha256][constexpr]") {
  constexpr auto in_pieces = [] {
    Sha256 hasher;
    const std::span message(generated_kib);
    // Uneven pieces crossing block boundaries, including an empty one.
    hasher.update(message.subspan(0, 1));
    hasher.update(message.subspan(1, 0));
    hasher.update(message.subspan(1, 62));
    hasher.update(message.subspan(63, 130));
    hasher.update(message.subspan(193));
    return hasher.finish();
  }();
  STATIC_REQUIRE(in_pieces == generated_kib_expected);
}

TEST_CASE("Every byte type gives the same digest", "[sha256][constexpr]") {
  constexpr auto as_bytes = [] {
    std::array<std::byte, 3> abc{std::byte{'a'}, std::byte{'b'}, std::byte{'c'}};
    return sha256(std::span(abc));
  }();
  constexpr auto as_unsigned = [] {
    std::array<unsigned char, 3> abc{'a', 'b', 'c'};
    return sha256(abc.data(), abc.size());
  }();
  constexpr auto as_char8 = sha256(u8"abc", 3);
  STATIC_REQUIRE(as_bytes == sha256_of(one_block));
  STATIC_REQUIRE(as_unsigned == sha256_of(one_block));
  STATIC_REQUIRE(as_char8 == sha256_of(one_block));
}

// The constant evaluator has a form of its own (sha256_detail::compress_in_constant_evaluation); these
// two tests hold it to the run-time form of the same build, which is the fast form in digest-tests and
// the compact one in digest-tests-compact.
TEST_CASE("The constant evaluator's form, run at run time, agrees with the run-time form", "[sha256][constexpr]") {
  // Blocks chained from one state to the next, so that a wrong word of the state shows in the next block.
  std::array<std::uint32_t, 8> by_evaluator_form = purgatory::sha256_detail::initial_state;
  std::array<std::uint32_t, 8> by_run_time_form = purgatory::sha256_detail::initial_state;
  for (std::size_t blocks = 0; blocks <= generated_kib.size() / purgatory::sha256_block_size; ++blocks) {
    purgatory::sha256_detail::compress_in_constant_evaluation(by_evaluator_form.data(), generated_kib.data(), blocks);
    purgatory::sha256_detail::compress(by_run_time_form, generated_kib.data(), blocks);
    REQUIRE(by_evaluator_form == by_run_time_form);
  }
}

TEST_CASE("Every length from 0 to 300 bytes hashes alike at compile time and at run time", "[sha256][constexpr]") {
  // 300 bytes: every padding case (the length field in the last block or in one more) several times over.
  constexpr std::size_t longest = 300;
  constexpr auto at_compile_time = [] {
    std::array<purgatory::Sha256Digest, longest + 1> digests{};
    for (std::size_t size = 0; size <= longest; ++size) digests[size] = sha256(generated_kib.data(), size);
    return digests;
  }();
  for (std::size_t size = 0; size <= longest; ++size) {
    INFO("size " << size);
    REQUIRE(sha256(generated_kib.data(), size) == at_compile_time[size]);
  }
}

TEST_CASE("reset() starts a new message", "[sha256][constexpr]") {
  constexpr auto after_reset = [] {
    Sha256 hasher;
    hasher.update("something else", 14);
    hasher.reset();
    hasher.update(one_block.data(), one_block.size());
    return hasher.finish();
  }();
  STATIC_REQUIRE(after_reset == sha256_of(one_block));
}
