/* SPDX-License-Identifier: MIT */
// The two system calls that hand the machine to the next kernel: kexec_load(2) and
// reboot(LINUX_REBOOT_CMD_KEXEC).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <purgatory/host/result.h>

namespace kexec_loader {

struct KexecSegment {
  std::span<const std::byte> bytes;
  std::uint64_t address = 0;      // page-aligned
  std::uint64_t memory_size = 0;  // page-aligned, >= bytes.size(); the rest is zero-filled
};

// Loads the segments; `entry` is where the CPU goes after the old kernel's relocate_kernel (here: the
// purgatory's entry). `arch_flags` is KEXEC_ARCH_*.
purgatory::host::Result<bool> kexec_load(std::uint64_t entry, const std::vector<KexecSegment>& segments,
                                         std::uint64_t arch_flags);

// Does not return on success.
purgatory::host::Error reboot_into_loaded_kernel();

}  // namespace kexec_loader
