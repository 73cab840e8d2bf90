// SHA-256 with the x86 SHA extensions (SHA-NI): sha256rnds2 does two rounds, sha256msg1/msg2 the
// message schedule (Intel, "New Instructions Supporting the Secure Hash Algorithm on Intel
// Architecture Processors", 2013). Header-only, so the purgatory and the host library (on an x86_64
// host) compile the same code; only this function uses SSE registers (a per-function target), the rest
// of the purgatory stays free of them. The caller checks cpu_has_sha_ni() and, in the purgatory, enables
// SSE first (CR4.OSFXSR).
#pragma once

#include <cpuid.h>
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include <purgatory/sha256.h>

namespace purgatory::arch {

// CPUID.(EAX=7,ECX=0):EBX bit 29 (SHA), with SSSE3 (leaf 1 ECX bit 9) and SSE4.1 (bit 19) for the
// byte shuffles and blends around it.
inline bool cpu_has_sha_ni() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(1, 0, eax, ebx, ecx, edx);
  const bool ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  return ssse3 && sse41 && ((ebx >> 29) & 1);
}

namespace sha_ni_detail {

// Four rounds: sha256rnds2 takes the state as ABEF and CDGH and two message+constant words at a time.
[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline void four_rounds(__m128i& abef, __m128i& cdgh, __m128i words,
                                                                            const std::uint32_t* constants) {
  const __m128i sum = _mm_add_epi32(words, _mm_loadu_si128(reinterpret_cast<const __m128i*>(constants)));
  cdgh = _mm_sha256rnds2_epu32(cdgh, abef, sum);
  abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(sum, 0x0e));
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

}  // namespace sha_ni_detail

// Hashes `blocks` 64-byte blocks into state[0..7] (a..h), as sha256_detail::compress does.
[[gnu::target("sha,sse4.1")]] inline void sha256_blocks_sha_ni(std::uint32_t* state, const std::uint8_t* data,
                                                              std::size_t blocks) {
  using namespace sha_ni_detail;
  const std::uint32_t* k = sha256_detail::round_constants;

  // a..h in memory order to the ABEF / CDGH pair the instructions work on.
  const __m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)), 0xb1);
  const __m128i hgfe = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4)), 0x1b);
  __m128i abef = _mm_alignr_epi8(dcba, hgfe, 8);
  __m128i cdgh = _mm_blend_epi16(hgfe, dcba, 0xf0);

  for (; blocks != 0; --blocks, data += sha256_block_size) {
    // One block ahead is not enough to hide memory latency on large buffers: ask for 1 KiB ahead.
    _mm_prefetch(reinterpret_cast<const char*>(data) + 1024, _MM_HINT_T0);
    const __m128i abef_before = abef, cdgh_before = cdgh;
    __m128i w0 = load_words(data, 0), w1 = load_words(data, 1), w2 = load_words(data, 2), w3 = load_words(data, 3);
    four_rounds(abef, cdgh, w0, k + 0);
    four_rounds(abef, cdgh, w1, k + 4);
    four_rounds(abef, cdgh, w2, k + 8);
    four_rounds(abef, cdgh, w3, k + 12);
    for (int t = 16; t < 64; t += 16) {
      w0 = next_words(w0, w1, w2, w3);
      four_rounds(abef, cdgh, w0, k + t);
      w1 = next_words(w1, w2, w3, w0);
      four_rounds(abef, cdgh, w1, k + t + 4);
      w2 = next_words(w2, w3, w0, w1);
      four_rounds(abef, cdgh, w2, k + t + 8);
      w3 = next_words(w3, w0, w1, w2);
      four_rounds(abef, cdgh, w3, k + t + 12);
    }
    abef = _mm_add_epi32(abef, abef_before);
    cdgh = _mm_add_epi32(cdgh, cdgh_before);
  }

  // Back to a..h.
  const __m128i feba = _mm_shuffle_epi32(abef, 0x1b);
  const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(feba, dchg, 0xf0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), _mm_alignr_epi8(dchg, feba, 8));
}

}  // namespace purgatory::arch
