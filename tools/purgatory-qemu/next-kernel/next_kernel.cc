// SPDX-License-Identifier: MIT
// A stand-in "next kernel" for the boot tests: prints the registers it was entered with, as its entry
// stub saved them, then stops the emulator with a status the test expects. Built with the SDK like a
// purgatory (relocation-free, placed anywhere), so it also reuses the runtime's console.
#include <cstdint>
#include <string_view>

#include <purgatory/abi.h>
#include <purgatory/console.h>
#include <purgatory/text.h>

#include "platform.h"

// Saved by entry.S, in the order of next_kernel::register_names.
extern "C" std::uint64_t next_kernel_registers[];

namespace {
purgatory_result console_log;  // the console's memory log, unread; .bss, zeroed by entry.S
}

extern "C" [[noreturn]] void next_kernel_main() {
  const purgatory_console config = next_kernel::console();
  purgatory::Console console(config, console_log);
  console.use_device();

  std::string_view names = next_kernel::register_names();
  purgatory::Text line;
  line << "next-kernel:";
  for (unsigned index = 0; !names.empty(); ++index) {
    // (No substr: it may throw, and there is nothing to catch with.)
    const auto space = names.find(' ');
    const std::size_t length = space == std::string_view::npos ? names.size() : space;
    line << ' ' << std::string_view(names.data(), length) << '=' << purgatory::Hex{next_kernel_registers[index]};
    names.remove_prefix(space == std::string_view::npos ? names.size() : space + 1);
    if (index % 4 == 3 && !names.empty()) {
      console.write_line(line);
      line = purgatory::Text{};
      line << "next-kernel:";
    }
  }
  console.write_line(line);
  console.write("next-kernel: done\n");
  next_kernel::exit_emulator();
}
