// SPDX-License-Identifier: MIT
// Must NOT link: a static table of structs with pointer members is a table of address constants, each
// needing a runtime relocation. (A plain `const char* const names[]` is not a reliable example: clang
// may turn it into a table of relative offsets by itself.)
#include <purgatory/arch.h>

namespace {
void stop() { purgatory::arch::halt(); }
void resume() {}

struct Command {
  const char* name;
  void (*run)();
};
Command commands[] = {{"stop", stop}, {"resume", resume}};
Command* volatile chosen = &commands[0];
}  // namespace

extern "C" void purgatory_main() {
  chosen->run();
  purgatory::arch::halt();
}
