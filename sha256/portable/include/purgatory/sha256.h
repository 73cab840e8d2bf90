/* SPDX-License-Identifier: MIT */
// SHA-256 (FIPS 180-4), usable at compile time, on the host and inside a purgatory.
//
// One header for every context: it depends only on freestanding headers, has no global state and no
// address constants, so it compiles unchanged into the relocation-free purgatory image, the host tests,
// the cross-arch tests and the host library. Everything is constexpr, so `static_assert` can check a
// digest while the same code runs at full speed at run time.
//
// Speed: whole 64-byte blocks are hashed straight from the caller's memory (no copy into the buffer),
// the eight working variables are plain locals that the compiler keeps in registers, and the 64 rounds
// are written out so no index arithmetic rotates them. Only a partial block at either end of an update
// goes through the buffer.
//
// Size: defining PURGATORY_SHA256_SMALL selects a compact form (the schedule in a loop of its own, then
// eight rounds per loop step): 1.0-1.4 KiB of code at -Os depending on the arch, against about 9 KB for
// the rounds written out, for 49.4 instructions per byte under callgrind against 46.1 (Linux's generic
// C: about 51). Purgatory images are built with it (cmake/PurgatoryFlags.cmake); it is their path on
// CPUs without SHA-256 instructions, which many servers still are, so it must not be slower than the
// code a purgatory replaces. Host code gets the fast form. Both forms pass the same tests
// (host-tests/digest).
//
// Compile time: in a constant expression a third form runs, written for the constant evaluator (few
// statements and no calls per round, see compress_in_constant_evaluation), so that a static_assert can
// hash 64 KiB within clang's and GCC's default limits; the tests compare it with the run-time forms.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

