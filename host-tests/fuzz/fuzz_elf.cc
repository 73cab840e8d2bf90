// SPDX-License-Identifier: MIT
// libFuzzer target: the ELF reader and the purgatory ELF check, over any bytes.
#include <cstdint>
#include <span>

#include <purgatory/host/elf.h>

using namespace purgatory::host;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
  const auto elf = parse_elf(bytes);
  if (!elf) return 0;
  (void)purgatory_elf_problems(*elf);
  (void)relocation_count(*elf);
  (void)arch_name(elf->machine, elf->byte_order);
  return 0;
}
