// SPDX-License-Identifier: MIT
#include <purgatory/host/object_relocations.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include <purgatory/host/byte_reader.h>
#include <purgatory/host/elf.h>

namespace purgatory::host {
namespace {

constexpr std::uint64_t section_flag_alloc = 0x2;  // SHF_ALLOC
constexpr unsigned symbol_type_section = 3;         // STT_SECTION

struct RelocationKind {
  std::uint16_t machine;
  std::uint32_t type;
  std::string_view name;
  bool through_table;
};

// The relocation types that store an address (psABIs of x86-64, AArch64 and 64-bit Power ELFv2), and
// those that ask for a GOT entry, which holds one.
constexpr RelocationKind kinds[] = {
    {elf::machine_x86_64, 1, "R_X86_64_64", false},
    {elf::machine_x86_64, 10, "R_X86_64_32", false},
    {elf::machine_x86_64, 11, "R_X86_64_32S", false},
    {elf::machine_x86_64, 9, "R_X86_64_GOTPCREL", true},
    {elf::machine_x86_64, 41, "R_X86_64_GOTPCRELX", true},
    {elf::machine_x86_64, 42, "R_X86_64_REX_GOTPCRELX", true},
    {elf::machine_aarch64, 257, "R_AARCH64_ABS64", false},
    {elf::machine_aarch64, 258, "R_AARCH64_ABS32", false},
    {elf::machine_aarch64, 311, "R_AARCH64_ADR_GOT_PAGE", true},
    {elf::machine_aarch64, 312, "R_AARCH64_LD64_GOT_LO12_NC", true},
    {elf::machine_ppc64, 38, "R_PPC64_ADDR64", false},
    {elf::machine_ppc64, 1, "R_PPC64_ADDR32", false},
    {elf::machine_ppc64, 133, "R_PPC64_GOT_PCREL34", true},
    {elf::machine_ppc64, 14, "R_PPC64_GOT16", true},
    {elf::machine_ppc64, 58, "R_PPC64_GOT16_DS", true},
};

const RelocationKind* kind_of(std::uint16_t machine, std::uint32_t type) {
  for (const auto& kind : kinds) {
    if (kind.machine == machine && kind.type == type) return &kind;
  }
  return nullptr;
}

std::string string_at(std::span<const std::byte> bytes, const ElfSection& table, std::uint64_t offset) {
  std::string text;
  const std::uint64_t end = std::min<std::uint64_t>(table.offset + std::min(table.size, bytes.size()), bytes.size());
  for (std::uint64_t at = table.offset + offset; at < end && bytes[at] != std::byte{0}; ++at) {
    text.push_back(static_cast<char>(bytes[at]));
  }
  return text;
}

struct Symbol {
  std::string name;
  unsigned type = 0;
  std::uint16_t section = 0;
  std::uint64_t value = 0, size = 0;
};

// Elf64_Sym: name (4), info (1), other (1), section index (2), value (8), size (8).
std::optional<Symbol> read_symbol(const ByteReader& read, std::span<const std::byte> bytes, const ElfSection& strings,
                                  std::uint64_t at) {
  const auto name = read.u32(at);
  const auto info = read.u8(at + 4);
  const auto section = read.u16(at + 6);
  const auto value = read.u64(at + 8), size = read.u64(at + 16);
  if (!name || !info || !section || !value || !size) return std::nullopt;
  return Symbol{string_at(bytes, strings, *name), static_cast<unsigned>(*info & 0xf), *section, *value, *size};
}

// The function or object (STT_FUNC, STT_OBJECT) of `section` that covers `offset`: "name", or
// "name+0x8" inside it; empty when the object defines none there.
std::string symbol_covering(const std::vector<Symbol>& symbols, std::uint16_t section, std::uint64_t offset) {
  for (const Symbol& symbol : symbols) {
    if (symbol.section != section || (symbol.type != 1 && symbol.type != 2) || symbol.name.empty()) continue;
    if (offset == symbol.value) return symbol.name;
    if (offset > symbol.value && offset - symbol.value < symbol.size) {
      return fmt::format("{}+{:#x}", symbol.name, offset - symbol.value);
    }
  }
  return {};
}

bool inside(std::span<const std::byte> bytes, const ElfSection& section) {
  return section.offset <= bytes.size() && section.size <= bytes.size() - section.offset;
}

}  // namespace

Result<std::vector<StoredAddress>> stored_addresses(std::span<const std::byte> object) {
  auto parsed = parse_elf(object);
  if (!parsed) return parsed.error();
  const ElfFile& file = *parsed;
  if (file.type != elf::type_relocatable) {
    return Error{fmt::format("not a relocatable object (ELF type {}, not ET_REL)", file.type)};
  }
  if (file.word_bits != 64) return Error{"not a 64-bit object"};
  const ByteReader read(object, file.byte_order);

  std::vector<StoredAddress> found;
  for (const ElfSection& relocations : file.sections) {
    if (relocations.type != elf::section_rela && relocations.type != elf::section_rel) continue;
    if (relocations.info >= file.sections.size() || relocations.link >= file.sections.size()) {
      return Error{fmt::format("relocation section {} names a section that does not exist", relocations.name)};
    }
    const ElfSection& target = file.sections[relocations.info];
    if ((target.flags & section_flag_alloc) == 0) continue;  // debug information: never loaded
    const ElfSection& symbols = file.sections[relocations.link];
    if (symbols.link >= file.sections.size()) return Error{"the symbol table names no string table"};
    const ElfSection& strings = file.sections[symbols.link];
    const std::uint64_t entry_size = relocations.type == elf::section_rela ? 24 : 16;
    if (!inside(object, relocations) || !inside(object, symbols) || !inside(object, strings)) {
      return Error{fmt::format("relocation section {} or its symbols lie outside the file", relocations.name)};
    }
    std::vector<Symbol> table;
    for (std::uint64_t at = symbols.offset; at + 24 <= symbols.offset + symbols.size; at += 24) {
      auto symbol = read_symbol(read, object, strings, at);
      if (!symbol) return Error{"the symbol table is cut off"};
      table.push_back(std::move(*symbol));
    }
    for (std::uint64_t at = relocations.offset; at + entry_size <= relocations.offset + relocations.size;
         at += entry_size) {
      const auto offset = read.u64(at), info = read.u64(at + 8);
      const std::int64_t addend = entry_size == 24 ? static_cast<std::int64_t>(read.u64(at + 16).value_or(0)) : 0;
      if (!offset || !info) return Error{fmt::format("relocation section {} is cut off", relocations.name)};
      const RelocationKind* kind = kind_of(file.machine, static_cast<std::uint32_t>(*info & 0xffffffff));
      if (kind == nullptr) continue;
      const std::uint64_t symbol_index = *info >> 32;
      if (symbol_index >= table.size()) {
        return Error{fmt::format("a relocation in {} names a symbol past the symbol table", relocations.name)};
      }
      const Symbol& symbol = table[symbol_index];
      std::string name = symbol.name;
      std::int64_t rest = addend;
      if (symbol.type == symbol_type_section && symbol.section < file.sections.size()) {
        name = symbol_covering(table, symbol.section, static_cast<std::uint64_t>(addend));
        if (name.empty()) {
          name = "`" + file.sections[symbol.section].name + "`";
        } else {
          rest = 0;
        }
      }
      if (name.empty()) name = "(unnamed)";
      if (rest != 0) name += fmt::format("{:+#x}", rest);
      found.push_back({target.name, *offset, symbol_covering(table, static_cast<std::uint16_t>(relocations.info), *offset),
                       std::move(name), std::string(kind->name), kind->through_table});
    }
  }
  return found;
}

bool has_archive_magic(std::span<const std::byte> bytes) {
  return bytes.size() >= 8 &&
         (std::memcmp(bytes.data(), "!<arch>\n", 8) == 0 || std::memcmp(bytes.data(), "!<thin>\n", 8) == 0);
}

Result<std::vector<ArchiveMember>> archive_members(std::span<const std::byte> archive) {
  if (archive.size() >= 8 && std::memcmp(archive.data(), "!<thin>\n", 8) == 0) {
    return Error{"a thin archive: its members are separate files; give those instead"};
  }
  if (!has_archive_magic(archive)) return Error{"not an ar archive"};  // thin ones are refused above
  const auto text = [&](std::uint64_t at, std::uint64_t length) {
    std::string_view field(reinterpret_cast<const char*>(archive.data() + at), length);
    while (!field.empty() && field.back() == ' ') field.remove_suffix(1);
    return field;
  };
  std::vector<ArchiveMember> members;
  std::string_view long_names;
  constexpr std::uint64_t header_size = 60;
  for (std::uint64_t at = 8; at < archive.size();) {
    if (archive.size() - at < header_size) return Error{fmt::format("archive member header at {:#x} is cut off", at)};
    const std::string_view raw_name = text(at, 16), size_text = text(at + 48, 10);
    if (text(at + 58, 2) != "`\n") return Error{fmt::format("archive member header at {:#x} is damaged", at)};
    std::uint64_t size = 0;
    const auto [end, error] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size);
    if (error != std::errc{} || end != size_text.data() + size_text.size() || size > archive.size() - at - header_size) {
      return Error{fmt::format("archive member at {:#x} has a bad size ({})", at, size_text)};
    }
    const auto bytes = archive.subspan(at + header_size, size);
    if (raw_name == "//") {
      long_names = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    } else if (raw_name != "/" && raw_name != "/SYM64/" && raw_name != "__.SYMDEF") {
      std::string name(raw_name);
      if (raw_name.size() > 1 && raw_name.front() == '/') {  // "/123": at offset 123 of the long names
        std::uint64_t offset = 0;
        const auto [e, problem] = std::from_chars(raw_name.data() + 1, raw_name.data() + raw_name.size(), offset);
        if (problem != std::errc{} || offset >= long_names.size()) {
          return Error{fmt::format("archive member at {:#x} names a long name that does not exist", at)};
        }
        const auto stop = long_names.find("/\n", offset);
        name = std::string(long_names.substr(offset, stop == std::string_view::npos ? std::string_view::npos : stop - offset));
      } else if (!name.empty() && name.back() == '/') {
        name.pop_back();
      }
      members.push_back({std::move(name), bytes});
    }
    at += header_size + size + (size & 1);
  }
  return members;
}

}  // namespace purgatory::host
