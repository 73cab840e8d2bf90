// SPDX-License-Identifier: MIT
// Must NOT link: a virtual function needs a vtable, a table of function addresses.
#include <purgatory/arch.h>

namespace {
struct Console {
  virtual void put(char c) = 0;
};
struct Quiet final : Console {
  void put(char) override {}
};
struct Counting final : Console {
  void put(char) override { ++count; }
  unsigned count = 0;
};
volatile bool counting;
}  // namespace

extern "C" void purgatory_main() {
  Quiet quiet;
  Counting counter;
  Console& console = counting ? static_cast<Console&>(counter) : quiet;
  console.put('x');
  purgatory::arch::halt();
}
