// SPDX-License-Identifier: MIT
// seal over synthetic images of every arch and byte order: every purgatory_info field read back with an
// independent reader in the image's byte order, the digests checked against purgatory::sha256, and each
// request a loader must not make refused with a message naming it.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <purgatory/abi.h>
#include <purgatory/host/block.h>
#include <purgatory/host/image.h>
#include <purgatory/sha256.h>

#include "image_builder.h"
#include "test_pattern.h"

using namespace purgatory::host;
using purgatory::test::TestArch;
using purgatory::test::hex;
using purgatory::test::ImageBuilder;
using Catch::Contains;
using Catch::EndsWith;
using Catch::StartsWith;

namespace {

const TestArch& any_arch() {
  static const auto& arches = purgatory::test::all_arches();
  return arches[GENERATE(range(std::size_t{0}, purgatory::test::all_arches().size()))];
}

// Offsets in purgatory_info and in each arch's member of purgatory_next_kernel, written out from
// docs of <purgatory/abi.h> rather than taken from offsetof, so that the test does not share the code's
// arithmetic.
namespace at {
constexpr std::size_t info_size = 8, sealed = 12, flags = 16, segment_count = 20, sha256 = 24;
constexpr std::size_t segments = 56, segment_size = 48, next = 824, next_size = 384;
constexpr std::size_t console = 1208, reset = 1240, user = 1264, result = 1296, result_size = 1080;
constexpr std::size_t segment_origin = 2376;
}  // namespace at

const std::map<std::string, std::size_t> x86_64_registers = {
    {"rax", 8},  {"rbx", 16},  {"rcx", 24},  {"rdx", 32},  {"rsi", 40},  {"rdi", 48},  {"rbp", 56},  {"rsp", 64},
    {"r8", 72},  {"r9", 80},   {"r10", 88},  {"r11", 96},  {"r12", 104}, {"r13", 112}, {"r14", 120}, {"r15", 128},
};
const std::map<std::string, std::size_t> arm64_registers = {{"x0", 8}, {"x1", 16}, {"x2", 24}, {"x3", 32}};
const std::map<std::string, std::size_t> ppc64_registers = {
    {"r3", 8}, {"r4", 16}, {"r5", 24}, {"r8", 32}, {"r9", 40}};

const std::map<std::string, std::size_t>& registers_of(const TestArch& arch) {
  if (arch.name == "x86_64") return x86_64_registers;
  if (arch.name == "arm64") return arm64_registers;
  return ppc64_registers;
}

bool is_ppc64(const TestArch& arch) { return arch.machine == PURGATORY_MACHINE_PPC64; }

// Reads purgatory_info fields out of a sealed image, in the image's byte order.
class InfoReader {
 public:
  InfoReader(std::span<const std::byte> image, std::size_t info_offset, purgatory::host::ByteOrder order)
      : info_(image.subspan(info_offset, sizeof(purgatory_info))), order_(order) {}

  std::uint64_t u8(std::size_t offset) const { return purgatory::test::read_uint(info_, offset, 1, order_); }
  std::uint64_t u16(std::size_t offset) const { return purgatory::test::read_uint(info_, offset, 2, order_); }
  std::uint64_t u32(std::size_t offset) const { return purgatory::test::read_uint(info_, offset, 4, order_); }
  std::uint64_t u64(std::size_t offset) const { return purgatory::test::read_uint(info_, offset, 8, order_); }
  std::vector<std::uint8_t> bytes(std::size_t offset, std::size_t size) const {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < size; ++i) out.push_back(std::to_integer<std::uint8_t>(info_[offset + i]));
    return out;
  }
  purgatory::Sha256Digest digest(std::size_t offset) const {
    purgatory::Sha256Digest out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::to_integer<std::uint8_t>(info_[offset + i]);
    return out;
  }

 private:
  std::span<const std::byte> info_;
  purgatory::host::ByteOrder order_;
};

bool all_zero(const std::vector<std::uint8_t>& bytes) {
  for (auto byte : bytes) {
    if (byte != 0) return false;
  }
  return true;
}

// A segment as the purgatory sees it in memory: its bytes, then zeros up to its memory size.
std::vector<std::uint8_t> in_memory(const Segment& segment) {
  std::vector<std::uint8_t> bytes;
  for (auto byte : segment.bytes) bytes.push_back(std::to_integer<std::uint8_t>(byte));
  bytes.resize(segment.memory_size != 0 ? segment.memory_size : segment.bytes.size(), 0);
  return bytes;
}

Image parsed(const ImageBuilder& builder) {
  auto image = parse_image(builder.build());
  INFO((image.ok() ? std::string() : image.error().message));
  REQUIRE(image.ok());
  return std::move(image).value();
}

// A valid image whose info block is full of 0xa5, so that a field seal forgets to write shows.
Image garbage_filled_image(const TestArch& arch) {
  auto builder = ImageBuilder::valid(arch);
  builder.info_fill = 0xa5;
  return parsed(builder);
}

