// SPDX-License-Identifier: MIT
// The default purgatory: banner, verify every segment, then boot the next kernel, or refuse to and
// halt (or reset, if the loader asked for that). Everything is the SDK's.
#include <purgatory/arch.h>
#include <purgatory/boot.h>
#include <purgatory/info.h>

extern "C" void purgatory_main() { purgatory::run(purgatory::loader_info()); }
