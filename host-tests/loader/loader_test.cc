// SPDX-License-Identifier: MIT
// kexec-loader's pure parts: the boot formats of the real Debian kernels the system tests boot, the
// zero page, memory maps and placement, and device tree updates.
#include <cstdio>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

extern "C" {
#include <libfdt.h>
}

#include <purgatory/host/file.h>

#include "boot_arm64.h"
#include "boot_ppc64.h"
#include "boot_x86_64.h"
#include "device_tree.h"
#include "memory_map.h"

using namespace kexec_loader;

namespace {

// The kernels scripts/fetch-test-kernels.sh downloads (setup runs it): missing ones fail the test.
std::vector<std::byte> downloaded_kernel(const std::string& arch) {
  const std::string path = std::string(PURGATORY_DOWNLOADS_DIR) + "/" + arch + "/kernel";
  auto bytes = purgatory::host::read_file(path);
  INFO(path << " (run scripts/setup.sh)");
  REQUIRE(bytes.ok());
  return std::move(bytes).value();
}

std::uint64_t le(const std::vector<std::byte>& bytes, std::size_t offset, unsigned width) {
  std::uint64_t value = 0;
  for (unsigned i = 0; i < width; ++i) value |= std::to_integer<std::uint64_t>(bytes[offset + i]) << (8 * i);
  return value;
}

}  // namespace

TEST_CASE("x86_64: Debian's bzImage parses and gets a correct zero page", "[loader][x86_64]") {
  const auto file = downloaded_kernel("x86_64");
  const auto image = x86_64::parse_bzimage(file);
  REQUIRE(image.ok());
  CHECK(image->protocol >= 0x020c);
  CHECK(image->setup_size % 512 == 0);
  CHECK(image->init_size > file.size() - image->setup_size);
  CHECK(x86_64::protected_mode_kernel(*image).size() == file.size() - image->setup_size);

  const std::vector<MemoryRange> memory{{0x1000, 0xa0000, "System RAM"}, {0xf0000, 0x100000, "Reserved"},
                                        {0x100000, 0x7ffe0000, "System RAM"}, {0xfeffc000, 0xff000000, "ACPI Tables"}};
  const auto page = x86_64::build_boot_params(*image, {0x1234000, "console=ttyS0 hello", 0x2000000, 0x4567, memory});
  REQUIRE(page.ok());
  const auto& p = *page;
  REQUIRE(p.size() == 4096 + std::strlen("console=ttyS0 hello") + 1);
  // The setup header is copied as is, then the loader's fields are set.
  CHECK(std::memcmp(p.data() + 0x202, "HdrS", 4) == 0);
  CHECK(le(p, 0x206, 2) == image->protocol);
  CHECK(le(p, 0x210, 1) == 0xff);
  CHECK((le(p, 0x211, 1) & 1) == 1);
  CHECK(le(p, 0x228, 4) == 0x1234000 + 4096);  // command line right after the zero page
  CHECK(le(p, 0x0c8, 4) == 0);
  CHECK(std::memcmp(p.data() + 4096, "console=ttyS0 hello", 20) == 0);  // with its NUL
  CHECK(le(p, 0x218, 4) == 0x2000000);
  CHECK(le(p, 0x21c, 4) == 0x4567);
  CHECK(le(p, 0x1ef, 1) == 0);  // sentinel
  REQUIRE(le(p, 0x1e8, 1) == 4);
  CHECK(le(p, 0x2d0, 8) == 0x1000);
  CHECK(le(p, 0x2d0 + 8, 8) == 0x9f000);
  CHECK(le(p, 0x2d0 + 16, 4) == 1);
  CHECK(le(p, 0x2d0 + 20 + 16, 4) == 2);
  CHECK(le(p, 0x2d0 + 60 + 16, 4) == 3);

  SECTION("a command line longer than the kernel takes is refused") {
    const auto too_long = x86_64::build_boot_params(*image, {0, std::string(image->cmdline_size + 1, 'x'), 0, 0, memory});
    REQUIRE_FALSE(too_long.ok());
    CHECK_THAT(too_long.error().message, Catch::Contains("command line"));
  }
}

