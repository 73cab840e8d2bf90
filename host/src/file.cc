// SPDX-License-Identifier: MIT
#include <purgatory/host/file.h>

#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace purgatory::host {
namespace {

// Closes a descriptor on every path out of a function.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // close(2) can report a deferred write error (NFS, quotas): the caller wants to know.
  bool close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

Error failure(const std::string& path, std::string_view what) {
  return Error{fmt::format("{}: {}: {}", path, what, std::strerror(errno))};
}

std::uint64_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return UINT64_MAX;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size);
}

std::string size_text(std::uint64_t bytes) {
  if (bytes >= (std::uint64_t{1} << 30)) return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1 << 30));
  if (bytes >= (std::uint64_t{1} << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
  return fmt::format("{} bytes", bytes);
}

// Reads until `into` is full or the file ends; how many bytes it read.
Result<std::size_t> read_into(int fd, const std::string& path, std::span<std::byte> into) {
  std::size_t used = 0;
  while (used < into.size()) {
    const ssize_t got = ::read(fd, into.data() + used, into.size() - used);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return failure(path, "read error");
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  return used;
}

// What this machine can give a new buffer now: three quarters of /proc/meminfo's MemAvailable plus
// SwapFree (the rest for everything else running, whose memory MemAvailable only estimates), bounded by
// its memory. Reading on towards all of it would end in the kernel's OOM killer, a signal rather than
// an error.
std::uint64_t memory_for_input() {
  const std::uint64_t physical = physical_memory();
  FileDescriptor fd(::open("/proc/meminfo", O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return physical;
  std::byte text[16 * 1024];  // the file is about 1.5 KiB
  const auto got = read_into(fd.get(), "/proc/meminfo", text);
  if (!got) return physical;
  const auto available = memory_available_from_meminfo(std::string_view(reinterpret_cast<const char*>(text), *got));
  return available ? std::min(*available / 4 * 3, physical) : physical;
}

Result<std::vector<std::byte>> read_descriptor(int fd, const std::string& path, std::uint64_t limit) {
  struct stat info {};
  if (fstat(fd, &info) != 0) return failure(path, "cannot read");
  if (S_ISDIR(info.st_mode)) return Error{fmt::format("{}: is a directory", path)};
  const std::uint64_t memory = memory_for_input();
  const std::uint64_t cap = std::min(limit, memory);
  // `size`: the input's where it is known; none for a stream that went on past the cap.
  const auto too_large = [&](std::optional<std::uint64_t> size) {
    const std::string what = size ? size_text(*size) + " is larger" : std::string("larger");
    if (size ? *size > limit : cap == limit) {
      return Error{fmt::format("{}: {} than the {} this accepts", path, what, size_text(limit))};
    }
    return Error{fmt::format("{}: {} than the memory this machine has free for it ({})", path, what, size_text(memory))};
  };
  std::vector<std::byte> bytes;
  std::size_t used = 0;
  if (S_ISREG(info.st_mode) && info.st_size > 0) {
    // The size is known: refused before anything is read, else read into one buffer of exactly that
    // size (a growing buffer would hold the old and the new copy at once, twice the file).
    const auto size = static_cast<std::uint64_t>(info.st_size);
    if (size > cap) return too_large(size);
    try {
      bytes.resize(static_cast<std::size_t>(size));
    } catch (const std::bad_alloc&) {
      return Error{fmt::format("{}: not enough memory to read its {}", path, size_text(size))};
    }
    const auto filled = read_into(fd, path, bytes);
    if (!filled) return filled.error();
    used = *filled;
    if (used < bytes.size()) {  // it shrank meanwhile: what is there
      bytes.resize(used);
      return bytes;
    }
    std::byte probe[1];
    const auto got = read_into(fd, path, probe);
    if (!got) return got.error();
    if (*got == 0) return bytes;
    // It grew meanwhile: read on as for a pipe.
    if (used + 1 > cap) return too_large(used + 1);
    bytes.push_back(probe[0]);
    ++used;
  }
  // The size is unknown (a pipe, a /proc file that reports 0): read to the end in chunks, then join them
  // into one buffer of the exact size. Chunks are left uninitialised and each is freed once copied, and
  // the joined buffer's pages are touched only as they are filled: the peak stays near the input's size
  // plus a chunk, where a growing vector (zero-filled, copied at each step) took 2.5 times the input.
  struct Chunk {
    std::unique_ptr<std::byte[]> bytes;
    std::size_t used = 0;
  };
  std::vector<Chunk> chunks;
  std::uint64_t total = used;
  std::size_t chunk_size = 64 * 1024;
  constexpr std::size_t largest_chunk = 64 * 1024 * 1024;
  for (bool at_end = false; !at_end;) {
    // One byte past the cap at most, so a stream over it is refused without reading on.
    const std::uint64_t room = cap - total;
    const std::size_t wanted = room < chunk_size ? static_cast<std::size_t>(room) + 1 : chunk_size;
    Chunk chunk;
    chunk.bytes.reset(new (std::nothrow) std::byte[wanted]);
    if (!chunk.bytes) return Error{fmt::format("{}: not enough memory to read more than {}", path, size_text(total))};
    const auto got = read_into(fd, path, std::span(chunk.bytes.get(), wanted));
    if (!got) return got.error();
    chunk.used = *got;
    at_end = chunk.used < wanted;
    total += chunk.used;
    if (total > cap) return too_large(std::nullopt);
    if (chunk.used > 0) chunks.push_back(std::move(chunk));
    chunk_size = std::min(chunk_size * 2, largest_chunk);
  }
  if (chunks.empty()) return bytes;  // nothing more came (or nothing at all)
  std::vector<std::byte> joined;
  try {
    joined.reserve(static_cast<std::size_t>(total));
  } catch (const std::bad_alloc&) {
    return Error{fmt::format("{}: not enough memory to read its {}", path, size_text(total))};
  }
  joined.insert(joined.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(used));
  std::vector<std::byte>().swap(bytes);
  for (Chunk& chunk : chunks) {
    joined.insert(joined.end(), chunk.bytes.get(), chunk.bytes.get() + chunk.used);
    chunk.bytes.reset();
  }
  return joined;
}

bool write_all(int fd, std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    const ssize_t wrote = ::write(fd, bytes.data(), bytes.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      if (wrote == 0) errno = EIO;
      return false;
    }
    bytes = bytes.subspan(static_cast<std::size_t>(wrote));
  }
  return true;
}

std::string directory_of(const std::string& path) {
  std::string copy = path;
  return ::dirname(copy.data());
}

std::string base_name_of(const std::string& path) {
  std::string copy = path;
  return ::basename(copy.data());
}

mode_t creation_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

// A new file beside `target`, renamed over it once complete. `shown` is the path as the user gave it.
Result<bool> replace_atomically(const std::string& target, const std::string& shown,
                                const struct stat* existing, std::span<const std::byte> bytes) {
  std::string temporary = directory_of(target) + "/." + base_name_of(target) + ".XXXXXX";
  FileDescriptor fd(::mkostemp(temporary.data(), O_CLOEXEC));
  if (fd.get() < 0) return failure(shown, "cannot create a file in its directory");
  const auto discard = [&](Error error) {
    ::unlink(temporary.c_str());
    return error;
  };
  // mkostemp creates 0600: give the file the permissions a plain creation would have, or the old ones.
  const mode_t mode = existing != nullptr ? existing->st_mode & 07777 : creation_mode();
  if (::fchmod(fd.get(), mode) != 0) return discard(failure(shown, "cannot set permissions"));
  if (existing != nullptr && (existing->st_uid != ::geteuid() || existing->st_gid != ::getegid())) {
    // Only root may give a file away; anyone else keeps their own, as a copy would.
    [[maybe_unused]] const int ignored = ::fchown(fd.get(), existing->st_uid, existing->st_gid);
  }
  if (!write_all(fd.get(), bytes)) return discard(failure(shown, "write error"));
  if (::fsync(fd.get()) != 0) return discard(failure(shown, "write error"));
  if (!fd.close()) return discard(failure(shown, "write error"));
  if (::rename(temporary.c_str(), target.c_str()) != 0) return discard(failure(shown, "cannot replace"));
  FileDescriptor directory(::open(directory_of(target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (directory.get() >= 0) ::fsync(directory.get());  // the rename itself, durable; best effort
  return true;
}

Result<bool> write_through(const std::string& target, const std::string& shown, std::span<const std::byte> bytes) {
  FileDescriptor fd(::open(target.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return failure(shown, "cannot open for writing");
  if (!write_all(fd.get(), bytes)) return failure(shown, "write error");
  if (!fd.close()) return failure(shown, "write error");
  return true;
}

// The directory a path's last component is in, resolved: "/dev//fd/1" and "/proc/self/../self/fd/1"
// are in /proc/<pid>/fd as /dev/fd/1 is. Empty if it cannot be resolved.
std::string resolved_directory_of(const std::string& path) {
  char* resolved = ::realpath(directory_of(path).c_str(), nullptr);
  if (resolved == nullptr) return {};
  std::string directory = resolved;
  std::free(resolved);
  return directory;
}

// The descriptor of ours that `path` names, if it is one: /dev/stdout, /dev/fd/N, /proc/self/fd/N,
// /proc/thread-self/fd/N however spelt, and links to them; an Error for such a name whose descriptor
// is not open. Written to as it is, as "-" is: reopening it would truncate a file the shell opened for
// appending, and renaming over what it resolves to would replace that file.
Result<std::optional<int>> own_descriptor(std::string path) {
  const std::string process_fds = fmt::format("/proc/{}/fd", ::getpid());
  const std::string thread_fds = fmt::format("/proc/{}/task/{}/fd", ::getpid(), ::gettid());
  for (int hops = 0; hops < 40; ++hops) {
    const std::string name = base_name_of(path);
    if (!name.empty() && name.size() < 10 && name.find_first_not_of("0123456789") == std::string::npos) {
      const std::string directory = resolved_directory_of(path);
      if (directory == process_fds || directory == thread_fds) {
        const int fd = std::atoi(name.c_str());
        if (::fcntl(fd, F_GETFD) == -1) return Error{fmt::format("{}: descriptor {} is not open", path, fd)};
        return std::optional<int>{fd};
      }
    }
    char target[4096];
    const ssize_t length = ::readlink(path.c_str(), target, sizeof(target) - 1);
    if (length <= 0) return std::optional<int>{};  // not a link (or not there): an ordinary path
    target[length] = '\0';
    path = target[0] == '/' ? std::string(target) : directory_of(path) + "/" + target;
  }
  return std::optional<int>{};  // a loop: the checks below name it
}

}  // namespace

std::optional<std::uint64_t> memory_available_from_meminfo(std::string_view meminfo) {
  const auto kib_of = [&](std::string_view key) -> std::optional<std::uint64_t> {
    for (std::size_t at = 0; at < meminfo.size();) {
      const std::size_t end = std::min(meminfo.find('\n', at), meminfo.size());
      std::string_view line = meminfo.substr(at, end - at);
      at = end + 1;
      if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ':') continue;
      line.remove_prefix(key.size() + 1);
      line.remove_prefix(std::min(line.find_first_not_of(' '), line.size()));
      std::uint64_t kib = 0;
      const auto [rest, error] = std::from_chars(line.data(), line.data() + line.size(), kib);
      if (error != std::errc() || rest == line.data() || kib > (UINT64_MAX >> 10)) return std::nullopt;
      return kib << 10;
    }
    return std::nullopt;
  };
  const auto available = kib_of("MemAvailable");
  if (!available) return std::nullopt;
  const std::uint64_t swap = kib_of("SwapFree").value_or(0);
  return *available + std::min(swap, UINT64_MAX - *available);
}

Result<std::vector<std::byte>> read_file(const std::string& path, std::uint64_t limit) {
  if (path == "-") return read_descriptor(STDIN_FILENO, "standard input", limit);
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return failure(path, "cannot open");
  return read_descriptor(fd.get(), path, limit);
}

Result<std::optional<std::uint64_t>> regular_file_size(const std::string& path) {
  // stat(2), not open(2): opening a FIFO to ask would take its writer, and the read after would wait for
  // another one for ever.
  if (path == "-") return std::optional<std::uint64_t>{};
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return failure(path, "cannot open");
  if (S_ISDIR(info.st_mode)) return Error{fmt::format("{}: is a directory", path)};
  if (!S_ISREG(info.st_mode) || info.st_size == 0) return std::optional<std::uint64_t>{};
  return std::optional<std::uint64_t>{static_cast<std::uint64_t>(info.st_size)};
}

bool is_regular_file(const std::string& path) {
  struct stat info {};
  return path != "-" && ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

Result<bool> write_output(const std::string& path, std::span<const std::byte> bytes) {
  if (path == "-") {
    if (!write_all(STDOUT_FILENO, bytes)) return failure("standard output", "write error");
    return true;
  }
  if (path.empty()) return Error{"the output file name is empty"};
  const auto descriptor = own_descriptor(path);
  if (!descriptor) return descriptor.error();
  if (*descriptor) {
    if (!write_all(**descriptor, bytes)) return failure(path, "write error");
    return true;
  }

  std::string target = path;
  struct stat info {};
  if (::lstat(path.c_str(), &info) == 0 && S_ISLNK(info.st_mode)) {
    if (char* resolved = ::realpath(path.c_str(), nullptr)) {
      target = resolved;
      std::free(resolved);
    } else if (::stat(path.c_str(), &info) == 0 && !S_ISDIR(info.st_mode)) {
      // A magic link such as /dev/stdout -> /proc/self/fd/1 -> pipe:[...]: it opens, but names no
      // path to rename over.
      return write_through(path, path, bytes);
    } else if (errno == ELOOP) {
      return Error{fmt::format("{}: a loop of symbolic links: not writing through it", path)};
    } else {
      return Error{fmt::format("{}: is a dangling symbolic link: not writing through it", path)};
    }
  }
  if (::stat(target.c_str(), &info) != 0) {
    if (errno == ENOENT) return replace_atomically(target, path, nullptr, bytes);
    return failure(path, "cannot write");
  }
  if (S_ISREG(info.st_mode)) return replace_atomically(target, path, &info, bytes);
  if (S_ISCHR(info.st_mode) || S_ISBLK(info.st_mode) || S_ISFIFO(info.st_mode)) {
    return write_through(target, path, bytes);
  }
  if (S_ISDIR(info.st_mode)) return Error{fmt::format("{}: is a directory", path)};
  return Error{fmt::format("{}: is not a regular file, a device or a FIFO: not replacing it", path)};
}

std::optional<std::string> standard_output_problem(int failed_with) {
  errno = 0;
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return std::nullopt;
  const int reason = failed_with != 0 ? failed_with : errno;
  if (reason == 0) return "cannot write to standard output";  // an earlier write failed; its errno is gone
  return fmt::format("cannot write to standard output: {}", std::strerror(reason));
}

}  // namespace purgatory::host
