/* SPDX-License-Identifier: MIT */
// Builds small ELF files of either class and byte order for the host library's tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <purgatory/host/elf.h>

namespace purgatory::test {

struct ElfBuilder {
  unsigned word_bits = 64;
  host::ByteOrder byte_order = host::ByteOrder::little;
  std::uint16_t type = host::elf::type_shared;
  std::uint16_t machine = host::elf::machine_x86_64;
  std::uint64_t entry = 0x40;
  std::vector<host::ElfProgramHeader> segments;
  std::vector<host::ElfSection> sections;  // name, type, size and entry size are written

  // A file that passes every purgatory check: one PT_LOAD at 0 of 0x1000 bytes, entry inside it.
  static ElfBuilder valid_purgatory(unsigned word_bits, host::ByteOrder order);

  std::vector<std::byte> build() const;
};

}  // namespace purgatory::test
