// The purgatory's job in steps, for the default purgatory_main and for custom ones that add their own
// step somewhere in between (examples/custom):
//
//   Console console(info);
//   announce(info, console);
//   if (!verify_and_report(info, console)) stop_after_failure(info, console);
//   ... a custom step ...
//   boot_next_kernel(info, console);
#pragma once

#include <purgatory/abi.h>
#include <purgatory/console.h>

namespace purgatory {

// The banner: SDK version, arch, and what is about to be checked.
void announce(purgatory_info& info, Console& console);

// Checks the block (sealed, sane, no segment over the purgatory itself), lets the arch prepare
// (arch::before_verification), verifies the segments, records the verdict in info.result and prints
// it; on a mismatch it names the segment with both digests. True when the next kernel may run.
bool verify_and_report(purgatory_info& info, Console& console);

// Never jumps: halts, or resets if the loader asked for it (PURGATORY_FLAG_RESET_ON_FAILURE).
[[noreturn]] void stop_after_failure(purgatory_info& info, Console& console);

// Jumps to the next kernel with the registers in info.next.
[[noreturn]] void boot_next_kernel(purgatory_info& info, Console& console);

// The default purgatory: all of the above in order.
[[noreturn]] void run(purgatory_info& info);

}  // namespace purgatory
