// SPDX-License-Identifier: MIT
#include "describe.h"

#include <cstdint>
#include <span>

#include <fmt/format.h>

#include <purgatory/abi.h>
#include <purgatory/host/abi_names.h>
#include <purgatory/host/block.h>
#include <purgatory/host/elf.h>
#include <purgatory/host/embed.h>
#include <purgatory/host/image.h>
#include <purgatory/sha256.h>

namespace purgatory_tool {
namespace {

using namespace purgatory::host;

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

std::string digest_text(const std::uint8_t (&digest)[PURGATORY_SHA256_SIZE]) {
  return hex(std::span<const std::uint8_t>(digest, PURGATORY_SHA256_SIZE));
}

ordered_json describe_elf(const ElfFile& elf) {
  ordered_json segments = ordered_json::array();
  for (const auto& ph : elf.program_headers) {
    segments.push_back({{"type", segment_type_name(ph.type)},
                        {"offset", ph.offset},
                        {"address", ph.virtual_address},
                        {"file_size", ph.file_size},
                        {"memory_size", ph.memory_size},
                        {"flags", fmt::format("{}{}{}", ph.flags & 4 ? "R" : "-", ph.flags & 2 ? "W" : "-",
                                              ph.flags & 1 ? "X" : "-")}});
  }
  return {{"class", elf.word_bits},
          {"byte_order", elf.byte_order == ByteOrder::big ? "big" : "little"},
          {"arch", arch_name(elf.machine, elf.byte_order)},
          {"type", elf.type},
          {"entry", elf.entry},
          {"program_headers", segments},
          {"relocations", relocation_count(elf)},
          {"problems", purgatory_elf_problems(elf)}};
}

ordered_json describe_header(const Image& image, bool memory_dump) {
  const ImageHeader& h = image.header;
  return {{"arch", h.arch_name()},
          {"byte_order", h.byte_order == ByteOrder::big ? "big" : "little"},
          {"elf_machine", h.elf_machine},
          {"abi", {{"major", h.abi_major}, {"minor", h.abi_minor}}},
          {"header_size", h.header_size},
          {"features", h.features},
          {"feature_names", feature_names(h.features)},
          {"file_size", h.file_size},
          {"memory_size", h.memory_size},
          {"load_alignment", h.load_alignment},
          {"entry_offset", h.entry_offset},
          {"info_offset", h.info_offset},
          {"info_size", h.info_size},
          {"memory_dump", memory_dump},
          {"unsealed_sha256", hex(unsealed_digest(image))}};
}

// Whose segment i is, from segment_origin: the loader's number and which part, or low memory.
struct Origin {
  std::optional<std::uint32_t> loader_segment;
  std::string part;  // "whole", "first half", "second half", "part", "ppc64 low memory"
};

Origin origin_of(const purgatory_info& info, std::uint32_t i) {
  const std::uint8_t origin = info.segment_origin[i];
  if (origin == PURGATORY_ORIGIN_UNSAID) return {i, "whole"};
  if (origin == PURGATORY_ORIGIN_PPC64_LOW_MEMORY) return {std::nullopt, "ppc64 low memory"};
  std::vector<std::uint32_t> parts;
  for (std::uint32_t j = 0; j < info.segment_count && j < PURGATORY_MAX_SEGMENTS; ++j) {
    if (info.segment_origin[j] == origin) parts.push_back(j);
  }
  std::string part = "whole";
  if (parts.size() == 2) {
    const bool first = info.segments[i].start < info.segments[parts[0] == i ? parts[1] : parts[0]].start;
    part = first ? "first half" : "second half";
  } else if (parts.size() > 2) {
    part = "part";
  }
  return {origin - 1u, part};
}

ordered_json number_or_null(const std::optional<std::uint64_t>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

ordered_json describe_next_kernel(const ImageHeader& header, const purgatory_info& info) {
  const std::vector<std::string> names = register_names(*header.arch());
  ordered_json registers = ordered_json::object();
  if (header.elf_machine == PURGATORY_MACHINE_X86_64) {
    // rax..r15 follow rip in the order register_names() gives.
    for (std::size_t i = 0; i < names.size(); ++i) registers[names[i]] = info.next.words[1 + i];
    return {{"entry", info.next.x86_64.rip}, {"registers", registers}};
  }
  if (header.elf_machine == PURGATORY_MACHINE_AARCH64) {
    for (std::size_t i = 0; i < 4; ++i) registers[names[i]] = info.next.arm64.x[i];
    return {{"entry", info.next.arm64.entry}, {"registers", registers}};
  }
  const purgatory_ppc64_state& state = info.next.ppc64;
  registers = {{"r3", state.r3}, {"r4", state.r4}, {"r5", state.r5}, {"r8", state.r8}, {"r9", state.r9}};
  return {{"entry", state.entry}, {"registers", registers}};
}

ordered_json describe_sealed(const ImageHeader& header, const purgatory_info& info) {
  ordered_json segments = ordered_json::array();
  const std::uint32_t count = info.segment_count <= PURGATORY_MAX_SEGMENTS ? info.segment_count : 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    const Origin origin = origin_of(info, i);
    segments.push_back({{"index", i},
                        {"start", info.segments[i].start},
                        {"size", info.segments[i].size},
                        {"sha256", digest_text(info.segments[i].sha256)},
                        {"loader_segment", number_or_null(origin.loader_segment)},
                        {"part", origin.part}});
  }
  ordered_json sealed = {{"flags", info.flags},
                         {"flag_names", flag_names(info.flags)},
                         {"segment_count", info.segment_count},
                         {"sha256", digest_text(info.sha256)},
                         {"segments", segments},
                         {"next_kernel", describe_next_kernel(header, info)},
                         {"console",
                          {{"kind", info.console.kind},
                           {"kind_name", console_kind_name(info.console.kind)},
                           {"base", info.console.base},
                           {"register_shift", info.console.register_shift},
                           {"access_width", info.console.access_width},
                           {"divisor", info.console.divisor}}},
                         {"reset",
                          {{"method", info.reset.method},
                           {"method_name", reset_method_name(info.reset.method)},
                           {"token", info.reset.token}}},
                         {"user", info.user}};
  ordered_json copies = ordered_json::array();
  for (const purgatory_copy& copy : info.copies) {
    if (copy.size != 0) copies.push_back({{"source", copy.source}, {"destination", copy.destination}, {"size", copy.size}});
  }
  sealed["copies"] = copies;
  const auto problem = sealed_block_problem(header, info);
  sealed["problem"] = problem ? ordered_json(*problem) : ordered_json(nullptr);
  if (header.elf_machine == PURGATORY_MACHINE_PPC64) {
    const purgatory_ppc64_state& state = info.next.ppc64;
    sealed["ppc64"] = {{"secondary_entry", state.secondary_entry},
                       {"flags", state.flags},
                       {"flag_names", ppc64_flag_names(state.flags)},
                       {"low_memory_sha256", hex(purgatory::sha256(std::span<const std::uint8_t>(state.low_memory)))}};
  }
  return sealed;
}

// The log ring in the order it was written: byte n is at log[n % size].
std::string unwrapped_log(const purgatory_result& result) {
  const std::uint32_t length = result.log_length;
  if (length <= PURGATORY_LOG_SIZE) return std::string(result.log, length);
  const std::size_t oldest = length % PURGATORY_LOG_SIZE;
  return std::string(result.log + oldest, PURGATORY_LOG_SIZE - oldest) + std::string(result.log, oldest);
}

ordered_json describe_result(const purgatory_info& info) {
  const purgatory_result& result = info.result;
  const std::uint32_t failed = result.failed_segment;
  // Only a verdict against the request names a segment; before the verdict the field is as sealed.
  const bool refused = result.status == PURGATORY_STATUS_MISMATCH || result.status == PURGATORY_STATUS_BAD_INFO ||
                       result.status == PURGATORY_STATUS_FAULT;
  const bool names_segment = refused && failed != PURGATORY_NO_SEGMENT && failed < PURGATORY_MAX_SEGMENTS &&
                             failed < info.segment_count;
  const bool computed = std::any_of(std::begin(result.computed_sha256), std::end(result.computed_sha256),
                                    [](std::uint8_t byte) { return byte != 0; });
  ordered_json described = {{"status", result.status}, {"status_name", status_name(result.status)}};
  described["failed_segment"] = names_segment ? ordered_json(failed) : ordered_json(nullptr);
  if (names_segment) {
    const Origin origin = origin_of(info, failed);
    described["failed_loader_segment"] = number_or_null(origin.loader_segment);
    described["failed_segment_part"] = origin.part;
    described["failed_segment_start"] = info.segments[failed].start;
    described["failed_segment_size"] = info.segments[failed].size;
    described["expected_sha256"] = digest_text(info.segments[failed].sha256);
  } else {
    described["failed_loader_segment"] = nullptr;
    described["failed_segment_part"] = nullptr;
    described["failed_segment_start"] = nullptr;
    described["failed_segment_size"] = nullptr;
    described["expected_sha256"] = nullptr;
  }
  described["computed_sha256"] = computed ? ordered_json(digest_text(result.computed_sha256)) : ordered_json(nullptr);
  described["bytes_verified"] = result.bytes_verified;
  described["digest_engine"] = result.digest_engine;
  described["digest_engine_name"] = engine_name(result.digest_engine);
  described["digest_flags"] = result.digest_flags;
  described["digest_flag_names"] = digest_flag_names(result.digest_flags);
  described["log_length"] = result.log_length;
  described["log_wrapped"] = result.log_length > PURGATORY_LOG_SIZE;
  described["log"] = unwrapped_log(result);
  return described;
}

// A flat file larger than its header's file size, up to its memory size, is a copy of the purgatory's
// memory (a dump): read as one.
Result<Image> load_any(const std::vector<std::byte>& file, bool& memory_dump) {
  memory_dump = false;
  if (has_elf_magic(file)) return load_image(file);
  auto image = load_image(file, ImageExpectations{.arch = std::nullopt, .memory_dump = true});
  if (image) memory_dump = file.size() != image->header.file_size;
  return image;
}

}  // namespace

ordered_json describe_file(const std::string& path, const std::vector<std::byte>& file) {
  ordered_json description = {{"file", path}, {"size", file.size()}};
  if (has_elf_magic(file)) {
    const auto elf = parse_elf(file);
    if (!elf) {
      description["error"] = elf.error().message;
      return description;
    }
    description["elf"] = describe_elf(*elf);
  }
  bool memory_dump = false;
  const auto image = load_any(file, memory_dump);
  if (!image) {
    description["error"] = image.error().message;
    return description;
  }
  description["image"] = describe_header(*image, memory_dump);
  const purgatory_info info = read_block(*image);
  description["sealed"] = info.sealed == PURGATORY_INFO_SEALED ? describe_sealed(image->header, info) : ordered_json(nullptr);
  description["result"] = describe_result(info);
  return description;
}

void print_json(const ordered_json& array) {
  fmt::print("{}\n", array.dump(2, ' ', false, ordered_json::error_handler_t::replace));
}

}  // namespace purgatory_tool