namespace purgatory {

inline constexpr std::size_t sha256_digest_size = 32;
inline constexpr std::size_t sha256_block_size = 64;

using Sha256Digest = std::array<std::uint8_t, sha256_digest_size>;

// The byte types a message may be given in: string literals, raw memory and std::byte buffers alike.
template <class T>
concept ByteLike = std::is_same_v<std::remove_cv_t<T>, char> ||
                   std::is_same_v<std::remove_cv_t<T>, unsigned char> ||
                   std::is_same_v<std::remove_cv_t<T>, signed char> ||
                   std::is_same_v<std::remove_cv_t<T>, char8_t> ||
                   std::is_same_v<std::remove_cv_t<T>, std::byte>;

namespace sha256_detail {

// FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
// 64 primes. Plain integers: a table of these costs no relocation.
inline constexpr std::uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// FIPS 180-4 section 5.3.3: the initial hash value.
inline constexpr std::array<std::uint32_t, 8> initial_state = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

// Assembled from single bytes, so the result is the same on little- and big-endian machines; compilers
// turn the pattern into one load (plus a byte swap on little-endian) where alignment rules allow.
template <ByteLike Byte>
[[gnu::always_inline]] constexpr std::uint32_t load_be32(const Byte* p) {
  return std::uint32_t{static_cast<std::uint8_t>(p[0])} << 24 |
         std::uint32_t{static_cast<std::uint8_t>(p[1])} << 16 |
         std::uint32_t{static_cast<std::uint8_t>(p[2])} << 8 | std::uint32_t{static_cast<std::uint8_t>(p[3])};
}

[[gnu::always_inline]] constexpr void store_be32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

// FIPS 180-4 section 4.1.2. The big sigmas are nested (rotr(a ^ rotr(b)) = rotr(a) ^ rotr(rotr(b))) so that
// they need one scratch register instead of three. Ch and Maj are in reduced forms; Maj's (b ^ c) equals
// the previous round's (a ^ b), which the compiler reuses.
[[gnu::always_inline]] constexpr std::uint32_t big_sigma0(std::uint32_t x) {  // rotr 2 ^ rotr 13 ^ rotr 22
  return std::rotr(std::rotr(std::rotr(x, 9) ^ x, 11) ^ x, 2);
}
[[gnu::always_inline]] constexpr std::uint32_t big_sigma1(std::uint32_t x) {  // rotr 6 ^ rotr 11 ^ rotr 25
  return std::rotr(std::rotr(std::rotr(x, 14) ^ x, 5) ^ x, 6);
}
[[gnu::always_inline]] constexpr std::uint32_t small_sigma0(std::uint32_t x) {
  return std::rotr(x, 7) ^ std::rotr(x, 18) ^ (x >> 3);
}
[[gnu::always_inline]] constexpr std::uint32_t small_sigma1(std::uint32_t x) {
  return std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10);
}
[[gnu::always_inline]] constexpr std::uint32_t choose(std::uint32_t e, std::uint32_t f, std::uint32_t g) {
  return g ^ (e & (f ^ g));
}
[[gnu::always_inline]] constexpr std::uint32_t majority(std::uint32_t a, std::uint32_t b, std::uint32_t c) {
  return b ^ ((a ^ b) & (b ^ c));
}

// One round. The caller rotates the roles of the eight variables instead of moving values, so the
// only writes are to `d` and `h`.
[[gnu::always_inline]] constexpr void round(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t& d,
                                            std::uint32_t e, std::uint32_t f, std::uint32_t g, std::uint32_t& h,
                                            std::uint32_t constant_plus_word) {
  const std::uint32_t t1 = h + big_sigma1(e) + choose(e, f, g) + constant_plus_word;
  d += t1;
  h = t1 + big_sigma0(a) + majority(a, b, c);
}

// Schedule word `I` of a group of sixteen rounds (FIPS 180-4 section 6.2.2, step 1), kept in a rolling
// window of sixteen: the first group reads the message words, later groups replace each word just before
// its round, so the expansion interleaves with the rounds and needs no loop of its own.
template <bool Expand, int I>
[[gnu::always_inline]] constexpr std::uint32_t schedule_word(std::uint32_t (&w)[16]) {
  if constexpr (Expand) {
    w[I] += small_sigma1(w[(I + 14) & 15]) + w[(I + 9) & 15] + small_sigma0(w[(I + 1) & 15]);
  }
  return w[I];
}

template <bool Expand>
[[gnu::always_inline]] constexpr void sixteen_rounds(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c,
                                                     std::uint32_t& d, std::uint32_t& e, std::uint32_t& f,
                                                     std::uint32_t& g, std::uint32_t& h, const std::uint32_t* k,
                                                     std::uint32_t (&w)[16]) {
  round(a, b, c, d, e, f, g, h, k[0] + schedule_word<Expand, 0>(w));
  round(h, a, b, c, d, e, f, g, k[1] + schedule_word<Expand, 1>(w));
  round(g, h, a, b, c, d, e, f, k[2] + schedule_word<Expand, 2>(w));
  round(f, g, h, a, b, c, d, e, k[3] + schedule_word<Expand, 3>(w));
  round(e, f, g, h, a, b, c, d, k[4] + schedule_word<Expand, 4>(w));
  round(d, e, f, g, h, a, b, c, k[5] + schedule_word<Expand, 5>(w));
  round(c, d, e, f, g, h, a, b, k[6] + schedule_word<Expand, 6>(w));
  round(b, c, d, e, f, g, h, a, k[7] + schedule_word<Expand, 7>(w));
  round(a, b, c, d, e, f, g, h, k[8] + schedule_word<Expand, 8>(w));
  round(h, a, b, c, d, e, f, g, k[9] + schedule_word<Expand, 9>(w));
  round(g, h, a, b, c, d, e, f, k[10] + schedule_word<Expand, 10>(w));
  round(f, g, h, a, b, c, d, e, k[11] + schedule_word<Expand, 11>(w));
  round(e, f, g, h, a, b, c, d, k[12] + schedule_word<Expand, 12>(w));
  round(d, e, f, g, h, a, b, c, k[13] + schedule_word<Expand, 13>(w));
  round(c, d, e, f, g, h, a, b, k[14] + schedule_word<Expand, 14>(w));
  round(b, c, d, e, f, g, h, a, k[15] + schedule_word<Expand, 15>(w));
}

// The form for the constant evaluator: the same algorithm as the run-time forms below, and the tests
// hold it to them (host-tests/digest). A constant evaluator interprets the code as written, without
// inlining or folding, and counts what it does against a limit (clang's -fconstexpr-steps charges every
// statement, so a call costs its body's statements; GCC's -fconstexpr-ops-limit counts operations). So a
// round here is one expression statement with the rotations written out, the schedule a loop of its own
// with one statement per word, and no function is called per round or word: about 265 clang steps per
// block against 6,600 for the run-time forms, whose small inline functions and std::rotr cost nothing
// once compiled. Every local is declared once, outside the loops: clang keeps a record of each local
// a loop body declares, every iteration, for as long as the call lasts, and looking them up made 64 KiB
// take 1.7 times as long.
template <ByteLike Byte>
constexpr void compress_in_constant_evaluation(std::uint32_t* state, const Byte* data, std::size_t blocks) {
  std::uint32_t w[64] = {};
  std::uint32_t a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0, x = 0, y = 0, t1 = 0, t2 = 0;
  int t = 0;
  for (; blocks != 0; --blocks, data += sha256_block_size) {
    for (t = 0; t < 16; ++t) {
      w[t] = std::uint32_t{static_cast<std::uint8_t>(data[4 * t])} << 24 |
             std::uint32_t{static_cast<std::uint8_t>(data[4 * t + 1])} << 16 |
             std::uint32_t{static_cast<std::uint8_t>(data[4 * t + 2])} << 8 |
             std::uint32_t{static_cast<std::uint8_t>(data[4 * t + 3])};
    }
    for (; t < 64; ++t) {
      x = w[t - 2], y = w[t - 15],
      w[t] = ((x >> 17 | x << 15) ^ (x >> 19 | x << 13) ^ (x >> 10)) + w[t - 7] +
             ((y >> 7 | y << 25) ^ (y >> 18 | y << 14) ^ (y >> 3)) + w[t - 16];
    }
    a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
    for (t = 0; t < 64; ++t) {
      t1 = h + ((e >> 6 | e << 26) ^ (e >> 11 | e << 21) ^ (e >> 25 | e << 7)) + (g ^ (e & (f ^ g))) +
           round_constants[t] + w[t],
      t2 = ((a >> 2 | a << 30) ^ (a >> 13 | a << 19) ^ (a >> 22 | a << 10)) + (b ^ ((a ^ b) & (b ^ c))),
      h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    state[0] += a, state[1] += b, state[2] += c, state[3] += d, state[4] += e, state[5] += f, state[6] += g,
        state[7] += h;
  }
}

// Hashes `blocks` whole 64-byte blocks starting at `data` into `state`.
template <ByteLike Byte>
constexpr void compress(std::array<std::uint32_t, 8>& state, const Byte* data, std::size_t blocks) {
  if (std::is_constant_evaluated()) return compress_in_constant_evaluation(state.data(), data, blocks);
  std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
  for (; blocks != 0; --blocks, data += sha256_block_size) {
#if defined(PURGATORY_SHA256_SMALL)
    // Purgatory images: the whole schedule first, in a loop of its own, then eight rounds per loop step
    // with the roles of the variables rotated by the order of the arguments, as in the form below: a
    // round moves no values, and eight rounds are an eighth of the code of 64. Linux's generic C
    // (lib/crypto/sha256.c) has the same shape.
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i) w[i] = load_be32(data + 4 * i);
    for (int i = 16; i < 64; ++i) w[i] = small_sigma1(w[i - 2]) + w[i - 7] + small_sigma0(w[i - 15]) + w[i - 16];
    for (int t = 0; t < 64; t += 8) {
      round(a, b, c, d, e, f, g, h, round_constants[t] + w[t]);
      round(h, a, b, c, d, e, f, g, round_constants[t + 1] + w[t + 1]);
      round(g, h, a, b, c, d, e, f, round_constants[t + 2] + w[t + 2]);
      round(f, g, h, a, b, c, d, e, round_constants[t + 3] + w[t + 3]);
      round(e, f, g, h, a, b, c, d, round_constants[t + 4] + w[t + 4]);
      round(d, e, f, g, h, a, b, c, round_constants[t + 5] + w[t + 5]);
      round(c, d, e, f, g, h, a, b, round_constants[t + 6] + w[t + 6]);
      round(b, c, d, e, f, g, h, a, round_constants[t + 7] + w[t + 7]);
    }
#else
    std::uint32_t w[16];
    for (int i = 0; i < 16; ++i) w[i] = load_be32(data + 4 * i);
    sixteen_rounds<false>(a, b, c, d, e, f, g, h, round_constants, w);
    sixteen_rounds<true>(a, b, c, d, e, f, g, h, round_constants + 16, w);
    sixteen_rounds<true>(a, b, c, d, e, f, g, h, round_constants + 32, w);
    sixteen_rounds<true>(a, b, c, d, e, f, g, h, round_constants + 48, w);
#endif
    a = state[0] += a;
    b = state[1] += b;
    c = state[2] += c;
    d = state[3] += d;
    e = state[4] += e;
    f = state[5] += f;
    g = state[6] += g;
    h = state[7] += h;
  }
}

}  // namespace sha256_detail