TEST_CASE("x86_64: what is not a usable bzImage is refused", "[loader][x86_64]") {
  std::vector<std::byte> text(4096, std::byte{'x'});
  CHECK_THAT(x86_64::parse_bzimage(text).error().message, Catch::Contains("not a bzImage"));
  auto file = downloaded_kernel("x86_64");
  SECTION("no 64-bit entry") {
    file[0x236] = std::byte{0};
    CHECK_THAT(x86_64::parse_bzimage(file).error().message, Catch::Contains("64-bit"));
  }
  SECTION("cut off: shorter than syssize says, which would be verified as sealed and then not boot") {
    file.resize(file.size() / 2);
    CHECK_THAT(x86_64::parse_bzimage(file).error().message,
               Catch::Contains("the bzImage is truncated: its header says") && Catch::Contains("(syssize)"));
  }
  SECTION("setup code longer than the header says the file is laid out for") {
    file[0x1f1] = std::byte{255};
    CHECK_THAT(x86_64::parse_bzimage(file).error().message, Catch::Contains("the bzImage is truncated"));
  }
  SECTION("a setup header whose jump ends it before the fields the loader reads") {
    file[0x201] = std::byte{0};
    CHECK_THAT(x86_64::parse_bzimage(file).error().message,
               Catch::Contains("the setup header ends at 0x202 (its jump at 0x200)"));
  }
}

TEST_CASE("arm64: Debian's Image header", "[loader][arm64]") {
  const auto file = downloaded_kernel("arm64");
  const auto image = arm64::parse_kernel_image(file);
  REQUIRE(image.ok());
  CHECK(image->image_size >= file.size());
  CHECK(image->text_offset % 4096 == 0);
  std::vector<std::byte> gzip = file;
  gzip[56] = std::byte{0x1f};
  CHECK_THAT(arm64::parse_kernel_image(gzip).error().message, Catch::Contains("decompressed"));
}

TEST_CASE("ppc64: Debian's vmlinux laid out as it runs", "[loader][ppc64]") {
  const auto file = downloaded_kernel("ppc64le");
  const auto kernel = ppc64::parse_vmlinux(file);
  REQUIRE(kernel.ok());
  CHECK(kernel->entry_offset == 0);  // __start, at the kernel's first byte
  CHECK(kernel->memory_size >= kernel->image.size());
  CHECK(kernel->image.size() > 0x100);
  // Its first 256 bytes are what the purgatory restores at physical 0 for the secondary CPUs: __start's
  // byte-order fix-up begins with "tdi 0,0,0x48" (08 00 00 48 in little-endian order).
  CHECK(std::to_integer<unsigned>(kernel->image[3]) == 0x08);
  CHECK_FALSE(ppc64::parse_vmlinux(downloaded_kernel("x86_64")).ok());
}

// Little-endian 64-bit ELF fields, written into a copy of a real vmlinux.
void put_le(std::vector<std::byte>& bytes, std::size_t offset, std::uint64_t value, unsigned width) {
  for (unsigned i = 0; i < width; ++i) bytes.at(offset + i) = static_cast<std::byte>(value >> (8 * i));
}

TEST_CASE("ppc64: a vmlinux whose PT_LOADs lie is refused before anything is copied", "[loader][ppc64]") {
  auto file = downloaded_kernel("ppc64le");
  const std::uint64_t phoff = le(file, 32, 8);
  const std::uint64_t phentsize = le(file, 54, 2);
  // The first program header is a PT_LOAD (Debian's: the kernel's text).
  REQUIRE(le(file, phoff, 4) == 1);
  SECTION("file bytes but no memory (the finding: it skipped the checks, then copied before the buffer)") {
    // A second PT_LOAD (the next header) below the first, with bytes and p_memsz = 0.
    const std::size_t second = static_cast<std::size_t>(phoff + phentsize);
    put_le(file, second, 1, 4);
    put_le(file, second + 24, 0, 8);  // p_paddr below everything
    put_le(file, second + 32, 0x1000, 8);  // p_filesz
    put_le(file, second + 40, 0, 8);       // p_memsz
    CHECK_THAT(ppc64::parse_vmlinux(file).error().message, Catch::Contains("more file bytes"));
  }
  SECTION("a PT_LOAD past the end of the address space") {
    put_le(file, static_cast<std::size_t>(phoff + 24), UINT64_MAX - 0x100, 8);
    CHECK_THAT(ppc64::parse_vmlinux(file).error().message, Catch::Contains("address space"));
  }
  SECTION("PT_LOADs spread over more than any kernel occupies") {
    put_le(file, static_cast<std::size_t>(phoff + 40), std::uint64_t{1} << 40, 8);
    CHECK_THAT(ppc64::parse_vmlinux(file).error().message, Catch::Contains("span"));
  }
  SECTION("the entry outside every PT_LOAD") {
    put_le(file, 24, 0x10, 8);
    CHECK_THAT(ppc64::parse_vmlinux(file).error().message, Catch::Contains("entry"));
  }
}

