// SPDX-License-Identifier: MIT
#include "elf_builder.h"

#include <algorithm>

namespace purgatory::test {
namespace {

class Writer {
 public:
  Writer(host::ByteOrder order) : order_(order) {}

  void put(std::uint64_t value, unsigned width) {
    for (unsigned i = 0; i < width; ++i) {
      const unsigned shift = 8 * (order_ == host::ByteOrder::big ? width - 1 - i : i);
      bytes.push_back(static_cast<std::byte>(value >> shift));
    }
  }
  void pad_to(std::size_t size) { bytes.resize(size); }

  std::vector<std::byte> bytes;

 private:
  host::ByteOrder order_;
};

}  // namespace

ElfBuilder ElfBuilder::valid_purgatory(unsigned word_bits, host::ByteOrder order) {
  ElfBuilder builder;
  builder.word_bits = word_bits;
  builder.byte_order = order;
  host::ElfProgramHeader load;
  load.type = host::elf::segment_load;
  load.flags = 7;
  load.offset = 0;
  load.file_size = 0x1000;
  load.memory_size = 0x5000;
  load.alignment = 0x1000;
  builder.segments.push_back(load);
  builder.sections.push_back({".text", 1, 6, 0, 0, 0x1000, 0});
  return builder;
}

std::vector<std::byte> ElfBuilder::build() const {
  const bool is64 = word_bits == 64;
  const unsigned w = is64 ? 8 : 4;
  const std::size_t header_size = is64 ? 64 : 52;
  const std::size_t phentsize = is64 ? 56 : 32;
  const std::size_t shentsize = is64 ? 64 : 40;

  // Section name table: "\0" then each name, then ".shstrtab".
  std::string names(1, '\0');
  std::vector<std::uint32_t> name_offsets;
  for (const auto& section : sections) {
    name_offsets.push_back(static_cast<std::uint32_t>(names.size()));
    names += section.name + '\0';
  }
  const auto shstrtab_name = static_cast<std::uint32_t>(names.size());
  names += std::string(".shstrtab") + '\0';

  const std::size_t phoff = header_size;
  const std::size_t names_offset = phoff + segments.size() * phentsize;
  const std::size_t shoff = (names_offset + names.size() + 7) & ~std::size_t{7};
  const std::size_t shnum = sections.size() + 2;  // null section, ours, .shstrtab

  Writer out(byte_order);
  for (int c : {0x7f, int{'E'}, int{'L'}, int{'F'}}) out.put(static_cast<std::uint64_t>(c), 1);
  out.put(is64 ? 2 : 1, 1);
  out.put(byte_order == host::ByteOrder::little ? 1 : 2, 1);
  out.put(1, 1);  // EV_CURRENT
  out.pad_to(16);
  out.put(type, 2);
  out.put(machine, 2);
  out.put(1, 4);
  out.put(entry, w);
  out.put(segments.empty() ? 0 : phoff, w);
  out.put(shoff, w);
  out.put(0, 4);  // flags
  out.put(header_size, 2);
  out.put(phentsize, 2);
  out.put(segments.size(), 2);
  out.put(shentsize, 2);
  out.put(shnum, 2);
  out.put(shnum - 1, 2);  // .shstrtab is last

  for (const auto& segment : segments) {
    out.put(segment.type, 4);
    if (is64) out.put(segment.flags, 4);
    out.put(segment.offset, w);
    out.put(segment.virtual_address, w);
    out.put(segment.physical_address, w);
    out.put(segment.file_size, w);
    out.put(segment.memory_size, w);
    if (!is64) out.put(segment.flags, 4);
    out.put(segment.alignment, w);
  }
  for (char c : names) out.put(static_cast<unsigned char>(c), 1);
  out.pad_to(shoff);

  auto section_header = [&](std::uint32_t name, std::uint32_t type, std::uint64_t offset, std::uint64_t size,
                            std::uint64_t entry_size) {
    out.put(name, 4);
    out.put(type, 4);
    out.put(0, w);  // flags
    out.put(0, w);  // address
    out.put(offset, w);
    out.put(size, w);
    out.put(0, 4);  // link
    out.put(0, 4);  // info
    out.put(1, w);  // alignment
    out.put(entry_size, w);
  };
  section_header(0, 0, 0, 0, 0);
  for (std::size_t i = 0; i < sections.size(); ++i) {
    section_header(name_offsets[i], sections[i].type, 0, sections[i].size, sections[i].entry_size);
  }
  section_header(shstrtab_name, 3, names_offset, names.size(), 0);
  // The segments' file bytes must exist: pad the file to cover them all.
  std::size_t end = out.bytes.size();
  for (const auto& segment : segments) end = std::max<std::size_t>(end, segment.offset + segment.file_size);
  out.pad_to(end);
  return out.bytes;
}

}  // namespace purgatory::test
