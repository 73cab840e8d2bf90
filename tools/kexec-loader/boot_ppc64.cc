// SPDX-License-Identifier: MIT
#include "boot_ppc64.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include <purgatory/host/elf.h>

namespace kexec_loader::ppc64 {

using purgatory::host::Error;

purgatory::host::Result<Vmlinux> parse_vmlinux(std::span<const std::byte> file) {
  using namespace purgatory::host;
  const auto elf = parse_elf(file);
  if (!elf) return Error{"not an ELF vmlinux: " + elf.error().message};
  if (elf->machine != elf::machine_ppc64 || elf->word_bits != 64) return Error{"not a 64-bit POWER kernel"};

  // Every PT_LOAD that loads anything is checked before any is copied: its bytes inside the file, no
  // more of them than its memory, its place not wrapping the address space.
  std::uint64_t lowest = std::numeric_limits<std::uint64_t>::max(), highest = 0, lowest_virtual = 0;
  std::vector<const ElfProgramHeader*> loads;
  for (const auto& header : elf->program_headers) {
    if (header.type != elf::segment_load || (header.memory_size == 0 && header.file_size == 0)) continue;
    if (header.file_size > header.memory_size) {
      return Error{fmt::format("a PT_LOAD of the vmlinux has more file bytes ({:#x}) than memory ({:#x})",
                               header.file_size, header.memory_size)};
    }
    if (header.offset > file.size() || header.file_size > file.size() - header.offset) {
      return Error{"a PT_LOAD of the vmlinux runs past the end of the file"};
    }
    if (header.physical_address > UINT64_MAX - header.memory_size) {
      return Error{"a PT_LOAD of the vmlinux runs past the end of the address space"};
    }
    loads.push_back(&header);
    if (header.physical_address < lowest) {
      lowest = header.physical_address;
      lowest_virtual = header.virtual_address;
    }
    highest = std::max(highest, header.physical_address + header.memory_size);
  }
  if (loads.empty()) return Error{"the vmlinux has no PT_LOAD"};
  if (highest - lowest > max_kernel_size) {
    return Error{fmt::format("the vmlinux's PT_LOADs span {:#x} bytes, more than the {} GiB any kernel occupies",
                             highest - lowest, max_kernel_size >> 30)};
  }
  if (elf->entry < lowest_virtual || elf->entry - lowest_virtual >= highest - lowest) {
    return Error{"the vmlinux's entry is outside its PT_LOADs"};
  }

  Vmlinux kernel;
  kernel.memory_size = highest - lowest;
  kernel.entry_offset = elf->entry - lowest_virtual;
  std::uint64_t file_end = 0;
  for (const ElfProgramHeader* header : loads) {
    file_end = std::max(file_end, header->physical_address - lowest + header->file_size);
  }
  kernel.image.resize(static_cast<std::size_t>(file_end));
  for (const ElfProgramHeader* header : loads) {
    if (header->file_size == 0) continue;
    std::memcpy(kernel.image.data() + (header->physical_address - lowest), file.data() + header->offset,
                static_cast<std::size_t>(header->file_size));
  }
  if (kernel.entry_offset >= kernel.image.size()) return Error{"the vmlinux's entry is outside its loaded bytes"};
  return kernel;
}

}  // namespace kexec_loader::ppc64