// A request every check accepts: the purgatory at 0x100000 (memory 0x3000), three segments, one of them
// with a zero-filled tail longer than seal's 4 KiB block of zeros.
SealRequest valid_request(const TestArch& arch) {
  SealRequest request;
  request.load_address = 0x100000;
  request.segments.push_back(Segment{0x200000, pattern<std::byte>(100, 1), 0});
  request.segments.push_back(Segment{0x300000, pattern<std::byte>(5000, 2), 0x2000});
  request.segments.push_back(Segment{0x10000, pattern<std::byte>(1, 3), 0x10000});
  request.entry = 0x200040;  // inside segment 0, as the purgatory requires
  std::uint64_t value = 0x1111111111111111;
  for (const auto& [name, offset] : registers_of(arch)) {
    request.registers[name] = value;
    value += 0x0102030405060708;
  }
  if (is_ppc64(arch)) request.registers["r3"] = 0x300000;  // the device tree: in segment 1
  // A console and a reset the arch's images support (seal refuses others).
  request.console.kind = is_ppc64(arch) ? PURGATORY_CONSOLE_HVC : PURGATORY_CONSOLE_8250_MMIO;
  request.console.register_shift = 2;
  request.console.access_width = 4;
  request.console.reserved0 = 0xbeef;
  request.console.base = 0x0000000009000000;
  request.console.divisor = 0x00010203;
  request.console.reserved1 = 0xdeadbeef;
  request.console.reserved2 = 0xfeedface;
  request.flags = PURGATORY_FLAG_RESET_ON_FAILURE | PURGATORY_FLAG_QUIET;
  request.reset.method = is_ppc64(arch)            ? PURGATORY_RESET_RTAS_HCALL
                         : arch.name == "arm64"    ? PURGATORY_RESET_PSCI_SMC
                                                   : PURGATORY_RESET_DEFAULT;
  request.reset.token = 0x2004;
  request.reset.reserved[0] = 1;
  request.reset.reserved[1] = 2;
  request.user = {0x0102030405060708, 0, UINT64_MAX, 42};
  if (is_ppc64(arch)) {
    request.ppc64_secondary_entry = 0x60;  // Linux's __secondary_hold, in low memory
    request.ppc64_flags = PURGATORY_PPC64_SET_FDT_BOOT_CPU;
    std::array<std::uint8_t, PURGATORY_PPC64_LOW_MEMORY_SIZE> low{};
    for (std::size_t i = 0; i < low.size(); ++i) low[i] = static_cast<std::uint8_t>(0xff - i);
    request.ppc64_low_memory = low;
  }
  return request;
}

std::string refusal(const Image& image, const SealRequest& request) {
  const auto sealed = seal(image, request);
  REQUIRE_FALSE(sealed.ok());
  return sealed.error().message;
}

void require_sealed(const Image& image, const SealRequest& request) {
  const auto sealed = seal(image, request);
  INFO((sealed.ok() ? std::string() : sealed.error().message));
  REQUIRE(sealed.ok());
}

}  // namespace

