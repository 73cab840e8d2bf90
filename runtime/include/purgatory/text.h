/* SPDX-License-Identifier: MIT */
// Building one line of console text without a C library: a fixed buffer and a few ways to append.
// Output that does not fit is cut off, never written past the buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace purgatory {

struct Hex {  // 0x-prefixed, lower case, no leading zeros
  std::uint64_t value;
};
struct Decimal {
  std::uint64_t value;
};
struct HexBytes {  // two digits per byte, no prefix: how digests are shown
  std::span<const std::uint8_t> bytes;
};

// Out of line (text.cc): every console line goes through these, and inlined copies at each call
// would multiply the image size.
class Text {
 public:
  static constexpr std::size_t capacity = 160;

  Text& operator<<(std::string_view text);
  Text& operator<<(char c);
  Text& operator<<(Hex hex);
  Text& operator<<(Decimal decimal);
  Text& operator<<(HexBytes hex);
  // String literals: the length is known at compile time. Through the string_view overload each one
  // would cost a strlen call, which a freestanding build does not fold. (Only for literals: a char
  // array with a shorter string in it goes through std::string_view explicitly.)
  template <std::size_t N>
  [[gnu::always_inline]] Text& operator<<(const char (&literal)[N]) {
    return *this << std::string_view(literal, N - 1);
  }

  std::string_view view() const { return {buffer_, size_}; }

 private:
  void append(char c) {
    if (size_ < capacity) buffer_[size_++] = c;
  }

  char buffer_[capacity];
  std::size_t size_ = 0;
};

}  // namespace purgatory
