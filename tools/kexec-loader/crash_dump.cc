// SPDX-License-Identifier: MIT
#include "crash_dump.h"

#include "vmcore.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include <purgatory/host/elf.h>
#include <purgatory/host/spec.h>

namespace kexec_loader {
namespace {

constexpr std::uint64_t low_megabyte = 1 << 20;

// The word of a command line and the key it sets ("nr_cpus" of "nr_cpus=1", "irqpoll" of "irqpoll").
std::string_view key_of(std::string_view word) { return word.substr(0, word.find('=')); }

std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> words;
  while (!line.empty()) {
    const auto start = line.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    line.remove_prefix(start);
    const auto end = line.find(' ');
    words.push_back(line.substr(0, end));
    line.remove_prefix(end == std::string_view::npos ? line.size() : end);
  }
  return words;
}

std::uint64_t total_size(const std::vector<MemoryRange>& ranges) {
  std::uint64_t total = 0;
  for (const auto& range : ranges) total += range.end - range.start;
  return total;
}

}  // namespace

Result<std::vector<CoreNote>> read_crash_notes(const std::filesystem::path& cpus) {
  std::error_code error;
  std::vector<std::pair<unsigned, CoreNote>> notes;
  for (std::filesystem::directory_iterator entry(cpus, error), end; !error && entry != end; entry.increment(error)) {
    const std::string name = entry->path().filename().string();
    unsigned cpu = 0;
    if (!name.starts_with("cpu")) continue;
    const char* digits = name.data() + 3;
    const auto [rest, problem] = std::from_chars(digits, name.data() + name.size(), cpu);
    if (problem != std::errc{} || rest != name.data() + name.size()) continue;  // cpufreq, cpuidle, ...
    if (!std::filesystem::exists(entry->path() / "crash_notes", error)) continue;
    const auto address = hex_value(read_text(entry->path() / "crash_notes"));
    const auto size = purgatory::host::parse_number(read_text(entry->path() / "crash_notes_size"));
    if (!address || !size || *size == 0) {
      return Error{fmt::format("{}/crash_notes{{,_size}}: unreadable", entry->path().string())};
    }
    notes.push_back({cpu, CoreNote{*address, *size}});
  }
  if (error) return Error{fmt::format("{}: {}", cpus.string(), error.message())};
  if (notes.empty()) return Error{fmt::format("{} shows no CPU's crash_notes (needs CONFIG_CRASH_DUMP)", cpus.string())};
  std::sort(notes.begin(), notes.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<CoreNote> result;
  for (const auto& [cpu, note] : notes) result.push_back(note);
  return result;
}

Result<CoreNote> read_vmcoreinfo(const std::filesystem::path& path) {
  const std::string text = read_text(path);
  const auto space = text.find(' ');
  if (text.empty() || space == std::string::npos) {
    return Error{fmt::format("{}: unreadable (needs CONFIG_CRASH_CORE, and root)", path.string())};
  }
  const auto address = hex_value(text.substr(0, space));
  const auto size = hex_value(text.substr(space + 1));
  if (!address || !size || *size == 0) return Error{fmt::format("{}: not \"ADDRESS SIZE\": {}", path.string(), text)};
  return CoreNote{*address, *size};
}

Result<KernelMappings> read_kernel_mappings(const std::string& kcore, purgatory::host::Arch arch) {
  const auto core = read_core_programs(kcore);
  if (!core) return core.error();
  constexpr std::uint64_t no_physical = ~std::uint64_t{0};
  // x86_64's kernel text mapping (__START_KERNEL_map); its linear map lies below.
  constexpr std::uint64_t x86_64_kernel_map = 0xffffffff80000000;
  KernelMappings mappings;
  for (const CoreProgram& program : core->programs) {
    const bool loads_memory = program.type == purgatory::host::elf::segment_load;
    if (!loads_memory || program.physical == no_physical || program.size == 0) continue;
    const CoreLoad load{program.physical, program.virtual_address, program.size, std::nullopt};
    if (arch == purgatory::host::Arch::x86_64 && program.virtual_address >= x86_64_kernel_map) {
      mappings.text = load;
    } else {
      mappings.ram.push_back(load);
    }
  }
  if (mappings.ram.empty()) return Error{fmt::format("{} shows no mapped RAM", kcore)};
  return mappings;
}

std::vector<CoreLoad> loads_to_dump(const std::vector<MemoryRange>& ranges, const KernelMappings& mappings) {
  std::vector<CoreLoad> loads;
  for (const auto& range : ranges) {
    const std::uint64_t size = range.end - range.start;
    std::uint64_t virtual_address = 0;
    for (const auto& map : mappings.ram) {
      // The linear map is linear past a kcore range's end too (kcore rounds RAM ranges to pages).
      if (range.start >= map.physical && range.start - map.physical < map.size) {
        virtual_address = map.virtual_address + (range.start - map.physical);
        break;
      }
    }
    loads.push_back({range.start, virtual_address, size, std::nullopt});
  }
  if (mappings.text) loads.push_back(*mappings.text);
  return loads;
}

std::vector<CoreLoad> with_backup(const std::vector<CoreLoad>& loads, std::uint64_t size, std::uint64_t saved_at) {
  std::vector<CoreLoad> split;
  for (const CoreLoad& load : loads) {
    if (load.physical >= size || load.saved_at) {
      split.push_back(load);
      continue;
    }
    const std::uint64_t inside = std::min(size - load.physical, load.size);
    split.push_back({load.physical, load.virtual_address, inside, saved_at + load.physical});
    if (inside < load.size) {
      split.push_back({load.physical + inside, load.virtual_address != 0 ? load.virtual_address + inside : 0,
                       load.size - inside, std::nullopt});
    }
  }
  return split;
}

std::vector<MemoryRange> subtract_ranges(std::vector<MemoryRange> ranges, const std::vector<MemoryRange>& holes) {
  for (const auto& hole : holes) {
    std::vector<MemoryRange> kept;
    for (const auto& range : ranges) {
      if (hole.end <= range.start || range.end <= hole.start) {
        kept.push_back(range);
        continue;
      }
      if (range.start < hole.start) kept.push_back({range.start, hole.start, range.type});
      if (hole.end < range.end) kept.push_back({hole.end, range.end, range.type});
    }
    ranges = std::move(kept);
  }
  std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  return ranges;
}

Result<std::vector<MemoryRange>> read_crash_reservation_from_device_tree(const std::filesystem::path& device_tree) {
  const auto read_u64 = [&](const char* name) -> std::optional<std::uint64_t> {
    std::ifstream file(device_tree / "chosen" / name, std::ios::binary);
    unsigned char bytes[8];
    if (!file.read(reinterpret_cast<char*>(bytes), sizeof(bytes)) || file.get() != EOF) return std::nullopt;
    std::uint64_t value = 0;
    for (const unsigned char byte : bytes) value = value << 8 | byte;
    return value;
  };
  const auto base = read_u64("linux,crashkernel-base"), size = read_u64("linux,crashkernel-size");
  if (!base && !size) return std::vector<MemoryRange>{};
  if (!base || !size || *size == 0 || *base + *size < *base) {
    return Error{fmt::format("{}/chosen: linux,crashkernel-base and -size are not two 8-byte values of a range",
                             device_tree.string())};
  }
  return std::vector<MemoryRange>{{*base, *base + *size, "Crash kernel"}};
}

namespace {

// Ranges joined where they meet or overlap, sorted: a reservation may span two System RAM lines that
// meet (memory added in blocks, as ppc64's hot-pluggable LMBs are).
std::vector<MemoryRange> contiguous_runs(std::vector<MemoryRange> ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const MemoryRange& a, const MemoryRange& b) { return a.start < b.start; });
  std::vector<MemoryRange> runs;
  for (const MemoryRange& range : ranges) {
    if (!runs.empty() && range.start <= runs.back().end) {
      runs.back().end = std::max(runs.back().end, range.end);
    } else {
      runs.push_back(range);
    }
  }
  return runs;
}

}  // namespace