TEST_CASE("arm64: an Image header whose sizes lie is refused", "[loader][arm64]") {
  auto file = downloaded_kernel("arm64");
  SECTION("a text_offset past the 2 MiB alignment (the finding: the placement's sum overflowed)") {
    for (unsigned i = 0; i < 8; ++i) file[8 + i] = std::byte{0xff};
    CHECK_THAT(arm64::parse_kernel_image(file).error().message, Catch::Contains("text_offset"));
  }
  SECTION("an image_size no kernel has") {
    for (unsigned i = 0; i < 8; ++i) file[16 + i] = std::byte{0xff};
    CHECK_THAT(arm64::parse_kernel_image(file).error().message, Catch::Contains("image_size"));
  }
}

TEST_CASE("/proc/iomem: RAM and the running kernel's end", "[loader]") {
  const auto summary = parse_iomem(
      "00000000-00000fff : Reserved\n"
      "00001000-0009fbff : System RAM\n"
      "00100000-7ffdffff : System RAM\n"
      "  24a00000-25801d31 : Kernel code\n"
      "  26d0d000-27dfffff : Kernel bss\n"
      "fec00000-fec003ff : IOAPIC 0\n");
  REQUIRE(summary.ok());
  REQUIRE(summary->ram.size() == 2);
  CHECK(summary->ram[1].start == 0x100000);
  CHECK(summary->ram[1].end == 0x7ffe0000);
  CHECK(summary->kernel_end == 0x27e00000);
  CHECK_FALSE(parse_iomem("00000000-00000000 : System RAM\n").ok());  // what a non-root reader sees
  // A line that is no START-LAST : NAME, or an inverted or endless range, is refused by its number.
  for (const char* bad : {"  ffffffffffffffff-0 : Crash kernel\n", "  1-10000000000000000 : Crash kernel\n",
                          "  0-ffffffffffffffff : Crash kernel\n", "  10000000-1fffffff Crash kernel\n"}) {
    const auto refused = parse_iomem(std::string("00001000-0009fbff : System RAM\n") + bad);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("line 2: ") && Catch::Contains("is not START-LAST : NAME"));
  }
}

TEST_CASE("Placement: aligned, inside RAM, never overlapping", "[loader]") {
  Placer placer({{0x1000, 0xa0000, "System RAM"}, {0x100000, 0x800000, "System RAM"}, {0x800000, 0x900000, "Reserved"}});
  const auto first = placer.place(0x200000, 0x200000, 0, 0x1000000, "kernel");
  REQUIRE(first.ok());
  CHECK(*first == 0x200000);
  const auto second = placer.place(0x1000, 0x1000, 0, 0x1000000, "initrd");
  REQUIRE(second.ok());
  CHECK(*second == 0x1000);
  const auto third = placer.place(0x300000, 0x1000, 0x100000, 0x1000000, "tree");
  REQUIRE(third.ok());
  CHECK(*third == 0x400000);
  CHECK_FALSE(placer.place(0x400000, 0x1000, 0, 0x1000000, "too big").ok());  // the Reserved range is no RAM
  CHECK_FALSE(placer.take(0x250000, 0x1000, "overlap").ok());
}

