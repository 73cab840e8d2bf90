/* SPDX-License-Identifier: MIT */
// The x86_64 SHA-256 engine: the SHA extensions (SHA-NI). sha256rnds2 does two rounds, sha256msg1/msg2
// the message schedule (Intel, "New Instructions Supporting the Secure Hash Algorithm on Intel
// Architecture Processors", 2013). One lane here, so the purgatory and the host library (on an x86_64
// host) compile the same code; only these functions use SSE registers (a per-function target), the rest
// of the purgatory stays free of them. Two lanes in sha256_engine.S beside this header, which both link.
// The caller checks cpu_has_it() and, in the purgatory, enables SSE first (CR4.OSFXSR,
// arch/x86_64/arch.cc).
//
// Every CPU's engine is this header, <purgatory/sha256_engine.h>, in sha256/<cpu>/: name(), blocks()
// and, where the CPU can hash two messages at once, two_lanes().
#pragma once

#include <cpuid.h>
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <purgatory/sha256.h>

// Two lanes, in sha256_engine.S beside this header (the instruction order is what makes them fast).
// Hidden, so the address is formed PC-relative: no GOT entry, no relocation.
extern "C" [[gnu::visibility("hidden")]] void purgatory_sha256_ni_two_lanes(std::uint32_t* state_a,
                                                                           const std::uint8_t* data_a,
                                                                           std::uint32_t* state_b,
                                                                           const std::uint8_t* data_b,
                                                                           std::size_t blocks,
                                                                           const std::uint32_t* constants);

namespace purgatory::sha256_engine {

constexpr std::string_view name() { return "sha-ni"; }

// CPUID.(EAX=7,ECX=0):EBX bit 29 (SHA), with SSSE3 (leaf 1 ECX bit 9) and SSE4.1 (bit 19) for the
// byte shuffles and blends around it. CPUID runs at any privilege: the purgatory and user space alike.
inline bool cpu_has_it() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(1, 0, eax, ebx, ecx, edx);
  const bool ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  return ssse3 && sse41 && ((ebx >> 29) & 1);
}

namespace sha_ni_detail {

// The state in the layout sha256rnds2 takes: ABEF (a in the high word) and CDGH.
struct State {
  __m128i abef, cdgh;
};

// Four rounds: sha256rnds2 does two with the low two message+constant words, so the high pair is
// shuffled down for the second.
[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline void four_rounds(State& state, __m128i words,
                                                                            const std::uint32_t* constants) {
  const __m128i sum = _mm_add_epi32(words, _mm_loadu_si128(reinterpret_cast<const __m128i*>(constants)));
  state.cdgh = _mm_sha256rnds2_epu32(state.cdgh, state.abef, sum);
  state.abef = _mm_sha256rnds2_epu32(state.abef, state.cdgh, _mm_shuffle_epi32(sum, 0x0e));
}

// Message words t..t+3 from words t-16..t-1 (FIPS 180-4 6.2.2, four at a time): msg1 adds sigma0,
// msg2 adds sigma1, and the words t-7..t-4 come from the two newest vectors.
[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline __m128i next_words(__m128i w16, __m128i w12, __m128i w8,
                                                                              __m128i w4) {
  const __m128i partial = _mm_add_epi32(_mm_sha256msg1_epu32(w16, w12), _mm_alignr_epi8(w4, w8, 4));
  return _mm_sha256msg2_epu32(partial, w4);
}

// Message words 4i..4i+3 of a block, as the big-endian numbers they are.
[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline __m128i load_words(const std::uint8_t* block, int i) {
  const __m128i big_endian_words = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  return _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * i)), big_endian_words);
}

[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline State load_state(const std::uint32_t* state) {
  const __m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)), 0xb1);
  const __m128i hgfe = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4)), 0x1b);
  return {_mm_alignr_epi8(dcba, hgfe, 8), _mm_blend_epi16(hgfe, dcba, 0xf0)};
}

[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline void store_state(const State& from, std::uint32_t* state) {
  const __m128i feba = _mm_shuffle_epi32(from.abef, 0x1b);
  const __m128i dchg = _mm_shuffle_epi32(from.cdgh, 0xb1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(feba, dchg, 0xf0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), _mm_alignr_epi8(dchg, feba, 8));
}

}  // namespace sha_ni_detail

// Hashes `count` 64-byte blocks into state[0..7] (a..h), as sha256_detail::compress does.
// A Sha256BlockFunction (it needs no context).
[[gnu::target("sha,sse4.1")]] inline void blocks(const void*, std::uint32_t* state, const std::uint8_t* data,
                                                std::size_t count) {
  using namespace sha_ni_detail;
  const std::uint32_t* k = sha256_detail::round_constants;
  State current = load_state(state);
  for (; count != 0; --count, data += sha256_block_size) {
    // One block ahead is not enough to hide memory latency on large buffers: ask for 1 KiB ahead.
    _mm_prefetch(reinterpret_cast<const char*>(data) + 1024, _MM_HINT_T0);
    const State before = current;
    __m128i w[4];  // w[i]: message words 4i..4i+3, then t+4i..t+4i+3
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) w[i] = load_words(data, i);
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) four_rounds(current, w[i], k + 4 * i);
    for (int t = 16; t < 64; t += 16) {
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {
        w[i] = next_words(w[i], w[(i + 1) % 4], w[(i + 2) % 4], w[(i + 3) % 4]);
        four_rounds(current, w[i], k + t + 4 * i);
      }
    }
    current.abef = _mm_add_epi32(current.abef, before.abef);
    current.cdgh = _mm_add_epi32(current.cdgh, before.cdgh);
  }
  store_state(current, state);
}

// Two independent hashes at once, `blocks` blocks each: what blocks() does to each, in little more than
// the time it takes for one. A Sha256TwoLaneFunction.
inline void two_lanes(std::uint32_t* state_a, const std::uint8_t* data_a, std::uint32_t* state_b,
                      const std::uint8_t* data_b, std::size_t blocks) {
  purgatory_sha256_ni_two_lanes(state_a, data_a, state_b, data_b, blocks, sha256_detail::round_constants);
}

}  // namespace purgatory::sha256_engine
