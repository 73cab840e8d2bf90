/* SPDX-License-Identifier: MIT */
// ppc64: the kernel as an ELF vmlinux, laid out as it runs (Linux arch/powerpc/kernel/head_64.S).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <purgatory/host/result.h>

namespace kexec_loader::ppc64 {

struct Vmlinux {
  std::vector<std::byte> image;   // every PT_LOAD at its offset from the lowest physical address
  std::uint64_t memory_size = 0;  // bytes it occupies, .bss included
  std::uint64_t entry_offset = 0; // the entry point, from the start of `image`
  bool big_endian = true;
};

// A relocatable 64-bit POWER kernel: entered anywhere, it copies itself down to 0 (unless told to run
// where it was loaded, which kdump uses) and takes the secondary CPUs from its own __secondary_hold.
// Every PT_LOAD is bounds-checked against the file and the address space before anything is copied.
purgatory::host::Result<Vmlinux> parse_vmlinux(std::span<const std::byte> file);

// kdump: tells the kernel to run where it is loaded (the word __run_at_load at offset 0x5c, "run0" as
// built, 1 to stay) instead of copying itself down to 0 over the dying kernel's memory. Refused for a
// kernel without the word: it is not relocatable, and cannot be a crash kernel here.
purgatory::host::Result<bool> run_at_load_address(Vmlinux& kernel);

inline constexpr std::uint64_t max_kernel_size = std::uint64_t{1} << 30;  // with .bss, generously

}  // namespace kexec_loader::ppc64