TEST_CASE("Sealing fills every purgatory_info field in the image's byte order", "[seal]") {
  const TestArch& arch = any_arch();
  INFO(arch.name);
  const Image image = garbage_filled_image(arch);
  const SealRequest request = valid_request(arch);
  const auto sealed = seal(image, request);
  INFO((sealed.ok() ? std::string() : sealed.error().message));
  REQUIRE(sealed.ok());
  REQUIRE(sealed->bytes.size() == image.bytes.size());
  const std::size_t info_offset = static_cast<std::size_t>(image.header.info_offset);
  const InfoReader info(sealed->bytes, info_offset, arch.order);
  // ppc64 low memory is checked as a fourth segment, after the request's own.
  const std::size_t count = is_ppc64(arch) ? 4 : 3;

  SECTION("the header fields") {
    CHECK(info.bytes(0, 8) == std::vector<std::uint8_t>{'P', 'U', 'R', 'G', 'I', 'N', 'F', 'O'});
    CHECK(info.u32(at::info_size) == sizeof(purgatory_info));
    CHECK(info.u32(at::sealed) == PURGATORY_INFO_SEALED);
    CHECK(info.u32(at::flags) == (PURGATORY_FLAG_RESET_ON_FAILURE | PURGATORY_FLAG_QUIET));
    CHECK(info.u32(at::segment_count) == count);
  }

  SECTION("each segment's place, size and digest of its bytes zero-padded to its memory size") {
    for (std::size_t i = 0; i < request.segments.size(); ++i) {
      INFO("segment " << i);
      const Segment& segment = request.segments[i];
      const std::size_t base = at::segments + i * at::segment_size;
      const auto memory = in_memory(segment);
      CHECK(info.u64(base) == segment.address);
      CHECK(info.u64(base + 8) == memory.size());
      CHECK(info.digest(base + 16) == purgatory::sha256(memory.data(), memory.size()));
    }
    CHECK(info.u64(at::segments + 1 * at::segment_size + 8) == 0x2000);
    CHECK(info.u64(at::segments + 2 * at::segment_size + 8) == 0x10000);
    if (is_ppc64(arch)) {
      const auto& low = *request.ppc64_low_memory;
      const std::size_t base = at::segments + 3 * at::segment_size;
      CHECK(info.u64(base) == 0);
      CHECK(info.u64(base + 8) == low.size());
      CHECK(info.digest(base + 16) == purgatory::sha256(low.data(), low.size()));
    }
  }

  SECTION("whose each segment is: the request's own, in order; ppc64 low memory marked") {
    std::vector<std::uint8_t> origins(PURGATORY_MAX_SEGMENTS, 0);
    origins[0] = 1, origins[1] = 2, origins[2] = 3;
    if (is_ppc64(arch)) origins[3] = PURGATORY_ORIGIN_PPC64_LOW_MEMORY;
    CHECK(info.bytes(at::segment_origin, PURGATORY_MAX_SEGMENTS) == origins);
    REQUIRE(sealed->segments.size() == count);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(sealed->segments[i].loader_index == i);
      CHECK(sealed->segments[i].part == CheckedSegment::Part::whole);
    }
    if (is_ppc64(arch)) CHECK(sealed->segments[3].part == CheckedSegment::Part::low_memory);
  }

  SECTION("the unused segment slots are zero") {
    const std::size_t used = count;
    CHECK(all_zero(info.bytes(at::segments + used * at::segment_size,
                              (PURGATORY_MAX_SEGMENTS - used) * at::segment_size)));
  }

  SECTION("the all-segments digest is segments_digest's and SHA-256 of the segments concatenated") {
    std::vector<std::uint8_t> all;
    for (const auto& segment : request.segments) {
      const auto memory = in_memory(segment);
      all.insert(all.end(), memory.begin(), memory.end());
    }
    const auto from_library = purgatory::Sha256Digest(segments_digest(request.segments));
    CHECK(from_library == purgatory::sha256(all.data(), all.size()));
    if (is_ppc64(arch)) all.insert(all.end(), request.ppc64_low_memory->begin(), request.ppc64_low_memory->end());
    CHECK(info.digest(at::sha256) == purgatory::sha256(all.data(), all.size()));
  }

  SECTION("the next kernel's entry and registers at the arch's offsets, everything else zero") {
    std::vector<std::byte> expected(at::next_size);
    const auto put = [&](std::size_t offset, std::uint64_t value, unsigned width) {
      purgatory::test::write_uint(expected, offset, value, width, arch.order);
    };
    CHECK(info.u64(at::next + 0) == request.entry);  // rip, or entry on arm64 and ppc64
    put(0, request.entry, 8);
    for (const auto& [name, offset] : registers_of(arch)) {
      INFO(name);
      CHECK(info.u64(at::next + offset) == request.registers.at(name));
      put(offset, request.registers.at(name), 8);
    }
    if (is_ppc64(arch)) {
      CHECK(info.u64(at::next + 48) == 0x60);
      put(48, 0x60, 8);
      // Giving low memory turns on its restore flag.
      const std::uint32_t flags = PURGATORY_PPC64_SET_FDT_BOOT_CPU | PURGATORY_PPC64_RESTORE_LOW_MEMORY;
      CHECK(info.u32(at::next + 56) == flags);
      put(56, flags, 4);
      const auto& low = *request.ppc64_low_memory;
      CHECK(info.bytes(at::next + 64, low.size()) == std::vector<std::uint8_t>(low.begin(), low.end()));
      for (std::size_t i = 0; i < low.size(); ++i) expected[64 + i] = std::byte{low[i]};
    }
    std::vector<std::uint8_t> expected_bytes;
    for (auto byte : expected) expected_bytes.push_back(std::to_integer<std::uint8_t>(byte));
    CHECK(info.bytes(at::next, at::next_size) == expected_bytes);
  }

  SECTION("the console fields, reserved ones zero") {
    CHECK(info.u32(at::console + 0) == request.console.kind);
    CHECK(info.u8(at::console + 4) == 2);
    CHECK(info.u8(at::console + 5) == 4);
    CHECK(info.u16(at::console + 6) == 0);
    CHECK(info.u64(at::console + 8) == 0x0000000009000000);
    CHECK(info.u32(at::console + 16) == 0x00010203);
    CHECK(info.u32(at::console + 20) == 0);
    CHECK(info.u64(at::console + 24) == 0);
  }

  SECTION("the reset fields, reserved ones zero") {
    CHECK(info.u32(at::reset + 0) == request.reset.method);
    CHECK(info.u32(at::reset + 4) == 0x2004);
    CHECK(info.u64(at::reset + 8) == 0);
    CHECK(info.u64(at::reset + 16) == 0);
  }

  SECTION("the user words") {
    CHECK(info.u64(at::user + 0) == 0x0102030405060708);
    CHECK(info.u64(at::user + 8) == 0);
    CHECK(info.u64(at::user + 16) == UINT64_MAX);
    CHECK(info.u64(at::user + 24) == 42);
  }

  SECTION("the result area is zero") {
    CHECK(all_zero(info.bytes(at::result, at::result_size)));
  }

  SECTION("the bytes outside purgatory_info are unchanged") {
    const auto end = info_offset + sizeof(purgatory_info);
    CHECK(std::equal(image.bytes.begin(), image.bytes.begin() + static_cast<std::ptrdiff_t>(info_offset),
                     sealed->bytes.begin()));
    CHECK(std::equal(image.bytes.begin() + static_cast<std::ptrdiff_t>(end), image.bytes.end(),
                     sealed->bytes.begin() + static_cast<std::ptrdiff_t>(end)));
  }
}

TEST_CASE("Sealing without segments is refused, unless verification is skipped", "[seal]") {
  const TestArch& arch = any_arch();
  const Image image = garbage_filled_image(arch);
  CHECK_THAT(refusal(image, SealRequest{}), Contains("no segments to verify"));
}

