/* SPDX-License-Identifier: MIT */
// Reading ELF files of any class (32/64-bit) and byte order, and checking that one is a purgatory the
// SDK's loaders can place without relocating it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <purgatory/host/byte_reader.h>
#include <purgatory/host/result.h>

namespace purgatory::host {

// Values from the ELF specification (gABI) that the checks name.
namespace elf {
inline constexpr std::uint16_t type_relocatable = 1;       // ET_REL: an object file
inline constexpr std::uint16_t type_executable = 2;         // ET_EXEC
inline constexpr std::uint16_t type_shared = 3;             // ET_DYN: PIEs are this type
inline constexpr std::uint16_t type_core = 4;               // ET_CORE: a crash dump's header
inline constexpr std::uint32_t segment_load = 1;            // PT_LOAD
inline constexpr std::uint32_t segment_dynamic = 2;         // PT_DYNAMIC
inline constexpr std::uint32_t segment_interpreter = 3;     // PT_INTERP
inline constexpr std::uint32_t segment_note = 4;            // PT_NOTE
inline constexpr std::uint32_t segment_tls = 7;             // PT_TLS
inline constexpr std::uint32_t segment_executable = 1;      // PF_X
inline constexpr std::uint32_t segment_writable = 2;        // PF_W
inline constexpr std::uint32_t segment_readable = 4;        // PF_R
inline constexpr std::uint32_t note_prstatus = 1;           // NT_PRSTATUS: a CPU's registers
inline constexpr std::uint32_t section_symbols = 2;         // SHT_SYMTAB
inline constexpr std::uint32_t section_rela = 4;            // SHT_RELA
inline constexpr std::uint32_t section_dynamic = 6;         // SHT_DYNAMIC
inline constexpr std::uint32_t section_rel = 9;             // SHT_REL
inline constexpr std::uint32_t section_relr = 19;           // SHT_RELR
inline constexpr std::uint32_t section_android_rel = 0x60000001;
inline constexpr std::uint32_t section_android_rela = 0x60000002;
inline constexpr std::uint32_t section_android_relr = 0x6fffff00;
inline constexpr std::uint16_t machine_ppc64 = 21;          // EM_PPC64
inline constexpr std::uint16_t machine_x86_64 = 62;         // EM_X86_64
inline constexpr std::uint16_t machine_aarch64 = 183;       // EM_AARCH64
}  // namespace elf

struct ElfProgramHeader {
  std::uint32_t type = 0;
  std::uint32_t flags = 0;
  std::uint64_t offset = 0;
  std::uint64_t virtual_address = 0;
  std::uint64_t physical_address = 0;
  std::uint64_t file_size = 0;
  std::uint64_t memory_size = 0;
  std::uint64_t alignment = 0;
};

struct ElfSection {
  std::string name;
  std::uint32_t type = 0;
  std::uint64_t flags = 0;
  std::uint64_t address = 0;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::uint64_t entry_size = 0;
  std::uint32_t link = 0;  // sh_link: a relocation section's symbol table, a symbol table's strings
  std::uint32_t info = 0;  // sh_info: a relocation section's target section
};

struct ElfFile {
  std::uint64_t file_size = 0;  // bytes in the file
  unsigned word_bits = 64;  // 32 or 64 (EI_CLASS)
  ByteOrder byte_order = ByteOrder::little;
  std::uint16_t type = 0;
  std::uint16_t machine = 0;
  std::uint64_t entry = 0;
  std::vector<ElfProgramHeader> program_headers;
  std::vector<ElfSection> sections;
};

// True if the bytes start with the ELF magic; such files are parsed as ELF, everything else is not.
bool has_elf_magic(std::span<const std::byte> bytes);

// Parses the ELF header, program headers and section headers (with names). Every offset and count is
// checked against the file; a malformed file gives an Error, never a crash.
Result<ElfFile> parse_elf(std::span<const std::byte> bytes);

// A relocation section and how many entries it holds.
struct ElfRelocationSection {
  std::string name;
  std::uint64_t entries = 0;
};

// Every non-empty relocation section of any kind (REL, RELA, RELR, and Android's packed forms).
std::vector<ElfRelocationSection> relocation_sections(const ElfFile& file);
std::uint64_t relocation_count(const ElfFile& file);

// The SDK's name for an ELF machine and byte order ("x86_64", "arm64", "ppc64le", "ppc64"), or a
// description of an unknown one.
std::string arch_name(std::uint16_t machine, ByteOrder order);

// Everything that keeps `file` from being a purgatory image that runs without relocation: it must be a
// position-independent executable (ET_DYN) with exactly one PT_LOAD at address 0, no dynamic section,
// interpreter or TLS, no relocation entries of any kind, no program header pointing past the end of the
// file, and its entry inside the loaded file bytes.
// An empty list means the file passes.
std::vector<std::string> purgatory_elf_problems(const ElfFile& file);

}  // namespace purgatory::host
