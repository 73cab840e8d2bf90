/* SPDX-License-Identifier: MIT */
// Builds synthetic purgatory images (the flat format of <purgatory/abi.h>) for every arch and byte order,
// with every header and info field settable so that each of parse_image's checks can be broken alone,
// and reads integers back in a chosen byte order without the host library's own reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <purgatory/abi.h>
#include <purgatory/host/byte_reader.h>

namespace purgatory::test {

// One of the SDK's four targets.
struct TestArch {
  std::string name;  // as ImageHeader::arch() spells it
  std::uint16_t machine;
  host::ByteOrder order;
};

inline const TestArch x86_64{"x86_64", PURGATORY_MACHINE_X86_64, host::ByteOrder::little};
inline const TestArch arm64{"arm64", PURGATORY_MACHINE_AARCH64, host::ByteOrder::little};
inline const TestArch ppc64le{"ppc64le", PURGATORY_MACHINE_PPC64, host::ByteOrder::little};
inline const TestArch ppc64{"ppc64", PURGATORY_MACHINE_PPC64, host::ByteOrder::big};

inline const std::vector<TestArch>& all_arches() {
  static const std::vector<TestArch> arches{x86_64, arm64, ppc64le, ppc64};
  return arches;
}

// Integers in a chosen byte order, at byte offsets; both throw std::out_of_range past the end.
std::uint64_t read_uint(std::span<const std::byte> bytes, std::size_t offset, unsigned width,
                        host::ByteOrder order);
void write_uint(std::span<std::byte> bytes, std::size_t offset, std::uint64_t value, unsigned width,
                host::ByteOrder order);

// "0x1f": how the host library's messages show addresses and sizes.
std::string hex(std::uint64_t value);

// A purgatory image. The defaults describe a valid one of `size` bytes: header at 0, code pattern bytes,
// purgatory_info at info_offset with its magic and info_size set and the rest `info_fill`.
struct ImageBuilder {
  TestArch arch = x86_64;
  std::optional<std::uint8_t> byte_order_byte;  // default: from arch.order
  std::string magic = PURGATORY_IMAGE_MAGIC;
  std::uint16_t abi_major = PURGATORY_ABI_MAJOR;
  std::uint16_t abi_minor = PURGATORY_ABI_MINOR;
  std::uint32_t header_size = PURGATORY_HEADER_SIZE;
  std::uint32_t features = PURGATORY_FEATURE_VERIFY_SHA256 | PURGATORY_FEATURE_MEMORY_LOG;
  std::size_t size = 0x1000;               // bytes built
  std::optional<std::uint64_t> file_size;  // the header field; default: size
  std::uint64_t memory_size = 0x3000;
  std::uint64_t load_alignment = 0x1000;
  std::uint64_t entry_offset = 0x80;
  std::uint64_t info_offset = 0x200;
  std::uint64_t info_size = sizeof(purgatory_info);  // the header field
  std::optional<std::uint32_t> info_size_field;      // purgatory_info.info_size; default: info_size
  std::string info_magic = PURGATORY_INFO_MAGIC;
  std::uint8_t info_fill = 0;  // every info byte after magic and info_size

  static ImageBuilder valid(const TestArch& arch);

  // Fields that would fall outside `size` bytes are left out, never written past the end.
  std::vector<std::byte> build() const;
};

}  // namespace purgatory::test
