// SPDX-License-Identifier: MIT
// Files hashed in chunks (ChunkReader, sha256_files) against the one-shot digest of the same bytes, one
// lane and two, over sizes around the chunk and block boundaries; and sha256sum's line format both ways.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <purgatory/host/chunk_reader.h>
#include <purgatory/host/file_sha256.h>
#include <purgatory/host/sha256_engine.h>
#include <purgatory/host/sha256sum_format.h>
#include <purgatory/sha256.h>

#include "test_pattern.h"

using namespace purgatory::host;
using purgatory::Sha256Digest;
using purgatory::Sha256TwoLaneFunction;
using Catch::Contains;

namespace {

// A fresh directory for one test case, removed afterwards.
class ScratchDirectory {
 public:
  ScratchDirectory()
      : path_(std::filesystem::temp_directory_path() /
              ("purgatory-file-sha256-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++))) {
    std::filesystem::create_directories(path_);
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name, const std::vector<std::uint8_t>& bytes) const {
    const auto path = path_ / name;
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                static_cast<std::streamsize>(bytes.size()));
    return path.string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  static int& counter() {
    static int value = 0;
    return value;
  }
  std::filesystem::path path_;
};

Sha256Digest expected_digest(const std::vector<std::uint8_t>& bytes) { return purgatory::sha256(bytes.data(), bytes.size()); }

// Two lanes on any host: each lane through the portable core, so that the pairing of files is tested
// where the engine has no second lane (no SHA-NI) as well.
void portable_two_lanes(std::uint32_t* state_a, const std::uint8_t* data_a, std::uint32_t* state_b,
                        const std::uint8_t* data_b, std::size_t blocks) {
  purgatory::sha256_portable_blocks(nullptr, state_a, data_a, blocks);
  purgatory::sha256_portable_blocks(nullptr, state_b, data_b, blocks);
}

}  // namespace

TEST_CASE("ChunkReader: full chunks but the last, then an empty one", "[file-sha256]") {
  ScratchDirectory directory;
  const auto bytes = pattern(3 * 4096 + 100, 1);
  auto reader = ChunkReader::open(directory.file("f", bytes), 4096);
  REQUIRE(reader);
  CHECK(reader->size() == bytes.size());
  std::vector<std::size_t> sizes;
  std::vector<std::uint8_t> read_back;
  for (;;) {
    const auto chunk = reader.value().next();
    REQUIRE(chunk);
    sizes.push_back(chunk->size());
    for (auto byte : *chunk) read_back.push_back(std::to_integer<std::uint8_t>(byte));
    if (chunk->empty()) break;
  }
  CHECK(sizes == std::vector<std::size_t>{4096, 4096, 4096, 100, 0});
  CHECK(read_back == bytes);

  SECTION("seek starts further in") {
    auto again = ChunkReader::open(directory.path("f"), 4096);
    REQUIRE(again);
    REQUIRE(again.value().seek(3 * 4096 + 90));
    const auto chunk = again.value().next();
    REQUIRE(chunk);
    CHECK(chunk->size() == 10);
  }
}

TEST_CASE("ChunkReader: a missing file and a directory are errors naming them", "[file-sha256]") {
  ScratchDirectory directory;
  const auto missing = ChunkReader::open(directory.path("missing"));
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Contains("missing: cannot open: No such file or directory"));
  const auto is_directory = ChunkReader::open(directory.path(""));
  REQUIRE_FALSE(is_directory);
  CHECK_THAT(is_directory.error().message, Contains("is a directory"));
}

