// SPDX-License-Identifier: MIT
// The checksum list is read in chunks and checked a batch of entries at a time, so that a list of any
// length (and the files it names, whatever their size) is checked in constant memory.
#include "sha256_check.h"

#include <cstdio>
#include <optional>

#include <fmt/format.h>

#include <purgatory/host/chunk_reader.h>
#include <purgatory/host/file_sha256.h>
#include <purgatory/host/sha256sum_format.h>

#include "commands.h"
#include "progress.h"

namespace purgatory_tool {
namespace {

using namespace purgatory::host;
using purgatory::Sha256Digest;

// Longer than any file name a system allows (PATH_MAX is 4096): a longer line is not a checksum list.
constexpr std::size_t longest_line = 64 * 1024;

// Enough files per batch that the two lanes stay paired, few enough that the entries are small.
constexpr std::size_t batch_size = 256;

// The lines of a file, without their '\n', read a chunk at a time.
class LineReader {
 public:
  explicit LineReader(ChunkReader reader) : reader_(std::move(reader)) {}

  // The next line; nullopt at the end; an Error for a read error or an endless line.
  Result<std::optional<std::string>> next() {
    std::string line;
    for (;;) {
      if (pending_.empty()) {
        if (at_end_) break;
        auto chunk = reader_.next();
        if (!chunk) return chunk.error();
        pending_ = std::string_view(reinterpret_cast<const char*>(chunk->data()), chunk->size());
        if (pending_.empty()) {
          at_end_ = true;
          break;
        }
      }
      const std::size_t newline = pending_.find('\n');
      line += pending_.substr(0, newline);
      if (line.size() > longest_line) {
        return Error{fmt::format("{}: line {} is longer than {} bytes: not a checksum list", reader_.name(),
                                 number_ + 1, longest_line)};
      }
      if (newline != std::string_view::npos) {
        pending_.remove_prefix(newline + 1);
        ++number_;
        return std::optional<std::string>{std::move(line)};
      }
      pending_ = {};
    }
    if (line.empty()) return std::optional<std::string>{};
    ++number_;  // a last line without '\n'
    return std::optional<std::string>{std::move(line)};
  }

  std::size_t number() const { return number_; }  // of the line last returned
  const std::string& name() const { return reader_.name(); }

 private:
  ChunkReader reader_;
  std::string_view pending_;
  bool at_end_ = false;
  std::size_t number_ = 0;
};

struct Tally {
  std::size_t checked = 0, mismatched = 0, unreadable = 0, malformed = 0;
  std::uint64_t hashed_bytes = 0;  // for the progress line
};

std::string plural(std::size_t count, const char* one, const char* many) {
  return fmt::format("{} {}", count, count == 1 ? one : many);
}

// Hashes a batch of entries (two files at a time) and prints each verdict in order.
void check_batch(const std::vector<Sha256sumEntry>& batch, Tally& tally, ProgressLine& progress) {
  std::vector<std::string> paths;
  for (const auto& entry : batch) paths.push_back(entry.name);
  std::uint64_t hashed_in_batch = 0;
  sha256_files(
      paths,
      [&](std::size_t index, const Result<Sha256Digest>& digest) {
        progress.clear();
        const std::string shown = sha256sum_check_name(batch[index].name);
        if (!digest) {
          std::fflush(stdout);  // the verdicts so far before the message, as on a terminal
          fmt::print(stderr, "purgatory-tool: {}\n", digest.error().message);
          fmt::print("{}: FAILED open or read\n", shown);
          ++tally.unreadable;
        } else if (*digest != batch[index].digest) {
          fmt::print("{}: FAILED\n", shown);
          ++tally.mismatched;
        } else {
          fmt::print("{}: OK\n", shown);
        }
        ++tally.checked;
      },
      host_sha256_two_lanes(), [&](std::uint64_t hashed) {
        hashed_in_batch = hashed;
        progress.update(tally.hashed_bytes + hashed);
      });
  tally.hashed_bytes += hashed_in_batch;
}

// One list: exit_ok, or exit_failed when anything failed, or exit_usage when the list cannot be read.
int check_list(const std::string& list) {
  auto reader = ChunkReader::open(list);
  if (!reader) {
    fmt::print(stderr, "purgatory-tool: {}\n", reader.error().message);
    return exit_usage;
  }
  LineReader lines(std::move(reader).value());
  ProgressLine progress(std::nullopt);
  Tally tally;
  std::vector<Sha256sumEntry> batch;
  int status = exit_ok;
  std::optional<Error> list_error;  // printed after the verdicts of the lines before it
  for (;;) {
    auto line = lines.next();
    if (!line) {
      list_error = line.error();
      status = exit_usage;
      break;
    }
    if (!*line) break;
    auto entry = parse_sha256sum_line(**line);
    if (!entry) {
      std::fflush(stdout);
      fmt::print(stderr, "purgatory-tool: {}:{}: {}\n", lines.name(), lines.number(), entry.error().message);
      ++tally.malformed;
      continue;
    }
    if (!*entry) continue;  // blank or a comment
    batch.push_back(std::move(**entry));
    if (batch.size() == batch_size) {
      check_batch(batch, tally, progress);
      batch.clear();
    }
  }
  check_batch(batch, tally, progress);
  progress.clear();
  std::fflush(stdout);
  if (list_error) fmt::print(stderr, "purgatory-tool: {}\n", list_error->message);

  if (tally.checked == 0 && status == exit_ok) {
    fmt::print(stderr, "purgatory-tool: {}: no properly formatted SHA-256 checksum lines found\n", lines.name());
    return exit_failed;
  }
  if (tally.malformed != 0) {
    fmt::print(stderr, "purgatory-tool: WARNING: {} improperly formatted\n",
               plural(tally.malformed, "line is", "lines are"));
  }
  if (tally.unreadable != 0) {
    fmt::print(stderr, "purgatory-tool: WARNING: {} not be read\n",
               plural(tally.unreadable, "listed file could", "listed files could"));
  }
  if (tally.mismatched != 0) {
    fmt::print(stderr, "purgatory-tool: WARNING: {} NOT match\n",
               plural(tally.mismatched, "computed checksum did", "computed checksums did"));
  }
  if (status == exit_ok && (tally.malformed || tally.unreadable || tally.mismatched)) status = exit_failed;
  return status;
}

}  // namespace

int check_sha256_lists(const std::vector<std::string>& lists) {
  int worst = exit_ok;
  for (const auto& list : lists) worst = std::max(worst, check_list(list));
  return worst;
}

}  // namespace purgatory_tool
