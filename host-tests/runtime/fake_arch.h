// SPDX-License-Identifier: MIT
// A fake of the arch interface (<purgatory/arch.h>), so that the generic runtime's sessions, verdicts,
// console and failure policy run as host code: it records what the runtime asks of the machine, and
// turns what never returns (the jump, the halt) into an exception the test catches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <purgatory/abi.h>

namespace fake_arch {

// What the runtime asked for, in the order it asked.
struct Record {
  std::string console;                 // everything written to the arch's console device
  unsigned console_initialisations = 0;
  std::vector<std::string> calls;      // "install_fault_handlers", "before_verification", "reset", ...
  bool vectors_restored = false;       // enter_next_kernel saw the SavedState with them installed
  bool engine_restored = false;
};
Record& record();

// How the fake machine behaves: which segment it cannot read, and whether its reset works.
struct Behaviour {
  std::uint32_t unreadable_segment = PURGATORY_NO_SEGMENT;
  bool reset_works = false;
  const char* fault_handlers_problem = nullptr;
};
Behaviour& behaviour();

void clear();

// Thrown where the purgatory would never return: the jump, the halt, a reset that worked.
struct Stopped {
  std::string how;          // "next kernel", "halt", "reset"
  std::uint64_t entry = 0;  // the next kernel's, for "next kernel"
};

// The fake purgatory's own memory (what __purgatory_image_start and __purgatory_memory_end bound).
char* memory();
std::uint64_t memory_size();

}  // namespace fake_arch