TEST_CASE("sha256_files: every file's digest, in order, one lane or two", "[file-sha256]") {
  ScratchDirectory directory;
  // Sizes around the block (64), the padding boundary (55, 56) and the chunk (1 MiB), a missing file in
  // the middle, and a mix so that a lane is taken over mid-way through the other's file.
  const std::size_t chunk = ChunkReader::default_chunk_size;
  const std::vector<std::size_t> sizes = {0, 1, 55, 56, 63, 64, 65, chunk - 1, chunk, chunk + 1, 3 * chunk + 17, 100};
  std::vector<std::string> paths;
  std::vector<Sha256Digest> expected;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const auto bytes = pattern(sizes[i], static_cast<unsigned>(i));
    paths.push_back(directory.file("f" + std::to_string(i), bytes));
    expected.push_back(expected_digest(bytes));
    if (i == 6) {
      paths.push_back(directory.path("missing"));
      expected.push_back({});
    }
  }
  Sha256TwoLaneFunction two_lanes = nullptr;
  SECTION("one lane") {}
  SECTION("two lanes, where the engine has them") { two_lanes = host_sha256_two_lanes(); }
  SECTION("two lanes, the portable stand-in") { two_lanes = portable_two_lanes; }
  INFO("two lanes: " << (two_lanes != nullptr) << " (engine " << host_sha256_engine_name() << ")");
  std::vector<std::size_t> order;
  std::uint64_t last_progress = 0;
  sha256_files(
      paths,
      [&](std::size_t index, const Result<Sha256Digest>& digest) {
        order.push_back(index);
        INFO("file " << index << " of " << paths.size());
        if (paths[index].ends_with("missing")) {
          REQUIRE_FALSE(digest);
          CHECK_THAT(digest.error().message, Contains("missing: cannot open"));
        } else {
          REQUIRE(digest);
          CHECK(*digest == expected[index]);
        }
      },
      two_lanes, [&](std::uint64_t hashed) {
        CHECK(hashed >= last_progress);
        last_progress = hashed;
      });
  std::vector<std::size_t> in_order(paths.size());
  for (std::size_t i = 0; i < in_order.size(); ++i) in_order[i] = i;
  CHECK(order == in_order);
  std::uint64_t total = 0;
  for (auto size : sizes) total += size;
  CHECK(last_progress == total);
}

TEST_CASE("sha256_files: standard input and FIFOs are read alone, between regular files", "[file-sha256]") {
  ScratchDirectory directory;
  const std::size_t chunk = ChunkReader::default_chunk_size;
  const auto first = pattern(2 * chunk + 5, 1), piped = pattern(3 * chunk + 7, 2), last = pattern(chunk + 3, 3);
  const std::string stdin_file = directory.file("stdin", piped);
  const std::string fifo_1 = directory.path("fifo-1"), fifo_2 = directory.path("fifo-2");
  REQUIRE(::mkfifo(fifo_1.c_str(), 0600) == 0);
  REQUIRE(::mkfifo(fifo_2.c_str(), 0600) == 0);
  // Standard input from a regular file, named twice: the first reads it all, the second finds its end
  // (one descriptor, one offset; as sha256sum reads it). Then two FIFOs that a writer fills one after
  // the other: a lane that opened the second before the first was read would wait for it for ever.
  const int saved_stdin = ::dup(STDIN_FILENO);
  const int input = ::open(stdin_file.c_str(), O_RDONLY);
  REQUIRE(::dup2(input, STDIN_FILENO) == STDIN_FILENO);
  ::close(input);
  std::thread writer([&] {
    for (const auto& fifo : {fifo_1, fifo_2}) {
      std::ofstream(fifo, std::ios::binary).write(reinterpret_cast<const char*>(piped.data()),
                                                  static_cast<std::streamsize>(piped.size()));
    }
  });
  const std::vector<std::string> paths = {directory.file("first", first), "-", "-", fifo_1, fifo_2,
                                          directory.file("last", last)};
  const std::vector<Sha256Digest> expected = {expected_digest(first), expected_digest(piped), expected_digest({}),
                                              expected_digest(piped), expected_digest(piped), expected_digest(last)};
  std::vector<Sha256Digest> digests;
  sha256_files(
      paths,
      [&](std::size_t, const Result<Sha256Digest>& digest) {
        REQUIRE(digest);
        digests.push_back(*digest);
      },
      portable_two_lanes);
  writer.join();
  ::dup2(saved_stdin, STDIN_FILENO);
  ::close(saved_stdin);
  CHECK(digests == expected);
}

