// SPDX-License-Identifier: MIT
#include <purgatory/host/chunk_reader.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <utility>

#include <fmt/format.h>

namespace purgatory::host {
namespace {

Error system_failure(const std::string& name, std::string_view what) {
  return Error{fmt::format("{}: {}: {}", name, what, std::strerror(errno))};
}

}  // namespace

Result<ChunkReader> ChunkReader::open(const std::string& path, std::size_t chunk_size) {
  const bool is_stdin = path == "-";
  const std::string name = is_stdin ? "standard input" : path;
  const int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return system_failure(name, "cannot open");
  ChunkReader reader(fd, !is_stdin, name, std::nullopt, chunk_size);  // closes fd on every way out
  struct stat info {};
  if (::fstat(fd, &info) != 0) return system_failure(name, "cannot read");
  if (S_ISDIR(info.st_mode)) return Error{fmt::format("{}: is a directory", name)};
  if (S_ISREG(info.st_mode) && info.st_size > 0) {
    reader.size_ = static_cast<std::uint64_t>(info.st_size);
    // Linux doubles its read-ahead for this: the next chunks are on their way while one is hashed.
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  reader.buffer_.reset(new (std::nothrow) std::byte[chunk_size]);
  if (!reader.buffer_) return Error{fmt::format("{}: not enough memory for a {} byte buffer", name, chunk_size)};
  return reader;
}

ChunkReader::ChunkReader(int fd, bool owns_fd, std::string name, std::optional<std::uint64_t> size,
                         std::size_t chunk_size)
    : fd_(fd), owns_fd_(owns_fd), name_(std::move(name)), size_(size), chunk_size_(chunk_size) {}

ChunkReader::ChunkReader(ChunkReader&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      owns_fd_(other.owns_fd_),
      name_(std::move(other.name_)),
      size_(other.size_),
      chunk_size_(other.chunk_size_),
      buffer_(std::move(other.buffer_)) {}

ChunkReader& ChunkReader::operator=(ChunkReader&& other) noexcept {
  if (this != &other) {
    if (owns_fd_ && fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    owns_fd_ = other.owns_fd_;
    name_ = std::move(other.name_);
    size_ = other.size_;
    chunk_size_ = other.chunk_size_;
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

ChunkReader::~ChunkReader() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

Result<bool> ChunkReader::seek(std::uint64_t offset) {
  if (offset > static_cast<std::uint64_t>(INT64_MAX) || ::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
    return system_failure(name_, fmt::format("cannot go to offset {}", offset));
  }
  return true;
}

Result<std::span<const std::byte>> ChunkReader::next() {
  std::size_t filled = 0;
  while (filled < chunk_size_) {
    const ssize_t got = ::read(fd_, buffer_.get() + filled, chunk_size_ - filled);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return system_failure(name_, "read error");
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
  }
  return std::span<const std::byte>(buffer_.get(), filled);
}

}  // namespace purgatory::host
