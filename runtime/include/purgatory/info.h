/* SPDX-License-Identifier: MIT */
// The loader-filled purgatory_info block of this image (see <purgatory/abi.h>). It is the only global
// mutable state in the runtime, because the ABI requires it: the loader writes it before the purgatory
// runs, and the purgatory writes its result there for whoever looks afterwards.
#pragma once

#include <purgatory/abi.h>

// In a section of its own, so the linker script can place it and name its offset.
extern "C" [[gnu::section(".data.purgatory_info")]] purgatory_info purgatory_info_block;

namespace purgatory {

inline purgatory_info& loader_info() { return purgatory_info_block; }

}  // namespace purgatory
