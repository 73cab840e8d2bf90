/* SPDX-License-Identifier: MIT */
// The x86_64 SHA-256 engine for CPUs without the SHA extensions (Intel before Ice Lake, such as the
// Skylake and Cascade Lake Xeons still in service): the message schedule four words at a time in SSE
// registers, the rounds in general registers with BMI2's rorx and BMI1's andn, as Intel's published
// implementations do ("Fast SHA-256 Implementations on Intel Architecture Processors", 2012). Each
// loop step computes the schedule words of rounds 16 ahead while it runs eight rounds, so the vector
// work runs beside the rounds' dependency chain instead of before it (that order alone is worth 1.5x);
// the rounds need no register copies for their rotations and take constant plus word in one memory
// operand. 36 instructions per byte against the images' portable core's 49-52, and twice its speed
// (docs/performance.md).
//
// Header-only, so the purgatory and the host library (on an x86_64 host) compile the same code; only
// these functions use SSE registers (a per-function target). The caller checks cpu_has_it() and, in the
// purgatory, enables SSE first (CR4.OSFXSR, arch/x86_64/arch.cc). Eight rounds per loop step with the
// variables' roles rotated by argument order, as the portable core's compact form: 1.5 KiB of code.
#pragma once

#include <cpuid.h>
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <purgatory/sha256.h>

namespace purgatory::sha256_vector_schedule {

constexpr std::string_view name() { return "ssse3+bmi2"; }

// CPUID leaf 1 ECX bit 9 (SSSE3: pshufb, palignr); leaf 7 EBX bits 3 and 8 (BMI1: andn; BMI2: rorx).
inline bool cpu_has_it() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(1, 0, eax, ebx, ecx, edx);
  const bool ssse3 = (ecx >> 9) & 1;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  return ssse3 && ((ebx >> 3) & 1) && ((ebx >> 8) & 1);
}

namespace detail {

#define PURGATORY_VECTOR_SCHEDULE_TARGET gnu::target("ssse3,bmi,bmi2")

// sigma1 of the two words in the low halves of `pairs`' 64-bit lanes, each word in both halves of its
// lane: shifting a lane right then rotates the word in its low half (no SSE instruction rotates).
// Returns sigma1 in the low half of each lane.
[[PURGATORY_VECTOR_SCHEDULE_TARGET, gnu::always_inline]] inline __m128i small_sigma1_of_pairs(__m128i pairs) {
  return _mm_xor_si128(_mm_xor_si128(_mm_srli_epi64(pairs, 17), _mm_srli_epi64(pairs, 19)),
                       _mm_srli_epi32(pairs, 10));
}

// Message words t..t+3 from words t-16..t-1, four to a vector (FIPS 180-4 6.2.2): sigma0 of four words
// at once; sigma1 two at a time, since words t+2 and t+3 need sigma1 of words t and t+1.
[[PURGATORY_VECTOR_SCHEDULE_TARGET, gnu::always_inline]] inline __m128i next_words(__m128i w16, __m128i w12,
                                                                                   __m128i w8, __m128i w4) {
  const __m128i w15 = _mm_alignr_epi8(w12, w16, 4);  // words t-15..t-12
  const __m128i w7 = _mm_alignr_epi8(w4, w8, 4);     // words t-7..t-4
  const __m128i sigma0 = _mm_xor_si128(
      _mm_xor_si128(_mm_xor_si128(_mm_srli_epi32(w15, 7), _mm_slli_epi32(w15, 25)),
                    _mm_xor_si128(_mm_srli_epi32(w15, 18), _mm_slli_epi32(w15, 14))),
      _mm_srli_epi32(w15, 3));
  const __m128i partial = _mm_add_epi32(_mm_add_epi32(w16, w7), sigma0);
  // Low dwords of the 64-bit lanes to dwords 0, 1 (then 2, 3); the other bytes zero.
  const __m128i to_low = _mm_set_epi64x(-1, 0x0b0a090803020100LL);
  const __m128i to_high = _mm_set_epi64x(0x0b0a090803020100LL, -1);
  const __m128i low = _mm_add_epi32(
      partial, _mm_shuffle_epi8(small_sigma1_of_pairs(_mm_shuffle_epi32(w4, 0xfa)), to_low));  // t, t+1
  return _mm_add_epi32(low, _mm_shuffle_epi8(small_sigma1_of_pairs(_mm_shuffle_epi32(low, 0x50)), to_high));
}

// One round, as sha256_detail::round but with each big sigma as three independent rotations: with
// rorx they need no copies, and the three run side by side instead of one after another.
[[PURGATORY_VECTOR_SCHEDULE_TARGET, gnu::always_inline]] inline void round(std::uint32_t a, std::uint32_t b,
                                                                           std::uint32_t c, std::uint32_t& d,
                                                                           std::uint32_t e, std::uint32_t f,
                                                                           std::uint32_t g, std::uint32_t& h,
                                                                           std::uint32_t constant_plus_word) {
  const std::uint32_t t1 = h + (std::rotr(e, 6) ^ std::rotr(e, 11) ^ std::rotr(e, 25)) +
                           sha256_detail::choose(e, f, g) + constant_plus_word;
  d += t1;
  h = t1 + (std::rotr(a, 2) ^ std::rotr(a, 13) ^ std::rotr(a, 22)) + sha256_detail::majority(a, b, c);
}

}  // namespace detail