TEST_CASE("Sealing without segments, skipping verification, records the digest of the empty message", "[seal]") {
  const TestArch& arch = any_arch();
  const Image image = garbage_filled_image(arch);
  SealRequest request;
  request.flags = PURGATORY_FLAG_SKIP_VERIFICATION;
  const auto sealed = seal(image, request);
  REQUIRE(sealed.ok());
  const InfoReader info(sealed->bytes, static_cast<std::size_t>(image.header.info_offset), arch.order);
  CHECK(info.u32(at::sealed) == PURGATORY_INFO_SEALED);
  CHECK(info.u32(at::segment_count) == 0);
  // FIPS 180-4 example: SHA-256("") = e3b0c442...7852b855
  CHECK(info.digest(at::sha256) == purgatory::Sha256Digest{
                                       0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
                                       0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
                                       0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55});
  CHECK(all_zero(info.bytes(at::segments, PURGATORY_MAX_SEGMENTS * at::segment_size)));
  CHECK(all_zero(info.bytes(at::next, at::next_size)));
}

TEST_CASE("Sealing a sealed image again with the same request gives the same bytes", "[seal]") {
  const TestArch& arch = any_arch();
  const Image image = garbage_filled_image(arch);
  const SealRequest request = valid_request(arch);
  const auto first = seal(image, request);
  REQUIRE(first.ok());
  const auto reparsed = parse_image(first->bytes);
  REQUIRE(reparsed.ok());
  const auto second = seal(*reparsed, request);
  REQUIRE(second.ok());
  CHECK(second->bytes == first->bytes);
}

TEST_CASE("Sealing leaves purgatory_info bytes beyond this ABI's structure as the image has them", "[seal]") {
  const TestArch& arch = any_arch();
  auto builder = ImageBuilder::valid(arch);
  builder.abi_minor = 1;
  builder.info_size = sizeof(purgatory_info) + 16;
  builder.info_fill = 0x3c;
  const Image image = parsed(builder);
  const auto sealed = seal(image, valid_request(arch));
  REQUIRE(sealed.ok());
  const std::size_t end = static_cast<std::size_t>(image.header.info_offset) + sizeof(purgatory_info);
  for (std::size_t i = end; i < end + 16; ++i) CHECK(sealed->bytes[i] == std::byte{0x3c});
  CHECK(InfoReader(sealed->bytes, end - sizeof(purgatory_info), arch.order).u32(at::info_size) ==
        sizeof(purgatory_info) + 16);
}

TEST_CASE("A load address that is not a multiple of the load alignment is refused", "[seal]") {
  const TestArch& arch = any_arch();
  const Image image = garbage_filled_image(arch);
  auto request = valid_request(arch);
  request.load_address = GENERATE(std::uint64_t{0x100800}, std::uint64_t{1}, std::uint64_t{0x100fff});
  CHECK_THAT(refusal(image, request), Contains("load address " + hex(request.load_address)) &&
                                          Contains("load alignment 0x1000"));
}

TEST_CASE("A purgatory that would run past the end of the address space is refused", "[seal]") {
  const TestArch& arch = any_arch();
  const Image image = garbage_filled_image(arch);
  auto request = valid_request(arch);
  request.load_address = GENERATE(std::uint64_t{0xfffffffffffff000}, std::uint64_t{0xffffffffffffe000});
  CHECK_THAT(refusal(image, request), Contains(hex(request.load_address)) && Contains("end of the address space"));
}

TEST_CASE("A purgatory placed high in the address space but inside it is accepted", "[seal]") {
  const TestArch& arch = any_arch();
  auto request = valid_request(arch);
  request.load_address = 0xffffffffffffb000;  // [2^64 - 0x5000, 2^64 - 0x2000)
  require_sealed(garbage_filled_image(arch), request);
}

TEST_CASE("More than 16 segments are refused, 16 accepted", "[seal]") {
  const TestArch& arch = any_arch();
  const Image image = garbage_filled_image(arch);
  auto request = valid_request(arch);
  request.segments.clear();
  request.ppc64_low_memory.reset();  // on ppc64 a 17th segment
  for (std::uint64_t i = 0; i < 16; ++i) request.segments.push_back(Segment{0x1000000 + i * 0x1000, pattern<std::byte>(16, 4), 0});
  request.entry = 0x1000000;
  if (is_ppc64(arch)) {
    request.ppc64_secondary_entry.reset();
    request.registers["r3"] = 0;  // no device tree to write into
  }
  require_sealed(image, request);
  request.segments.push_back(Segment{0x2000000, pattern<std::byte>(16, 5), 0});
  CHECK_THAT(refusal(image, request), Contains("17 segments") && Contains("at most 16"));
}

TEST_CASE("Overlapping segments are refused", "[seal]") {
  const TestArch& arch = any_arch();
  const Image image = garbage_filled_image(arch);
  auto request = valid_request(arch);
  request.segments = {Segment{0x200000, pattern<std::byte>(0x1000, 6), 0}};
  request.ppc64_secondary_entry.reset();
  request.registers.erase("r3");
  SECTION("the second starts inside the first") {
    request.segments.push_back(Segment{0x200800, pattern<std::byte>(0x1000, 7), 0});
  }
  SECTION("the second ends inside the first") {
    request.segments.push_back(Segment{0x1ff800, pattern<std::byte>(0x1000, 7), 0});
  }
  SECTION("the second inside the first") {
    request.segments.push_back(Segment{0x200100, pattern<std::byte>(0x10, 7), 0});
  }
  SECTION("the second around the first") {
    request.segments.push_back(Segment{0x100000 + 0x3000, pattern<std::byte>(0x10, 7), 0x200000});
  }
  SECTION("the same start") {
    request.segments.push_back(Segment{0x200000, pattern<std::byte>(1, 7), 0});
  }
  SECTION("only the first's zero-filled tail overlaps") {
    request.segments = {Segment{0x200000, pattern<std::byte>(0x10, 6), 0x2000}, Segment{0x201000, pattern<std::byte>(0x10, 7), 0}};
  }
  CHECK_THAT(refusal(image, request), Contains("segments 0 and 1 overlap"));
}

