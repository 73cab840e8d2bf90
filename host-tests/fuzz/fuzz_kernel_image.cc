// SPDX-License-Identifier: MIT
// libFuzzer targets: kexec-loader's kernel image parsers over any bytes (one per build of this file,
// chosen by FUZZ_KERNEL_FORMAT): the x86_64 bzImage with the boot_params built from it, the arm64
// Image header, the ppc64 vmlinux laid out as it runs. Any crash, sanitizer report or oversized
// result fails the fuzz test.
#include <cstdint>
#include <span>
#include <string>

#include "boot_arm64.h"
#include "boot_ppc64.h"
#include "boot_x86_64.h"

using namespace kexec_loader;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
#if FUZZ_KERNEL_FORMAT == 1
  const auto image = x86_64::parse_bzimage(bytes);
  if (!image) return 0;
  if (x86_64::protected_mode_kernel(*image).size() > size) __builtin_trap();
  const auto params = x86_64::build_boot_params(
      *image, {0x10000, std::string(size % 300, 'x'), 0x2000000, size, {{0, 0x9fc00, "System RAM"}, {0x100000, 0x40000000, "System RAM"}}});
  if (params && params->size() > x86_64::zero_page_size + 4096) __builtin_trap();
#elif FUZZ_KERNEL_FORMAT == 2
  const auto image = arm64::parse_kernel_image(bytes);
  if (!image) return 0;
  if (image->text_offset >= arm64::base_alignment || image->image_size < size) __builtin_trap();
#else
  const auto kernel = ppc64::parse_vmlinux(bytes);
  if (!kernel) return 0;
  if (kernel->image.size() > kernel->memory_size || kernel->entry_offset >= kernel->image.size()) __builtin_trap();
#endif
  return 0;
}
