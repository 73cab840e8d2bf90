// SPDX-License-Identifier: MIT
// Sealing: a loader's request checked (seal_request.cc), laid out as the purgatory will check it
// (segment_layout.cc) and against the purgatory's own rules, and written into purgatory_info in the
// image's byte order.
#include <algorithm>
#include <cstddef>
#include <cstring>

#include <fmt/format.h>

#include <purgatory/host/block.h>
#include <purgatory/host/image.h>
#include <purgatory/host/sha256_engine.h>
#include <purgatory/seal_rules.h>
#include <purgatory/sha256.h>

#include "seal_parts.h"

namespace purgatory::host {
namespace {

using namespace detail;

// Each piece's digest and the all-segments digest in one pass: every chunk is read once and hashed into
// both, side by side through the two-lane engine where there is one, while both hashes are at a block
// boundary (the all-segments one is, unless a piece before was not a whole number of blocks).
Result<bool> fill_digests(purgatory_info& info, const std::vector<Piece>& pieces, const SealRequest& request) {
  const Sha256TwoLaneFunction two_lanes = host_sha256_two_lanes();
  Sha256 all = host_sha256();
  std::uint64_t all_bytes = 0;
  for (std::size_t i = 0; i < pieces.size() && i < PURGATORY_MAX_SEGMENTS; ++i) {
    Sha256 own = host_sha256();
    std::uint64_t own_bytes = 0;
    const auto hashed = for_each_chunk(pieces[i], request, [&](std::span<const std::byte> bytes) {
      const std::size_t blocks = bytes.size() / sha256_block_size;
      if (two_lanes != nullptr && blocks != 0 && own_bytes % sha256_block_size == 0 &&
          all_bytes % sha256_block_size == 0) {
        const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
        update_side_by_side(own, data, all, data, blocks, two_lanes);
        own_bytes += blocks * sha256_block_size;
        all_bytes += blocks * sha256_block_size;
        bytes = bytes.subspan(blocks * sha256_block_size);
      }
      own.update(bytes);
      all.update(bytes);
      own_bytes += bytes.size();
      all_bytes += bytes.size();
    });
    if (!hashed) return hashed.error();
    const Sha256Digest digest = own.finish();
    std::copy(digest.begin(), digest.end(), info.segments[i].sha256);
  }
  const Sha256Digest digest = all.finish();
  std::copy(digest.begin(), digest.end(), info.sha256);
  return true;
}

// The block the purgatory will read, in host byte order, for `pieces`, digests left out.
purgatory_info block_of(const Image& image, const SealRequest& request, const std::vector<Piece>& pieces) {
  const Arch arch = *image.header.arch();
  purgatory_info info{};
  std::memcpy(info.magic, PURGATORY_INFO_MAGIC, sizeof(info.magic));
  info.info_size = sizeof(purgatory_info);
  info.sealed = PURGATORY_INFO_SEALED;
  info.flags = request.flags;
  info.segment_count = static_cast<std::uint32_t>(pieces.size());
  for (std::size_t i = 0; i < pieces.size() && i < PURGATORY_MAX_SEGMENTS; ++i) {
    info.segments[i].start = pieces[i].checked.start;
    info.segments[i].size = pieces[i].checked.size;
    info.segment_origin[i] = pieces[i].segment == nullptr
                                 ? PURGATORY_ORIGIN_PPC64_LOW_MEMORY
                                 : static_cast<std::uint8_t>(pieces[i].checked.loader_index + 1);
  }
  if (arch == Arch::x86_64) {
    info.next.x86_64.rip = request.entry;
  } else if (arch == Arch::arm64) {
    info.next.arm64.entry = request.entry;
  } else {
    purgatory_ppc64_state& state = info.next.ppc64;
    state.entry = request.entry;
    state.secondary_entry = request.ppc64_secondary_entry.value_or(0);
    state.flags = request.ppc64_flags;
    if (request.ppc64_low_memory) {
      state.flags |= PURGATORY_PPC64_RESTORE_LOW_MEMORY;
      std::copy(request.ppc64_low_memory->begin(), request.ppc64_low_memory->end(), state.low_memory);
    }
  }
  for (const auto& [name, value] : request.registers) {
    const RegisterSlot slot = *register_slot(arch, name);  // request_problem() refused unknown ones
    std::memcpy(reinterpret_cast<std::byte*>(&info.next) + slot.offset, &value, sizeof(value));
  }
  info.console.kind = request.console.kind;
  info.console.register_shift = request.console.register_shift;
  info.console.access_width = request.console.access_width;
  info.console.base = request.console.base;
  info.console.divisor = request.console.divisor;
  info.reset.method = request.reset.method;
  info.reset.token = request.reset.token;
  std::copy(request.user.begin(), request.user.end(), info.user);
  for (std::size_t i = 0; i < request.copies.size() && i < PURGATORY_MAX_COPIES; ++i) info.copies[i] = request.copies[i];
  return info;
}

ImagePlacement placement_of(const Image& image, const SealRequest& request) {
  return {.elf_machine = image.header.elf_machine, .load_address = request.load_address,
          .memory_size = image.header.memory_size};
}

// A rule the request breaks, in its own words: its segment numbers, ppc64 low memory by name.
std::string violation_text(const RuleViolation& violation, const std::vector<Piece>& pieces,
                           const ImagePlacement& placement) {
  const auto name = [&](std::uint32_t index) { return describe(pieces.at(index).checked); };
  if (violation.other_segment != PURGATORY_NO_SEGMENT) {
    const CheckedSegment &first = pieces.at(violation.other_segment).checked, &second = pieces.at(violation.segment).checked;
    if (first.part == CheckedSegment::Part::whole && second.part == CheckedSegment::Part::whole) {
      return fmt::format("segments {} and {} overlap (at {:#x} and {:#x})", first.loader_index, second.loader_index,
                         first.start, second.start);
    }
    return fmt::format("{} and {} overlap (at {:#x} and {:#x})", name(violation.other_segment), name(violation.segment),
                       first.start, second.start);
  }
  if (violation.segment == PURGATORY_NO_SEGMENT) return violation.what;
  const CheckedSegment& segment = pieces.at(violation.segment).checked;
  std::string text = fmt::format("{} at {:#x} ({} bytes): {}", name(violation.segment), segment.start, segment.size,
                                 violation.what);
  if (std::string_view(violation.what).find("purgatory's own memory") != std::string_view::npos) {
    text += fmt::format(" [{:#x}, {:#x})", placement.load_address, placement.load_address + placement.memory_size);
  }
  return text;
}

}  // namespace

Result<SealedImage> seal(const Image& image, const SealRequest& request) {
  if (const auto problem = request_problem(image, request)) return Error{*problem};
  const ImagePlacement placement = placement_of(image, request);

  // The rules, first over the request's own list, so that what breaks one is named in its numbering.
  std::vector<Piece> pieces;
  for (std::size_t i = 0; i < request.segments.size(); ++i) {
    const Segment& segment = request.segments[i];
    pieces.push_back({&segment, 0, memory_size_of(segment),
                      {segment.address, memory_size_of(segment), i, CheckedSegment::Part::whole}});
  }
  const auto low_memory = add_low_memory(pieces, request);
  if (!low_memory) return low_memory.error();
  if (pieces.size() > PURGATORY_MAX_SEGMENTS) {
    return Error{fmt::format("{} segments with ppc64 low memory: at most {} fit in purgatory_info", pieces.size(),
                             PURGATORY_MAX_SEGMENTS)};
  }
  purgatory_info block = block_of(image, request, pieces);
  if (const RuleViolation violation = first_violation(block, placement)) {
    return Error{violation_text(violation, pieces, placement)};
  }
  if (const RuleViolation violation = console_violation(block, placement)) {
    return Error{fmt::format("the console at {:#x}: {}", request.console.base, violation_text(violation, pieces, placement))};
  }

  // Then laid out as the purgatory will check it: halves for two lanes where they pay.
  if (checks_each_segment(image.header, request.flags)) {
    pieces = two_lane_pieces(request.segments, request.two_lane_split_from);
    if (const auto added = add_low_memory(pieces, request); !added) return added.error();
  }
  block = block_of(image, request, pieces);
  if (const auto hashed = fill_digests(block, pieces, request); !hashed) return hashed.error();
  if (const RuleViolation violation = first_violation(block, placement)) {
    return Error{"the two-lane layout broke a rule (a bug): " + violation_text(violation, pieces, placement)};
  }

  SealedImage sealed;
  sealed.bytes = image.bytes;
  const std::size_t info = static_cast<std::size_t>(image.header.info_offset);
  write_block(std::span<std::byte>(sealed.bytes).subspan(info, static_cast<std::size_t>(image.header.info_size)),
              image.header, block);
  for (const Piece& piece : pieces) sealed.segments.push_back(piece.checked);
  return sealed;
}

std::optional<std::string> sealed_block_problem(const ImageHeader& header, const purgatory_info& info) {
  // The purgatory's memory, for the one rule that needs it, is one byte outside every segment: the block
  // says nothing about where the image runs. Unless the segments cover the whole address space, one of
  // 0 and the segments' ends (where a gap between them starts) is outside all of them.
  const std::uint32_t count = std::min<std::uint32_t>(info.segment_count, PURGATORY_MAX_SEGMENTS);
  const auto covered = [&](std::uint64_t address) {
    for (std::uint32_t i = 0; i < count; ++i) {
      const purgatory_segment& segment = info.segments[i];
      if (segment.size != 0 && address - segment.start < segment.size) return true;  // wraps as the segment does
    }
    return false;
  };
  std::uint64_t outside = 0;
  for (std::uint32_t i = 0; i < count && covered(outside); ++i) outside = info.segments[i].start + info.segments[i].size;
  const ImagePlacement placement{.elf_machine = header.elf_machine, .features = header.features,
                                 .load_address = outside, .memory_size = 1};
  const RuleViolation violation = first_violation(info, placement);
  if (!violation) return std::nullopt;
  if (violation.segment == PURGATORY_NO_SEGMENT) return std::string(violation.what);
  const purgatory_segment& segment = info.segments[violation.segment];
  std::string text = fmt::format("segment {} at {:#x} ({} bytes): {}", violation.segment, segment.start, segment.size,
                                 violation.what);
  if (violation.other_segment != PURGATORY_NO_SEGMENT) text += fmt::format(" (segment {})", violation.other_segment);
  return text;
}

}  // namespace purgatory::host
