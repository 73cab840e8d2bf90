/* SPDX-License-Identifier: MIT */
// Bounds-checked reads of fixed-width integers in a chosen byte order, for parsing images built for
// another machine: an x86_64 host reading a big-endian ppc64 image is the normal case.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace purgatory::host {

enum class ByteOrder : std::uint8_t { little, big };

class ByteReader {
 public:
  ByteReader(std::span<const std::byte> bytes, ByteOrder order) : bytes_(bytes), order_(order) {}

  std::size_t size() const { return bytes_.size(); }
  ByteOrder order() const { return order_; }

  // True if [offset, offset + length) lies inside the bytes, without overflowing.
  bool contains(std::uint64_t offset, std::uint64_t length) const {
    return offset <= bytes_.size() && length <= bytes_.size() - offset;
  }

  // An unsigned integer of `width` bytes (1 to 8), zero-extended.
  std::optional<std::uint64_t> unsigned_int(std::uint64_t offset, unsigned width) const {
    if (width == 0 || width > 8 || !contains(offset, width)) return std::nullopt;
    std::uint64_t value = 0;
    for (unsigned i = 0; i < width; ++i) {
      const unsigned index = order_ == ByteOrder::big ? i : width - 1 - i;
      value = value << 8 | std::to_integer<std::uint64_t>(bytes_[offset + index]);
    }
    return value;
  }

  std::optional<std::uint8_t> u8(std::uint64_t offset) const { return narrow<std::uint8_t>(read(offset, 1)); }
  std::optional<std::uint16_t> u16(std::uint64_t offset) const { return narrow<std::uint16_t>(read(offset, 2)); }
  std::optional<std::uint32_t> u32(std::uint64_t offset) const { return narrow<std::uint32_t>(read(offset, 4)); }
  std::optional<std::uint64_t> u64(std::uint64_t offset) const { return read(offset, 8); }

 private:
  template <class T>
  static std::optional<T> narrow(std::optional<std::uint64_t> value) {
    if (!value) return std::nullopt;
    return static_cast<T>(*value);
  }

  std::optional<std::uint64_t> read(std::uint64_t offset, unsigned width) const {
    return unsigned_int(offset, width);
  }

  std::span<const std::byte> bytes_;
  ByteOrder order_;
};

}  // namespace purgatory::host
