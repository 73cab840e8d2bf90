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
#include <purgatory/host/byte_reader.h>
#include <purgatory/host/result.h>

namespace kexec_loader {

struct VmcoreSummary {
  std::optional<purgatory::host::Arch> arch;  // from e_machine and the byte order
  std::uint16_t elf_type = 0;                 // 4 (ET_CORE) for a dump
  unsigned prstatus_notes = 0;                // one per CPU the dying kernel saved
  std::uint64_t vmcoreinfo_size = 0;          // 0: no VMCOREINFO note
  unsigned memory_ranges = 0;
  unsigned mapped_ranges = 0;                 // of those, with a virtual address
  std::uint64_t memory_bytes = 0;
  std::vector<bool> found;                    // per searched string, in the dumped memory
  // The kernel's log (the printk ring's text), found through VMCOREINFO, and per log string whether it
  // is there; or why the log could not be read.
  std::uint64_t log_bytes = 0;
  std::optional<std::string> log_problem;
  std::vector<bool> found_in_log;
};

// A program header of a core file (/proc/vmcore, /proc/kcore).
struct CoreProgram {
  std::uint32_t type;
  std::uint64_t offset, virtual_address, physical, size;  // size: p_filesz
};
struct CoreFile {
  std::uint16_t elf_type = 0;
  std::optional<purgatory::host::Arch> arch;
  purgatory::host::ByteOrder order = purgatory::host::ByteOrder::little;
  std::vector<CoreProgram> programs;
};
// The ELF header and program headers of an ELF64 core file in either byte order.
purgatory::host::Result<CoreFile> read_core_programs(const std::string& path);

// Reads `path` (an ELF64 core file in either byte order) through, in large pieces, looking for each of
// `strings` in the contents of its PT_LOAD segments, and each of `log_strings` in the dying kernel's
// log: its printk ring's text data, which VMCOREINFO locates (SYMBOL(prb) and the ring's offsets).
purgatory::host::Result<VmcoreSummary> describe_vmcore(const std::string& path, const std::vector<std::string>& strings,
                                                       const std::vector<std::string>& log_strings = {});

}  // namespace kexec_loader
