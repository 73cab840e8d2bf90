// SPDX-License-Identifier: MIT
#include "memory_map.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include <purgatory/host/spec.h>

namespace kexec_loader {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream stream(path);
  std::stringstream text;
  text << stream.rdbuf();
  std::string value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  return value;
}

Result<std::uint64_t> hex_value(std::string_view text) {
  return purgatory::host::parse_number(text.starts_with("0x") ? text : "0x" + std::string(text));
}

Result<std::vector<MemoryRange>> read_firmware_memmap(const std::string& directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    return Error{fmt::format("{} is missing (needs CONFIG_FIRMWARE_MEMMAP)", directory)};
  }
  std::vector<MemoryRange> ranges;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const auto start = hex_value(read_text(entry.path() / "start"));
    const auto end = hex_value(read_text(entry.path() / "end"));
    if (!start || !end || *end < *start) return Error{fmt::format("{}: unreadable entry", entry.path().string())};
    ranges.push_back({*start, *end + 1, read_text(entry.path() / "type")});
  }
  std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  if (ranges.empty()) return Error{fmt::format("{} lists no memory", directory)};
  return ranges;
}

Result<IomemSummary> parse_iomem(std::string_view text) {
  IomemSummary summary;
  for (std::size_t number = 1; !text.empty(); ++number) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    const bool nested = line.starts_with(' ');
    const auto first = line.find_first_not_of(' ');
    if (first == std::string_view::npos) continue;
    line.remove_prefix(first);
    // Every line the kernel writes is "START-LAST : NAME" with START <= LAST: anything else is no
    // /proc/iomem, and a range misread could put the crash kernel where it must not go.
    const auto dash = line.find('-'), colon = line.find(" : ");
    const auto start = dash < colon && colon != std::string_view::npos ? hex_value(line.substr(0, dash))
                                                                        : Result<std::uint64_t>(Error{""});
    const auto last = start ? hex_value(line.substr(dash + 1, colon - dash - 1)) : start;
    if (!start || !last || *last < *start || *last == UINT64_MAX) {
      return Error{fmt::format("line {}: \"{}\" is not START-LAST : NAME with START <= LAST", number, line)};
    }
    const std::string_view name = line.substr(colon + 3);
    if (!nested && name == "System RAM") summary.ram.push_back({*start, *last + 1, "System RAM"});
    if (nested && name.starts_with("Kernel ")) summary.kernel_end = std::max(summary.kernel_end, *last + 1);
    // "Crash kernel", and arm64's and x86_64's "Crash kernel (low)" where crashkernel=...,low gave one.
    if (nested && name.starts_with("Crash kernel")) summary.crash.push_back({*start, *last + 1, std::string(name)});
  }
  if (summary.ram.empty()) return Error{"shows no System RAM (are we root?)"};
  if (summary.ram.size() == 1 && summary.ram[0].start == 0 && summary.ram[0].end == 1) {
    return Error{"shows only zero addresses: run as root"};
  }
  return summary;
}

Result<IomemSummary> read_iomem(const std::string& path) {
  std::ifstream stream(path);
  if (!stream) return Error{fmt::format("cannot read {}", path)};
  std::stringstream text;
  text << stream.rdbuf();
  auto summary = parse_iomem(text.str());
  if (!summary) return Error{fmt::format("{}: {}", path, summary.error().message)};
  return summary;
}

Placer::Placer(std::vector<MemoryRange> ram) : ram_(std::move(ram)) {}

bool Placer::is_free(std::uint64_t start, std::uint64_t size) const {
  const bool in_ram = std::any_of(ram_.begin(), ram_.end(), [&](const MemoryRange& range) {
    return range.type == "System RAM" && start >= range.start && size <= range.end - start && start < range.end;
  });
  if (!in_ram) return false;
  return std::none_of(taken_.begin(), taken_.end(),
                      [&](const MemoryRange& range) { return start < range.end && range.start < start + size; });
}

Result<std::uint64_t> Placer::place(std::uint64_t size, std::uint64_t alignment, std::uint64_t at_least,
                                    std::uint64_t below, std::string_view what) {
  // Candidates: the floor, and just past every RAM start and every taken range, aligned up.
  std::vector<std::uint64_t> candidates{round_up(at_least, alignment)};
  for (const auto& range : ram_) candidates.push_back(round_up(std::max(range.start, at_least), alignment));
  for (const auto& range : taken_) candidates.push_back(round_up(std::max(range.end, at_least), alignment));
  std::sort(candidates.begin(), candidates.end());
  for (std::uint64_t start : candidates) {
    if (start + size > below || start + size < start) break;
    if (is_free(start, size)) {
      taken_.push_back({start, start + size, std::string(what)});
      return start;
    }
  }
  return Error{fmt::format("no room for the {} ({:#x} bytes, {:#x}-aligned) in RAM between {:#x} and {:#x}", what,
                           size, alignment, at_least, below)};
}

Result<bool> Placer::take(std::uint64_t start, std::uint64_t size, std::string_view what) {
  if (!is_free(start, size)) {
    return Error{fmt::format("the {} at [{:#x}, {:#x}) is not in free RAM", what, start, start + size)};
  }
  taken_.push_back({start, start + size, std::string(what)});
  return true;
}

}  // namespace kexec_loader
