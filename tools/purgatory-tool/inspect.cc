// SPDX-License-Identifier: MIT
// purgatory-tool inspect FILE...: what an image is, what was sealed into it and, for a copy of the
// purgatory's memory, what the purgatory recorded when it ran; for people (text), scripts (--json) and
// tables (--brief).
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "commands.h"
#include "describe.h"
#include "files.h"

namespace purgatory_tool {
namespace {

struct InspectOptions {
  std::vector<std::string> files;
  bool json = false;
  bool brief = false;
};

std::string hex_or_dash(const ordered_json& value) {
  return value.is_number() ? fmt::format("{:#x}", value.get<std::uint64_t>()) : "-";
}

std::string names_or_none(const ordered_json& names) {
  if (names.empty()) return "none";
  std::vector<std::string> list = names.get<std::vector<std::string>>();
  return fmt::format("{}", fmt::join(list, ", "));
}

void print_elf(const ordered_json& elf) {
  fmt::print("  ELF: {}-bit, {}-endian, {}, type {}, entry {:#x}, {} relocations\n", elf["class"].get<int>(),
             elf["byte_order"].get<std::string>(), elf["arch"].get<std::string>(), elf["type"].get<int>(),
             elf["entry"].get<std::uint64_t>(), elf["relocations"].get<std::uint64_t>());
  for (const auto& segment : elf["program_headers"]) {
    fmt::print("    {:<9} offset {:>#8x} address {:>#10x} file {:>7} memory {:>7} {}\n",
               segment["type"].get<std::string>(), segment["offset"].get<std::uint64_t>(),
               segment["address"].get<std::uint64_t>(), segment["file_size"].get<std::uint64_t>(),
               segment["memory_size"].get<std::uint64_t>(), segment["flags"].get<std::string>());
  }
  for (const auto& problem : elf["problems"]) fmt::print("    problem: {}\n", problem.get<std::string>());
}

void print_image(const ordered_json& image) {
  fmt::print("  image: {} ({}-endian), ABI {}.{}{}\n", image["arch"].get<std::string>(),
             image["byte_order"].get<std::string>(), image["abi"]["major"].get<int>(), image["abi"]["minor"].get<int>(),
             image["memory_dump"].get<bool>() ? ", a copy of the purgatory's memory" : "");
  fmt::print("    file size {}, memory size {}, load alignment {:#x}\n", image["file_size"].get<std::uint64_t>(),
             image["memory_size"].get<std::uint64_t>(), image["load_alignment"].get<std::uint64_t>());
  fmt::print("    entry offset {:#x}, purgatory_info at {:#x} ({} bytes)\n", image["entry_offset"].get<std::uint64_t>(),
             image["info_offset"].get<std::uint64_t>(), image["info_size"].get<std::uint64_t>());
  fmt::print("    features {:#x}: {}\n", image["features"].get<std::uint32_t>(), names_or_none(image["feature_names"]));
  fmt::print("    unsealed sha256 {}\n", image["unsealed_sha256"].get<std::string>());
}

std::string segment_whose(const ordered_json& segment) {
  const std::string part = segment["part"].get<std::string>();
  if (segment["loader_segment"].is_null()) return part;
  const std::string loader = fmt::format("the loader's segment {}", segment["loader_segment"].get<std::uint64_t>());
  return part == "whole" ? loader : fmt::format("{} of {}", part, loader);
}

// A line of the log as text a terminal shows as it is: the log is bytes from a memory dump, where an
// escape sequence (or anything else) may be. The console's "\r" before each newline goes; every other
// control byte and every byte past ASCII is written as \xNN.
std::string terminal_safe(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string shown;
  for (const char c : line) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\t') || byte >= 0x7f) {
      shown += fmt::format("\\x{:02x}", byte);
    } else {
      shown += c;
    }
  }
  return shown;
}

