/* SPDX-License-Identifier: MIT */
// Deterministic test bytes for the runtime's host tests: a linear congruential sequence per seed, so a
// buffer and its expected digest can be rebuilt anywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

using Buffer = std::vector<std::uint8_t>;

inline Buffer pattern(std::size_t size, unsigned seed) {
  Buffer bytes(size);
  std::uint32_t state = seed * 2654435761u + 1;
  for (auto& byte : bytes) {
    state = state * 1664525u + 1013904223u;
    byte = static_cast<std::uint8_t>(state >> 24);
  }
  return bytes;
}
