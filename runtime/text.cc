// SPDX-License-Identifier: MIT
#include <purgatory/text.h>

namespace purgatory {
namespace {

char hex_digit(std::uint64_t value) {
  const unsigned nibble = static_cast<unsigned>(value & 0xf);
  return static_cast<char>(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}

}  // namespace

Text& Text::operator<<(std::string_view text) {
  for (char c : text) append(c);
  return *this;
}

Text& Text::operator<<(char c) {
  append(c);
  return *this;
}

Text& Text::operator<<(Hex hex) {
  *this << "0x";
  int shift = 60;
  while (shift > 0 && ((hex.value >> shift) & 0xf) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) append(hex_digit(hex.value >> shift));
  return *this;
}

Text& Text::operator<<(Decimal decimal) {
  char reversed[20];
  int count = 0;
  do {
    reversed[count++] = static_cast<char>('0' + decimal.value % 10);
    decimal.value /= 10;
  } while (decimal.value != 0);
  while (count > 0) append(reversed[--count]);
  return *this;
}

Text& Text::operator<<(HexBytes hex) {
  for (std::uint8_t byte : hex.bytes) {
    append(hex_digit(byte >> 4));
    append(hex_digit(byte));
  }
  return *this;
}

}  // namespace purgatory
