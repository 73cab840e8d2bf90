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