void print_sealed(const ordered_json& sealed) {
  fmt::print("  sealed: flags {:#x} ({})\n", sealed["flags"].get<std::uint32_t>(), names_or_none(sealed["flag_names"]));
  if (!sealed["problem"].is_null()) {
    fmt::print("    the purgatory refuses this block: {}\n", sealed["problem"].get<std::string>());
  }
  const std::uint32_t count = sealed["segment_count"].get<std::uint32_t>();
  fmt::print("    {} segment{}, all-segments sha256 {}\n", count, count == 1 ? "" : "s", sealed["sha256"].get<std::string>());
  for (const auto& segment : sealed["segments"]) {
    fmt::print("    segment {:<2} start {:>#14x} size {:>10}  {}  ({})\n", segment["index"].get<int>(),
               segment["start"].get<std::uint64_t>(), segment["size"].get<std::uint64_t>(),
               segment["sha256"].get<std::string>(), segment_whose(segment));
  }
  std::string registers;
  for (const auto& [name, value] : sealed["next_kernel"]["registers"].items()) {
    registers += fmt::format(" {}={:#x}", name, value.get<std::uint64_t>());
  }
  fmt::print("    next kernel: entry {:#x},{}\n", sealed["next_kernel"]["entry"].get<std::uint64_t>(), registers);
  const auto& console = sealed["console"];
  fmt::print("    console: {}, base {:#x}, register shift {}, access width {}, divisor {}\n",
             console["kind_name"].get<std::string>(), console["base"].get<std::uint64_t>(),
             console["register_shift"].get<int>(), console["access_width"].get<int>(), console["divisor"].get<std::uint32_t>());
  fmt::print("    reset: {}, token {:#x}\n", sealed["reset"]["method_name"].get<std::string>(),
             sealed["reset"]["token"].get<std::uint32_t>());
  const auto user = sealed["user"].get<std::vector<std::uint64_t>>();
  fmt::print("    user: {:#x} {:#x} {:#x} {:#x}\n", user[0], user[1], user[2], user[3]);
  for (const auto& copy : sealed["copies"]) {
    fmt::print("    after verification: copy {} bytes from {:#x} to {:#x}\n", copy["size"].get<std::uint64_t>(),
               copy["source"].get<std::uint64_t>(), copy["destination"].get<std::uint64_t>());
  }
  if (sealed.contains("ppc64")) {
    const auto& ppc64 = sealed["ppc64"];
    fmt::print("    ppc64: secondary entry {:#x}, flags {:#x} ({}), low memory sha256 {}\n",
               ppc64["secondary_entry"].get<std::uint64_t>(), ppc64["flags"].get<std::uint32_t>(),
               names_or_none(ppc64["flag_names"]), ppc64["low_memory_sha256"].get<std::string>());
  }
}

void print_result(const ordered_json& result) {
  fmt::print("  result: {}", result["status_name"].get<std::string>());
  if (!result["failed_segment"].is_null()) {
    std::string whose;
    if (!result["failed_loader_segment"].is_null()) {
      whose = fmt::format("the loader's segment {}", result["failed_loader_segment"].get<std::uint64_t>());
      if (result["failed_segment_part"] != "whole") whose = result["failed_segment_part"].get<std::string>() + " of " + whose;
    } else {
      whose = result["failed_segment_part"].get<std::string>();
    }
    fmt::print(", segment {} ({}) at {:#x}, {} bytes", result["failed_segment"].get<std::uint32_t>(), whose,
               result["failed_segment_start"].get<std::uint64_t>(), result["failed_segment_size"].get<std::uint64_t>());
  }
  fmt::print("\n");
  if (!result["expected_sha256"].is_null()) fmt::print("    expected sha256 {}\n", result["expected_sha256"].get<std::string>());
  if (!result["computed_sha256"].is_null()) fmt::print("    computed sha256 {}\n", result["computed_sha256"].get<std::string>());
  fmt::print("    {} bytes verified, engine {} ({})\n", result["bytes_verified"].get<std::uint64_t>(),
             result["digest_engine_name"].get<std::string>(), names_or_none(result["digest_flag_names"]));
  const std::string log = result["log"].get<std::string>();
  if (log.empty()) return;
  fmt::print("    log ({} bytes{}):\n", result["log_length"].get<std::uint32_t>(),
             result["log_wrapped"].get<bool>() ? ", the last 1024 kept" : "");
  std::size_t from = 0;
  while (from < log.size()) {
    const std::size_t end = log.find('\n', from);
    fmt::print("      | {}\n", terminal_safe(std::string_view(log).substr(from, end == std::string::npos ? std::string::npos
                                                                                                       : end - from)));
    if (end == std::string::npos) break;
    from = end + 1;
  }
}

