// SPDX-License-Identifier: MIT
// How a request's segments become what the purgatory checks: hashed as loaded (bytes, then zeros),
// split into halves for two lanes, with ppc64 low memory as a segment of its own.
#include <algorithm>
#include <cstddef>
#include <cstring>

#include <fmt/format.h>

#include <purgatory/host/block.h>
#include <purgatory/host/chunk_reader.h>
#include <purgatory/host/image.h>
#include <purgatory/host/sha256_engine.h>
#include <purgatory/seal_rules.h>
#include <purgatory/sha256.h>

#include "seal_parts.h"

namespace purgatory::host {
namespace detail {

namespace {

// Zeros to hash a segment's zero-filled tail with: a whole number of blocks.
constexpr std::byte zeros[65536] = {};

// Bytes [offset, offset + size) of a file segment's contents, a chunk at a time.
Result<bool> for_each_file_chunk(const SegmentFile& file, std::uint64_t offset, std::uint64_t size,
                                 const std::function<void(std::span<const std::byte>)>& consume) {
  auto opened = ChunkReader::open(file.path);
  if (!opened) return opened.error();
  ChunkReader& reader = opened.value();
  if (const auto moved = reader.seek(file.offset + offset); !moved) return moved.error();
  for (std::uint64_t left = size; left != 0;) {
    auto chunk = reader.next();
    if (!chunk) return chunk.error();
    if (chunk->empty()) {
      return Error{fmt::format("{}: {} bytes shorter than when the request was made: changed while being sealed",
                               file.path, left)};
    }
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk->size()));
    consume(chunk->first(take));
    left -= take;
  }
  return true;
}

}  // namespace

Result<bool> for_each_chunk(const Piece& piece, const SealRequest& request,
                            const std::function<void(std::span<const std::byte>)>& consume) {
  if (piece.segment == nullptr) {
    consume(std::as_bytes(std::span(*request.ppc64_low_memory)));
    return true;
  }
  const Segment& segment = *piece.segment;
  const std::uint64_t contents = contents_size(segment);
  const std::uint64_t end = piece.offset + piece.size;
  if (piece.offset < contents) {
    const std::uint64_t from_contents = std::min<std::uint64_t>(end, contents) - piece.offset;
    if (segment.file.path.empty()) {
      consume(std::span(segment.bytes).subspan(static_cast<std::size_t>(piece.offset),
                                               static_cast<std::size_t>(from_contents)));
    } else if (const auto read = for_each_file_chunk(segment.file, piece.offset, from_contents, consume); !read) {
      return read;
    }
  }
  const std::uint64_t zero_start = std::max<std::uint64_t>(piece.offset, contents);
  for (std::uint64_t left = end > zero_start ? end - zero_start : 0; left != 0;) {
    const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, sizeof(zeros)));
    consume(std::span(zeros, chunk));
    left -= chunk;
  }
  return true;
}

// Which request segments become two halves for two lanes, and the order: the halves of the largest
// first, then the rest in the request's order (pair_for_two_lanes() describes the rule).
std::vector<Piece> two_lane_pieces(const std::vector<Segment>& segments, std::uint64_t split_from) {
  split_from = std::max<std::uint64_t>(split_from, 2 * sha256_block_size);  // halves of a block at least
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::uint64_t size = memory_size_of(segments[i]);
    if (size >= split_from && contents_size(segments[i]) <= size) candidates.push_back(i);
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
    // The segment's first bytes as loaded (contents, then zeros), from memory or its file.
    std::array<std::byte, low_memory_size> loaded_bytes{};
    std::size_t filled = 0;
    const Piece head{&segment, 0, low_memory_size, {}};
    const auto read = for_each_chunk(head, request, [&](std::span<const std::byte> bytes) {
      std::copy(bytes.begin(), bytes.end(), loaded_bytes.begin() + static_cast<std::ptrdiff_t>(filled));
      filled += bytes.size();
    });
    if (!read) return read.error();
    for (std::uint64_t at = 0; at < low_memory_size; ++at) {
      const auto loaded = std::to_integer<std::uint8_t>(loaded_bytes[at]);
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
    const Segment& segment = *piece.segment;
    const std::uint64_t contents = contents_size(segment);
    const std::uint64_t from = std::min(piece.offset, contents), to = std::min(piece.offset + piece.size, contents);
    Segment half{piece.checked.start, {}, piece.checked.size, {}};
    if (segment.file.path.empty()) {
      half.bytes.assign(segment.bytes.begin() + static_cast<std::ptrdiff_t>(from),
                        segment.bytes.begin() + static_cast<std::ptrdiff_t>(to));
    } else {
      half.file = {segment.file.path, segment.file.offset + from, to - from};
    }
    laid_out.push_back(std::move(half));
  }
  return laid_out;
}

std::array<std::uint8_t, 32> segments_digest(const std::vector<Segment>& segments) {
  Sha256 hasher = host_sha256();
  const SealRequest none;
  for (const auto& segment : segments) {
    const auto hashed = for_each_chunk({&segment, 0, memory_size_of(segment), {}}, none,
                                       [&](std::span<const std::byte> bytes) { hasher.update(bytes); });
    if (!hashed) return {};
  }
  return hasher.finish();
}

}  // namespace purgatory::host