TEST_CASE("The third segment overlapping the first is named by both indices", "[seal]") {
  const TestArch& arch = any_arch();
  auto request = valid_request(arch);
  request.segments.push_back(Segment{0x200000 + 99, pattern<std::byte>(2, 8), 0});  // on segment 0's last byte
  CHECK_THAT(refusal(garbage_filled_image(arch), request), Contains("segments 0 and 3 overlap"));
}

TEST_CASE("Segments that touch without overlapping are accepted", "[seal]") {
  const TestArch& arch = any_arch();
  auto request = valid_request(arch);
  request.segments = {Segment{0x200000, pattern<std::byte>(0x10, 6), 0x1000}, Segment{0x201000, pattern<std::byte>(0x10, 7), 0},
                      Segment{0x300000, {}, 0x1000}};
  require_sealed(garbage_filled_image(arch), request);
}

TEST_CASE("A segment overlapping the purgatory's memory is refused", "[seal]") {
  const TestArch& arch = any_arch();
  const Image image = garbage_filled_image(arch);
  auto request = valid_request(arch);  // purgatory at [0x100000, 0x103000)
  SECTION("on its last byte (beyond the file, in .bss)") {
    request.segments.push_back(Segment{0x102fff, pattern<std::byte>(1, 9), 0});
  }
  SECTION("on its first byte") {
    request.segments.push_back(Segment{0xff000, pattern<std::byte>(0x1001, 9), 0});
  }
  SECTION("around it") {
    request.segments.push_back(Segment{0xf0000, pattern<std::byte>(1, 9), 0x20000});
  }
  SECTION("only through the zero-filled tail") {
    request.segments.push_back(Segment{0xff000, pattern<std::byte>(1, 9), 0x1800});
  }
  CHECK_THAT(refusal(image, request), Contains("segment 3 at") && Contains("overlaps the purgatory's own memory") &&
                                          Contains("[0x100000, 0x103000)"));
}

TEST_CASE("Segments right before and right after the purgatory's memory are accepted", "[seal]") {
  const TestArch& arch = any_arch();
  auto request = valid_request(arch);
  request.segments.push_back(Segment{0xff000, pattern<std::byte>(0x1000, 10), 0});
  request.segments.push_back(Segment{0x103000, pattern<std::byte>(1, 11), 0x1000});
  require_sealed(garbage_filled_image(arch), request);
}

TEST_CASE("An empty segment is refused", "[seal]") {
  const TestArch& arch = any_arch();
  auto request = valid_request(arch);
  request.segments.insert(request.segments.begin() + 1, Segment{0x400000, {}, 0});
  CHECK_THAT(refusal(garbage_filled_image(arch), request), Contains("segment 1 at 0x400000 is empty"));
}

TEST_CASE("A segment of zeros only (no bytes, a memory size) is accepted and hashed as zeros", "[seal]") {
  const TestArch& arch = any_arch();
  const Image image = garbage_filled_image(arch);
  SealRequest request;
  request.load_address = 0x100000;
  request.segments = {Segment{0x400000, {}, 0x1234}};
  request.entry = 0x400000;
  const auto sealed = seal(image, request);
  REQUIRE(sealed.ok());
  const InfoReader info(sealed->bytes, static_cast<std::size_t>(image.header.info_offset), arch.order);
  const std::vector<std::uint8_t> zeros(0x1234, 0);
  CHECK(info.u64(at::segments + 8) == 0x1234);
  CHECK(info.digest(at::segments + 16) == purgatory::sha256(zeros.data(), zeros.size()));
  CHECK(info.digest(at::sha256) == purgatory::sha256(zeros.data(), zeros.size()));
}

TEST_CASE("A segment memory size smaller than its bytes is refused", "[seal]") {
  const TestArch& arch = any_arch();
  auto request = valid_request(arch);
  request.segments = {Segment{0x400000, pattern<std::byte>(32, 12), 0x10}};
  CHECK_THAT(refusal(garbage_filled_image(arch), request),
             Contains("segment 0: memory size 0x10 is smaller than its 32 bytes"));
}

TEST_CASE("A segment that runs past the end of the address space is refused", "[seal]") {
  const TestArch& arch = any_arch();
  auto request = valid_request(arch);
  SECTION("by its bytes") { request.segments.push_back(Segment{UINT64_MAX - 0xf, pattern<std::byte>(0x20, 13), 0}); }
  SECTION("by its zero-filled tail") {
    request.segments.push_back(Segment{0xfffffffffffff000, pattern<std::byte>(1, 13), 0x2000});
  }
  SECTION("by its memory size alone") {
    request.segments.push_back(Segment{UINT64_MAX - 0x8, {}, 0x10});
  }
  CHECK_THAT(refusal(garbage_filled_image(arch), request),
             Contains("segment 3") && Contains("end of the address space"));
}

TEST_CASE("An unknown register name is refused, listing the arch's register names", "[seal]") {
  const TestArch& arch = any_arch();
  auto request = valid_request(arch);
  const std::string unknown = arch.name == "x86_64" ? "x0" : arch.name == "arm64" ? "x4" : "r6";
  request.registers[unknown] = 1;
  const auto message = refusal(garbage_filled_image(arch), request);
  INFO(message);
  CHECK_THAT(message, Contains("unknown register \"" + unknown + "\"") && Contains(arch.name));
  for (const auto& [name, offset] : registers_of(arch)) CHECK_THAT(message, Contains(name));
}

