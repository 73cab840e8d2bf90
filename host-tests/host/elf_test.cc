// SPDX-License-Identifier: MIT
// The host library's ELF reader and purgatory check, over every ELF class and byte order.
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <purgatory/host/elf.h>

#include "elf_builder.h"

using namespace purgatory::host;
using purgatory::test::ElfBuilder;

namespace {

struct Format {
  unsigned word_bits;
  ByteOrder order;
};

Format any_format() {
  return GENERATE(Format{64, ByteOrder::little}, Format{64, ByteOrder::big}, Format{32, ByteOrder::little},
                  Format{32, ByteOrder::big});
}

std::string describe(const Format& format) {
  return std::to_string(format.word_bits) + "-bit " + (format.order == ByteOrder::big ? "big" : "little") +
         "-endian";
}

// The one problem the file has; fails the test if it has none or several.
std::string only_problem(const ElfBuilder& builder) {
  const auto elf = parse_elf(builder.build());
  REQUIRE(elf.ok());
  const auto problems = purgatory_elf_problems(*elf);
  INFO("problems: " << problems.size());
  REQUIRE(problems.size() == 1);
  return problems.front();
}

}  // namespace

TEST_CASE("A valid purgatory ELF parses and passes, in every class and byte order", "[elf]") {
  const Format format = any_format();
  INFO(describe(format));
  auto builder = ElfBuilder::valid_purgatory(format.word_bits, format.order);
  builder.machine = elf::machine_ppc64;
  builder.entry = 0x123;

  const auto elf = parse_elf(builder.build());
  REQUIRE(elf.ok());
  CHECK(elf->word_bits == format.word_bits);
  CHECK(elf->byte_order == format.order);
  CHECK(elf->machine == elf::machine_ppc64);
  CHECK(elf->entry == 0x123);
  REQUIRE(elf->program_headers.size() == 1);
  CHECK(elf->program_headers[0].file_size == 0x1000);
  CHECK(elf->program_headers[0].memory_size == 0x5000);
  CHECK(elf->program_headers[0].flags == 7);
  REQUIRE(elf->sections.size() == 3);
  CHECK(elf->sections[1].name == ".text");
  CHECK(elf->sections[2].name == ".shstrtab");
  CHECK(relocation_count(*elf) == 0);
  CHECK(purgatory_elf_problems(*elf).empty());
}

TEST_CASE("Each way of needing relocation or a loader is named", "[elf]") {
  const Format format = any_format();
  INFO(describe(format));
  auto builder = ElfBuilder::valid_purgatory(format.word_bits, format.order);
  const std::uint64_t word = format.word_bits / 8;

  SECTION("not position-independent") {
    builder.type = elf::type_executable;
    CHECK_THAT(only_problem(builder), Catch::Contains("not ET_DYN"));
  }
  SECTION("two PT_LOAD segments") {
    builder.segments.push_back(builder.segments.front());
    CHECK_THAT(only_problem(builder), Catch::Contains("2 PT_LOAD segments"));
  }
  SECTION("no PT_LOAD segment") {
    builder.segments.clear();
    CHECK_THAT(only_problem(builder), Catch::Contains("0 PT_LOAD segments"));
  }
  SECTION("a dynamic segment") {
    ElfProgramHeader dynamic;
    dynamic.type = elf::segment_dynamic;
    builder.segments.push_back(dynamic);
    CHECK_THAT(only_problem(builder), Catch::Contains("PT_DYNAMIC"));
  }
  SECTION("RELA entries, counted") {
    builder.sections.push_back({".rela.dyn", elf::section_rela, 0, 0, 0, 3 * 3 * word, 3 * word});
    CHECK_THAT(only_problem(builder), Catch::Contains("3 relocation entries in .rela.dyn"));
  }
  SECTION("RELR entries, counted without an entry size") {
    builder.sections.push_back({".relr.dyn", elf::section_relr, 0, 0, 0, 5 * word, 0});
    CHECK_THAT(only_problem(builder), Catch::Contains("5 relocation entries in .relr.dyn"));
  }
  SECTION("REL entries") {
    builder.sections.push_back({".rel.dyn", elf::section_rel, 0, 0, 0, 2 * word, 2 * word});
    CHECK_THAT(only_problem(builder), Catch::Contains("1 relocation entries in .rel.dyn"));
  }
  SECTION("entry outside the loaded bytes") {
    builder.entry = 0x1000;
    CHECK_THAT(only_problem(builder), Catch::Contains("entry 0x1000 is outside"));
  }
  SECTION("linked at a non-zero address") {
    builder.segments.front().virtual_address = 0x100000;
    builder.entry = 0x100040;
    CHECK_THAT(only_problem(builder), Catch::Contains("must be linked at 0"));
  }
  SECTION("a .dynamic section") {
    builder.sections.push_back({".dynamic", elf::section_dynamic, 0, 0, 0, 16, 16});
    CHECK_THAT(only_problem(builder), Catch::Contains("dynamic section"));
  }
}

