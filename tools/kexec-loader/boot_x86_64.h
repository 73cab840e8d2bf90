/* SPDX-License-Identifier: MIT */
// x86_64: a bzImage and the boot_params ("zero page") the 64-bit boot protocol hands it in rsi
// (Linux Documentation/arch/x86/boot.rst and zero-page.rst).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <purgatory/host/result.h>

#include "memory_map.h"

namespace kexec_loader::x86_64 {

struct BzImage {
  std::uint16_t protocol = 0;          // boot protocol version, e.g. 0x020f
  std::size_t setup_size = 0;          // bytes before the protected-mode kernel: (setup_sects + 1) * 512
  std::uint32_t kernel_alignment = 0;  // the kernel's physical load address must be a multiple of this
  std::uint32_t init_size = 0;         // bytes the kernel needs from its load address while booting
  std::uint32_t cmdline_size = 0;      // longest command line it takes, without the NUL
  std::span<const std::byte> file;
};

// Checks the setup header: "HdrS", protocol 2.12 or later, a 64-bit entry point and a relocatable
// kernel that may be loaded above 4 GiB (XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G).
Result<BzImage> parse_bzimage(std::span<const std::byte> file);

// The protected-mode kernel: what is loaded at the kernel's address (its 64-bit entry is at + 0x200).
std::span<const std::byte> protected_mode_kernel(const BzImage& image);
inline constexpr std::uint64_t entry_offset_64 = 0x200;

// The e820 type Linux uses for each /sys/firmware/memmap type name.
std::uint32_t e820_type(const std::string& name);

// The zero page: the image's setup header copied in, the loader's fields set, the memory map as e820.
// The command line goes right after the zero page (in the same segment): `boot_params_address` + 4096.
struct BootParamsRequest {
  std::uint64_t boot_params_address = 0;
  std::string command_line;
  std::uint64_t initrd_address = 0;
  std::uint64_t initrd_size = 0;
  std::vector<MemoryRange> memory;  // the firmware's map, all types
};
Result<std::vector<std::byte>> build_boot_params(const BzImage& image, const BootParamsRequest& request);
inline constexpr std::size_t zero_page_size = 4096;

}  // namespace kexec_loader::x86_64
