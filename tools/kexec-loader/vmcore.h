/* SPDX-License-Identifier: MIT */
// Reading a crash dump back: what a crash kernel's /proc/vmcore holds (its ELF header, the CPUs'
// NT_PRSTATUS notes, VMCOREINFO, the dumped memory), and whether given strings are in that memory.
// It lets a kdump set-up be checked from inside the crash kernel: `kexec-loader --describe-vmcore`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <purgatory/host/arch.h>
#include <purgatory/host/result.h>

namespace kexec_loader {

struct VmcoreSummary {
  std::optional<purgatory::host::Arch> arch;  // from e_machine and the byte order
  std::uint16_t elf_type = 0;                 // 4 (ET_CORE) for a dump
  unsigned prstatus_notes = 0;                // one per CPU the dying kernel saved
  std::uint64_t vmcoreinfo_size = 0;          // 0: no VMCOREINFO note
  unsigned memory_ranges = 0;
  std::uint64_t memory_bytes = 0;
  std::vector<bool> found;                    // per searched string, in the dumped memory
};

// Reads `path` (an ELF64 core file in either byte order) through, in large pieces, looking for each of
// `strings` in the contents of its PT_LOAD segments.
purgatory::host::Result<VmcoreSummary> describe_vmcore(const std::string& path, const std::vector<std::string>& strings);

}  // namespace kexec_loader
