// SPDX-License-Identifier: MIT
// A loader's request checked against what the image can carry out (registers, consoles, resets, sizes),
// before the purgatory's own rules are applied (seal.cc).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <purgatory/host/arch.h>
#include <purgatory/host/image.h>

#include "seal_parts.h"

namespace purgatory::host {
namespace {

using detail::low_memory_size;
using detail::memory_size_of;

// A console the image does not advertise would be ignored by the purgatory: refuse it here instead.
std::optional<std::string> console_problem(const ImageHeader& header, std::uint32_t kind) {
  if (kind == PURGATORY_CONSOLE_NONE) return std::nullopt;
  const ConsoleKind* known = console_kind_of(kind);
  if (known == nullptr) return fmt::format("unknown console kind {}", kind);
  if (header.features & known->feature) return std::nullopt;
  return fmt::format("this {} image has no {} console (features {:#x})", header.arch_name(), known->name,
                     header.features);
}

std::optional<std::string> reset_problem(Arch arch, std::uint32_t method) {
  if (has_reset_method(arch, method)) return std::nullopt;
  switch (method) {
    case PURGATORY_RESET_PSCI_HVC:
    case PURGATORY_RESET_PSCI_SMC: return fmt::format("PSCI resets are for arm64, not {}", name_of(arch));
    case PURGATORY_RESET_RTAS_HCALL: return fmt::format("RTAS resets are for ppc64, not {}", name_of(arch));
    default: return fmt::format("unknown reset method {}", method);
  }
}

std::string size_in_words(std::uint64_t bytes) {
  if (bytes >= (std::uint64_t{1} << 30)) return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1 << 30));
  if (bytes >= (std::uint64_t{1} << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
  return fmt::format("{} bytes", bytes);
}

}  // namespace

namespace detail {

// What the image cannot carry out, whatever the purgatory's rules say.
std::optional<std::string> request_problem(const Image& image, const SealRequest& request) {
  const ImageHeader& header = image.header;
  const Arch arch = *header.arch();  // a parsed image has one
  if (request.load_address % header.load_alignment != 0) {
    return fmt::format("load address {:#x} is not a multiple of the image's load alignment {:#x}",
                       request.load_address, header.load_alignment);
  }
  if (request.load_address > UINT64_MAX - header.memory_size) {
    return fmt::format("the purgatory at {:#x} would run past the end of the address space", request.load_address);
  }
  if (request.segments.size() > PURGATORY_MAX_SEGMENTS) {
    return fmt::format("{} segments: at most {} fit in purgatory_info", request.segments.size(), PURGATORY_MAX_SEGMENTS);
  }
  for (std::size_t i = 0; i < request.segments.size(); ++i) {
    const Segment& segment = request.segments[i];
    const std::uint64_t size = memory_size_of(segment);
    if (size == 0) return fmt::format("segment {} at {:#x} is empty", i, segment.address);
    const std::uint64_t contents = contents_size(segment);
    if (!segment.file.path.empty() && !segment.bytes.empty()) {
      return fmt::format("segment {}: both bytes in memory and a file ({})", i, segment.file.path);
    }
    if (segment.memory_size != 0 && segment.memory_size < contents) {
      return fmt::format("segment {}: memory size {:#x} is smaller than its {} bytes", i, segment.memory_size, contents);
    }
    if (size - contents > max_zero_tail) {
      return fmt::format("segment {}: {} bytes ({}) of zeros past its {} bytes; at most {} ({}) (kexec zero-fills "
                         "them and the purgatory hashes them, which would take hours)",
                         i, size - contents, size_in_words(size - contents), contents, max_zero_tail,
                         size_in_words(max_zero_tail));
    }
  }
  for (const auto& [name, value] : request.registers) {
    if (!register_slot(arch, name)) {
      return fmt::format("unknown register \"{}\" for {} (known: {})", name, name_of(arch),
                         fmt::join(register_names(arch), ", "));
    }
  }
  if (header.elf_machine != PURGATORY_MACHINE_PPC64 &&
      (request.ppc64_secondary_entry || request.ppc64_flags != 0 || request.ppc64_low_memory)) {
    return fmt::format("ppc64 settings given for an {} image", name_of(arch));
  }
  if (!request.copies.empty() && (header.features & PURGATORY_FEATURE_COPY_AFTER_VERIFY) == 0) {
    return fmt::format("the image (ABI {}.{}) does not make copies after verification (needs ABI 1.4)",
                       header.abi_major, header.abi_minor);
  }
  if (request.copies.size() > PURGATORY_MAX_COPIES) {
    return fmt::format("{} copies: at most {} fit in purgatory_info", request.copies.size(), PURGATORY_MAX_COPIES);
  }
  for (std::size_t i = 0; i < request.copies.size(); ++i) {
    if (request.copies[i].size == 0) return fmt::format("copy {} (to {:#x}) is empty", i, request.copies[i].destination);
  }
  if (const auto problem = console_problem(header, request.console.kind)) return problem;
  if (const auto problem = reset_problem(arch, request.reset.method)) return problem;
  return std::nullopt;
}

}  // namespace detail

std::vector<std::string> register_names(Arch arch) {
  std::vector<std::string> names;
  for (const auto& slot : traits(arch).registers) names.emplace_back(slot.name);
  return names;
}

}  // namespace purgatory::host
