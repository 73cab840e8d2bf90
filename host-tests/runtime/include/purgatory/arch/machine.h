/* SPDX-License-Identifier: MIT */
// The fake arch's record of what it changed (fake_arch.cc): what the runtime hands back to it.
#pragma once

namespace purgatory::arch {

struct SavedState {
  bool vectors_installed = false;
  bool engine_enabled = false;
};

}  // namespace purgatory::arch