TEST_CASE("Empty relocation sections are not relocations", "[elf]") {
  auto builder = ElfBuilder::valid_purgatory(64, ByteOrder::little);
  builder.sections.push_back({".rela.dyn", elf::section_rela, 0, 0, 0, 0, 24});
  const auto elf = parse_elf(builder.build());
  REQUIRE(elf.ok());
  CHECK(purgatory_elf_problems(*elf).empty());
}

TEST_CASE("Malformed files give errors, never crashes", "[elf]") {
  const Format format = any_format();
  INFO(describe(format));
  auto builder = ElfBuilder::valid_purgatory(format.word_bits, format.order);
  builder.sections.push_back({".rela.dyn", elf::section_rela, 0, 0, 0, 48, 24});
  const auto bytes = builder.build();

  SECTION("every truncation") {
    for (std::size_t size = 0; size < bytes.size(); ++size) {
      const auto result = parse_elf(std::span(bytes).first(size));
      INFO("truncated to " << size << " bytes");
      // The last bytes are section header padding that nothing reads; anything shorter must fail.
      if (!result.ok()) CHECK_FALSE(result.error().message.empty());
    }
    CHECK_FALSE(parse_elf(std::span(bytes).first(20)).ok());
  }
  SECTION("random corruption") {
    std::mt19937_64 random(Catch::rngSeed());
    for (int round = 0; round < 2000; ++round) {
      auto corrupted = bytes;
      for (int flips = 0; flips < 4; ++flips) {
        corrupted[random() % corrupted.size()] = static_cast<std::byte>(random());
      }
      const auto result = parse_elf(corrupted);
      if (result.ok()) (void)purgatory_elf_problems(*result);
    }
  }
  SECTION("not ELF at all") {
    const std::vector<std::byte> text{std::byte{'h'}, std::byte{'i'}};
    const auto result = parse_elf(text);
    REQUIRE_FALSE(result.ok());
    CHECK_THAT(result.error().message, Catch::Contains("not an ELF file"));
  }
  SECTION("unknown class") {
    auto corrupted = bytes;
    corrupted[4] = std::byte{3};
    const auto result = parse_elf(corrupted);
    REQUIRE_FALSE(result.ok());
    CHECK_THAT(result.error().message, Catch::Contains("unknown ELF class 3"));
  }
  SECTION("a section table that does not fit") {
    // e_shnum of 0xfff0 entries cannot fit in the file.
    auto corrupted = bytes;
    const std::size_t shnum_offset = format.word_bits == 64 ? 60 : 48;
    corrupted[shnum_offset] = std::byte{0xf0};
    corrupted[shnum_offset + 1] = std::byte{0xff};
    const auto result = parse_elf(corrupted);
    REQUIRE_FALSE(result.ok());
    CHECK_THAT(result.error().message, Catch::Contains("section header table"));
  }
}

TEST_CASE("No section table when e_shoff is 0, whatever e_shnum and e_shentsize say", "[elf]") {
  // Found by fuzz.elf: e_shentsize 0 with e_shnum set and e_shoff 0 once divided by zero.
  const Format format = any_format();
  INFO(describe(format));
  auto bytes = ElfBuilder::valid_purgatory(format.word_bits, format.order).build();
  const std::size_t shoff = format.word_bits == 64 ? 40 : 32;
  const std::size_t shentsize = format.word_bits == 64 ? 58 : 46;
  for (std::size_t i = 0; i < (format.word_bits == 64 ? 8u : 4u); ++i) bytes[shoff + i] = std::byte{0};
  bytes[shentsize] = bytes[shentsize + 1] = std::byte{0};
  const auto elf = parse_elf(bytes);
  REQUIRE(elf.ok());
  CHECK(elf->sections.empty());
  CHECK(elf->program_headers.size() == 1);
}