TEST_CASE("register_names lists exactly the registers seal accepts", "[seal]") {
  const TestArch& arch = any_arch();
  const auto names = register_names(*arch_named(arch.name));
  std::vector<std::string> expected;
  for (const auto& [name, offset] : registers_of(arch)) expected.push_back(name);
  CHECK_THAT(names, Catch::UnorderedEquals(expected));
}

TEST_CASE("ppc64-only settings are refused for an image of another arch", "[seal]") {
  const TestArch arch = GENERATE(TestArch{purgatory::test::x86_64}, TestArch{purgatory::test::arm64});
  const Image image = garbage_filled_image(arch);
  auto request = valid_request(arch);
  SECTION("a secondary entry") { request.ppc64_secondary_entry = 0x60; }
  SECTION("ppc64 flags") { request.ppc64_flags = PURGATORY_PPC64_SET_FDT_BOOT_CPU; }
  SECTION("low memory") { request.ppc64_low_memory.emplace(); }
  CHECK_THAT(refusal(image, request), Contains("ppc64 settings") && Contains(arch.name));
}

// pair_for_two_lanes: how a loader lays segments out for an image that hashes two at once.
namespace {

std::uint64_t size_of(const Segment& segment) {
  return segment.memory_size != 0 ? segment.memory_size : segment.bytes.size();
}

// Every segment's memory, zero-filled tails included (what the purgatory will hash), as runs of
// consecutive addresses: adjacent segments merge, so the same bytes at the same addresses give the same
// runs however they are cut into segments. (A map of single bytes would say the same, slowly.)
std::vector<std::pair<std::uint64_t, std::vector<std::byte>>> memory_of(const std::vector<Segment>& segments) {
  std::vector<const Segment*> sorted;
  for (const auto& segment : segments) sorted.push_back(&segment);
  std::sort(sorted.begin(), sorted.end(), [](const Segment* a, const Segment* b) { return a->address < b->address; });
  std::vector<std::pair<std::uint64_t, std::vector<std::byte>>> runs;
  for (const Segment* segment : sorted) {
    std::vector<std::byte> bytes = segment->bytes;
    bytes.resize(size_of(*segment));
    if (!runs.empty()) {
      auto& [start, run] = runs.back();
      REQUIRE(start + run.size() <= segment->address);  // no byte described twice
      if (start + run.size() == segment->address) {
        run.insert(run.end(), bytes.begin(), bytes.end());
        continue;
      }
    }
    runs.emplace_back(segment->address, std::move(bytes));
  }
  return runs;
}

}  // namespace

TEST_CASE("pair_for_two_lanes splits large segments into halves that come first, the rest in order",
          "[seal][two-lanes]") {
  const std::vector<Segment> segments = {
      {0x1000, pattern<std::byte>(4096, 1), 0},                 // small: stays whole
      {0x100000, pattern<std::byte>(3 << 20, 2), (3 << 20) + 100},  // large, with a zero-filled tail
      {0x800000, pattern<std::byte>(70000, 3), 0},              // small
      {0x900000, pattern<std::byte>(1 << 20, 4), 0},            // exactly the threshold
  };
  const auto paired = pair_for_two_lanes(segments);
  REQUIRE(paired.size() == 6);
  // The halves of segment 1, then of segment 3, then segments 0 and 2 as they were.
  CHECK(paired[0].address == 0x100000);
  CHECK(paired[1].address == 0x100000 + size_of(paired[0]));
  CHECK(size_of(paired[0]) + size_of(paired[1]) == (3 << 20) + 100);
  CHECK(paired[2].address == 0x900000);
  CHECK(paired[3].address == 0x900000 + size_of(paired[2]));
  CHECK(size_of(paired[2]) + size_of(paired[3]) == 1 << 20);
  for (std::size_t pair = 0; pair < 4; pair += 2) {
    // The first half a whole number of blocks, the two within a block of each other: both lanes busy
    // almost to the end.
    CHECK(size_of(paired[pair]) % purgatory::sha256_block_size == 0);
    CHECK(size_of(paired[pair + 1]) - size_of(paired[pair]) < 2 * purgatory::sha256_block_size);
  }
  CHECK(paired[4].address == 0x1000);
  CHECK(paired[4].bytes == segments[0].bytes);
  CHECK(paired[5].address == 0x800000);
  CHECK(paired[5].bytes == segments[2].bytes);
  // The same bytes at the same addresses: nothing the purgatory hashes has changed.
  CHECK(memory_of(paired) == memory_of(segments));
}

TEST_CASE("pair_for_two_lanes keeps within 16 segments, splitting the largest first", "[seal][two-lanes]") {
  std::vector<Segment> segments;
  for (std::uint64_t i = 0; i < 14; ++i) segments.push_back({i << 24, pattern<std::byte>((1 << 20) + i * 4096, 5), 0});
  const auto paired = pair_for_two_lanes(segments);
  REQUIRE(paired.size() == PURGATORY_MAX_SEGMENTS);
  // Room for two splits: segments 13 and 12, the largest, in their given order (12 first).
  CHECK(paired[0].address == 12u << 24);
  CHECK(paired[2].address == 13u << 24);
  CHECK(memory_of(paired) == memory_of(segments));

  segments.resize(PURGATORY_MAX_SEGMENTS, Segment{0xff000000, pattern<std::byte>(2 << 20, 6), 0});
  segments.back().address = 0xfe000000;
  CHECK(pair_for_two_lanes(segments).size() == PURGATORY_MAX_SEGMENTS);  // no room: unchanged
}

