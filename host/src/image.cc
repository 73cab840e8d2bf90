// SPDX-License-Identifier: MIT
#include <purgatory/host/image.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include <fmt/format.h>

#include <purgatory/host/elf.h>

namespace purgatory::host {
namespace {

constexpr std::string_view image_magic = PURGATORY_IMAGE_MAGIC;
constexpr std::string_view info_magic = PURGATORY_INFO_MAGIC;

bool is_power_of_two(std::uint64_t value) { return value != 0 && (value & (value - 1)) == 0; }

}  // namespace

std::optional<Arch> ImageHeader::arch() const { return arch_of(elf_machine, byte_order); }

std::string ImageHeader::arch_name() const {
  const auto known = arch();
  return known ? std::string(name_of(*known)) : std::string();
}

Result<Image> parse_image(std::span<const std::byte> bytes, const ImageExpectations& expectations) {
  if (bytes.size() < image_magic.size() ||
      std::memcmp(bytes.data(), image_magic.data(), image_magic.size()) != 0) {
    return Error{"not a purgatory image (no \"PURGATRY\" magic at offset 0)"};
  }
  if (bytes.size() < PURGATORY_HEADER_SIZE) {
    return Error{fmt::format("truncated image: {} bytes, smaller than the {}-byte header", bytes.size(),
                             PURGATORY_HEADER_SIZE)};
  }
  const auto order_byte = std::to_integer<unsigned>(bytes[offsetof(purgatory_image_header, byte_order)]);
  if (order_byte != PURGATORY_BYTE_ORDER_LITTLE && order_byte != PURGATORY_BYTE_ORDER_BIG) {
    return Error{fmt::format("unknown byte order {} in the image header (offset 8)", order_byte)};
  }
  Image image;
  ImageHeader& header = image.header;
  header.byte_order = order_byte == PURGATORY_BYTE_ORDER_BIG ? ByteOrder::big : ByteOrder::little;
  const ByteReader read(bytes, header.byte_order);
  auto field = [&](std::size_t offset, unsigned width) { return *read.unsigned_int(offset, width); };
  header.elf_machine = static_cast<std::uint16_t>(field(offsetof(purgatory_image_header, elf_machine), 2));
  header.abi_major = static_cast<std::uint16_t>(field(offsetof(purgatory_image_header, abi_major), 2));
  header.abi_minor = static_cast<std::uint16_t>(field(offsetof(purgatory_image_header, abi_minor), 2));
  header.header_size = static_cast<std::uint32_t>(field(offsetof(purgatory_image_header, header_size), 4));
  header.features = static_cast<std::uint32_t>(field(offsetof(purgatory_image_header, features), 4));
  header.file_size = field(offsetof(purgatory_image_header, file_size), 8);
  header.memory_size = field(offsetof(purgatory_image_header, memory_size), 8);
  header.load_alignment = field(offsetof(purgatory_image_header, load_alignment), 8);
  header.entry_offset = field(offsetof(purgatory_image_header, entry_offset), 8);
  header.info_offset = field(offsetof(purgatory_image_header, info_offset), 8);
  header.info_size = field(offsetof(purgatory_image_header, info_size), 8);

  // A byte order byte that lies: the fields read sensibly only the other way round.
  const auto swapped = [](std::uint64_t value, unsigned width) {
    std::uint64_t result = 0;
    for (unsigned i = 0; i < width; ++i) result = result << 8 | ((value >> (8 * i)) & 0xff);
    return result;
  };
  if (header.abi_major != PURGATORY_ABI_MAJOR && swapped(header.abi_major, 2) == PURGATORY_ABI_MAJOR &&
      swapped(header.header_size, 4) == PURGATORY_HEADER_SIZE) {
    return Error{fmt::format("the header says its fields are {}-endian (byte order byte {}), but they read as "
                             "{}-endian: the byte order byte is wrong",
                             header.byte_order == ByteOrder::big ? "big" : "little", order_byte,
                             header.byte_order == ByteOrder::big ? "little" : "big")};
  }
  if (header.abi_major != PURGATORY_ABI_MAJOR) {
    return Error{fmt::format("ABI version {}.{} is not supported (this tool reads major version {})",
                             header.abi_major, header.abi_minor, PURGATORY_ABI_MAJOR)};
  }
  if (!header.arch()) {
    return Error{fmt::format("unknown arch: ELF machine {} with {}-endian byte order", header.elf_machine,
                             header.byte_order == ByteOrder::big ? "big" : "little")};
  }
  if (expectations.arch && *expectations.arch != header.arch()) {
    return Error{fmt::format("image is for {}, not {}", header.arch_name(), name_of(*expectations.arch))};
  }
  if (header.header_size < PURGATORY_HEADER_SIZE || header.header_size > bytes.size()) {
    return Error{fmt::format("header size {} is out of range (at least {}, at most the file's {} bytes)",
                             header.header_size, PURGATORY_HEADER_SIZE, bytes.size())};
  }
  if (header.memory_size < header.file_size) {
    return Error{fmt::format("memory size {:#x} is smaller than the file size {:#x}", header.memory_size,
                             header.file_size)};
  }
  if (expectations.memory_dump) {
    if (bytes.size() < header.file_size || bytes.size() > header.memory_size) {
      return Error{fmt::format("a copy of the purgatory's memory holds {} to {} bytes (the file and up to its memory "
                               "size), not {}",
                               header.file_size, header.memory_size, bytes.size())};
    }
  } else if (header.file_size != bytes.size()) {
    return Error{fmt::format("the header says the image is {} bytes, but the file has {}", header.file_size,
                             bytes.size())};
  }
  if ((header.features & PURGATORY_FEATURE_VERIFY_SHA256) == 0) {
    return Error{fmt::format("the image does not check digests (features {:#x} lack VERIFY_SHA256)", header.features)};
  }
  if (!is_power_of_two(header.load_alignment)) {
    return Error{fmt::format("load alignment {:#x} is not a power of two", header.load_alignment)};
  }
  if (header.info_offset < header.header_size) {
    return Error{fmt::format("purgatory_info at offset {:#x} overlaps the {}-byte header", header.info_offset,
                             header.header_size)};
  }
  if (header.entry_offset < header.header_size || header.entry_offset >= header.file_size ||
      header.entry_offset % 4 != 0) {
    return Error{fmt::format("entry offset {:#x} is inside the header, outside the image or not 4-byte aligned",
                             header.entry_offset)};
  }
  // 1.3 added segment_origin to purgatory_info, 1.4 copies; older images have the 1.0 block.
  const std::uint64_t smallest_info = header.abi_minor >= 4   ? sizeof(purgatory_info)
                                      : header.abi_minor == 3 ? PURGATORY_INFO_SIZE_1_3
                                                              : PURGATORY_INFO_SIZE_1_0;
  if (header.info_offset % 8 != 0 || header.info_size < smallest_info || header.info_offset > header.file_size ||
      header.info_size > header.file_size - header.info_offset) {
    return Error{fmt::format("purgatory_info ({:#x} bytes at offset {:#x}) is misaligned, too small for ABI {}.{} "
                             "({:#x} bytes), or outside the image",
                             header.info_size, header.info_offset, header.abi_major, header.abi_minor, smallest_info)};
  }
  if (header.entry_offset >= header.info_offset && header.entry_offset - header.info_offset < header.info_size) {
    return Error{fmt::format("entry offset {:#x} is inside purgatory_info ({:#x} bytes at offset {:#x}): data, "
                             "not code", header.entry_offset, header.info_size, header.info_offset)};
  }
  if (std::memcmp(bytes.data() + header.info_offset, info_magic.data(), info_magic.size()) != 0) {
    return Error{fmt::format("no \"PURGINFO\" magic at the info offset {:#x}", header.info_offset)};
  }
  const auto info_size_field = field(header.info_offset + offsetof(purgatory_info, info_size), 4);
  if (info_size_field != header.info_size) {
    return Error{fmt::format("purgatory_info says it is {} bytes, the header says {}", info_size_field,
                             header.info_size)};
  }
  image.bytes.assign(bytes.begin(), bytes.end());
  return image;
}

Result<Image> load_image(std::span<const std::byte> file, const ImageExpectations& expectations) {
  if (!has_elf_magic(file)) return parse_image(file, expectations);
  const auto elf = parse_elf(file);
  if (!elf) return elf.error();
  const auto problems = purgatory_elf_problems(*elf);
  if (!problems.empty()) {
    return Error{problems.size() == 1 ? problems.front()
                                      : fmt::format("{} (and {} more problems)", problems.front(), problems.size() - 1)};
  }
  const auto load = std::find_if(elf->program_headers.begin(), elf->program_headers.end(),
                                 [](const ElfProgramHeader& header) { return header.type == elf::segment_load; });
  ImageExpectations inside = expectations;
  inside.memory_dump = false;  // an ELF is an image as built, never a copy of memory
  auto image = parse_image(file.subspan(static_cast<std::size_t>(load->offset), static_cast<std::size_t>(load->file_size)),
                           inside);
  if (!image) return image.error();
  const ImageHeader& header = image->header;
  const std::string elf_arch = arch_name(elf->machine, elf->byte_order);
  if (elf_arch != header.arch_name()) {
    return Error{fmt::format("the ELF is for {} but its image header says {}", elf_arch, header.arch_name())};
  }
  if (elf->entry != header.entry_offset) {
    return Error{fmt::format("the ELF's entry {:#x} differs from the image header's entry offset {:#x}", elf->entry,
                             header.entry_offset)};
  }
  if (load->memory_size != header.memory_size) {
    return Error{fmt::format("the PT_LOAD's memory size {:#x} differs from the image header's {:#x}", load->memory_size,
                             header.memory_size)};
  }
  return image;
}

}  // namespace purgatory::host