void print_text(const ordered_json& description) {
  fmt::print("{}:\n", description["file"].get<std::string>());
  if (description.contains("elf")) print_elf(description["elf"]);
  if (description.contains("image")) print_image(description["image"]);
  if (description.contains("sealed")) {
    if (description["sealed"].is_null()) {
      fmt::print("  not sealed\n");
    } else {
      print_sealed(description["sealed"]);
    }
  }
  // A result, or a log without one (a purgatory stopped before its verdict, a dump taken early).
  if (description.contains("result") && (description["result"]["status"] != PURGATORY_STATUS_NOT_RUN ||
                                         description["result"]["log_length"] != 0)) {
    print_result(description["result"]);
  }
  if (description.contains("error")) fmt::print("  error: {}\n", description["error"].get<std::string>());
}

// One table row: arch, file size, memory size, entry offset, relocations, file.
void print_brief(const ordered_json& d) {
  const bool image = d.contains("image");
  const std::string arch = image ? d["image"]["arch"].get<std::string>()
                           : d.contains("elf") ? d["elf"]["arch"].get<std::string>()
                                               : "?";
  fmt::print("{:<8} {:>7} {:>7} {:>8} {:>6}  {}\n", arch, image ? d["image"]["file_size"].dump() : "-",
             image ? d["image"]["memory_size"].dump() : "-", image ? hex_or_dash(d["image"]["entry_offset"]) : "-",
             d.contains("elf") ? d["elf"]["relocations"].dump() : "-", d["file"].get<std::string>());
}

}  // namespace

Command add_inspect(CLI::App& app) {
  auto options = std::make_shared<InspectOptions>();
  auto* command = app.add_subcommand(
      "inspect",
      "Describe purgatory images (flat files or ELF): the image header, whether and how it was sealed "
      "(segments and whose they are, next kernel entry and registers, console, reset, flags, user "
      "words), its unsealed SHA-256; for a copy of the purgatory's memory (a dump, up to its memory size) "
      "what the purgatory recorded: status, failed segment, expected and computed digests, engine and the "
      "log; for an ELF its program headers, relocation count and problems.");
  command->add_option("FILE", options->files, "images or dumps to describe")->required();
  auto* json = command->add_flag("--json", options->json,
                                 "a JSON array with one object per file (schema: docs/purgatory-tool.md)");
  command->add_flag("--brief", options->brief,
                    "one line per file: arch, file size, memory size, entry offset, relocations, file")
      ->excludes(json);
  return [options] {
    int worst = exit_ok;
    ordered_json all = ordered_json::array();
    if (options->brief) {
      fmt::print("{:<8} {:>7} {:>7} {:>8} {:>6}  {}\n", "arch", "file", "memory", "entry", "relocs", "image");
    }
    for (const auto& path : options->files) {
      const auto file = read_input(path, purgatory::host::image_file_limit);
      if (!file) {
        worst = std::max(worst, exit_usage);
        if (options->json) all.push_back({{"file", path}, {"error", file.error().message}});
        continue;
      }
      const ordered_json description = describe_file(path, *file);
      if (description.contains("error")) worst = std::max(worst, exit_failed);
      if (options->json) {
        all.push_back(description);
      } else if (options->brief) {
        print_brief(description);
      } else {
        print_text(description);
      }
    }
    if (options->json) print_json(all);
    return worst;
  };
}

}  // namespace purgatory_tool
