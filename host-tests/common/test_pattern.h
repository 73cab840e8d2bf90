/* SPDX-License-Identifier: MIT */
// Deterministic test bytes for the host tests: a linear congruential sequence per seed, so a buffer and
// its expected digest can be rebuilt anywhere. Bytes as the test needs them (std::uint8_t or std::byte).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

using Buffer = std::vector<std::uint8_t>;

template <class Byte = std::uint8_t>
std::vector<Byte> pattern(std::size_t size, unsigned seed) {
  std::vector<Byte> bytes(size);
  std::uint32_t state = seed * 2654435761u + 1;
  for (auto& byte : bytes) {
    state = state * 1664525u + 1013904223u;
    byte = static_cast<Byte>(state >> 24);
  }
  return bytes;
}
