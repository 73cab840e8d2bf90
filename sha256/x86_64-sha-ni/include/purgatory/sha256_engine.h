/* SPDX-License-Identifier: MIT */
// The x86_64 SHA-256 engine: the SHA extensions (SHA-NI). sha256rnds2 does two rounds, sha256msg1/msg2
// the message schedule (Intel, "New Instructions Supporting the Secure Hash Algorithm on Intel
// Architecture Processors", 2013). Header-only, so the purgatory and the host library (on an x86_64
// host) compile the same code; only these functions use SSE registers (a per-function target), the rest
// of the purgatory stays free of them. The caller checks cpu_has_it() and, in the purgatory, enables
// SSE first (CR4.OSFXSR, arch/x86_64/arch.cc).
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

// Four rounds of each lane: sha256rnds2 takes the state as ABEF and CDGH and two message+constant
// words at a time. Each lane's pair comes together (lane-major): on this project's AMD EPYC two chains
// of sha256rnds2 issued that way run at 1.8x one, issued alternately (both lanes' first halves, then
// both second halves) at 1.5x, and the two-lane loop gains 4 % (docs/performance.md).
struct Lane {
  __m128i abef, cdgh;
};

template <int Lanes>
[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline void four_rounds(Lane (&lanes)[Lanes], const __m128i (&words)[Lanes],
                                                                            const std::uint32_t* constants) {
  const __m128i k = _mm_loadu_si128(reinterpret_cast<const __m128i*>(constants));
#pragma GCC unroll 2
  for (int lane = 0; lane < Lanes; ++lane) {
    const __m128i sum = _mm_add_epi32(words[lane], k);
    lanes[lane].cdgh = _mm_sha256rnds2_epu32(lanes[lane].cdgh, lanes[lane].abef, sum);
    lanes[lane].abef = _mm_sha256rnds2_epu32(lanes[lane].abef, lanes[lane].cdgh, _mm_shuffle_epi32(sum, 0x0e));
  }
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

[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline Lane load_lane(const std::uint32_t* state) {
  const __m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)), 0xb1);
  const __m128i hgfe = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4)), 0x1b);
  return {_mm_alignr_epi8(dcba, hgfe, 8), _mm_blend_epi16(hgfe, dcba, 0xf0)};
}

[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline void store_lane(const Lane& lane, std::uint32_t* state) {
  const __m128i feba = _mm_shuffle_epi32(lane.abef, 0x1b);
  const __m128i dchg = _mm_shuffle_epi32(lane.cdgh, 0xb1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(feba, dchg, 0xf0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), _mm_alignr_epi8(dchg, feba, 8));
}

// `blocks` blocks into each of `Lanes` independent hashes, their rounds interleaved four at a time:
// each sha256rnds2 waits for the one before in its own hash only, so a second hash fills the cycles
// one hash leaves idle (on this project's reference CPU a chain of them runs at half the unit's rate).
template <int Lanes>
[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline void hash_lanes(Lane (&lanes)[Lanes],
                                                                         const std::uint8_t* (&data)[Lanes],
                                                                         std::size_t blocks) {
  const std::uint32_t* k = sha256_detail::round_constants;
  for (; blocks != 0; --blocks) {
    Lane before[Lanes];
    __m128i w[4][Lanes];  // w[i][lane]: four message words of each lane
#pragma GCC unroll 2
    for (int lane = 0; lane < Lanes; ++lane) {
      // One block ahead is not enough to hide memory latency on large buffers: ask for 1 KiB ahead.
      _mm_prefetch(reinterpret_cast<const char*>(data[lane]) + 1024, _MM_HINT_T0);
      before[lane] = lanes[lane];
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) w[i][lane] = load_words(data[lane], i);
    }
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) four_rounds(lanes, w[i], k + 4 * i);
    for (int t = 16; t < 64; t += 16) {
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {  // w[i] holds words t+4i-16.. and becomes t+4i..t+4i+3
#pragma GCC unroll 2
        for (int lane = 0; lane < Lanes; ++lane) {
          w[i][lane] = next_words(w[i][lane], w[(i + 1) % 4][lane], w[(i + 2) % 4][lane], w[(i + 3) % 4][lane]);
        }
        four_rounds(lanes, w[i], k + t + 4 * i);
      }
    }
#pragma GCC unroll 2
    for (int lane = 0; lane < Lanes; ++lane) {
      lanes[lane].abef = _mm_add_epi32(lanes[lane].abef, before[lane].abef);
      lanes[lane].cdgh = _mm_add_epi32(lanes[lane].cdgh, before[lane].cdgh);
      data[lane] += sha256_block_size;
    }
  }
}

}  // namespace sha_ni_detail

// Hashes `blocks` 64-byte blocks into state[0..7] (a..h), as sha256_detail::compress does.
// A Sha256BlockFunction (it needs no context).
[[gnu::target("sha,sse4.1")]] inline void blocks(const void*, std::uint32_t* state, const std::uint8_t* data,
                                                std::size_t count) {
  using namespace sha_ni_detail;
  Lane lanes[1] = {load_lane(state)};
  const std::uint8_t* lane_data[1] = {data};
  hash_lanes(lanes, lane_data, count);
  store_lane(lanes[0], state);
}

// Two independent hashes at once, `blocks` blocks each: what blocks() does to each, in little more than
// the time it takes for one. A Sha256TwoLaneFunction.
[[gnu::target("sha,sse4.1")]] inline void two_lanes(std::uint32_t* state_a, const std::uint8_t* data_a,
                                                   std::uint32_t* state_b, const std::uint8_t* data_b,
                                                   std::size_t blocks) {
  using namespace sha_ni_detail;
  Lane lanes[2] = {load_lane(state_a), load_lane(state_b)};
  const std::uint8_t* lane_data[2] = {data_a, data_b};
  hash_lanes(lanes, lane_data, blocks);
  store_lane(lanes[0], state_a);
  store_lane(lanes[1], state_b);
}

}  // namespace purgatory::sha256_engine
