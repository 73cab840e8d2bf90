// SPDX-License-Identifier: MIT
#include "boot_arm64.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace kexec_loader::arm64 {
namespace {

std::uint64_t little_endian_u64(std::span<const std::byte> bytes, std::size_t offset) {
  std::uint64_t value = 0;
  for (unsigned i = 0; i < 8; ++i) value |= std::to_integer<std::uint64_t>(bytes[offset + i]) << (8 * i);
  return value;
}

}  // namespace

purgatory::host::Result<KernelImage> parse_kernel_image(std::span<const std::byte> file) {
  if (file.size() < 64 || std::memcmp(file.data() + 56, "ARM\x64", 4) != 0) {
    return purgatory::host::Error{"not an arm64 kernel Image (no \"ARM\\x64\" magic at 56; a compressed vmlinuz "
                                  "must be decompressed first)"};
  }
  KernelImage image;
  image.text_offset = little_endian_u64(file, 8);
  image.image_size = little_endian_u64(file, 16);
  const std::uint64_t flags = little_endian_u64(file, 24);
  image.big_endian = (flags & 1) != 0;
  if (image.image_size == 0) {
    image.text_offset = 0x80000;
    image.image_size = file.size();
  }
  if (image.big_endian) return purgatory::host::Error{"a big-endian arm64 kernel is not supported"};
  // The kernel sits text_offset into a 2 MiB-aligned region (booting.rst): more than that is no Image.
  if (image.text_offset >= base_alignment) {
    return purgatory::host::Error{fmt::format("text_offset {:#x} is not below 2 MiB: not a kernel Image header",
                                              image.text_offset)};
  }
  if (image.image_size > max_image_size) {
    return purgatory::host::Error{fmt::format("image_size {:#x} is more than the {} GiB any arm64 kernel occupies",
                                              image.image_size, max_image_size >> 30)};
  }
  image.image_size = std::max<std::uint64_t>(image.image_size, file.size());
  return image;
}

}  // namespace kexec_loader::arm64
