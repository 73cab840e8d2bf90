// What the arch's exception vectors report. Without them a bad address (a segment past the end of RAM,
// say) would hang the machine or reset it with no word said; with them the purgatory prints what
// happened and where, records PURGATORY_STATUS_FAULT, and follows the loader's failure policy.
#pragma once

#include <cstdint>

namespace purgatory {

struct Fault {
  const char* kind = "";         // the arch's name for the exception, a literal ("page fault")
  std::uint64_t code = 0;        // what the arch says about it (x86 vector and error code, ESR, SRR1)
  std::uint64_t pc = 0;          // the instruction that faulted
  std::uint64_t address = 0;     // the data address, when address_known
  bool address_known = false;
};

// Reports the fault on the console and in the result, then halts or resets as the loader asked. A
// fault before a session exists, or while one is being reported, just halts.
[[noreturn]] void handle_fault(const Fault& fault);

}  // namespace purgatory
