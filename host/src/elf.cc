// SPDX-License-Identifier: MIT
#include <purgatory/host/elf.h>

#include <purgatory/host/arch.h>

#include <algorithm>
#include <array>
#include <optional>

#include <fmt/format.h>

namespace purgatory::host {
namespace {

// Field offsets that differ between ELFCLASS32 and ELFCLASS64 (gABI, "ELF Header", "Program Header",
// "Sections").
struct ClassLayout {
  unsigned word_size;
  std::uint64_t entry, program_header_offset, section_header_offset, header_size;
  std::uint64_t program_header_entry_size, program_header_count, section_header_entry_size;
  std::uint64_t section_header_count, section_name_table_index;
  std::uint64_t program_header_size, section_header_size;
};

constexpr ClassLayout layout32{4, 24, 28, 32, 40, 42, 44, 46, 48, 50, 32, 40};
constexpr ClassLayout layout64{8, 24, 32, 40, 52, 54, 56, 58, 60, 62, 56, 64};

constexpr std::uint16_t extended_count = 0xffff;  // PN_XNUM / SHN_XINDEX: the real value is in section 0

class FieldReader {
 public:
  FieldReader(const ByteReader& bytes, const ClassLayout& layout) : bytes_(bytes), layout_(layout) {}

  std::optional<std::uint64_t> word(std::uint64_t offset) const {
    return bytes_.unsigned_int(offset, layout_.word_size);
  }
  std::optional<std::uint64_t> u32(std::uint64_t offset) const { return bytes_.unsigned_int(offset, 4); }
  std::optional<std::uint64_t> u16(std::uint64_t offset) const { return bytes_.unsigned_int(offset, 2); }

 private:
  const ByteReader& bytes_;
  const ClassLayout& layout_;
};

Error truncated(std::string_view what) { return Error{fmt::format("ELF file truncated: {} is cut off", what)}; }

std::optional<ElfProgramHeader> read_program_header(const FieldReader& read, bool is64, std::uint64_t at) {
  ElfProgramHeader header;
  std::optional<std::uint64_t> type = read.u32(at), flags, offset, vaddr, paddr, filesz, memsz, align;
  if (is64) {
    flags = read.u32(at + 4), offset = read.word(at + 8), vaddr = read.word(at + 16);
    paddr = read.word(at + 24), filesz = read.word(at + 32), memsz = read.word(at + 40);
    align = read.word(at + 48);
  } else {
    offset = read.word(at + 4), vaddr = read.word(at + 8), paddr = read.word(at + 12);
    filesz = read.word(at + 16), memsz = read.word(at + 20), flags = read.u32(at + 24);
    align = read.word(at + 28);
  }
  if (!type || !flags || !offset || !vaddr || !paddr || !filesz || !memsz || !align) return std::nullopt;
  header.type = static_cast<std::uint32_t>(*type);
  header.flags = static_cast<std::uint32_t>(*flags);
  header.offset = *offset;
  header.virtual_address = *vaddr;
  header.physical_address = *paddr;
  header.file_size = *filesz;
  header.memory_size = *memsz;
  header.alignment = *align;
  return header;
}

struct RawSection {
  std::uint32_t name_offset = 0;
  ElfSection section;
  std::uint32_t link = 0;
  std::uint32_t info = 0;
};

std::optional<RawSection> read_section_header(const FieldReader& read, bool is64, std::uint64_t at) {
  const std::uint64_t w = is64 ? 8 : 4;
  const auto name = read.u32(at), type = read.u32(at + 4), flags = read.word(at + 8);
  const auto address = read.word(at + 8 + w), offset = read.word(at + 8 + 2 * w);
  const auto size = read.word(at + 8 + 3 * w), link = read.u32(at + 8 + 4 * w);
  const auto info = read.u32(at + 12 + 4 * w), entry_size = read.word(at + 16 + 5 * w);
  if (!name || !type || !flags || !address || !offset || !size || !link || !info || !entry_size) {
    return std::nullopt;
  }
  RawSection raw;
  raw.name_offset = static_cast<std::uint32_t>(*name);
  raw.section.type = static_cast<std::uint32_t>(*type);
  raw.section.flags = *flags;
  raw.section.address = *address;
  raw.section.offset = *offset;
  raw.section.size = *size;
  raw.section.entry_size = *entry_size;
  raw.section.link = raw.link = static_cast<std::uint32_t>(*link);
  raw.section.info = raw.info = static_cast<std::uint32_t>(*info);
  return raw;
}

// A NUL-terminated name inside the section name table, bounded by the table and the file.
std::string read_name(std::span<const std::byte> bytes, const ElfSection& table, std::uint32_t offset) {
  const std::uint64_t table_end = std::min<std::uint64_t>(table.offset + table.size, bytes.size());
  std::string name;
  for (std::uint64_t at = table.offset + offset; at < table_end && bytes[at] != std::byte{0}; ++at) {
    name.push_back(static_cast<char>(bytes[at]));
  }
  return name;
}

std::uint64_t standard_entry_size(std::uint32_t type, unsigned word_bits) {
  const std::uint64_t word = word_bits / 8;
  switch (type) {
    case elf::section_rel: return 2 * word;
    case elf::section_rela: return 3 * word;
    case elf::section_relr: return word;
    default: return 1;  // packed Android formats: count bytes
  }
}

bool is_relocation_section(std::uint32_t type) {
  return type == elf::section_rel || type == elf::section_rela || type == elf::section_relr ||
         type == elf::section_android_rel || type == elf::section_android_rela ||
         type == elf::section_android_relr;
}

}  // namespace

bool has_elf_magic(std::span<const std::byte> bytes) {
  constexpr std::array<std::byte, 4> magic{std::byte{0x7f}, std::byte{'E'}, std::byte{'L'}, std::byte{'F'}};
  return bytes.size() >= magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin());
}

