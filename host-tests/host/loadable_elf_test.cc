// SPDX-License-Identifier: MIT
// loadable_elf: the ELF wrapper, read back with the host library's own ELF reader, for every arch.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <purgatory/abi.h>
#include <purgatory/host/elf.h>
#include <purgatory/host/image.h>
#include <purgatory/host/loadable_elf.h>

#include "image_builder.h"

using namespace purgatory::host;
using purgatory::test::TestArch;
using purgatory::test::ImageBuilder;

TEST_CASE("loadable_elf wraps an image in one PT_LOAD at 0 that an ELF reader accepts", "[loadable_elf]") {
  const auto& arches = purgatory::test::all_arches();
  const TestArch& arch = arches[GENERATE(range(std::size_t{0}, purgatory::test::all_arches().size()))];
  INFO(arch.name);
  auto builder = ImageBuilder::valid(arch);
  builder.entry_offset = 0x104;
  builder.memory_size = 0x0000000000123000;
  const auto image = parse_image(builder.build());
  REQUIRE(image.ok());

  const auto wrapped = loadable_elf(image->header, image->bytes);
  const auto elf = parse_elf(wrapped);
  INFO((elf.ok() ? std::string() : elf.error().message));
  REQUIRE(elf.ok());

  SECTION("the ELF header says what the image is") {
    CHECK(elf->word_bits == 64);
    CHECK(elf->byte_order == arch.order);
    CHECK(elf->machine == arch.machine);
    CHECK(elf->type == elf::type_executable);
    CHECK(elf->entry == 0x104);
    CHECK(elf->sections.empty());
    CHECK(arch_name(elf->machine, elf->byte_order) == arch.name);
  }

  SECTION("e_flags: ELFv2 for ppc64 in both byte orders, zero elsewhere") {
    const std::uint64_t flags = purgatory::test::read_uint(wrapped, 48, 4, arch.order);
    CHECK(flags == (arch.machine == PURGATORY_MACHINE_PPC64 ? 2u : 0u));
  }

  SECTION("one PT_LOAD at address 0: the file bytes, then the memory size") {
    REQUIRE(elf->program_headers.size() == 1);
    const ElfProgramHeader& load = elf->program_headers.front();
    CHECK(load.type == elf::segment_load);
    CHECK(load.flags == 7);
    CHECK(load.virtual_address == 0);
    CHECK(load.physical_address == 0);
    CHECK(load.file_size == image->bytes.size());
    CHECK(load.memory_size == 0x123000);
    CHECK(load.offset % 8 == 0);  // the image's 64-bit fields stay aligned in the file
    REQUIRE(load.offset + load.file_size == wrapped.size());
    CHECK(std::equal(image->bytes.begin(), image->bytes.end(),
                     wrapped.begin() + static_cast<std::ptrdiff_t>(load.offset)));
  }

  SECTION("the image inside still parses, unchanged") {
    REQUIRE(elf->program_headers.size() == 1);
    const auto offset = static_cast<std::ptrdiff_t>(elf->program_headers.front().offset);
    const std::vector<std::byte> inner(wrapped.begin() + offset, wrapped.end());
    const auto reparsed = parse_image(inner, ImageExpectations{arch_named(arch.name)});
    REQUIRE(reparsed.ok());
    CHECK(reparsed->bytes == image->bytes);
  }
}
