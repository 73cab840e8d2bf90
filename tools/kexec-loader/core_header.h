/* SPDX-License-Identifier: MIT */
// The ELF core header a crash kernel reads as /proc/vmcore's layout (elfcorehdr=): ET_CORE, one
// PT_NOTE per CPU (the crash notes the dying kernel fills in), one for VMCOREINFO, and one PT_LOAD per
// range of the old kernel's memory. Every offset in it is a physical address of the old kernel's
// memory, which the crash kernel reads from: p_offset = p_paddr for notes and loads alike, except for a
// range the purgatory saved elsewhere before the crash kernel overwrote it (ppc64's first 64 KiB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include <purgatory/host/arch.h>
#include <purgatory/host/result.h>

namespace kexec_loader {

// A note buffer in the old kernel's memory.
struct CoreNote {
  std::uint64_t address = 0;  // physical
  std::uint64_t size = 0;
};

// A range of the old kernel's memory as the dump shows it.
struct CoreLoad {
  std::uint64_t physical = 0;
  std::uint64_t virtual_address = 0;  // where the old kernel mapped it (tools such as crash use it)
  std::uint64_t size = 0;
  std::optional<std::uint64_t> saved_at;  // p_offset when the bytes are read from a backup copy
};

struct CoreHeaderRequest {
  purgatory::host::Arch arch;
  std::vector<CoreNote> cpu_notes;  // one per possible CPU, in CPU order
  CoreNote vmcoreinfo;
  std::vector<CoreLoad> loads;
};

// The header, its bytes in the arch's byte order (ELFCLASS64: every arch the SDK has is 64-bit).
// Refuses what the crash kernel would refuse ("Core image elf header is not sane"): no loads, or more
// program headers than e_phnum holds.
purgatory::host::Result<std::vector<std::byte>> build_core_header(const CoreHeaderRequest& request);

}  // namespace kexec_loader