TEST_CASE("Device tree: /chosen updated, console found", "[loader]") {
  std::vector<std::byte> tree(4096);
  REQUIRE(fdt_create_empty_tree(tree.data(), static_cast<int>(tree.size())) == 0);
  const int uart = fdt_add_subnode(tree.data(), 0, "pl011@9000000");
  REQUIRE(uart >= 0);
  REQUIRE(fdt_setprop_string(tree.data(), uart, "compatible", "arm,pl011") == 0);
  const fdt32_t reg[] = {cpu_to_fdt32(0), cpu_to_fdt32(0x9000000), cpu_to_fdt32(0), cpu_to_fdt32(0x1000)};
  REQUIRE(fdt_setprop(tree.data(), uart, "reg", reg, sizeof(reg)) == 0);
  REQUIRE(fdt_setprop_u32(tree.data(), 0, "#address-cells", 2) == 0);
  const int chosen = fdt_add_subnode(tree.data(), 0, "chosen");
  REQUIRE(fdt_setprop_string(tree.data(), chosen, "stdout-path", "/pl011@9000000:115200n8") == 0);
  REQUIRE(fdt_setprop_u64(tree.data(), chosen, "kaslr-seed", 0) == 0);

  const auto updated = update_chosen(tree, {"console=ttyAMA0 quiet", {{0x48000000, 0x48200000}}, 42});
  REQUIRE(updated.ok());
  const void* fdt = updated->data();
  const int node = fdt_path_offset(fdt, "/chosen");
  REQUIRE(node >= 0);
  CHECK(std::string(static_cast<const char*>(fdt_getprop(fdt, node, "bootargs", nullptr))) == "console=ttyAMA0 quiet");
  int length = 0;
  // Properties are only 4-byte aligned in the blob: fdt64_ld reads them byte by byte.
  const auto* start = static_cast<const fdt64_t*>(fdt_getprop(fdt, node, "linux,initrd-start", &length));
  REQUIRE(length == 8);
  CHECK(fdt64_ld(start) == 0x48000000);
  const auto* seed = static_cast<const fdt64_t*>(fdt_getprop(fdt, node, "kaslr-seed", &length));
  REQUIRE(length == 8);
  CHECK(fdt64_ld(seed) == 42);

  const auto console = console_from_device_tree(*updated);
  REQUIRE(console.has_value());
  CHECK(console->kind == PURGATORY_CONSOLE_PL011);
  CHECK(console->base == 0x9000000);

  SECTION("a stdout-path without its NUL is read as far as the property goes") {
    const char unterminated[] = {'/', 'p', 'l', '0', '1', '1', '@', '9', '0', '0', '0', '0', '0', '0'};
    REQUIRE(fdt_setprop(tree.data(), chosen, "stdout-path", unterminated, sizeof(unterminated)) == 0);
    const auto found = console_from_device_tree(tree);
    REQUIRE(found.has_value());
    CHECK(found->base == 0x9000000);
  }

  const auto without_initrd = update_chosen(*updated, {"x", std::nullopt, std::nullopt, {}, {}});
  REQUIRE(without_initrd.ok());
  CHECK(fdt_getprop(without_initrd->data(), fdt_path_offset(without_initrd->data(), "/chosen"), "linux,initrd-start",
                    nullptr) == nullptr);

  SECTION("a crash kernel's: the core header and its usable memory, in the root's cells") {
    const auto crash = update_chosen(tree, {"x", std::nullopt, std::nullopt, {{0x5f000000, 0x1000}},
                                            {{0x50000000, 0x60000000}}});
    REQUIRE(crash.ok());
    const void* crash_fdt = crash->data();
    const int crash_chosen = fdt_path_offset(crash_fdt, "/chosen");
    const auto cells = [&](const char* name) {
      int size = 0;
      const auto* value = static_cast<const fdt32_t*>(fdt_getprop(crash_fdt, crash_chosen, name, &size));
      std::vector<std::uint32_t> result;
      for (int i = 0; value && i < size / 4; ++i) result.push_back(fdt32_ld(value + i));
      return result;
    };
    // #address-cells 2 and #size-cells 1 (libfdt's default when the root does not say).
    CHECK(cells("linux,elfcorehdr") == std::vector<std::uint32_t>{0, 0x5f000000, 0x1000});
    CHECK(cells("linux,usable-memory-range") == std::vector<std::uint32_t>{0, 0x50000000, 0x10000000});
  }

  SECTION("a crashkernel=...,high reservation's two parts, both usable; more than Linux reads is refused") {
    ChosenUpdate update{"x", std::nullopt, std::nullopt, {{0x1bf000000, 0x1000}}, {{0x1a0000000, 0x1c0000000}, {0x38000000, 0x40000000}}};
    const auto crash = update_chosen(tree, update);
    REQUIRE(crash.ok());
    int size = 0;
    const auto* value = static_cast<const fdt32_t*>(
        fdt_getprop(crash->data(), fdt_path_offset(crash->data(), "/chosen"), "linux,usable-memory-range", &size));
    std::vector<std::uint32_t> cells;
    for (int i = 0; value && i < size / 4; ++i) cells.push_back(fdt32_ld(value + i));
    CHECK(cells == std::vector<std::uint32_t>{1, 0xa0000000, 0x20000000, 0, 0x38000000, 0x8000000});

    update.usable_memory.emplace_back(0x10000000, 0x11000000);
    const auto three = update_chosen(tree, update);
    REQUIRE_FALSE(three.ok());
    CHECK(three.error().message == "device tree: linux,usable-memory-range: 3 ranges, and Linux reads at most 2");
  }
}

