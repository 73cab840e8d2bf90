// SPDX-License-Identifier: MIT
// How a request's segments become what the purgatory checks: hashed as loaded (bytes, then zeros),
// split into halves for two lanes, with ppc64 low memory as a segment of its own.
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
namespace detail {

void hash_piece(Sha256& hasher, const Piece& piece, const SealRequest& request) {
  if (piece.segment == nullptr) {
    hasher.update(request.ppc64_low_memory->data(), low_memory_size);
    return;
  }
  const auto& bytes = piece.segment->bytes;
  const std::uint64_t end = piece.offset + piece.size;
  if (piece.offset < bytes.size()) {
    const std::uint64_t from_file = std::min<std::uint64_t>(end, bytes.size()) - piece.offset;
    hasher.update(bytes.data() + piece.offset, static_cast<std::size_t>(from_file));
  }
  static constexpr std::byte zeros[65536] = {};
  const std::uint64_t zero_start = std::max<std::uint64_t>(piece.offset, bytes.size());
  for (std::uint64_t left = end > zero_start ? end - zero_start : 0; left != 0;) {
    const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, sizeof(zeros)));
    hasher.update(zeros, chunk);
    left -= chunk;
  }
}

Sha256Digest digest_of(const Piece& piece, const SealRequest& request) {
  Sha256 hasher = host_sha256();
  hash_piece(hasher, piece, request);
  return hasher.finish();
}

// Which request segments become two halves for two lanes, and the order: the halves of the largest
// first, then the rest in the request's order (pair_for_two_lanes() describes the rule).
std::vector<Piece> two_lane_pieces(const std::vector<Segment>& segments, std::uint64_t split_from) {
  split_from = std::max<std::uint64_t>(split_from, 2 * sha256_block_size);  // halves of a block at least
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::uint64_t size = memory_size_of(segments[i]);
    if (size >= split_from && segments[i].bytes.size() <= size) candidates.push_back(i);
  }
  std::stable_sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
    return memory_size_of(segments[a]) > memory_size_of(segments[b]);
  });
  const std::size_t room = segments.size() < PURGATORY_MAX_SEGMENTS ? PURGATORY_MAX_SEGMENTS - segments.size() : 0;
  if (candidates.size() > room) candidates.resize(room);
  std::vector<bool> split(segments.size(), false);
  for (std::size_t i : candidates) split[i] = true;

  std::vector<Piece> paired, whole;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& segment = segments[i];
    const std::uint64_t size = memory_size_of(segment);
    if (!split[i]) {
      whole.push_back({&segment, 0, size, {segment.address, size, i, CheckedSegment::Part::whole}});
      continue;
    }
    const std::uint64_t first = size / 2 / sha256_block_size * sha256_block_size;
    paired.push_back({&segment, 0, first, {segment.address, first, i, CheckedSegment::Part::first_half}});
    paired.push_back({&segment, first, size - first,
                      {segment.address + first, size - first, i, CheckedSegment::Part::second_half}});
  }
  paired.insert(paired.end(), whole.begin(), whole.end());
  return paired;
}

// ppc64 low memory: verified as a segment of its own, unless a request segment holds [0, 0x100) whole,
// in which case its bytes there must be the same (the purgatory restores, then hashes that segment).
Result<bool> add_low_memory(std::vector<Piece>& pieces, const SealRequest& request) {
  if (!request.ppc64_low_memory) return true;
  for (std::size_t i = 0; i < request.segments.size(); ++i) {
    const Segment& segment = request.segments[i];
    const std::uint64_t size = memory_size_of(segment);
    if (segment.address >= low_memory_size) continue;
    if (segment.address != 0 || size < low_memory_size) {
      return Error{fmt::format("segment {} at {:#x} holds part of ppc64 low memory [0, 0x100), not all of it", i,
                               segment.address)};
    }
    for (std::uint64_t at = 0; at < low_memory_size; ++at) {
      const std::uint8_t loaded = at < segment.bytes.size() ? std::to_integer<std::uint8_t>(segment.bytes[at]) : 0;
      if (loaded != (*request.ppc64_low_memory)[at]) {
        return Error{fmt::format("the ppc64 low memory bytes differ from segment {}'s at {:#x}: the purgatory would "
                                 "restore one and find the other",
                                 i, at)};
      }
    }
    return true;
  }
  pieces.push_back({nullptr, 0, low_memory_size, {0, low_memory_size, 0, CheckedSegment::Part::low_memory}});
  return true;
}

}  // namespace detail

using namespace detail;

std::string describe(const CheckedSegment& segment) {
  switch (segment.part) {
    case CheckedSegment::Part::whole: return fmt::format("segment {}", segment.loader_index);
    case CheckedSegment::Part::first_half: return fmt::format("segment {} (first half)", segment.loader_index);
    case CheckedSegment::Part::second_half: return fmt::format("segment {} (second half)", segment.loader_index);
    case CheckedSegment::Part::low_memory: return "ppc64 low memory";
  }
  return "segment";
}

bool checks_each_segment(const ImageHeader& header, std::uint32_t flags) {
  return (flags & PURGATORY_FLAG_VERIFY_EACH_SEGMENT) != 0 && (header.features & PURGATORY_FEATURE_VERIFY_EACH_SEGMENT) != 0;
}

std::vector<Segment> pair_for_two_lanes(const std::vector<Segment>& segments, std::uint64_t split_from) {
  std::vector<Segment> laid_out;
  for (const Piece& piece : two_lane_pieces(segments, split_from)) {
    const auto& bytes = piece.segment->bytes;
    const std::size_t from = static_cast<std::size_t>(std::min<std::uint64_t>(piece.offset, bytes.size()));
    const std::size_t to = static_cast<std::size_t>(std::min<std::uint64_t>(piece.offset + piece.size, bytes.size()));
    laid_out.push_back({piece.checked.start, {bytes.begin() + static_cast<std::ptrdiff_t>(from),
                                              bytes.begin() + static_cast<std::ptrdiff_t>(to)},
                        piece.checked.size});
  }
  return laid_out;
}

std::array<std::uint8_t, 32> segments_digest(const std::vector<Segment>& segments) {
  Sha256 hasher = host_sha256();
  const SealRequest none;
  for (const auto& segment : segments) hash_piece(hasher, {&segment, 0, memory_size_of(segment), {}}, none);
  return hasher.finish();
}

}  // namespace purgatory::host
