// SPDX-License-Identifier: MIT
#include <purgatory/host/file_sha256.h>

#include <algorithm>
#include <optional>
#include <vector>

#include <purgatory/host/chunk_reader.h>
#include <purgatory/host/file.h>

namespace purgatory::host {
namespace {

// One file being hashed: its reader, its hash so far, and the part of the current chunk not yet hashed.
struct Lane {
  std::size_t index = 0;
  ChunkReader reader;
  Sha256 hasher = host_sha256();
  std::span<const std::byte> pending;
  bool beside_another = false;  // may be read while another file is: a regular file
};

const std::uint8_t* as_bytes(std::span<const std::byte> data) {
  return reinterpret_cast<const std::uint8_t*>(data.data());
}

// Only regular files are read side by side (is_regular_file: stat(2), so that asking does not block).
// Standard input named twice is one descriptor with one offset, which two lanes would share; and a
// FIFO's open(2) waits for its writer, who may be waiting for us to read the file before it. Those are
// opened and read with no other file in progress, as sha256sum reads every file.

// Hands out the files in order and reports them in order, whatever order they finish in.
class FileQueue {
 public:
  FileQueue(std::span<const std::string> paths, const FileDigestReport& report)
      : paths_(paths), report_(report), results_(paths.size()) {}

  // The next file that opens, in a lane; nullopt when none is left, or when `beside_another` and the
  // next file may not be read beside another. Files that do not open are reported as they are met.
  std::optional<Lane> next_lane(bool beside_another) {
    while (next_ < paths_.size()) {
      const bool side_by_side = is_regular_file(paths_[next_]);
      if (beside_another && !side_by_side) return std::nullopt;
      const std::size_t index = next_++;
      auto reader = ChunkReader::open(paths_[index]);
      if (reader) return Lane{index, std::move(reader).value(), host_sha256(), {}, side_by_side};
      finish(index, reader.error());
    }
    return std::nullopt;
  }

  void finish(std::size_t index, Result<Sha256Digest> result) {
    results_[index].emplace(std::move(result));
    for (; reported_ < results_.size() && results_[reported_]; ++reported_) {
      report_(reported_, *results_[reported_]);
      results_[reported_].reset();
    }
  }

 private:
  std::span<const std::string> paths_;
  const FileDigestReport& report_;
  std::vector<std::optional<Result<Sha256Digest>>> results_;
  std::size_t next_ = 0, reported_ = 0;
};

// Gives a free lane the next file: any file when the other lane is free too, else (with two lanes)
// one that may be read beside the other lane's.
void fill(std::optional<Lane>& lane, const std::optional<Lane>& other, FileQueue& queue, bool two_lanes) {
  if (lane) return;
  if (!other) {
    lane = queue.next_lane(false);
  } else if (two_lanes && other->beside_another) {
    lane = queue.next_lane(true);
  }
}

// Makes sure the lane has bytes to hash: reads its next chunk when the last one is used up, and at the
// end of the file reports it and frees the lane for the next file.
void refill(std::optional<Lane>& lane, const std::optional<Lane>& other, FileQueue& queue, bool two_lanes) {
  while (lane && lane->pending.empty()) {
    auto chunk = lane->reader.next();
    if (!chunk) {
      queue.finish(lane->index, chunk.error());
    } else if (!chunk->empty()) {
      lane->pending = *chunk;
      return;
    } else {
      queue.finish(lane->index, lane->hasher.finish());
    }
    lane.reset();
    fill(lane, other, queue, two_lanes);
  }
}

// Hashes all that is pending in the lane, alone.
std::uint64_t hash_alone(Lane& lane) {
  lane.hasher.update(lane.pending.data(), lane.pending.size());
  const std::uint64_t hashed = lane.pending.size();
  lane.pending = {};
  return hashed;
}

}  // namespace

Result<Sha256Digest> sha256_file(const std::string& path, const HashProgress& progress) {
  std::optional<Result<Sha256Digest>> digest;
  const std::string paths[] = {path};
  sha256_files(paths, [&](std::size_t, const Result<Sha256Digest>& result) { digest.emplace(result); }, nullptr,
               progress);
  return std::move(digest).value();
}

void sha256_files(std::span<const std::string> paths, const FileDigestReport& report,
                  Sha256TwoLaneFunction two_lanes, const HashProgress& progress) {
  FileQueue queue(paths, report);
  const bool two = two_lanes != nullptr;
  std::optional<Lane> lanes[2];
  std::uint64_t hashed = 0;
  for (;;) {
    fill(lanes[0], lanes[1], queue, two);
    fill(lanes[1], lanes[0], queue, two);
    refill(lanes[0], lanes[1], queue, two);
    refill(lanes[1], lanes[0], queue, two);
    if (!lanes[0] && !lanes[1]) break;  // a free lane with the other free too takes any file: none left
    if (!lanes[0] || !lanes[1]) {
      // One lane busy: the last file, no second lane, or a file that is read alone.
      hashed += hash_alone(lanes[0] ? *lanes[0] : *lanes[1]);
    } else {
      Lane &a = *lanes[0], &b = *lanes[1];
      const std::size_t blocks = std::min(a.pending.size(), b.pending.size()) / sha256_block_size;
      if (blocks != 0) {
        // Both hashes are at a block boundary here: every chunk before a file's last is a whole number
        // of blocks, and only a last chunk leaves less than a block pending.
        update_side_by_side(a.hasher, as_bytes(a.pending), b.hasher, as_bytes(b.pending), blocks, two_lanes);
        const std::size_t bytes = blocks * sha256_block_size;
        a.pending = a.pending.subspan(bytes);
        b.pending = b.pending.subspan(bytes);
        hashed += 2 * bytes;
      } else {
        // A file's tail, less than a block: finish it alone so that its lane takes the next file.
        for (Lane* lane : {&a, &b}) {
          if (lane->pending.size() < sha256_block_size) hashed += hash_alone(*lane);
        }
      }
    }
    if (progress) progress(hashed);
  }
}

}  // namespace purgatory::host
