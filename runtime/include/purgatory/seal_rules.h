/* SPDX-License-Identifier: MIT */
// The rules a sealed purgatory_info must obey, as one piece of code: the host library's seal() refuses
// a request that breaks one, and the purgatory refuses to act on a block that breaks one (BAD_INFO), so
// the two can never disagree about what is acceptable. Fields are in the reader's byte order: the
// purgatory checks its private copy of the block, the host library the block it is about to write.
//
// Everything here is constexpr and allocation-free: the purgatory runs it freestanding, and the host
// tests run it in static_asserts too.
//
// The checks are forced inline: the purgatory calls each once, with its own machine as a constant, so
// inlined there the other arches' rules fold away (about 500-900 bytes of each image). The host library
// pays with a few copies.
#pragma once

#include <cstdint>

#include <purgatory/abi.h>

namespace purgatory {

// What the rules need besides the block: the image and where it runs.
struct ImagePlacement {
  std::uint16_t elf_machine = 0;  // PURGATORY_MACHINE_*
  std::uint32_t features = 0;     // the image's PURGATORY_FEATURE_*
  std::uint64_t load_address = 0;
  std::uint64_t memory_size = 0;  // the image's, from its header
};

// A broken rule: what (a literal, for the console and for error messages) and, when one segment is to
// blame, which.
struct RuleViolation {
  const char* what = nullptr;
  std::uint32_t segment = PURGATORY_NO_SEGMENT;
  std::uint32_t other_segment = PURGATORY_NO_SEGMENT;  // the earlier one, for two that overlap
  constexpr explicit operator bool() const { return what != nullptr; }
};

namespace rules_detail {

// [start, start + size) and [other, other + other_size) share a byte. Sizes are not zero; ends may be
// the top of the address space, so the last bytes are compared, never the ends.
constexpr bool overlap(std::uint64_t start, std::uint64_t size, std::uint64_t other, std::uint64_t other_size) {
  return start <= other + (other_size - 1) && other <= start + (size - 1);
}

// [start, start + size) lies inside the segment.
constexpr bool inside(std::uint64_t start, std::uint64_t size, const purgatory_segment& segment) {
  return segment.size != 0 && start >= segment.start && start - segment.start < segment.size &&
         size <= segment.size - (start - segment.start);
}

constexpr bool inside_a_segment(const purgatory_info& info, std::uint64_t start, std::uint64_t size) {
  for (std::uint32_t i = 0; i < info.segment_count; ++i) {
    if (inside(start, size, info.segments[i])) return true;
  }
  return false;
}

// The segment [start, start + size) lies inside, or PURGATORY_NO_SEGMENT.
constexpr std::uint32_t segment_holding(const purgatory_info& info, std::uint64_t start, std::uint64_t size) {
  for (std::uint32_t i = 0; i < info.segment_count; ++i) {
    if (inside(start, size, info.segments[i])) return i;
  }
  return PURGATORY_NO_SEGMENT;
}

}  // namespace rules_detail

// Where the next kernel is entered, for the image's arch.
constexpr std::uint64_t next_kernel_entry(const purgatory_info& info, std::uint16_t elf_machine) {
  switch (elf_machine) {
    case PURGATORY_MACHINE_X86_64: return info.next.x86_64.rip;
    case PURGATORY_MACHINE_AARCH64: return info.next.arm64.entry;
    default: return info.next.ppc64.entry;
  }
}

// The alignment an entry point needs: an instruction boundary on fixed-width arches.
constexpr std::uint64_t entry_alignment(std::uint16_t elf_machine) {
  return elf_machine == PURGATORY_MACHINE_X86_64 ? 1 : 4;
}

// The bytes of the device tree header that SET_FDT_BOOT_CPU reads and writes (through boot_cpuid_phys).
inline constexpr std::uint64_t fdt_header_bytes = 32;

// The copies (1.4), made after verification: each lands inside one segment, which holds nothing the
// purgatory jumps to or reads after it (the entries, ppc64's device tree), so a copy can never change
// verified bytes that are used; none overlaps its own source or another copy's destination.
[[gnu::always_inline]] constexpr RuleViolation copy_violation(const purgatory_info& info, std::uint16_t elf_machine) {
  using rules_detail::overlap;
  using rules_detail::segment_holding;
  for (std::uint32_t i = 0; i < PURGATORY_MAX_COPIES; ++i) {
    const purgatory_copy& copy = info.copies[i];
    if (copy.size == 0) continue;
    if (copy.source + (copy.size - 1) < copy.source || copy.destination + (copy.size - 1) < copy.destination) {
      return {"a copy runs past the end of the address space"};
    }
    const std::uint32_t segment = segment_holding(info, copy.destination, copy.size);
    if (segment == PURGATORY_NO_SEGMENT) return {"a copy's destination is not inside one segment"};
    const purgatory_segment& target = info.segments[segment];
    // The entry wherever it is, even at 0; ppc64's secondary entry and device tree where given (0: none).
    const purgatory_ppc64_state& ppc64 = info.next.ppc64;
    const bool on_ppc64 = elf_machine == PURGATORY_MACHINE_PPC64;
    if (rules_detail::inside(next_kernel_entry(info, elf_machine), 1, target) ||
        (on_ppc64 && ppc64.secondary_entry != 0 && rules_detail::inside(ppc64.secondary_entry, 1, target)) ||
        (on_ppc64 && ppc64.r3 != 0 && rules_detail::inside(ppc64.r3, 1, target))) {
      return {"a copy's destination segment holds the next kernel's entry or device tree", segment};
    }
    if (overlap(copy.source, copy.size, copy.destination, copy.size)) return {"a copy's source and destination overlap"};
    for (std::uint32_t j = 0; j < i; ++j) {
      const purgatory_copy& earlier = info.copies[j];
      if (earlier.size != 0 && overlap(copy.destination, copy.size, earlier.destination, earlier.size)) {
        return {"two copies' destinations overlap"};
      }
    }
  }
  return {};
}

// The first rule the block breaks, or none. The block's magic, size and seal are the caller's to check.
//   - at most PURGATORY_MAX_SEGMENTS segments; none empty, none past the end of the address space, none
//     overlapping the purgatory's memory or another segment;
//   - a failure policy that can be carried out (ppc64 resets through RTAS need its token);
//   - unless the loader asked to skip verification: at least one segment; the next kernel's entry
//     aligned and inside a verified segment; on ppc64 the secondary CPUs' entry likewise, low memory
//     restored only into a verified segment ([0, 0x100) inside one), and the device tree whose header
//     gets the boot CPU's id inside one. Nothing the purgatory jumps to or writes is unverified;
//   - copies as copy_violation() says, whether or not verification is skipped.
[[gnu::always_inline]] constexpr RuleViolation first_violation(const purgatory_info& info, const ImagePlacement& image) {
  using rules_detail::inside_a_segment;
  using rules_detail::overlap;
  if (info.segment_count > PURGATORY_MAX_SEGMENTS) return {"more segments than PURGATORY_MAX_SEGMENTS (16)"};
  for (std::uint32_t i = 0; i < info.segment_count; ++i) {
    const purgatory_segment& segment = info.segments[i];
    if (segment.size == 0) return {"the segment is empty", i};
    if (segment.start + (segment.size - 1) < segment.start) return {"the segment runs past the end of the address space", i};
    if (overlap(segment.start, segment.size, image.load_address, image.memory_size)) {
      return {"the segment overlaps the purgatory's own memory", i};
    }
    for (std::uint32_t j = 0; j < i; ++j) {
      if (overlap(segment.start, segment.size, info.segments[j].start, info.segments[j].size)) {
        return {"the segment overlaps an earlier one", i, j};
      }
    }
  }
  const bool ppc64 = image.elf_machine == PURGATORY_MACHINE_PPC64;
  if (ppc64 && (info.flags & PURGATORY_FLAG_RESET_ON_FAILURE) && info.reset.token == 0 &&
      (info.reset.method == PURGATORY_RESET_DEFAULT || info.reset.method == PURGATORY_RESET_RTAS_HCALL)) {
    return {"reset on failure needs the RTAS system-reboot token (the reset's token is 0)"};
  }
  if (const RuleViolation copy = copy_violation(info, image.elf_machine)) return copy;
  if (info.flags & PURGATORY_FLAG_SKIP_VERIFICATION) return {};

  if (info.segment_count == 0) return {"no segments to verify (only a loader that skips verification may give none)"};
  const std::uint64_t entry = next_kernel_entry(info, image.elf_machine);
  if (entry % entry_alignment(image.elf_machine) != 0) return {"the next kernel's entry is not 4-byte aligned"};
  if (!inside_a_segment(info, entry, 1)) return {"the next kernel's entry is outside every verified segment"};
  if (ppc64) {
    const purgatory_ppc64_state& state = info.next.ppc64;
    if (state.secondary_entry != 0 && (state.secondary_entry % 4 != 0 || !inside_a_segment(info, state.secondary_entry, 1))) {
      return {"the secondary CPUs' entry is misaligned or outside every verified segment"};
    }
    if ((state.flags & PURGATORY_PPC64_RESTORE_LOW_MEMORY) &&
        !inside_a_segment(info, 0, PURGATORY_PPC64_LOW_MEMORY_SIZE)) {
      return {"low memory is to be restored, but no verified segment covers [0, 0x100)"};
    }
    if ((state.flags & PURGATORY_PPC64_SET_FDT_BOOT_CPU) && state.r3 != 0 &&
        !inside_a_segment(info, state.r3, fdt_header_bytes)) {
      return {"the device tree (r3) that gets the boot CPU's id is outside every verified segment"};
    }
  }
  return {};
}

// The registers of a memory-mapped console: [base, base + console_register_span(console)); 0 for
// consoles that are not in memory (port I/O, the hypervisor's).
constexpr std::uint64_t console_register_span(const purgatory_console& console) {
  switch (console.kind) {
    case PURGATORY_CONSOLE_8250_MMIO:  // registers 0..7, the last one access_width wide
      return (std::uint64_t{7} << console.register_shift) + (console.access_width == 4 ? 4 : 1);
    case PURGATORY_CONSOLE_PL011: return 0x1000;  // its 4 KiB register page
    default: return 0;
  }
}

// A console whose registers overlap the purgatory's memory or a segment would write into what the
// purgatory runs from or checks (a wrong base, say the address of the block's own flags): the
// purgatory does not use it, and seal() refuses it.
[[gnu::always_inline]] constexpr RuleViolation console_violation(const purgatory_info& info, const ImagePlacement& image) {
  const std::uint64_t span = console_register_span(info.console);
  if (span == 0) return {};
  const std::uint64_t base = info.console.base;
  if (base + (span - 1) < base) return {"the console's registers run past the end of the address space"};
  if (rules_detail::overlap(base, span, image.load_address, image.memory_size)) {
    return {"the console's registers overlap the purgatory's own memory"};
  }
  const std::uint32_t count = info.segment_count < PURGATORY_MAX_SEGMENTS ? info.segment_count : PURGATORY_MAX_SEGMENTS;
  for (std::uint32_t i = 0; i < count; ++i) {
    const purgatory_segment& segment = info.segments[i];
    if (segment.size != 0 && rules_detail::overlap(base, span, segment.start, segment.size)) {
      return {"the console's registers overlap a segment", i};
    }
  }
  return {};
}

}  // namespace purgatory
