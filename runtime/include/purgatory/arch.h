/* SPDX-License-Identifier: MIT */
// The interface every arch implements (arch/<dir>/arch.cc and entry.S). Generic runtime code calls
// only these; it never tests which arch it is built for.
#pragma once

#include <cstdint>
#include <string_view>

#include <purgatory/abi.h>
#include <purgatory/arch/machine.h>
#include <purgatory/sha256.h>
#include <purgatory/verify.h>

// What the purgatory changes in the machine it is handed (exception vectors, FP/vector units, caches)
// it puts back before the jump. Each arch records that in its own SavedState
// (<purgatory/arch/machine.h>, a header every arch provides under that name); the runtime keeps it
// (purgatory::Session) and hands it back to the arch: nothing is parked in a global between calls.
namespace purgatory::arch {

// The SDK's name for this arch: "x86_64", "arm64", "ppc64le" or "ppc64".
std::string_view name();

// Consoles only this arch has (8250 by port I/O, the ppc64 hypervisor console). Kinds the arch does not
// know are ignored: the memory log still gets every line.
void console_initialise(const purgatory_console& config);
void console_write(const purgatory_console& config, std::string_view text);

// Exception vectors that report a fault (purgatory::handle_fault) instead of hanging or resetting the
// machine in silence, until enter_next_kernel() puts back what the purgatory found. Null when
// installed, else why not (a literal): ppc64's vectors live in low memory, which a segment may hold.
const char* install_fault_handlers(const purgatory_info& request, SavedState& saved);

// The first segment the purgatory cannot read where it is (x86_64: outside the page tables it was
// entered with; arm64: beyond the CPU's physical address size), or PURGATORY_NO_SEGMENT.
std::uint32_t first_unreadable_segment(const purgatory_info& request);

// Runs before the segments are hashed: whatever must happen for their bytes to be the loaded ones
// (ppc64: move the secondary CPUs off low memory and restore it from the request).
void before_verification(const purgatory_info& request, SavedState& saved);

// What hashes the segments: the CPU's SHA-256 instructions where it has them and `allow_hardware`
// (the loader did not set PURGATORY_FLAG_NO_HARDWARE_DIGEST), else the portable code. Choosing the
// hardware engine also enables the unit it needs (x86 SSE, arm64 FP/SIMD, ppc64 VMX), and an arch may
// prepare to hash the request's segments faster (arm64: caches); both are recorded in `saved`, which
// may also hold the engine's context, and enter_next_kernel() puts the machine back as it was. The
// engine is built here, at run time: a constant aggregate holding function pointers would need a
// relocation. `request` and `saved` outlive the hashing.
DigestEngine select_digest_engine(bool allow_hardware, const purgatory_info& request, SavedState& saved);

// Enters the next kernel with the registers of this arch's member of request.next, after putting back
// what `saved` records the purgatory changed (exception vectors, FP/vector units).
[[noreturn]] void enter_next_kernel(const purgatory_info& request, const SavedState& saved);

// Resets the machine as `reset` says. Returns if that did not work.
void reset(const purgatory_reset& reset);

// Interrupts off, then wait forever. The verdict has been printed; nothing else may run.
[[noreturn]] void halt();

}  // namespace purgatory::arch

// The one C++ entry point. The arch's entry stub calls it once, with a stack, zeroed .bss and the
// machine state its own header comment describes; from here the full C++ (freestanding) ABI is
// available. Every purgatory defines it: examples/minimal calls purgatory::run(), examples/custom adds
// its own step.
extern "C" [[noreturn]] void purgatory_main();
