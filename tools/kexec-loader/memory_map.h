/* SPDX-License-Identifier: MIT */
// Where RAM is, as the running system reports it, and placing the next kernel's segments in it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <purgatory/host/result.h>

namespace kexec_loader {

using purgatory::host::Error;
using purgatory::host::Result;

struct MemoryRange {
  std::uint64_t start = 0;
  std::uint64_t end = 0;  // exclusive
  std::string type;       // "System RAM", "Reserved", "ACPI Tables", ...
};

// A sysfs or procfs file's text, trailing newlines and spaces removed; empty if unreadable.
std::string read_text(const std::filesystem::path& path);
// A hexadecimal number with or without "0x", as sysfs and /proc/iomem print them.
Result<std::uint64_t> hex_value(std::string_view text);

// /sys/firmware/memmap/<n>/{start,end,type} (end inclusive there): the firmware's map, which x86_64
// hands on to the next kernel as its e820 table.
Result<std::vector<MemoryRange>> read_firmware_memmap(const std::string& directory = "/sys/firmware/memmap");

// /proc/iomem's top-level "System RAM" lines, and the running kernel's own ranges ("Kernel code",
// "Kernel data", "Kernel bss") nested under them. Parsed from text so it can be tested.
struct IomemSummary {
  std::vector<MemoryRange> ram;
  std::uint64_t kernel_end = 0;     // 0 if /proc/iomem does not show the kernel
  std::vector<MemoryRange> crash;   // the crashkernel= reservations ("Crash kernel", "Crash kernel (low)")
};
Result<IomemSummary> parse_iomem(std::string_view text);
Result<IomemSummary> read_iomem(const std::string& path = "/proc/iomem");

// First-fit placement inside RAM, never overlapping what was placed before.
class Placer {
 public:
  explicit Placer(std::vector<MemoryRange> ram);

  // The lowest address >= `at_least`, aligned to `alignment`, where `size` bytes of RAM are free and
  // end at or below `below`; the range is then taken.
  Result<std::uint64_t> place(std::uint64_t size, std::uint64_t alignment, std::uint64_t at_least,
                              std::uint64_t below, std::string_view what);
  // Takes a fixed range, refusing one outside RAM or overlapping a placed one.
  Result<bool> take(std::uint64_t start, std::uint64_t size, std::string_view what);

 private:
  bool is_free(std::uint64_t start, std::uint64_t size) const;
  std::vector<MemoryRange> ram_;
  std::vector<MemoryRange> taken_;
};

inline std::uint64_t round_up(std::uint64_t value, std::uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

}  // namespace kexec_loader
