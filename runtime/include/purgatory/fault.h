/* SPDX-License-Identifier: MIT */
// What the arch's exception vectors report. Without them a bad address (a segment past the end of RAM,
// say) would hang the machine or reset it with no word said; with them the purgatory prints what
// happened and where, records PURGATORY_STATUS_FAULT, and follows the loader's failure policy.
#pragma once

#include <cstdint>

namespace purgatory {

// Printed as "KIND NUMBER (DETAIL_NAME DETAIL) at pc PC", e.g. "x86 exception 0xe (error code 0x0)".
struct Fault {
  const char* kind = "";         // the arch's name for the exception, a literal
  std::uint64_t number = 0;      // which (x86 vector, arm64 exception class, ppc64 interrupt offset)
  const char* detail_name = "";  // a literal: "error code", "ESR", "SRR1"
  std::uint64_t detail = 0;
  std::uint64_t pc = 0;          // the instruction that faulted
  std::uint64_t address = 0;     // the data address, when address_known
  bool address_known = false;
};

// Reports the fault on the console and in the result, then halts or resets as the loader asked. A
// fault before a session exists, or while one is being reported, just halts.
[[noreturn]] void handle_fault(const Fault& fault);

}  // namespace purgatory
