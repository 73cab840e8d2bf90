// SPDX-License-Identifier: MIT
// read_file over streams, whose size is not known until their end: every byte in order across the
// chunks it reads them in, nothing for an empty one, and a refusal past the limit; over a regular file
// that grows while it is read, what it holds by then.
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <purgatory/host/file.h>

#include "test_pattern.h"

using namespace purgatory::host;
using Catch::Contains;

namespace {

// read_file(/dev/fd/N) of a pipe whose other end a thread fills with `bytes`.
Result<std::vector<std::byte>> read_through_pipe(const std::vector<std::byte>& bytes, std::uint64_t limit) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::thread writer([&] {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t wrote = write(fds[1], bytes.data() + done, bytes.size() - done);
      if (wrote <= 0) break;  // the reader gave up (refused past the limit)
      done += static_cast<std::size_t>(wrote);
    }
    close(fds[1]);
  });
  auto read = read_file("/dev/fd/" + std::to_string(fds[0]), limit);
  close(fds[0]);  // before the join: a writer blocked on a full pipe then gets EPIPE
  writer.join();
  return read;
}

}  // namespace

TEST_CASE("read_file: a stream's bytes in order, across its chunks", "[file]") {
  signal(SIGPIPE, SIG_IGN);
  // 64 KiB, then chunks doubling: sizes on and around their joins.
  for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{65535}, std::size_t{65536},
                                 std::size_t{65537}, std::size_t{196608}, std::size_t{3 << 20} + 17}) {
    CAPTURE(size);
    const auto bytes = pattern<std::byte>(size, static_cast<unsigned>(size));
    const auto read = read_through_pipe(bytes, UINT64_MAX);
    REQUIRE(read.ok());
    CHECK(*read == bytes);
  }
}

TEST_CASE("read_file: a stream longer than the limit is refused, one as long is not", "[file]") {
  signal(SIGPIPE, SIG_IGN);
  const auto bytes = pattern<std::byte>(200000, 7);
  const auto exact = read_through_pipe(bytes, bytes.size());
  REQUIRE(exact.ok());
  CHECK(*exact == bytes);
  const auto refused = read_through_pipe(bytes, bytes.size() - 1);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Contains(": larger than the 199999 bytes this accepts"));
}

TEST_CASE("read_file: a regular file read whole", "[file]") {
  const auto path = std::filesystem::temp_directory_path() / ("read-file-test-" + std::to_string(getpid()));
  const auto bytes = pattern<std::byte>(100003, 3);
  {
    std::ofstream file(path, std::ios::binary);
    file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  const auto read = read_file(path.string());
  std::filesystem::remove(path);
  REQUIRE(read.ok());
  CHECK(*read == bytes);
}

TEST_CASE("memory_available_from_meminfo: MemAvailable and SwapFree, in bytes", "[file]") {
  const std::string meminfo =
      "MemTotal:       24590744 kB\nMemFree:         1233456 kB\nMemAvailable:   20000000 kB\n"
      "SwapTotal:       2097148 kB\nSwapFree:        1000000 kB\n";
  CHECK(memory_available_from_meminfo(meminfo) == std::optional<std::uint64_t>{(20000000ull + 1000000ull) << 10});
  CHECK(memory_available_from_meminfo("MemAvailable: 4 kB\n") == std::optional<std::uint64_t>{4096});  // no swap line
  CHECK(memory_available_from_meminfo("MemAvailable:4 kB") == std::optional<std::uint64_t>{4096});     // no space, no newline
  // Without MemAvailable (kernels before 3.14), or with a value that is no number: nothing known.
  CHECK_FALSE(memory_available_from_meminfo("MemTotal: 1000 kB\nMemFree: 10 kB\n").has_value());
  CHECK_FALSE(memory_available_from_meminfo("MemAvailableX: 4 kB\n").has_value());
  CHECK_FALSE(memory_available_from_meminfo("MemAvailable: lots\n").has_value());
  CHECK_FALSE(memory_available_from_meminfo("MemAvailable: 99999999999999999999 kB\n").has_value());
  CHECK_FALSE(memory_available_from_meminfo("").has_value());
}

TEST_CASE("read_file: a file larger than the memory free for it is refused before it is read", "[file]") {
  // A sparse file past all that /proc/meminfo says is free (the cap is three quarters of it, at most
  // the machine's memory): no disk space used, and the refusal must come from the size alone.
  std::ifstream meminfo_file("/proc/meminfo");
  const std::string meminfo((std::istreambuf_iterator<char>(meminfo_file)), std::istreambuf_iterator<char>());
  const auto available = memory_available_from_meminfo(meminfo);
  REQUIRE(available.has_value());
  const std::uint64_t physical =
      static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  // Some headroom above the cap: memory comes and goes between this reading and read_file's.
  const std::uint64_t size = std::min(*available, physical) + (std::uint64_t{1} << 30);
  const auto path = std::filesystem::temp_directory_path() / ("read-file-huge-" + std::to_string(getpid()));
  {
    std::ofstream create(path);
  }
  std::filesystem::resize_file(path, size);
  const auto read = read_file(path.string());
  std::filesystem::remove(path);
  REQUIRE_FALSE(read.ok());
  CHECK_THAT(read.error().message, Contains("is larger than the memory this machine has free for it ("));
}