Result<ElfFile> parse_elf(std::span<const std::byte> bytes) {
  if (!has_elf_magic(bytes)) return Error{"not an ELF file (no \\x7fELF magic)"};
  if (bytes.size() < 16) return truncated("the identification bytes");

  ElfFile file;
  file.file_size = bytes.size();
  const auto elf_class = std::to_integer<unsigned>(bytes[4]);
  const auto elf_data = std::to_integer<unsigned>(bytes[5]);
  if (elf_class != 1 && elf_class != 2) return Error{fmt::format("unknown ELF class {} (byte 4)", elf_class)};
  if (elf_data != 1 && elf_data != 2) return Error{fmt::format("unknown ELF byte order {} (byte 5)", elf_data)};
  const bool is64 = elf_class == 2;
  file.word_bits = is64 ? 64 : 32;
  file.byte_order = elf_data == 1 ? ByteOrder::little : ByteOrder::big;

  const ClassLayout& layout = is64 ? layout64 : layout32;
  const ByteReader bytes_reader(bytes, file.byte_order);
  const FieldReader read(bytes_reader, layout);

  const auto type = read.u16(16), machine = read.u16(18), entry = read.word(layout.entry);
  const auto phoff = read.word(layout.program_header_offset), shoff = read.word(layout.section_header_offset);
  const auto phentsize = read.u16(layout.program_header_entry_size);
  const auto phnum_field = read.u16(layout.program_header_count);
  const auto shentsize = read.u16(layout.section_header_entry_size);
  const auto shnum_field = read.u16(layout.section_header_count);
  const auto shstrndx_field = read.u16(layout.section_name_table_index);
  if (!type || !machine || !entry || !phoff || !shoff || !phentsize || !phnum_field || !shentsize ||
      !shnum_field || !shstrndx_field) {
    return truncated("the ELF header");
  }
  file.type = static_cast<std::uint16_t>(*type);
  file.machine = static_cast<std::uint16_t>(*machine);
  file.entry = *entry;

  // Section 0 holds the real counts when they overflow 16 bits (gABI "Extended section numbering").
  std::optional<RawSection> section_zero;
  if (*shoff != 0) {
    if (*shentsize < layout.section_header_size) {
      return Error{fmt::format("section header entry size {} is smaller than {}", *shentsize,
                               layout.section_header_size)};
    }
    section_zero = read_section_header(read, is64, *shoff);
    if (!section_zero) return truncated("section header 0");
  }
  // e_shoff 0 means there is no section header table, whatever e_shnum says.
  std::uint64_t phnum = *phnum_field, shnum = *shoff == 0 ? 0 : *shnum_field, shstrndx = *shstrndx_field;
  if (phnum == extended_count && section_zero) phnum = section_zero->info;
  if (shnum == 0 && section_zero) shnum = section_zero->section.size;
  if (shstrndx == extended_count && section_zero) shstrndx = section_zero->link;

  if (phnum != 0) {
    if (*phentsize < layout.program_header_size) {
      return Error{fmt::format("program header entry size {} is smaller than {}", *phentsize,
                               layout.program_header_size)};
    }
    if (*phoff > bytes.size() || phnum > (bytes.size() - *phoff) / *phentsize) {
      return truncated(fmt::format("the program header table ({} entries at offset {:#x})", phnum, *phoff));
    }
  }
  for (std::uint64_t i = 0; i < phnum; ++i) {
    const auto header = read_program_header(read, is64, *phoff + i * *phentsize);
    if (!header) return truncated(fmt::format("program header {}", i));
    file.program_headers.push_back(*header);
  }

  if (shnum != 0 && (*shoff > bytes.size() || shnum > (bytes.size() - *shoff) / *shentsize)) {
    return truncated(fmt::format("the section header table ({} entries at offset {:#x})", shnum, *shoff));
  }
  std::vector<RawSection> raw_sections;
  for (std::uint64_t i = 0; i < shnum; ++i) {
    const auto raw = read_section_header(read, is64, *shoff + i * *shentsize);
    if (!raw) return truncated(fmt::format("section header {}", i));
    raw_sections.push_back(*raw);
  }
  const bool have_names = shstrndx != 0 && shstrndx < raw_sections.size();
  for (auto& raw : raw_sections) {
    if (have_names) raw.section.name = read_name(bytes, raw_sections[shstrndx].section, raw.name_offset);
    file.sections.push_back(std::move(raw.section));
  }
  return file;
}

