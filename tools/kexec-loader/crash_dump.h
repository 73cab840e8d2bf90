/* SPDX-License-Identifier: MIT */
// What a crash kernel needs from the running one, read where the running kernel publishes it, and the
// pieces of a crash load that do not depend on the kernel format: the ranges to dump, the crash
// kernel's memory (x86_64 e820) and command line. Paths are parameters so tests can give their own.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <purgatory/host/arch.h>
#include <purgatory/host/result.h>

#include "core_header.h"
#include "memory_map.h"

namespace kexec_loader {

// /sys/devices/system/cpu/cpuN/crash_notes (physical address, hex) and crash_notes_size (decimal): the
// buffer each CPU's registers are saved into on panic, in CPU order. CPUs without one are skipped.
Result<std::vector<CoreNote>> read_crash_notes(const std::filesystem::path& cpus = "/sys/devices/system/cpu");

// /sys/kernel/vmcoreinfo: "ADDRESS SIZE", both hex.
Result<CoreNote> read_vmcoreinfo(const std::filesystem::path& path = "/sys/kernel/vmcoreinfo");

// What /proc/kcore says of the running kernel's mappings: where its linear map puts RAM, and (x86_64)
// the kernel text mapping. Its program headers give both virtual and physical addresses.
struct KernelMappings {
  std::vector<CoreLoad> ram;
  std::optional<CoreLoad> text;
};
Result<KernelMappings> read_kernel_mappings(const std::string& kcore, purgatory::host::Arch arch);

// The PT_LOADs of a core header for `ranges`: each with its linear-map virtual address where `mappings`
// covers its start (0 where not), and the kernel text mapping last.
std::vector<CoreLoad> loads_to_dump(const std::vector<MemoryRange>& ranges, const KernelMappings& mappings);

// ppc64: the crash kernel puts its interrupt vectors in the first 64 KiB, so the purgatory saves them
// first (BACKUP_SRC in kexec-tools' and Linux's ppc64 kdump) into a segment of the crash load.
inline constexpr std::uint64_t ppc64_backup_size = 0x10000;

// `loads` with [0, size) split off as a load of its own whose bytes are read from `saved_at`.
std::vector<CoreLoad> with_backup(const std::vector<CoreLoad>& loads, std::uint64_t size, std::uint64_t saved_at);

// `ranges` with every part that lies in one of `holes` removed; sorted by start.
std::vector<MemoryRange> subtract_ranges(std::vector<MemoryRange> ranges, const std::vector<MemoryRange>& holes);

// ppc64, whose /proc/iomem does not show the reservation: the live tree's /chosen linux,crashkernel-base
// and linux,crashkernel-size (8 bytes each, big-endian), as the kernel publishes them. None if absent.
Result<std::vector<MemoryRange>> read_crash_reservation_from_device_tree(const std::filesystem::path& device_tree);

// The crash reservation as one place to put things, refused with the sizes when there is none or it is
// smaller than `needed`, and refused when a range is not inside `ram` (contiguous runs of it) or two overlap
// (a hand-made or damaged --iomem: the crash load would go where the crash kernel cannot use it).
// `looked_in` says where the reservation was looked for, for the first refusal.
Result<std::vector<MemoryRange>> crash_ranges_for_load(const std::vector<MemoryRange>& crash,
                                                       const std::vector<MemoryRange>& ram, std::uint64_t needed,
                                                       std::string_view looked_in);

// The crash kernel's command line from the user's: crashkernel= dropped (the crash kernel must not
// reserve again), and the arch's recommended options of the kernel's kdump documentation added unless
// the line already sets them (x86_64: irqpoll nr_cpus=1 reset_devices; arm64: nr_cpus=1 reset_devices;
// ppc64: maxcpus=1 noirqdistrib reset_devices), then elfcorehdr=ADDRESS.
std::string crash_command_line(std::string_view user, purgatory::host::Arch arch, std::uint64_t elfcorehdr);

// x86_64: the crash kernel's e820, from the firmware map: RAM below 1 MiB (the real-mode trampoline's;
// Linux reserves it from use in the old kernel when crashkernel= is given), ACPI tables and NVS and
// reserved ranges as they are, and the crash reservations as RAM. Nothing else of the old kernel's RAM.
std::vector<MemoryRange> x86_64_crash_memory_map(const std::vector<MemoryRange>& firmware,
                                                 const std::vector<MemoryRange>& crash);

}  // namespace kexec_loader
