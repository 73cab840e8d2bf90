/* SPDX-License-Identifier: MIT */
// A file read front to back in large chunks, for work that needs every byte once but never all of
// them at once (hashing, sealing): memory stays at one chunk whatever the file's size. read(2) rather
// than mmap(2): a mapped file that another process truncates kills the reader with SIGBUS, and a pipe
// cannot be mapped at all; the copy costs a few percent of SHA-256's time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <purgatory/host/result.h>

namespace purgatory::host {

class ChunkReader {
 public:
  // Large enough that a system call per chunk costs nothing next to hashing it, small enough to stay
  // in the cache between read(2) writing it and the hash reading it. A multiple of 64 (SHA-256's block).
  static constexpr std::size_t default_chunk_size = std::size_t{1} << 20;

  // `path` ("-": standard input, named "standard input" in messages). A file that cannot be opened or
  // is a directory is an Error naming it.
  static Result<ChunkReader> open(const std::string& path, std::size_t chunk_size = default_chunk_size);

  ChunkReader(ChunkReader&& other) noexcept;
  ChunkReader& operator=(ChunkReader&& other) noexcept;
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;
  ~ChunkReader();

  // Starts reading `offset` bytes in; regular files only (an Error otherwise).
  Result<bool> seek(std::uint64_t offset);

  // The next bytes: empty at the end of the file. Every chunk but the last is chunk_size bytes (short
  // reads from a pipe are gathered), so a hash fed with them stays at a block boundary until the end.
  // Valid until the next call. A read error is an Error naming the file.
  Result<std::span<const std::byte>> next();

  // The size of a regular file when it was opened (for progress and checks); nullopt for a pipe, a
  // device, or a /proc file that reports 0.
  std::optional<std::uint64_t> size() const { return size_; }

  // The name messages use: the path as given, or "standard input".
  const std::string& name() const { return name_; }

 private:
  ChunkReader(int fd, bool owns_fd, std::string name, std::optional<std::uint64_t> size, std::size_t chunk_size);

  int fd_ = -1;
  bool owns_fd_ = false;  // standard input stays open for whoever reads it next
  std::string name_;
  std::optional<std::uint64_t> size_;
  std::size_t chunk_size_ = 0;
  std::unique_ptr<std::byte[]> buffer_;
};

}  // namespace purgatory::host
