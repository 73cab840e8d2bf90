// SPDX-License-Identifier: MIT
#include "image_builder.h"

#include <cstddef>
#include <stdexcept>

namespace purgatory::test {
namespace {

bool fits(std::size_t size, std::uint64_t offset, std::uint64_t length) {
  return offset <= size && length <= size - offset;
}

}  // namespace

std::uint64_t read_uint(std::span<const std::byte> bytes, std::size_t offset, unsigned width,
                        host::ByteOrder order) {
  if (!fits(bytes.size(), offset, width)) throw std::out_of_range("read_uint past the end");
  std::uint64_t value = 0;
  for (unsigned i = 0; i < width; ++i) {
    const std::size_t at = offset + (order == host::ByteOrder::big ? i : width - 1 - i);
    value = value << 8 | std::to_integer<std::uint64_t>(bytes[at]);
  }
  return value;
}

void write_uint(std::span<std::byte> bytes, std::size_t offset, std::uint64_t value, unsigned width,
                host::ByteOrder order) {
  if (!fits(bytes.size(), offset, width)) throw std::out_of_range("write_uint past the end");
  for (unsigned i = 0; i < width; ++i) {
    const std::size_t at = offset + (order == host::ByteOrder::big ? width - 1 - i : i);
    bytes[at] = static_cast<std::byte>(value >> (8 * i));
  }
}

std::string hex(std::uint64_t value) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string reversed;
  do {
    reversed.push_back(digits[value & 0xf]);
    value >>= 4;
  } while (value != 0);
  return "0x" + std::string(reversed.rbegin(), reversed.rend());
}

ImageBuilder ImageBuilder::valid(const TestArch& arch) {
  ImageBuilder builder;
  builder.arch = arch;
  // The consoles and reset the SDK's own images advertise for the arch (<purgatory/arch/image.h>).
  builder.features |= PURGATORY_FEATURE_RESET;
  if (arch.name == "x86_64") {
    builder.features |= PURGATORY_FEATURE_CONSOLE_8250_PIO | PURGATORY_FEATURE_CONSOLE_8250_MMIO;
  } else if (arch.name == "arm64") {
    builder.features |= PURGATORY_FEATURE_CONSOLE_PL011 | PURGATORY_FEATURE_CONSOLE_8250_MMIO;
  } else {
    builder.features |= PURGATORY_FEATURE_CONSOLE_HVC;
  }
  return builder;
}

std::vector<std::byte> ImageBuilder::build() const {
  std::vector<std::byte> bytes(size);
  // Code: a pattern, so that a test can tell these bytes from zeros and from each other.
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(0x5a ^ (i * 7));

  const auto put = [&](std::uint64_t offset, std::uint64_t value, unsigned width) {
    if (fits(bytes.size(), offset, width)) {
      write_uint(bytes, static_cast<std::size_t>(offset), value, width, arch.order);
    }
  };
  const auto put_text = [&](std::uint64_t offset, const std::string& text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (fits(bytes.size(), offset, i + 1)) bytes[offset + i] = static_cast<std::byte>(text[i]);
    }
  };

  // Header: every byte not written below (reserved0, reserved[]) is zero, as the ABI wants.
  for (std::size_t i = 0; i < PURGATORY_HEADER_SIZE && i < bytes.size(); ++i) bytes[i] = std::byte{0};
  put_text(0, magic);
  const std::uint8_t order_byte = byte_order_byte.value_or(
      arch.order == host::ByteOrder::big ? PURGATORY_BYTE_ORDER_BIG : PURGATORY_BYTE_ORDER_LITTLE);
  put(offsetof(purgatory_image_header, byte_order), order_byte, 1);
  put(offsetof(purgatory_image_header, elf_machine), arch.machine, 2);
  put(offsetof(purgatory_image_header, abi_major), abi_major, 2);
  put(offsetof(purgatory_image_header, abi_minor), abi_minor, 2);
  put(offsetof(purgatory_image_header, header_size), header_size, 4);
  put(offsetof(purgatory_image_header, features), features, 4);
  put(offsetof(purgatory_image_header, file_size), file_size.value_or(size), 8);
  put(offsetof(purgatory_image_header, memory_size), memory_size, 8);
  put(offsetof(purgatory_image_header, load_alignment), load_alignment, 8);
  put(offsetof(purgatory_image_header, entry_offset), entry_offset, 8);
  put(offsetof(purgatory_image_header, info_offset), info_offset, 8);
  put(offsetof(purgatory_image_header, info_size), info_size, 8);

  // purgatory_info: magic and size as the image sets them, everything else as a loader would find it.
  // (Only where it starts inside the file, so that no offset below wraps around.)
  if (info_offset >= bytes.size()) return bytes;
  const std::uint32_t size_field = info_size_field.value_or(static_cast<std::uint32_t>(info_size));
  for (std::uint64_t i = 0; i < size_field && info_offset + i < bytes.size(); ++i) {
    bytes[info_offset + i] = std::byte{info_fill};
  }
  put_text(info_offset, info_magic);
  put(info_offset + offsetof(purgatory_info, info_size), size_field, 4);
  return bytes;
}

}  // namespace purgatory::test
