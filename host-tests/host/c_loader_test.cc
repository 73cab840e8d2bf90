// SPDX-License-Identifier: MIT
// The C reference loader (examples/c-loader) and the host library must produce the same bytes for the
// same load: two independent implementations of one ABI, compared field for field.
#include <cstring>
#include <vector>

#include <catch2/catch.hpp>

#include <purgatory/host/image.h>
#include <purgatory/sha256.h>

#include "image_builder.h"
#include "purgatory_loader.h"

using namespace purgatory::host;
using purgatory::test::ImageBuilder;

TEST_CASE("The C loader writes exactly what the host library seals", "[c-loader]") {
  const auto image_bytes = ImageBuilder::valid(purgatory::test::x86_64).build();
  const auto image = parse_image(image_bytes);
  REQUIRE(image.ok());

  std::vector<std::byte> kernel(5000, std::byte{0x4b}), initrd(777, std::byte{0x1d});
  SealRequest request;
  request.load_address = 0x7000000;
  request.segments = {Segment{0x1000000, kernel, 0x2000}, Segment{0x3000000, initrd, 0}};
  request.entry = 0x1000200;
  request.registers = {{"rsi", 0x8000}, {"rbx", 0}, {"r15", 0xfeed}};
  request.console.kind = PURGATORY_CONSOLE_8250_PIO;
  request.console.base = 0x3f8;
  request.console.divisor = 1;
  request.flags = PURGATORY_FLAG_RESET_ON_FAILURE;
  request.user = {0x1111, 0, UINT64_MAX, 0x5e57};
  const auto sealed = seal(*image, request);
  REQUIRE(sealed.ok());

  // The same load through the C loader, which leaves hashing to its caller.
  std::vector<purgatory_load_segment> segments(2);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    std::vector<std::byte> padded = request.segments[i].bytes;
    padded.resize(std::max<std::size_t>(padded.size(), request.segments[i].memory_size));
    segments[i].start = request.segments[i].address;
    segments[i].size = padded.size();
    const auto digest = purgatory::sha256(padded.data(), padded.size());
    std::memcpy(segments[i].sha256, digest.data(), digest.size());
  }
  purgatory_load_request c_request{};
  c_request.elf_machine = PURGATORY_MACHINE_X86_64;
  c_request.load_address = request.load_address;
  c_request.flags = request.flags;
  c_request.segment_count = 2;
  c_request.segments = segments.data();
  const auto all = segments_digest(request.segments);
  std::memcpy(c_request.sha256, all.data(), all.size());
  c_request.next.x86_64.rip = request.entry;
  c_request.next.x86_64.rsi = 0x8000;
  c_request.next.x86_64.r15 = 0xfeed;
  c_request.console = request.console;
  for (std::size_t i = 0; i < 4; ++i) c_request.user[i] = request.user[i];

  std::vector<std::byte> memory(image->header.memory_size, std::byte{0xee});
  const char* error = nullptr;
  const std::uint64_t entry = purgatory_load(image_bytes.data(), image_bytes.size(), memory.data(), memory.size(),
                                             &c_request, &error);
  INFO("C loader error: " << (error ? error : "none"));
  REQUIRE(entry == request.load_address + image->header.entry_offset);

  const std::vector<std::byte>& bytes = sealed->bytes;
  REQUIRE(bytes.size() == image->header.file_size);
  CHECK(std::memcmp(memory.data(), bytes.data(), bytes.size()) == 0);
  // Beyond the file: zeroed for .bss and the stack.
  CHECK(std::all_of(memory.begin() + static_cast<std::ptrdiff_t>(bytes.size()), memory.end(),
                    [](std::byte b) { return b == std::byte{0}; }));
}

