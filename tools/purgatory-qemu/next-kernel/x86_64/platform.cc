// SPDX-License-Identifier: MIT
#include "../platform.h"

namespace next_kernel {

std::string_view register_names() {
  return "rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 cr4_sse cr0_em_mp";
}

purgatory_console console() {
  purgatory_console console{};
  console.kind = PURGATORY_CONSOLE_8250_PIO;
  console.base = 0x3f8;  // COM1
  return console;
}

// QEMU's isa-debug-exit at port 0xf4 (the test's command line adds it) exits with (value << 1) | 1.
void exit_emulator() {
  for (;;) asm volatile("outl %0, %1" ::"a"(16u), "Nd"(std::uint16_t{0xf4}));
}

}  // namespace next_kernel
