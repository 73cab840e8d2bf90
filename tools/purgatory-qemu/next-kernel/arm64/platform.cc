// SPDX-License-Identifier: MIT
#include "../platform.h"

namespace next_kernel {

std::string_view register_names() { return "x0 x1 x2 x3 el sctlr_mc fp_traps e2h"; }

purgatory_console console() {
  purgatory_console console{};
  console.kind = PURGATORY_CONSOLE_PL011;
  console.base = 0x09000000;  // QEMU virt's UART0
  return console;
}

// Semihosting SYS_EXIT (0x18) with an AArch64 parameter block: ADP_Stopped_ApplicationExit and the
// exit status; QEMU (-semihosting) exits with that status.
void exit_emulator() {
  alignas(8) static std::uint64_t block[2];
  block[0] = 0x20026;
  block[1] = 33;
  register std::uint64_t x0 asm("x0") = 0x18;
  register std::uint64_t* x1 asm("x1") = block;
  for (;;) asm volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}

}  // namespace next_kernel
