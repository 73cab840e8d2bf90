// SPDX-License-Identifier: MIT
#include "core_header.h"

#include <fmt/format.h>

#include <purgatory/host/elf.h>

namespace kexec_loader {
namespace {

using purgatory::host::ByteOrder;
namespace elf = purgatory::host::elf;

constexpr std::size_t elf_header_size = 64, program_header_size = 56;
constexpr std::size_t pn_xnum = 0xffff;  // e_phnum at or past this means "see section 0", which we do not write

// Writes integers of the header's byte order into a buffer that grows as needed.
class ElfWriter {
 public:
  explicit ElfWriter(ByteOrder order) : order_(order) {}

  void put(std::uint64_t value, unsigned width) {
    for (unsigned i = 0; i < width; ++i) {
      const unsigned shift = 8 * (order_ == ByteOrder::big ? width - 1 - i : i);
      bytes_.push_back(static_cast<std::byte>(value >> shift));
    }
  }
  void u16(std::uint64_t value) { put(value, 2); }
  void u32(std::uint64_t value) { put(value, 4); }
  void u64(std::uint64_t value) { put(value, 8); }
  void raw(std::initializer_list<std::uint8_t> values) {
    for (auto value : values) bytes_.push_back(std::byte{value});
  }
  std::vector<std::byte> take() { return std::move(bytes_); }

 private:
  ByteOrder order_;
  std::vector<std::byte> bytes_;
};

void program_header(ElfWriter& out, std::uint32_t type, std::uint32_t flags, std::uint64_t physical,
                    std::uint64_t virtual_address, std::uint64_t size, std::uint64_t offset) {
  out.u32(type);
  out.u32(flags);
  out.u64(offset);    // p_offset: where the crash kernel reads it, in the old kernel's memory
  out.u64(virtual_address);
  out.u64(physical);  // p_paddr
  out.u64(size);      // p_filesz
  out.u64(size);      // p_memsz
  out.u64(0);         // p_align
}

}  // namespace

purgatory::host::Result<std::vector<std::byte>> build_core_header(const CoreHeaderRequest& request) {
  using purgatory::host::Error;
  if (request.loads.empty()) return Error{"the core header needs at least one memory range to dump"};
  if (request.vmcoreinfo.size == 0) return Error{"the core header needs the VMCOREINFO note"};
  const std::size_t count = request.cpu_notes.size() + 1 + request.loads.size();
  if (count >= pn_xnum) {
    return Error{fmt::format("the core header would have {} program headers; ELF's e_phnum holds at most {}", count,
                             pn_xnum - 1)};
  }
  for (const auto& load : request.loads) {
    if (load.size == 0 || load.physical + load.size < load.physical) {
      return Error{fmt::format("memory range at {:#x} of {:#x} bytes cannot be dumped", load.physical, load.size)};
    }
  }
  const auto& traits = purgatory::host::traits(request.arch);
  ElfWriter out(traits.byte_order);
  // e_ident: magic, ELFCLASS64, the data encoding, EV_CURRENT, ELFOSABI_NONE, padding.
  out.raw({0x7f, 'E', 'L', 'F', 2, static_cast<std::uint8_t>(traits.byte_order == ByteOrder::big ? 2 : 1), 1, 0,
           0, 0, 0, 0, 0, 0, 0, 0});
  out.u16(elf::type_core);
  out.u16(traits.elf_machine);
  out.u32(1);  // e_version
  out.u64(0);  // e_entry
  out.u64(elf_header_size);  // e_phoff
  out.u64(0);  // e_shoff
  out.u32(0);  // e_flags
  out.u16(elf_header_size);
  out.u16(program_header_size);
  out.u16(count);
  out.u16(0);  // e_shentsize
  out.u16(0);  // e_shnum
  out.u16(0);  // e_shstrndx
  for (const auto& note : request.cpu_notes) {
    program_header(out, elf::segment_note, 0, note.address, 0, note.size, note.address);
  }
  const CoreNote& vmcoreinfo = request.vmcoreinfo;
  program_header(out, elf::segment_note, 0, vmcoreinfo.address, 0, vmcoreinfo.size, vmcoreinfo.address);
  for (const auto& load : request.loads) {
    constexpr std::uint32_t read_write_execute =
        elf::segment_readable | elf::segment_writable | elf::segment_executable;
    program_header(out, elf::segment_load, read_write_execute, load.physical, load.virtual_address, load.size,
                   load.saved_at.value_or(load.physical));
  }
  return out.take();
}

}  // namespace kexec_loader
