// SPDX-License-Identifier: MIT
#include "boot_x86_64.h"

#include <cstring>

#include <fmt/format.h>

namespace kexec_loader::x86_64 {
namespace {

// Offsets in the zero page (zero-page.rst) and in the setup header, which sits at the same offsets in
// the bzImage's first sectors and in the zero page (boot.rst).
constexpr std::size_t ext_ramdisk_image = 0x0c0, ext_ramdisk_size = 0x0c4, ext_cmd_line_ptr = 0x0c8;
constexpr std::size_t e820_entries = 0x1e8, sentinel = 0x1ef, setup_sects = 0x1f1, setup_header_start = 0x1f1;
constexpr std::size_t syssize = 0x1f4;
constexpr std::size_t jump = 0x200, header_magic = 0x202, version = 0x206, type_of_loader = 0x210;
constexpr std::size_t loadflags = 0x211, ramdisk_image = 0x218, ramdisk_size = 0x21c, cmd_line_ptr = 0x228;
constexpr std::size_t kernel_alignment = 0x230, relocatable_kernel = 0x234, xloadflags = 0x236;
constexpr std::size_t cmdline_size = 0x238, init_size = 0x260, e820_table = 0x2d0;
constexpr std::size_t e820_max_entries = 128, e820_entry_size = 20;

constexpr std::uint16_t xlf_kernel_64 = 1 << 0, xlf_can_be_loaded_above_4g = 1 << 1;
constexpr std::uint8_t loaded_high = 1 << 0;
constexpr std::uint8_t loader_undefined = 0xff;  // "no assigned id" (boot.rst, type_of_loader)

std::uint64_t get(std::span<const std::byte> bytes, std::size_t offset, unsigned width) {
  std::uint64_t value = 0;
  for (unsigned i = 0; i < width; ++i) value |= std::to_integer<std::uint64_t>(bytes[offset + i]) << (8 * i);
  return value;
}

void put(std::span<std::byte> bytes, std::size_t offset, std::uint64_t value, unsigned width) {
  for (unsigned i = 0; i < width; ++i) bytes[offset + i] = static_cast<std::byte>(value >> (8 * i));
}

}  // namespace

Result<BzImage> parse_bzimage(std::span<const std::byte> file) {
  if (file.size() < init_size + 4 || std::memcmp(file.data() + header_magic, "HdrS", 4) != 0) {
    return Error{"not a bzImage (no \"HdrS\" setup header at 0x202)"};
  }
  BzImage image;
  image.file = file;
  image.protocol = static_cast<std::uint16_t>(get(file, version, 2));
  if (image.protocol < 0x020c) {
    return Error{fmt::format("boot protocol {}.{:02}: 2.12 or later is needed for a 64-bit entry",
                             image.protocol >> 8, image.protocol & 0xff)};
  }
  const auto flags = static_cast<std::uint16_t>(get(file, xloadflags, 2));
  if ((flags & (xlf_kernel_64 | xlf_can_be_loaded_above_4g)) != (xlf_kernel_64 | xlf_can_be_loaded_above_4g)) {
    return Error{fmt::format("xloadflags {:#x}: the kernel has no 64-bit entry point", flags)};
  }
  if (get(file, relocatable_kernel, 1) == 0) return Error{"the kernel is not relocatable"};
  std::size_t sectors = static_cast<std::size_t>(get(file, setup_sects, 1));
  if (sectors == 0) sectors = 4;  // boot.rst: 0 means 4
  image.setup_size = (sectors + 1) * 512;
  if (image.setup_size >= file.size()) return Error{"the bzImage is truncated after its setup code"};
  // The header is read up to init_size (the last field this loader uses), and copied up to where its
  // jump says: a jump that ends it earlier would leave those fields out of the zero page.
  const std::size_t header_end = jump + 2 + std::to_integer<std::size_t>(file[jump + 1]);
  if (header_end < init_size + 4 || header_end > image.setup_size) {
    return Error{fmt::format("the setup header ends at {:#x} (its jump at 0x200), not between 0x264 and the end of "
                             "the setup code ({:#x})", header_end, image.setup_size)};
  }
  // syssize: the protected-mode kernel's size in 16-byte units. A file shorter than that was cut off;
  // sealed as it is, it would be verified and then fail to boot.
  const std::uint64_t kernel_bytes = get(file, syssize, 4) * 16;
  if (kernel_bytes == 0 || file.size() - image.setup_size < kernel_bytes) {
    return Error{fmt::format("the bzImage is truncated: its header says {} bytes of kernel after the {} of setup code "
                             "(syssize), the file has {}", kernel_bytes, image.setup_size, file.size() - image.setup_size)};
  }
  image.kernel_alignment = static_cast<std::uint32_t>(get(file, kernel_alignment, 4));
  image.init_size = static_cast<std::uint32_t>(get(file, init_size, 4));
  image.cmdline_size = static_cast<std::uint32_t>(get(file, cmdline_size, 4));
  if (image.kernel_alignment == 0 || (image.kernel_alignment & (image.kernel_alignment - 1)) != 0) {
    return Error{fmt::format("kernel_alignment {:#x} is not a power of two", image.kernel_alignment)};
  }
  if (image.init_size < file.size() - image.setup_size) return Error{"init_size is smaller than the kernel"};
  return image;
}

std::span<const std::byte> protected_mode_kernel(const BzImage& image) { return image.file.subspan(image.setup_size); }

std::uint32_t e820_type(const std::string& name) {
  if (name == "System RAM") return 1;
  if (name == "ACPI Tables") return 3;
  if (name == "ACPI Non-volatile Storage") return 4;
  if (name == "Unusable memory") return 5;
  if (name == "Persistent Memory") return 7;
  if (name == "Persistent Memory (legacy)") return 12;
  if (name == "Soft Reserved") return 0xefffffff;
  return 2;  // "Reserved", and anything unknown: never hand out as RAM
}

Result<std::vector<std::byte>> build_boot_params(const BzImage& image, const BootParamsRequest& request) {
  if (request.command_line.size() > image.cmdline_size) {
    return Error{fmt::format("the command line is {} bytes; this kernel takes at most {}", request.command_line.size(),
                             image.cmdline_size)};
  }
  if (request.memory.size() > e820_max_entries) {
    return Error{fmt::format("{} memory map entries; the zero page holds {}", request.memory.size(), e820_max_entries)};
  }
  std::vector<std::byte> page(zero_page_size + request.command_line.size() + 1);
  const std::span<std::byte> params(page);

  // The setup header: from 0x1f1 to the end its jump instruction at 0x200 gives (byte 0x201 is its length).
  const std::size_t header_end = jump + 2 + std::to_integer<std::size_t>(image.file[jump + 1]);
  if (header_end > image.setup_size || header_end > zero_page_size) return Error{"the setup header is malformed"};
  std::memcpy(page.data() + setup_header_start, image.file.data() + setup_header_start, header_end - setup_header_start);
  put(params, sentinel, 0, 1);  // a zero sentinel: every field here was written on purpose

  put(params, type_of_loader, loader_undefined, 1);
  put(params, loadflags, std::to_integer<std::uint8_t>(page[loadflags]) | loaded_high, 1);

  const std::uint64_t command_line_address = request.boot_params_address + zero_page_size;
  put(params, cmd_line_ptr, command_line_address & 0xffffffff, 4);
  put(params, ext_cmd_line_ptr, command_line_address >> 32, 4);
  std::memcpy(page.data() + zero_page_size, request.command_line.data(), request.command_line.size());

  put(params, ramdisk_image, request.initrd_address & 0xffffffff, 4);
  put(params, ext_ramdisk_image, request.initrd_address >> 32, 4);
  put(params, ramdisk_size, request.initrd_size & 0xffffffff, 4);
  put(params, ext_ramdisk_size, request.initrd_size >> 32, 4);

  put(params, e820_entries, request.memory.size(), 1);
  for (std::size_t i = 0; i < request.memory.size(); ++i) {
    const MemoryRange& range = request.memory[i];
    const std::size_t at = e820_table + i * e820_entry_size;
    put(params, at, range.start, 8);
    put(params, at + 8, range.end - range.start, 8);
    put(params, at + 16, e820_type(range.type), 4);
  }
  return page;
}

}  // namespace kexec_loader::x86_64
