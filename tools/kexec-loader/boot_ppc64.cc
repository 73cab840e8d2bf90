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
  kernel.big_endian = elf->byte_order == ByteOrder::big;
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

purgatory::host::Result<bool> run_at_load_address(Vmlinux& kernel) {
  constexpr std::size_t run_at_load = 0x5c;
  constexpr std::uint32_t run_at_zero_magic = 0x72756e30;  // "run0", head_64.S
  if (kernel.image.size() < run_at_load + 4) return Error{"the kernel is too short to hold __run_at_load (0x5c)"};
  std::byte* word = kernel.image.data() + run_at_load;
  const auto read = [&] {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const auto byte = std::to_integer<std::uint32_t>(word[kernel.big_endian ? i : 3 - i]);
      value = value << 8 | byte;
    }
    return value;
  };
  const std::uint32_t value = read();
  if (value != run_at_zero_magic && value != 1) {
    return Error{fmt::format("the kernel has {:#010x}, not \"run0\", at __run_at_load (0x5c): not a relocatable "
                             "kernel, which a crash kernel must be",
                             value)};
  }
  for (int i = 0; i < 4; ++i) word[kernel.big_endian ? i : 3 - i] = std::byte{static_cast<std::uint8_t>(i == 3)};
  return true;
}

}  // namespace kexec_loader::ppc64