TEST_CASE("Device tree: a tree whose structure lies is refused when read, naming the file", "[loader]") {
  std::vector<std::byte> tree(4096);
  REQUIRE(fdt_create_empty_tree(tree.data(), static_cast<int>(tree.size())) == 0);
  const int chosen = fdt_add_subnode(tree.data(), 0, "chosen");
  REQUIRE(fdt_setprop_string(tree.data(), chosen, "bootargs", "console=hvc0") == 0);
  const std::string path = "loader-test-bad-structure.dtb";
  REQUIRE(purgatory::host::write_output(path, tree).ok());
  REQUIRE(read_device_tree(path).ok());  // as made: valid

  // The property's length, past the end of the structure block: the header alone does not show it.
  const int property = fdt_first_property_offset(tree.data(), chosen);
  REQUIRE(property >= 0);
  auto* length = reinterpret_cast<fdt32_t*>(tree.data() + fdt_off_dt_struct(tree.data()) + property + 4);
  *length = cpu_to_fdt32(0x7fffff00);
  REQUIRE(fdt_check_header(tree.data()) == 0);
  REQUIRE(purgatory::host::write_output(path, tree).ok());
  const auto refused = read_device_tree(path);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains(path + " is not a valid flattened device tree: "));
  std::remove(path.c_str());
}

TEST_CASE("ppc64 crash: the kernel told to run where it is loaded, a kernel without the word refused",
          "[loader][ppc64][crash]") {
  auto parsed = ppc64::parse_vmlinux(downloaded_kernel("ppc64le"));
  REQUIRE(parsed.ok());
  ppc64::Vmlinux* kernel = &parsed.value();
  CHECK_FALSE(kernel->big_endian);
  CHECK(le(kernel->image, 0x5c, 4) == 0x72756e30);  // "run0" as built
  std::vector<std::byte> before = kernel->image;
  REQUIRE(ppc64::run_at_load_address(*kernel).ok());
  CHECK(le(kernel->image, 0x5c, 4) == 1);
  before[0x5c] = kernel->image[0x5c];
  before[0x5d] = kernel->image[0x5d];
  before[0x5e] = kernel->image[0x5e];
  before[0x5f] = kernel->image[0x5f];
  CHECK(before == kernel->image);  // nothing else touched
  REQUIRE(ppc64::run_at_load_address(*kernel).ok());  // already 1: fine

  ppc64::Vmlinux big{std::vector<std::byte>(0x100), 0x100, 0, true};
  big.image[0x5c] = std::byte{0x72}, big.image[0x5d] = std::byte{0x75}, big.image[0x5e] = std::byte{0x6e},
  big.image[0x5f] = std::byte{0x30};
  REQUIRE(ppc64::run_at_load_address(big).ok());
  CHECK(std::to_integer<int>(big.image[0x5f]) == 1);
  CHECK(std::to_integer<int>(big.image[0x5c]) == 0);

  ppc64::Vmlinux fixed{std::vector<std::byte>(0x100), 0x100, 0, true};
  const auto refused = ppc64::run_at_load_address(fixed);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("not a relocatable kernel"));
}