TEST_CASE("sha256_file: one file, and an error for a directory", "[file-sha256]") {
  ScratchDirectory directory;
  const auto bytes = pattern(200000, 3);
  const auto digest = sha256_file(directory.file("f", bytes));
  REQUIRE(digest);
  CHECK(*digest == expected_digest(bytes));
  const auto is_directory = sha256_file(directory.path(""));
  REQUIRE_FALSE(is_directory);
  CHECK_THAT(is_directory.error().message, Contains("is a directory"));
}

TEST_CASE("sha256sum_line escapes as GNU does", "[sha256sum-format]") {
  const Sha256Digest digest = purgatory::sha256("abc", 3);
  const std::string hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  CHECK(sha256sum_line(digest, "plain.txt") == hex + "  plain.txt\n");
  CHECK(sha256sum_line(digest, "a\\b") == "\\" + hex + "  a\\\\b\n");
  CHECK(sha256sum_line(digest, "a\nb\rc") == "\\" + hex + "  a\\nb\\rc\n");
  CHECK(sha256sum_check_name("a\\b") == "a\\b");
  CHECK(sha256sum_check_name("a\nb") == "\\a\\nb");
}

TEST_CASE("parse_sha256sum_line reads what sha256sum writes, and says what is wrong otherwise",
          "[sha256sum-format]") {
  const Sha256Digest digest = purgatory::sha256("abc", 3);
  const std::string hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  const auto entry = [](std::string_view line) {
    auto parsed = parse_sha256sum_line(line);
    INFO(line << ": " << (parsed ? "" : parsed.error().message));
    REQUIRE(parsed);
    REQUIRE(*parsed);
    return **parsed;
  };
  CHECK(entry(hex + "  plain.txt").name == "plain.txt");
  CHECK(entry(hex + "  plain.txt").digest == digest);
  CHECK_FALSE(entry(hex + "  plain.txt").binary);
  CHECK(entry(hex + " *plain.txt").binary);
  CHECK(entry(hex + " *plain.txt").name == "plain.txt");
  CHECK(entry(hex + " one space").name == "one space");
  CHECK(entry(hex + "   leading space").name == " leading space");
  CHECK(entry(hex + "  crlf\r").name == "crlf");
  CHECK(entry("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD  upper").digest == digest);
  CHECK(entry("\\" + hex + "  a\\\\b\\nc\\rd").name == "a\\b\nc\rd");
  CHECK(entry(hex + "  not\\escaped").name == "not\\escaped");
  CHECK(entry("SHA256 (tagged (name)) = " + hex).name == "tagged (name)");
  CHECK(entry("SHA256 (tagged) = " + hex).digest == digest);

  for (std::string_view skipped : {"", "   ", "# a comment"}) {
    const auto parsed = parse_sha256sum_line(skipped);
    REQUIRE(parsed);
    CHECK_FALSE(*parsed);
  }
  const auto problem = [](const std::string& line) {
    const auto parsed = parse_sha256sum_line(line);
    INFO(line);
    REQUIRE_FALSE(parsed);
    return parsed.error().message;
  };
  CHECK_THAT(problem("garbage"), Contains("not a sha256sum line"));
  CHECK_THAT(problem(hex.substr(1) + "  short"), Contains("not a sha256sum line"));
  CHECK_THAT(problem(hex + "0  long"), Contains("not a sha256sum line"));
  CHECK_THAT(problem("g" + hex.substr(1) + "  not hex"), Contains("not a sha256sum line"));
  CHECK_THAT(problem(hex + "  "), Contains("no file name"));
  CHECK_THAT(problem("\\" + hex + "  bad\\escape"), Contains("a backslash in the name"));
  CHECK_THAT(problem("SHA256 (no close " + hex), Contains("tagged line"));
}