std::vector<ElfRelocationSection> relocation_sections(const ElfFile& file) {
  std::vector<ElfRelocationSection> found;
  for (const auto& section : file.sections) {
    if (!is_relocation_section(section.type) || section.size == 0) continue;
    const std::uint64_t entry_size =
        section.entry_size != 0 ? section.entry_size : standard_entry_size(section.type, file.word_bits);
    // A size that is not a multiple of the entry size still holds at least one (partial) entry.
    found.push_back({section.name, (section.size + entry_size - 1) / entry_size});
  }
  return found;
}

std::uint64_t relocation_count(const ElfFile& file) {
  std::uint64_t total = 0;
  for (const auto& section : relocation_sections(file)) total += section.entries;
  return total;
}

std::string arch_name(std::uint16_t machine, ByteOrder order) {
  if (const auto arch = arch_of(machine, order)) return std::string(name_of(*arch));
  const std::string_view endian = order == ByteOrder::little ? "little" : "big";
  for (const auto& entry : arch_table) {  // a machine the SDK has, in the other byte order
    if (entry.elf_machine == machine) return fmt::format("{} ({}-endian)", entry.name, endian);
  }
  return fmt::format("ELF machine {} ({}-endian)", machine, endian);
}

std::vector<std::string> purgatory_elf_problems(const ElfFile& file) {
  std::vector<std::string> problems;
  if (file.type != elf::type_shared) {
    problems.push_back(fmt::format("ELF type is {}, not ET_DYN (a position-independent executable); link with -pie",
                                   file.type));
  }

  std::vector<const ElfProgramHeader*> loads;
  for (std::size_t i = 0; i < file.program_headers.size(); ++i) {
    const ElfProgramHeader& header = file.program_headers[i];
    if (header.file_size != 0 &&
        (header.offset > file.file_size || header.file_size > file.file_size - header.offset)) {
      problems.push_back(fmt::format("program header {} (type {:#x}) points past the end of the file", i, header.type));
    }
    switch (header.type) {
      case elf::segment_load: loads.push_back(&header); break;
      case elf::segment_dynamic: problems.push_back("has a PT_DYNAMIC segment: nothing would process it"); break;
      case elf::segment_interpreter: problems.push_back("has a PT_INTERP segment (a dynamic linker request)"); break;
      case elf::segment_tls: problems.push_back("has a PT_TLS segment: there is no thread pointer"); break;
      default: break;
    }
  }
  if (loads.size() != 1) {
    problems.push_back(fmt::format("has {} PT_LOAD segments; a purgatory image is exactly one", loads.size()));
  } else {
    const ElfProgramHeader& load = *loads.front();
    if (load.virtual_address != 0) {
      problems.push_back(fmt::format("PT_LOAD starts at {:#x}; the image must be linked at 0 so that offsets "
                                     "in the image header are addresses",
                                     load.virtual_address));
    }
    if (load.memory_size < load.file_size) {
      problems.push_back(fmt::format("PT_LOAD memory size {:#x} is smaller than its file size {:#x}",
                                     load.memory_size, load.file_size));
    }
    if (file.entry < load.virtual_address || file.entry - load.virtual_address >= load.file_size) {
      problems.push_back(fmt::format("entry {:#x} is outside the loaded file bytes [{:#x}, {:#x})", file.entry,
                                     load.virtual_address, load.virtual_address + load.file_size));
    }
  }

  for (const auto& section : file.sections) {
    if (section.type == elf::section_dynamic || section.name == ".dynamic") {
      problems.push_back(fmt::format("has a dynamic section ({})", section.name));
    }
  }
  for (const auto& section : relocation_sections(file)) {
    problems.push_back(fmt::format("{} relocation entries in {}: the image would need relocating at run time",
                                   section.entries, section.name.empty() ? "an unnamed section" : section.name));
  }
  return problems;
}

}  // namespace purgatory::host
