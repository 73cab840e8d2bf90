// SPDX-License-Identifier: MIT
// libFuzzer target: the ELF reader, the purgatory ELF check, and the object and archive readers behind
// `purgatory-tool relocations`, over any bytes.
#include <cstdint>
#include <span>

#include <purgatory/host/elf.h>
#include <purgatory/host/object_relocations.h>

using namespace purgatory::host;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
  if (const auto members = archive_members(bytes)) {
    for (const auto& member : *members) (void)stored_addresses(member.bytes);
  }
  (void)stored_addresses(bytes);
  const auto elf = parse_elf(bytes);
  if (!elf) return 0;
  (void)purgatory_elf_problems(*elf);
  (void)relocation_count(*elf);
  (void)arch_name(elf->machine, elf->byte_order);
  return 0;
}
