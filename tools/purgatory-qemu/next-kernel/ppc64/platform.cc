// SPDX-License-Identifier: MIT
#include <bit>

#include "../platform.h"

namespace next_kernel {

std::string_view register_names() { return "r3 r4 r5 r8 r9 msr_vec_vsx"; }

purgatory_console console() {
  purgatory_console console{};
  console.kind = PURGATORY_CONSOLE_HVC;
  console.base = 0;  // QEMU: the first vty
  return console;
}

// RTAS power-off (QEMU's token 0x2003) through QEMU/KVM's H_RTAS hypercall: QEMU exits with status 0.
void exit_emulator() {
  auto big_endian = [](std::uint32_t value) {
    return std::endian::native == std::endian::little ? __builtin_bswap32(value) : value;
  };
  alignas(8) static std::uint32_t arguments[6];
  arguments[0] = big_endian(0x2003);  // token
  arguments[1] = big_endian(2);       // inputs
  arguments[2] = big_endian(1);       // outputs
  register std::uint64_t r3 asm("r3") = 0xf000;
  register std::uint32_t* r4 asm("r4") = arguments;
  for (;;) {
    asm volatile("sc 1" : "+r"(r3), "+r"(r4)::"r0", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "ctr",
                 "xer", "cr0", "memory");
  }
}

}  // namespace next_kernel
