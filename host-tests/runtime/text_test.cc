// SPDX-License-Identifier: MIT
// The runtime's one-line formatter: each way to append, and cutting off at Text::capacity.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include <purgatory/text.h>

using purgatory::Decimal;
using purgatory::Hex;
using purgatory::HexBytes;
using purgatory::Text;

namespace {

template <class T>
std::string format(const T& value) {
  Text text;
  text << value;
  return std::string(text.view());
}

// A Text followed by bytes that must stay untouched, however much is appended.
struct Guarded {
  Text text;
  std::array<unsigned char, 64> guard;
  Guarded() { guard.fill(0x5a); }
  bool guard_intact() const {
    for (auto byte : guard) {
      if (byte != 0x5a) return false;
    }
    return true;
  }
};

}  // namespace

TEST_CASE("Hex is 0x-prefixed lower case without leading zeros", "[text]") {
  CHECK(format(Hex{0}) == "0x0");
  CHECK(format(Hex{1}) == "0x1");
  CHECK(format(Hex{0x10}) == "0x10");
  CHECK(format(Hex{0xdeadbeef}) == "0xdeadbeef");
  CHECK(format(Hex{0x100000000}) == "0x100000000");
  CHECK(format(Hex{0xf000000000000000}) == "0xf000000000000000");
  CHECK(format(Hex{0x0123456789abcdef}) == "0x123456789abcdef");
  CHECK(format(Hex{UINT64_MAX}) == "0xffffffffffffffff");
}

TEST_CASE("Decimal has no leading zeros and reaches 20 digits", "[text]") {
  CHECK(format(Decimal{0}) == "0");
  CHECK(format(Decimal{9}) == "9");
  CHECK(format(Decimal{10}) == "10");
  CHECK(format(Decimal{1234567890}) == "1234567890");
  CHECK(format(Decimal{10000000000000000000u}) == "10000000000000000000");
  CHECK(format(Decimal{UINT64_MAX}) == "18446744073709551615");
}

TEST_CASE("HexBytes shows two lower-case digits per byte, no prefix", "[text]") {
  const std::uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff, 0x10};
  CHECK(format(HexBytes{bytes}) == "000fa5ff10");
  CHECK(format(HexBytes{std::span<const std::uint8_t>(bytes, 1)}) == "00");
  CHECK(format(HexBytes{{}}) == "");
}

TEST_CASE("Characters and strings append in order", "[text]") {
  Text text;
  CHECK(text.view().empty());
  text << "status: " << 'V' << ' ' << Decimal{2} << std::string_view("ab\0c", 4) << Hex{0xa} << '\n';
  CHECK(text.view() == std::string_view("status: V 2ab\0c0xa\n", 19));
}

TEST_CASE("Text cuts off at its capacity and never writes past it", "[text]") {
  Guarded guarded;
  Text& text = guarded.text;
  std::string expected;

  SECTION("one long string") {
    expected = std::string(Text::capacity + 40, 'x');
    text << expected;
  }
  SECTION("one character at a time") {
    for (std::size_t i = 0; i < Text::capacity + 10; ++i) {
      const char c = static_cast<char>('a' + i % 26);
      text << c;
      expected += c;
    }
  }
  SECTION("a hex number straddling the end") {
    expected = std::string(Text::capacity - 3, '.');
    text << expected << Hex{0xdeadbeef};
    expected += "0xdeadbeef";
  }
  SECTION("decimal numbers straddling the end") {
    for (int i = 0; i < 9; ++i) {
      text << Decimal{UINT64_MAX};
      expected += "18446744073709551615";
    }
  }
  SECTION("digests straddling the end") {
    std::vector<std::uint8_t> bytes(100);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
    text << HexBytes{bytes};
    for (auto byte : bytes) {
      static constexpr char digits[] = "0123456789abcdef";
      expected += digits[byte >> 4];
      expected += digits[byte & 0xf];
    }
  }
  REQUIRE(expected.size() > Text::capacity);
  CHECK(text.view().size() == Text::capacity);
  CHECK(text.view() == std::string_view(expected).substr(0, Text::capacity));
  CHECK(guarded.guard_intact());

  // Once full, more is ignored.
  text << "more" << 'c' << Hex{1} << Decimal{1};
  CHECK(text.view().size() == Text::capacity);
  CHECK(guarded.guard_intact());
}

TEST_CASE("Text holds exactly capacity characters", "[text]") {
  Text text;
  text << std::string(Text::capacity - 1, 'y') << 'z';
  CHECK(text.view().size() == Text::capacity);
  CHECK(text.view().back() == 'z');
}
