/* SPDX-License-Identifier: MIT */
// arm64: the kernel Image header (Linux Documentation/arch/arm64/booting.rst).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <purgatory/host/result.h>

namespace kexec_loader::arm64 {

struct KernelImage {
  std::uint64_t text_offset = 0;  // from a 2 MiB-aligned base
  std::uint64_t image_size = 0;   // bytes the kernel occupies, .bss included
  bool big_endian = false;
};

// Checks the "ARM\x64" magic at 56 and reads the header; an image_size of 0 (kernels before 3.17)
// means text_offset 0x80000 and an unknown size, as booting.rst says.
purgatory::host::Result<KernelImage> parse_kernel_image(std::span<const std::byte> file);

inline constexpr std::uint64_t base_alignment = 2 * 1024 * 1024;
inline constexpr std::uint64_t max_image_size = std::uint64_t{1} << 30;  // a kernel with .bss, generously

}  // namespace kexec_loader::arm64