Result<std::vector<MemoryRange>> crash_ranges_for_load(const std::vector<MemoryRange>& crash,
                                                       const std::vector<MemoryRange>& ram, std::uint64_t needed,
                                                       std::string_view looked_in) {
  if (crash.empty()) {
    return Error{fmt::format("no crash kernel memory is reserved ({}): boot the running kernel with crashkernel=SIZE, "
                             "e.g. crashkernel=256M",
                             looked_in)};
  }
  const std::vector<MemoryRange> contiguous = contiguous_runs(ram);
  for (std::size_t i = 0; i < crash.size(); ++i) {
    const MemoryRange& range = crash[i];
    const bool in_ram = std::any_of(contiguous.begin(), contiguous.end(), [&](const MemoryRange& run) {
      return range.start >= run.start && range.end <= run.end;
    });
    if (range.start >= range.end || !in_ram) {
      return Error{fmt::format("the crash kernel memory [{:#x}, {:#x}) is not inside System RAM: the crash load "
                               "would go where the crash kernel cannot use it",
                               range.start, range.end)};
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (range.start < crash[j].end && crash[j].start < range.end) {
        return Error{fmt::format("the crash kernel memory ranges [{:#x}, {:#x}) and [{:#x}, {:#x}) overlap",
                                 crash[j].start, crash[j].end, range.start, range.end)};
      }
    }
  }
  const std::uint64_t reserved = total_size(crash);
  if (reserved < needed) {
    return Error{fmt::format("the crash kernel memory is {} bytes ({} MiB) and the crash load needs at least {} bytes "
                             "({} MiB): boot with a larger crashkernel=",
                             reserved, reserved >> 20, needed, (needed + (1 << 20) - 1) >> 20)};
  }
  std::vector<MemoryRange> ranges;
  for (const auto& range : crash) ranges.push_back({range.start, range.end, "System RAM"});
  return ranges;
}