TEST_CASE("pair_for_two_lanes leaves a segment whose file exceeds its memory size for seal to refuse",
          "[seal][two-lanes]") {
  const std::vector<Segment> segments = {{0x100000, pattern<std::byte>(3 << 20, 7), 2 << 20}};
  const auto paired = pair_for_two_lanes(segments);
  REQUIRE(paired.size() == 1);
  CHECK(paired[0].memory_size == 2u << 20);
}

TEST_CASE("Asked to check each segment, seal lays out halves itself, each with its own digest and origin",
          "[seal][two-lanes]") {
  const TestArch& arch = any_arch();
  auto builder = ImageBuilder::valid(arch);
  builder.features |= PURGATORY_FEATURE_VERIFY_EACH_SEGMENT;
  const Image image = parsed(builder);
  SealRequest request;
  request.load_address = 0x10000000;
  request.flags = PURGATORY_FLAG_VERIFY_EACH_SEGMENT;
  request.segments = {{0x100000, pattern<std::byte>(1 << 20, 8), (1 << 20) + 4096}, {0x20000, pattern<std::byte>(100, 9), 0}};
  request.entry = 0x20000;
  const auto sealed = seal(image, request);
  INFO((sealed ? std::string() : sealed.error().message));
  REQUIRE(sealed);
  const InfoReader info(sealed->bytes, image.header.info_offset, arch.order);
  CHECK(info.u32(at::segment_count) == 3);
  const auto halves = pair_for_two_lanes(request.segments);
  REQUIRE(halves.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto bytes = in_memory(halves[i]);
    CHECK(info.u64(at::segments + i * at::segment_size) == halves[i].address);
    CHECK(info.digest(at::segments + i * at::segment_size + 16) == purgatory::sha256(bytes.data(), bytes.size()));
  }
  CHECK(info.bytes(at::segment_origin, 3) == std::vector<std::uint8_t>{1, 1, 2});
  REQUIRE(sealed->segments.size() == 3);
  CHECK(sealed->segments[0].part == CheckedSegment::Part::first_half);
  CHECK(sealed->segments[1].part == CheckedSegment::Part::second_half);
  CHECK(sealed->segments[2].loader_index == 1);
  CHECK(describe(sealed->segments[1]) == "segment 0 (second half)");

  SECTION("a problem is named in the request's numbering, not the halves'") {
    request.segments.push_back({0x100000 + (1 << 20) - 16, pattern<std::byte>(32, 10), 0});  // over the large one's end
    CHECK_THAT(refusal(image, request), Contains("segments 0 and 2 overlap"));
  }
  SECTION("an image without the feature checks them whole") {
    const auto whole = seal(parsed(ImageBuilder::valid(arch)), request);
    REQUIRE(whole);
    CHECK(whole->segments.size() == 2);
  }
}

TEST_CASE("checks_each_segment: only the flag on an image with the feature", "[seal][two-lanes]") {
  ImageHeader header;
  header.features = PURGATORY_FEATURE_VERIFY_SHA256 | PURGATORY_FEATURE_VERIFY_EACH_SEGMENT;
  CHECK(checks_each_segment(header, PURGATORY_FLAG_VERIFY_EACH_SEGMENT | PURGATORY_FLAG_QUIET));
  CHECK_FALSE(checks_each_segment(header, PURGATORY_FLAG_QUIET));
  header.features = PURGATORY_FEATURE_VERIFY_SHA256 | PURGATORY_FEATURE_HARDWARE_DIGEST;
  CHECK_FALSE(checks_each_segment(header, PURGATORY_FLAG_VERIFY_EACH_SEGMENT));
}

TEST_CASE("Copies are written in the image's byte order, and refused where they cannot be made", "[seal][copies]") {
  const TestArch& arch = any_arch();
  INFO(arch.name);
  auto builder = ImageBuilder::valid(arch);
  builder.info_fill = 0xa5;
  builder.features |= PURGATORY_FEATURE_COPY_AFTER_VERIFY;
  const Image image = parsed(builder);
  auto request = valid_request(arch);
  // kdump's ppc64 backup: the first 64 KiB into segment 2, which holds neither entry nor device tree.
  request.copies.push_back({0, 0x10000, 0x10000});
  SECTION("written after segment_origin, the unused one zero") {
    const auto sealed = seal(image, request);
    INFO((sealed.ok() ? std::string() : sealed.error().message));
    REQUIRE(sealed.ok());
    const InfoReader info(sealed->bytes, static_cast<std::size_t>(image.header.info_offset), arch.order);
    constexpr std::size_t copies = 2392;
    CHECK(info.u64(copies) == 0);
    CHECK(info.u64(copies + 8) == 0x10000);
    CHECK(info.u64(copies + 16) == 0x10000);
    CHECK(all_zero(info.bytes(copies + 24, 24)));
  }
  SECTION("an image older than 1.4") {
    auto old_builder = ImageBuilder::valid(arch);
    CHECK_THAT(refusal(parsed(old_builder), request), Contains("does not make copies") && Contains("1.4"));
  }
  SECTION("empty") {
    request.copies[0].size = 0;
    CHECK_THAT(refusal(image, request), Contains("copy 0 (to 0x10000) is empty"));
  }
  SECTION("three") {
    request.copies.push_back({0x400000, 0x10000, 8});
    request.copies.push_back({0x400000, 0x10010, 8});
    CHECK_THAT(refusal(image, request), Contains("3 copies: at most 2"));
  }
  SECTION("into the segment the kernel is entered in: the rule the purgatory applies") {
    request.copies[0] = {0x400000, 0x200000, 0x10};
    CHECK_THAT(refusal(image, request), Contains("segment 0") && Contains("holds the next kernel's entry"));
  }
}