// An engine's block function: hashes `blocks` whole 64-byte blocks into state[0..7] (a..h), exactly as
// sha256_detail::compress does. `context` is whatever the engine was given along with the function
// (the arm64 cache window's tables, say), so that no engine keeps its context in a global. Each CPU's
// engine is <purgatory/sha256_engine.h> in sha256/<cpu>/.
using Sha256BlockFunction = void (*)(const void* context, std::uint32_t* state, const std::uint8_t* data,
                                     std::size_t blocks);

// A two-lane engine: `blocks` whole blocks into each of two independent hashes at once, each exactly
// as a Sha256BlockFunction would (x86 SHA-NI fills the cycles one hash's dependency chain leaves idle).
using Sha256TwoLaneFunction = void (*)(std::uint32_t* state_a, const std::uint8_t* data_a, std::uint32_t* state_b,
                                       const std::uint8_t* data_b, std::size_t blocks);

// The portable core as a Sha256BlockFunction, for code that needs every engine by address (arm64 runs
// whichever engine it chose inside its cache window).
inline void sha256_portable_blocks(const void*, std::uint32_t* state, const std::uint8_t* data, std::size_t blocks) {
  std::array<std::uint32_t, 8> working;
  for (std::size_t i = 0; i < working.size(); ++i) working[i] = state[i];
  sha256_detail::compress(working, data, blocks);
  for (std::size_t i = 0; i < working.size(); ++i) state[i] = working[i];
}