std::string crash_command_line(std::string_view user, purgatory::host::Arch arch, std::uint64_t elfcorehdr) {
  using purgatory::host::Arch;
  const std::vector<std::string_view> recommended =
      arch == Arch::x86_64  ? std::vector<std::string_view>{"irqpoll", "nr_cpus=1", "reset_devices"}
      : arch == Arch::arm64 ? std::vector<std::string_view>{"nr_cpus=1", "reset_devices"}
                            : std::vector<std::string_view>{"maxcpus=1", "noirqdistrib", "reset_devices"};
  // Words from "--" on are init's, not the kernel's: the kernel's options go before them.
  std::vector<std::string_view> words, for_init;
  for (const auto word : words_of(user)) {
    if (!for_init.empty() || word == "--") {
      for_init.push_back(word);
    } else if (key_of(word) != "crashkernel" && key_of(word) != "elfcorehdr") {
      words.push_back(word);
    }
  }
  std::string line;
  const auto append = [&](std::string_view word) { line += fmt::format("{}{}", line.empty() ? "" : " ", word); };
  for (const auto word : words) append(word);
  for (const auto option : recommended) {
    const bool given = std::any_of(words.begin(), words.end(), [&](auto word) { return key_of(word) == key_of(option); });
    if (!given) append(option);
  }
  append(fmt::format("elfcorehdr={:#x}", elfcorehdr));
  for (const auto word : for_init) append(word);
  return line;
}

std::vector<MemoryRange> x86_64_crash_memory_map(const std::vector<MemoryRange>& firmware,
                                                 const std::vector<MemoryRange>& crash) {
  std::vector<MemoryRange> map;
  for (const auto& range : firmware) {
    if (range.type == "System RAM") {
      if (range.start < low_megabyte) map.push_back({range.start, std::min(range.end, low_megabyte), range.type});
    } else if (range.type == "ACPI Tables" || range.type == "ACPI Non-volatile Storage" || range.type == "Reserved") {
      map.push_back(range);
    }
  }
  for (const auto& range : crash) map.push_back({range.start, range.end, "System RAM"});
  std::sort(map.begin(), map.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  return map;
}

}  // namespace kexec_loader
