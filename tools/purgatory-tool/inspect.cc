// purgatory-tool inspect FILE...: what an image is, for people (text), scripts (--json) and tables
// (--brief).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <purgatory/host/embed.h>

#include "commands.h"
#include "files.h"

namespace purgatory_tool {
namespace {

using namespace purgatory::host;
using nlohmann::ordered_json;

struct InspectOptions {
  std::vector<std::string> files;
  bool json = false;
  bool brief = false;
};

std::string hex_number(std::uint64_t value) { return fmt::format("{:#x}", value); }

const char* segment_type_name(std::uint32_t type) {
  switch (type) {
    case 0: return "NULL";
    case 1: return "LOAD";
    case 2: return "DYNAMIC";
    case 3: return "INTERP";
    case 4: return "NOTE";
    case 6: return "PHDR";
    case 7: return "TLS";
    case 0x6474e551: return "GNU_STACK";
    case 0x6474e552: return "GNU_RELRO";
    default: return "OTHER";
  }
}

ordered_json describe_header(const Image& image) {
  const ImageHeader& h = image.header;
  const ByteReader read(image.bytes, h.byte_order);
  const auto info_field = [&](std::size_t offset, unsigned width) {
    return *read.unsigned_int(h.info_offset + offset, width);
  };
  ordered_json header = {
      {"arch", h.arch()},
      {"byte_order", h.byte_order == ByteOrder::big ? "big" : "little"},
      {"elf_machine", h.elf_machine},
      {"abi_version", fmt::format("{}.{}", h.abi_major, h.abi_minor)},
      {"header_size", h.header_size},
      {"features", hex_number(h.features)},
      {"file_size", h.file_size},
      {"memory_size", h.memory_size},
      {"load_alignment", hex_number(h.load_alignment)},
      {"entry_offset", hex_number(h.entry_offset)},
      {"info_offset", hex_number(h.info_offset)},
      {"info_size", h.info_size},
      {"sealed", info_field(offsetof(purgatory_info, sealed), 4) == PURGATORY_INFO_SEALED},
      {"segment_count", info_field(offsetof(purgatory_info, segment_count), 4)},
      {"result_status", info_field(offsetof(purgatory_info, result) + offsetof(purgatory_result, status), 4)},
      // 1.1 (reserved, zero, in 1.0): PURGATORY_DIGEST_ENGINE_* and PURGATORY_DIGEST_* of the last run.
      {"result_digest_engine",
       info_field(offsetof(purgatory_info, result) + offsetof(purgatory_result, digest_engine), 2)},
      {"result_digest_flags",
       hex_number(info_field(offsetof(purgatory_info, result) + offsetof(purgatory_result, digest_flags), 2))},
      {"unsealed_sha256", hex(unsealed_digest(image))},
  };
  // What a sealed image checks, as the purgatory numbers it in a failure report (a loader may have
  // split segments in halves for two lanes, so this need not be the loader's own list).
  const auto count = info_field(offsetof(purgatory_info, segment_count), 4);
  if (header["sealed"].get<bool>() && count <= PURGATORY_MAX_SEGMENTS) {
    ordered_json segments = ordered_json::array();
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::size_t at = offsetof(purgatory_info, segments) + i * sizeof(purgatory_segment);
      const std::span<const std::uint8_t> digest(
          reinterpret_cast<const std::uint8_t*>(image.bytes.data()) + h.info_offset + at + offsetof(purgatory_segment, sha256),
          PURGATORY_SHA256_SIZE);
      segments.push_back({{"start", hex_number(info_field(at + offsetof(purgatory_segment, start), 8))},
                          {"size", info_field(at + offsetof(purgatory_segment, size), 8)},
                          {"sha256", hex(digest)}});
    }
    header["segments"] = segments;
  }
  return header;
}

// Everything known about one file, or an "error" member.
ordered_json describe(const std::string& path, const std::vector<std::byte>& file) {
  ordered_json description = {{"file", path}, {"size", file.size()}};
  if (has_elf_magic(file)) {
    const auto elf = parse_elf(file);
    if (!elf) {
      description["error"] = elf.error().message;
      return description;
    }
    ordered_json segments = ordered_json::array();
    for (const auto& ph : elf->program_headers) {
      segments.push_back({{"type", segment_type_name(ph.type)},
                          {"offset", hex_number(ph.offset)},
                          {"address", hex_number(ph.virtual_address)},
                          {"file_size", ph.file_size},
                          {"memory_size", ph.memory_size},
                          {"flags", fmt::format("{}{}{}", ph.flags & 4 ? "R" : "-", ph.flags & 2 ? "W" : "-",
                                                ph.flags & 1 ? "X" : "-")}});
    }
    description["elf"] = {{"class", elf->word_bits},
                          {"byte_order", elf->byte_order == ByteOrder::big ? "big" : "little"},
                          {"arch", arch_name(elf->machine, elf->byte_order)},
                          {"type", elf->type},
                          {"entry", hex_number(elf->entry)},
                          {"program_headers", segments},
                          {"relocations", relocation_count(*elf)},
                          {"problems", purgatory_elf_problems(*elf)}};
  }
  const auto image = load_image(file);
  if (!image) {
    description["image_error"] = image.error().message;
  } else {
    description["image"] = describe_header(*image);
  }
  return description;
}

void print_text(const ordered_json& description) {
  fmt::print("{}:\n", description["file"].get<std::string>());
  const auto print_members = [](const ordered_json& object, std::string_view indent) {
    for (const auto& [key, value] : object.items()) {
      if (value.is_array() || value.is_object()) continue;
      // Wide enough for the longest key (result_digest_engine).
      fmt::print("{}{:<20} {}\n", indent, key, value.is_string() ? value.get<std::string>() : value.dump());
    }
  };
  if (description.contains("elf")) {
    const auto& elf = description["elf"];
    fmt::print("  ELF\n");
    print_members(elf, "    ");
    for (const auto& segment : elf["program_headers"]) {
      fmt::print("    {:<9} offset {:>8} address {:>10} file {:>7} memory {:>7} {}\n",
                 segment["type"].get<std::string>(), segment["offset"].get<std::string>(),
                 segment["address"].get<std::string>(), segment["file_size"].dump(), segment["memory_size"].dump(),
                 segment["flags"].get<std::string>());
    }
    for (const auto& problem : elf["problems"]) fmt::print("    problem: {}\n", problem.get<std::string>());
  }
  if (description.contains("image")) {
    fmt::print("  image header\n");
    print_members(description["image"], "    ");
    if (description["image"].contains("segments")) {
      std::size_t index = 0;
      for (const auto& segment : description["image"]["segments"]) {
        fmt::print("    segment {:<2} start {:>18} size {:>12} sha256 {}\n", index++, segment["start"].get<std::string>(),
                   segment["size"].dump(), segment["sha256"].get<std::string>());
      }
    }
  }
  if (description.contains("image_error")) {
    fmt::print("  image: {}\n", description["image_error"].get<std::string>());
  }
  if (description.contains("error")) fmt::print("  error: {}\n", description["error"].get<std::string>());
}

// One table row: arch, file size, memory size, entry offset, relocations, file.
void print_brief(const ordered_json& d) {
  const std::string arch = d.contains("image") ? d["image"]["arch"].get<std::string>()
                           : d.contains("elf") ? d["elf"]["arch"].get<std::string>()
                                               : "?";
  const std::string file_size = d.contains("image") ? d["image"]["file_size"].dump() : "-";
  const std::string memory_size = d.contains("image") ? d["image"]["memory_size"].dump() : "-";
  const std::string entry = d.contains("image") ? d["image"]["entry_offset"].get<std::string>() : "-";
  const std::string relocations = d.contains("elf") ? d["elf"]["relocations"].dump() : "-";
  fmt::print("{:<8} {:>7} {:>7} {:>8} {:>6}  {}\n", arch, file_size, memory_size, entry, relocations,
             d["file"].get<std::string>());
}

}  // namespace

Command add_inspect(CLI::App& app) {
  auto options = std::make_shared<InspectOptions>();
  auto* command = app.add_subcommand(
      "inspect",
      "Describe purgatory images (flat files or ELF): the image header's fields, whether it is sealed, "
      "its unsealed SHA-256; for an ELF also its program headers, relocation count and problems.");
  command->add_option("FILE", options->files, "images to describe")->required();
  auto* json = command->add_flag("--json", options->json, "one JSON object per file (an array for several)");
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
      const auto file = read_input(path);
      if (!file) {
        worst = std::max(worst, exit_usage);
        continue;
      }
      const ordered_json description = describe(path, *file);
      if (description.contains("error") || description.contains("image_error")) worst = std::max(worst, exit_failed);
      if (options->json) {
        all.push_back(description);
      } else if (options->brief) {
        print_brief(description);
      } else {
        print_text(description);
      }
    }
    // Section names and file names are bytes, not necessarily UTF-8: replace what JSON cannot hold.
    if (options->json) {
      fmt::print("{}\n", (all.size() == 1 ? all[0] : all).dump(2, ' ', false, ordered_json::error_handler_t::replace));
    }
    return worst;
  };
}

}  // namespace purgatory_tool