// Incremental SHA-256: any number of update() calls with spans of any length, then finish().
// finish() leaves the object in an unspecified state; reset() makes it reusable.
class Sha256 {
 public:
  constexpr Sha256() = default;
  // At run time whole blocks go to `blocks` (a hardware engine), with `context`, instead of the
  // portable core; in a constant expression the portable core always runs. Null means the portable core.
  constexpr explicit Sha256(Sha256BlockFunction blocks, const void* context = nullptr)
      : block_function_(blocks), context_(context) {}

  constexpr void reset() { *this = Sha256{block_function_, context_}; }

  template <ByteLike Byte>
  constexpr void update(const Byte* data, std::size_t size) {
    total_bytes_ += size;
    if (buffered_ != 0) {
      const std::size_t take = size < sha256_block_size - buffered_ ? size : sha256_block_size - buffered_;
      append_to_buffer(data, take);
      data += take;
      size -= take;
      if (buffered_ < sha256_block_size) return;
      compress(buffer_.data(), 1);
      buffered_ = 0;
    }
    const std::size_t whole_blocks = size / sha256_block_size;
    compress(data, whole_blocks);
    data += whole_blocks * sha256_block_size;
    append_to_buffer(data, size % sha256_block_size);
  }

  template <ByteLike Byte, std::size_t Extent>
  constexpr void update(std::span<Byte, Extent> data) {
    update(data.data(), data.size());
  }