namespace {

// The segments' bytes moved into files of a scratch directory: the same request, read while sealing.
class SegmentsInFiles {
 public:
  explicit SegmentsInFiles(SealRequest& request)
      : directory_(std::filesystem::temp_directory_path() / ("purgatory-seal-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(directory_);
    for (std::size_t i = 0; i < request.segments.size(); ++i) {
      Segment& segment = request.segments[i];
      const auto path = (directory_ / ("segment-" + std::to_string(i))).string();
      std::ofstream(path, std::ios::binary)
          .write(reinterpret_cast<const char*>(segment.bytes.data()), static_cast<std::streamsize>(segment.bytes.size()));
      segment.file = {path, 0, segment.bytes.size()};
      segment.bytes.clear();
    }
  }
  ~SegmentsInFiles() {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

 private:
  std::filesystem::path directory_;
};

}  // namespace

TEST_CASE("Segments read from files seal to the same bytes as the same segments in memory", "[seal][file]") {
  const TestArch& arch = any_arch();
  auto builder = ImageBuilder::valid(arch);
  builder.features |= PURGATORY_FEATURE_VERIFY_EACH_SEGMENT;
  const Image image = parsed(builder);
  SealRequest in_memory_request = valid_request(arch);
  // Large enough to be sealed as two halves, not a whole number of blocks.
  in_memory_request.segments.push_back(Segment{0x10000000, pattern<std::byte>((3 << 20) + 5, 11), 0});
  in_memory_request.flags |= GENERATE(0u, std::uint32_t{PURGATORY_FLAG_VERIFY_EACH_SEGMENT});
  const auto expected = seal(image, in_memory_request);
  REQUIRE(expected);

  SealRequest from_files = in_memory_request;
  SegmentsInFiles files(from_files);
  const auto sealed = seal(image, from_files);
  INFO((sealed ? std::string() : sealed.error().message));
  REQUIRE(sealed);
  CHECK(sealed->bytes == expected->bytes);
  CHECK(segments_digest(from_files.segments) == segments_digest(in_memory_request.segments));

  SECTION("pair_for_two_lanes gives halves of the same file") {
    const auto halves = pair_for_two_lanes(from_files.segments);
    REQUIRE(halves.size() == 5);
    CHECK(halves[0].file.path == from_files.segments[3].file.path);
    CHECK(halves[0].file.offset == 0);
    CHECK(halves[1].file.offset == halves[0].file.size);
    CHECK(halves[0].file.size + halves[1].file.size == (3u << 20) + 5);
  }
  SECTION("a file that shrank since the request was made is an Error naming it") {
    std::filesystem::resize_file(from_files.segments[3].file.path, 1 << 20);
    const auto shrunk = seal(image, from_files);
    REQUIRE_FALSE(shrunk);
    CHECK_THAT(shrunk.error().message, Contains("segment-3") && Contains("changed while being sealed"));
  }
  SECTION("a file that is gone is an Error naming it") {
    std::filesystem::remove(from_files.segments[1].file.path);
    const auto gone = seal(image, from_files);
    REQUIRE_FALSE(gone);
    CHECK_THAT(gone.error().message, Contains("segment-1: cannot open"));
  }
}

TEST_CASE("sealed_block_problem: what seal wrote passes, a block some loader broke is named", "[seal]") {
  const TestArch& arch = any_arch();
  INFO(arch.name);
  const Image image = parsed(ImageBuilder::valid(arch));
  const auto sealed = seal(image, valid_request(arch));
  REQUIRE(sealed.ok());
  const purgatory_info good = read_block(Image{image.header, sealed->bytes});
  CHECK_FALSE(sealed_block_problem(image.header, good).has_value());

  purgatory_info broken = good;
  broken.segment_count = 0xffffffff;
  CHECK(sealed_block_problem(image.header, broken) == "more segments than PURGATORY_MAX_SEGMENTS (16)");

  broken = good;
  broken.segments[1].start = good.segments[0].start;
  const auto overlap = sealed_block_problem(image.header, broken);
  REQUIRE(overlap.has_value());
  CHECK_THAT(*overlap, StartsWith("segment 1 at ") && EndsWith("the segment overlaps an earlier one (segment 0)"));

  broken = good;
  broken.segments[0].start = UINT64_MAX - 8;
  const auto wraps = sealed_block_problem(image.header, broken);
  REQUIRE(wraps.has_value());
  CHECK_THAT(*wraps, EndsWith("the segment runs past the end of the address space"));

  // Segments from 0 up, touching: no byte of them is taken for the purgatory's memory.
  purgatory_info low = good;
  low.segment_count = 3;
  low.segments[0].start = 0;
  low.segments[0].size = 0x1000;
  low.segments[1].start = 0x1000;
  low.segments[1].size = 0x1000;
  low.segments[2].start = 0x2000;
  low.segments[2].size = 0x1000;
  low.flags |= PURGATORY_FLAG_SKIP_VERIFICATION;  // the entry and the rest need not be in them
  CHECK_FALSE(sealed_block_problem(image.header, low).has_value());
}