TEST_CASE("ppc64 crash: usable memory on every memory node, the reserve map, RTAS", "[loader][ppc64][crash]") {
  std::vector<std::byte> tree(8192);
  REQUIRE(fdt_create_empty_tree(tree.data(), static_cast<int>(tree.size())) == 0);
  REQUIRE(fdt_setprop_u32(tree.data(), 0, "#address-cells", 2) == 0);
  REQUIRE(fdt_setprop_u32(tree.data(), 0, "#size-cells", 2) == 0);
  const auto add_memory = [&](const char* name, std::uint64_t start, std::uint64_t size) {
    const int node = fdt_add_subnode(tree.data(), 0, name);
    REQUIRE(node >= 0);
    REQUIRE(fdt_setprop_string(tree.data(), node, "device_type", "memory") == 0);
    const fdt64_t reg[] = {cpu_to_fdt64(start), cpu_to_fdt64(size)};
    REQUIRE(fdt_setprop(tree.data(), node, "reg", reg, sizeof(reg)) == 0);
  };
  add_memory("memory@0", 0, 0x80000000);
  add_memory("memory@80000000", 0x80000000, 0x80000000);
  const int rtas = fdt_add_subnode(tree.data(), 0, "rtas");
  REQUIRE(fdt_setprop_u32(tree.data(), rtas, "linux,rtas-base", 0x7fff0000) == 0);
  REQUIRE(fdt_setprop_u32(tree.data(), rtas, "rtas-size", 0x10000) == 0);
  REQUIRE(fdt_setprop_u32(tree.data(), rtas, "system-reboot", 0x2004) == 0);
  CHECK(rtas_token(tree, "system-reboot") == std::optional<std::uint32_t>{0x2004});
  CHECK_FALSE(rtas_token(tree, "power-off").has_value());
  const auto range = rtas_range(tree);
  REQUIRE(range.has_value());
  CHECK(*range == std::pair<std::uint64_t, std::uint64_t>{0x7fff0000, 0x80000000});
  // A tree whose header is sound but whose structure is not (its end token damaged) gives nothing,
  // rather than what a partial walk happens to find.
  std::vector<std::byte> damaged = tree;
  const std::size_t end_token = fdt_off_dt_struct(damaged.data()) + fdt_size_dt_struct(damaged.data()) - 4;
  damaged[end_token + 3] = std::byte{0x05};
  REQUIRE(fdt_check_header(damaged.data()) == 0);
  CHECK(device_tree_problem(damaged).has_value());
  CHECK_FALSE(rtas_token(damaged, "system-reboot").has_value());
  CHECK_FALSE(rtas_range(damaged).has_value());

  ChosenUpdate update{"x", std::nullopt, std::nullopt, {{0x2f000000, 0x1000}}, {}};
  update.usable_memory_ranges = std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 0x30000000}, *range};
  update.reserve = {{0x10000, 0x10000000 - 0x10000}, {0x2fff0000, 0x10000}};
  const auto updated = update_chosen(tree, update);
  REQUIRE(updated.ok());
  const void* fdt = updated->data();
  // A property of 64-bit cells (both root cell counts are 2 here), as numbers; empty if it is not there.
  const auto u64_cells = [](const void* in_tree, const char* node_path, const char* name) {
    int size = 0;
    const auto* value = static_cast<const fdt64_t*>(fdt_getprop(in_tree, fdt_path_offset(in_tree, node_path), name, &size));
    std::vector<std::uint64_t> result;
    for (int i = 0; value && i < size / 8; ++i) result.push_back(fdt64_ld(value + i));
    return result;
  };
  const auto usable = [&](const char* node_path) { return u64_cells(fdt, node_path, "linux,usable-memory"); };
  CHECK(usable("/memory@0") == std::vector<std::uint64_t>{0, 0x30000000, 0x7fff0000, 0x10000});
  CHECK(usable("/memory@80000000") == std::vector<std::uint64_t>{0, 0});  // nothing usable: ignored
  REQUIRE(fdt_num_mem_rsv(fdt) == 2);
  std::uint64_t address = 0, size = 0;
  REQUIRE(fdt_get_mem_rsv(fdt, 1, &address, &size) == 0);
  CHECK(address == 0x2fff0000);
  CHECK(size == 0x10000);

  CHECK(fdt_path_offset(fdt, "/ibm,dynamic-reconfiguration-memory") < 0);  // none made up

  // Hot-pluggable memory (PowerVM's, or QEMU pseries' with maxmem): 256 MiB blocks, and for each one
  // assigned and not reserved a count and its usable parts, in the blocks' order.
  const int drconf = fdt_add_subnode(tree.data(), 0, "ibm,dynamic-reconfiguration-memory");
  REQUIRE(drconf >= 0);
  REQUIRE(fdt_setprop_u64(tree.data(), drconf, "ibm,lmb-size", 0x10000000) == 0);
  constexpr std::uint32_t assigned = 0x8, reserved = 0x80;
  std::vector<fdt32_t> blocks;
  const auto u32 = [&](std::uint32_t value) { blocks.push_back(cpu_to_fdt32(value)); };
  const auto u64 = [&](std::uint64_t value) {
    u32(static_cast<std::uint32_t>(value >> 32));
    u32(static_cast<std::uint32_t>(value));
  };
  const auto drconf_usable = [&](const std::vector<std::byte>& updated_tree) {
    return u64_cells(updated_tree.data(), "/ibm,dynamic-reconfiguration-memory", "linux,drconf-usable-memory");
  };

  SECTION("ibm,dynamic-memory: one entry per block; reserved and unassigned blocks get no count") {
    const std::pair<std::uint64_t, std::uint32_t> listed[] = {
        {0x0, assigned | reserved}, {0x10000000, assigned}, {0x20000000, assigned}, {0x100000000, 0},
        {0x70000000, assigned},     {0x90000000, assigned}};
    u32(6);
    for (std::uint32_t i = 0; i < 6; ++i) {
      u64(listed[i].first);
      u32(0x80000000 + i);  // DRC index
      u32(0);               // reserved
      u32(0);               // associativity index
      u32(listed[i].second);
    }
    REQUIRE(fdt_setprop(tree.data(), drconf, "ibm,dynamic-memory", blocks.data(), static_cast<int>(blocks.size() * 4)) == 0);
    const auto with_drconf = update_chosen(tree, update);
    REQUIRE(with_drconf.ok());
    CHECK(drconf_usable(*with_drconf) == std::vector<std::uint64_t>{1, 0x10000000, 0x10000000,  // part of [0, 0x30000000)
                                                                     1, 0x20000000, 0x10000000,  // the rest of it
                                                                     1, 0x7fff0000, 0x10000,     // RTAS
                                                                     0});                        // nothing usable
  }
  SECTION("ibm,dynamic-memory-v2: sets of consecutive blocks") {
    u32(3);
    for (const auto& [count, first, flags] : {std::tuple{3u, 0x0ull, assigned}, std::tuple{2u, 0x40000000ull, 0u},
                                              std::tuple{2u, 0x70000000ull, assigned}}) {
      u32(count);
      u64(first);
      u32(0x80000000);  // first DRC index
      u32(0);           // associativity index
      u32(flags);
    }
    REQUIRE(fdt_setprop(tree.data(), drconf, "ibm,dynamic-memory-v2", blocks.data(), static_cast<int>(blocks.size() * 4)) == 0);
    const auto with_drconf = update_chosen(tree, update);
    REQUIRE(with_drconf.ok());
    CHECK(drconf_usable(*with_drconf) == std::vector<std::uint64_t>{1, 0x0, 0x10000000, 1, 0x10000000, 0x10000000,
                                                                     1, 0x20000000, 0x10000000, 1, 0x7fff0000, 0x10000, 0});
  }
  SECTION("a block list that is not what it says is refused, naming what is wrong") {
    u32(2);  // says two entries, holds one
    u64(0x10000000);
    u32(0x80000000);
    u32(0);
    u32(0);
    u32(assigned);
    REQUIRE(fdt_setprop(tree.data(), drconf, "ibm,dynamic-memory", blocks.data(), static_cast<int>(blocks.size() * 4)) == 0);
    const auto refused = update_chosen(tree, update);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("ibm,dynamic-memory says 2 entries of 6 cells but holds 6 cells"));
  }
  SECTION("no block list, or no block size, is refused") {
    auto refused = update_chosen(tree, update);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("neither ibm,dynamic-memory nor ibm,dynamic-memory-v2"));
    REQUIRE(fdt_delprop(tree.data(), drconf, "ibm,lmb-size") == 0);
    refused = update_chosen(tree, update);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("no ibm,lmb-size"));
    REQUIRE(fdt_setprop_u64(tree.data(), drconf, "ibm,lmb-size", 0) == 0);
    refused = update_chosen(tree, update);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("ibm,lmb-size is 0"));
  }
  SECTION("blocks past the end of the address space, or too many of them, are refused before any is listed") {
    const auto v2_set = [&](std::uint32_t count, std::uint64_t first) {
      blocks.clear();
      u32(1);
      u32(count);
      u64(first);
      u32(0x80000000);
      u32(0);
      u32(assigned);
      REQUIRE(fdt_setprop(tree.data(), drconf, "ibm,dynamic-memory-v2", blocks.data(), static_cast<int>(blocks.size() * 4)) == 0);
      return update_chosen(tree, update);
    };
    auto refused = v2_set(2, 0xfffffffff0000000);  // the second block would end past 2^64
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("run past the end of the address space"));
    refused = v2_set(0xffffffff, 0);  // 2^32 blocks: far more than any machine has
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("lists more than 16777216 blocks"));
  }
}
