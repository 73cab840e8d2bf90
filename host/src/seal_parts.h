/* SPDX-License-Identifier: MIT */
// The host library's sealing, in parts (seal.cc, seal_request.cc, segment_layout.cc): what they share.
// Private to the library.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <optional>
#include <string>
#include <vector>

#include <purgatory/host/image.h>
#include <purgatory/sha256.h>

namespace purgatory::host::detail {

inline constexpr std::uint64_t low_memory_size = PURGATORY_PPC64_LOW_MEMORY_SIZE;

inline std::uint64_t memory_size_of(const Segment& segment) {
  return segment.memory_size != 0 ? segment.memory_size : contents_size(segment);
}

// One range the purgatory checks: [offset, offset + size) of a request segment as loaded (its bytes,
// then zeros), or ppc64 low memory.
struct Piece {
  const Segment* segment = nullptr;  // null: low memory
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  CheckedSegment checked;
};

// segment_layout.cc: a piece's bytes as the purgatory will hash them (contents, then zeros), given to
// `consume` a chunk at a time, every chunk but the last a whole number of blocks; the two-lane layout;
// ppc64 low memory.
Result<bool> for_each_chunk(const Piece& piece, const SealRequest& request,
                            const std::function<void(std::span<const std::byte>)>& consume);
std::vector<Piece> two_lane_pieces(const std::vector<Segment>& segments, std::uint64_t split_from);
Result<bool> add_low_memory(std::vector<Piece>& pieces, const SealRequest& request);

// seal_request.cc: what the image cannot carry out, whatever the purgatory's rules say.
std::optional<std::string> request_problem(const Image& image, const SealRequest& request);

}  // namespace purgatory::host::detail