// Hashes `blocks` 64-byte blocks into state[0..7] (a..h), as sha256_detail::compress does. A
// Sha256BlockFunction (it needs no context).
[[PURGATORY_VECTOR_SCHEDULE_TARGET]] inline void blocks(const void*, std::uint32_t* state, const std::uint8_t* data,
                                                        std::size_t count) {
  using detail::round;
  const std::uint32_t* k = sha256_detail::round_constants;
  const __m128i big_endian_words = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
  alignas(16) std::uint32_t words_plus_constants[64];
  for (; count != 0; --count, data += sha256_block_size) {
    __m128i w[4];
    for (int i = 0; i < 4; ++i) {
      w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i)), big_endian_words);
      _mm_store_si128(reinterpret_cast<__m128i*>(words_plus_constants + 4 * i),
                      _mm_add_epi32(w[i], _mm_loadu_si128(reinterpret_cast<const __m128i*>(k + 4 * i))));
    }
    for (int t = 0; t < 64; t += 8) {
      if (t < 48) {  // words t+16..t+23, ready long before their rounds: the CPU runs both side by side
        for (int i = 0; i < 2; ++i) {
          const __m128i next = detail::next_words(w[0], w[1], w[2], w[3]);
          _mm_store_si128(reinterpret_cast<__m128i*>(words_plus_constants + t + 16 + 4 * i),
                          _mm_add_epi32(next, _mm_loadu_si128(reinterpret_cast<const __m128i*>(k + t + 16 + 4 * i))));
          w[0] = w[1], w[1] = w[2], w[2] = w[3], w[3] = next;
        }
      }
      round(a, b, c, d, e, f, g, h, words_plus_constants[t]);
      round(h, a, b, c, d, e, f, g, words_plus_constants[t + 1]);
      round(g, h, a, b, c, d, e, f, words_plus_constants[t + 2]);
      round(f, g, h, a, b, c, d, e, words_plus_constants[t + 3]);
      round(e, f, g, h, a, b, c, d, words_plus_constants[t + 4]);
      round(d, e, f, g, h, a, b, c, words_plus_constants[t + 5]);
      round(c, d, e, f, g, h, a, b, words_plus_constants[t + 6]);
      round(b, c, d, e, f, g, h, a, words_plus_constants[t + 7]);
    }
    a = state[0] += a, b = state[1] += b, c = state[2] += c, d = state[3] += d;
    e = state[4] += e, f = state[5] += f, g = state[6] += g, h = state[7] += h;
  }
}

#undef PURGATORY_VECTOR_SCHEDULE_TARGET

}  // namespace purgatory::sha256_vector_schedule