  // Whole blocks into two hashes at once through a two-lane engine, `blocks` from each of data_a and
  // data_b. Both hashes must be at a block boundary (everything they were given so far a multiple of
  // 64 bytes), as they are when each starts at the beginning of its message. Run time only.
  friend void update_side_by_side(Sha256& a, const std::uint8_t* data_a, Sha256& b, const std::uint8_t* data_b,
                                  std::size_t blocks, Sha256TwoLaneFunction two_lanes) {
    two_lanes(a.state_.data(), data_a, b.state_.data(), data_b, blocks);
    a.total_bytes_ += blocks * sha256_block_size;
    b.total_bytes_ += blocks * sha256_block_size;
  }

  // FIPS 180-4 section 5.1.1: a one bit, zeros to 56 mod 64 bytes, then the bit length big-endian.
  constexpr Sha256Digest finish() {
    const std::uint64_t bit_length = total_bytes_ * 8;
    buffer_[buffered_++] = 0x80;
    if (buffered_ > sha256_block_size - 8) {
      fill_buffer_with_zeros(sha256_block_size);
      compress(buffer_.data(), 1);
      buffered_ = 0;
    }
    fill_buffer_with_zeros(sha256_block_size - 8);
    sha256_detail::store_be32(buffer_.data() + 56, static_cast<std::uint32_t>(bit_length >> 32));
    sha256_detail::store_be32(buffer_.data() + 60, static_cast<std::uint32_t>(bit_length));
    compress(buffer_.data(), 1);

    Sha256Digest digest{};
    for (std::size_t i = 0; i < state_.size(); ++i) sha256_detail::store_be32(digest.data() + 4 * i, state_[i]);
    return digest;
  }

 private:
  // Not inlined: update() and finish() call it four times between them, and every inlined copy of the
  // engine dispatch costs image bytes; one call per update() is nothing next to hashing a block.
  template <ByteLike Byte>
  [[gnu::noinline]] constexpr void compress(const Byte* data, std::size_t blocks) {
    if (!std::is_constant_evaluated() && block_function_ != nullptr) {
      if (blocks != 0) block_function_(context_, state_.data(), reinterpret_cast<const std::uint8_t*>(data), blocks);
    } else {
      sha256_detail::compress(state_, data, blocks);
    }
  }

  // At most one partial block per update; a byte loop here is not on the hot path.
  template <ByteLike Byte>
  constexpr void append_to_buffer(const Byte* data, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) buffer_[buffered_ + i] = static_cast<std::uint8_t>(data[i]);
    buffered_ += size;
  }

  constexpr void fill_buffer_with_zeros(std::size_t end) {
    for (; buffered_ < end; ++buffered_) buffer_[buffered_] = 0;
  }

  std::array<std::uint32_t, 8> state_ = sha256_detail::initial_state;
  std::array<std::uint8_t, sha256_block_size> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
  Sha256BlockFunction block_function_ = nullptr;
  const void* context_ = nullptr;
};

// One-shot digest of a contiguous message.
template <ByteLike Byte>
constexpr Sha256Digest sha256(const Byte* data, std::size_t size) {
  Sha256 hasher;
  hasher.update(data, size);
  return hasher.finish();
}

template <ByteLike Byte, std::size_t Extent>
constexpr Sha256Digest sha256(std::span<Byte, Extent> data) {
  return sha256(data.data(), data.size());
}

}  // namespace purgatory