TEST_CASE("The C loader refuses what it cannot load", "[c-loader]") {
  auto builder = ImageBuilder::valid(purgatory::test::x86_64);
  const auto good = builder.build();
  std::vector<std::byte> memory(0x3000);
  purgatory_load_request request{};
  request.elf_machine = PURGATORY_MACHINE_X86_64;
  request.load_address = 0x7000000;
  const char* error = nullptr;

  SECTION("misaligned load address") {
    request.load_address = 0x7000010;
    CHECK(purgatory_load(good.data(), good.size(), memory.data(), memory.size(), &request, &error) == 0);
    CHECK_THAT(error, Catch::Contains("aligned"));
  }
  SECTION("destination smaller than the memory size") {
    CHECK(purgatory_load(good.data(), good.size(), memory.data(), 0x1000, &request, &error) == 0);
    CHECK_THAT(error, Catch::Contains("memory size"));
  }
  SECTION("the other byte order") {
    builder.arch = purgatory::test::ppc64;
    const auto big = builder.build();
    CHECK(purgatory_load(big.data(), big.size(), memory.data(), memory.size(), &request, &error) == 0);
    CHECK_THAT(error, Catch::Contains("byte order"));
  }
  SECTION("an image for another machine (an x86_64 image, an arm64 loader)") {
    request.elf_machine = PURGATORY_MACHINE_AARCH64;
    CHECK(purgatory_load(good.data(), good.size(), memory.data(), memory.size(), &request, &error) == 0);
    CHECK_THAT(error, Catch::Contains("another machine"));
  }
  SECTION("an ABI major version it does not know") {
    builder.abi_major = 2;
    const auto future = builder.build();
    CHECK(purgatory_load(future.data(), future.size(), memory.data(), memory.size(), &request, &error) == 0);
    CHECK_THAT(error, Catch::Contains("ABI major"));
  }
  SECTION("too many segments") {
    request.segment_count = PURGATORY_MAX_SEGMENTS + 1;
    CHECK(purgatory_load(good.data(), good.size(), memory.data(), memory.size(), &request, &error) == 0);
    CHECK_THAT(error, Catch::Contains("segments"));
  }
  SECTION("not an image") {
    const std::vector<std::byte> text(200, std::byte{'x'});
    CHECK(purgatory_load(text.data(), text.size(), memory.data(), memory.size(), &request, &error) == 0);
    CHECK_THAT(error, Catch::Contains("not a purgatory image"));
  }
  // What the host library refuses too (docs/abi.md section 1): an entry the purgatory could not check.
  SECTION("an entry in the header, misaligned, or inside purgatory_info") {
    builder.entry_offset = GENERATE(std::uint64_t{0}, std::uint64_t{0x40}, std::uint64_t{0x81}, std::uint64_t{0x200},
                                    std::uint64_t{0x200 + sizeof(purgatory_info) - 4});
    const auto bad = builder.build();
    CHECK(purgatory_load(bad.data(), bad.size(), memory.data(), memory.size(), &request, &error) == 0);
    CHECK_THAT(error, Catch::Contains("entry"));
  }
  SECTION("a header size past the file") {
    builder.header_size = 0xffffffff;
    const auto bad = builder.build();
    CHECK(purgatory_load(bad.data(), bad.size(), memory.data(), memory.size(), &request, &error) == 0);
    CHECK_THAT(error, Catch::Contains("header sizes"));
  }
  SECTION("an image that does not check digests") {
    builder.features = PURGATORY_FEATURE_MEMORY_LOG;
    const auto bad = builder.build();
    CHECK(purgatory_load(bad.data(), bad.size(), memory.data(), memory.size(), &request, &error) == 0);
    CHECK_THAT(error, Catch::Contains("does not check digests"));
  }
  SECTION("a load address whose image would wrap past 2^64 (and so an entry of 0)") {
    request.load_address = 0xfffffffffffff000;
    std::vector<std::byte> any(0x3000);
    CHECK(purgatory_load(good.data(), good.size(), any.data(), any.size(), &request, &error) == 0);
    CHECK_THAT(error, Catch::Contains("past the end of the address space"));
  }
}
