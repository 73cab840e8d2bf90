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

  std::uint64_t lowest = std::numeric_limits<std::uint64_t>::max(), highest = 0, lowest_virtual = 0;
  for (const auto& header : elf->program_headers) {
    if (header.type != elf::segment_load || header.memory_size == 0) continue;
    if (header.offset > file.size() || header.file_size > file.size() - header.offset) {
      return Error{"a PT_LOAD of the vmlinux runs past the end of the file"};
    }
    if (header.physical_address < lowest) {
      lowest = header.physical_address;
      lowest_virtual = header.virtual_address;
    }
    highest = std::max(highest, header.physical_address + header.memory_size);
  }
  if (highest == 0) return Error{"the vmlinux has no PT_LOAD"};
  if (elf->entry < lowest_virtual) return Error{"the vmlinux's entry is below its first PT_LOAD"};

  Vmlinux kernel;
  kernel.memory_size = highest - lowest;
  kernel.entry_offset = elf->entry - lowest_virtual;
  std::uint64_t file_end = 0;
  for (const auto& header : elf->program_headers) {
    if (header.type == elf::segment_load) file_end = std::max(file_end, header.physical_address - lowest + header.file_size);
  }
  kernel.image.resize(file_end);
  for (const auto& header : elf->program_headers) {
    if (header.type != elf::segment_load || header.file_size == 0) continue;
    std::memcpy(kernel.image.data() + (header.physical_address - lowest), file.data() + header.offset,
                header.file_size);
  }
  if (kernel.entry_offset >= kernel.image.size()) return Error{"the vmlinux's entry is outside its loaded bytes"};
  return kernel;
}

}  // namespace kexec_loader::ppc64
