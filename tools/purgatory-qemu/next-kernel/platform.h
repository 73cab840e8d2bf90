/* SPDX-License-Identifier: MIT */
// What differs per arch in the stand-in next kernel (<arch>/platform.cc and <arch>/entry.S).
#pragma once

#include <cstdint>
#include <string_view>

#include <purgatory/abi.h>

namespace next_kernel {

// The registers entry.S saves, in order, space-separated. (A function: a global string_view would be
// an address constant, which the relocation gates refuse.)
std::string_view register_names();

purgatory_console console();

// Stops the emulator the way the boot test takes as success (x86_64 and arm64: exit status 33;
// ppc64: power-off, status 0).
[[noreturn]] void exit_emulator();

}  // namespace next_kernel
