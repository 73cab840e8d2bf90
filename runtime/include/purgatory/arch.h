// The interface every arch implements (arch/<dir>/arch.cc and entry.S). Generic runtime code calls
// only these; it never tests which arch it is built for.
#pragma once

namespace purgatory::arch {

// Interrupts off, then wait forever. The verdict has been printed; nothing else may run.
[[noreturn]] void halt();

}  // namespace purgatory::arch

// The one C++ entry point. The arch's entry stub calls it once, with a stack, zeroed .bss and the
// machine state its own header comment describes; from here the full C++ (freestanding) ABI is
// available. The SDK's default lives in the runtime library; a custom purgatory may define its own.
extern "C" [[noreturn]] void purgatory_main();
