// SPDX-License-Identifier: MIT
// <purgatory/seal_rules.h>: the rules both seal() and the purgatory apply to a block, each broken on
// purpose, at compile time (the rules are constexpr) and at run time.
#include <cstdint>
#include <string>

#include <catch2/catch.hpp>

#include <purgatory/abi.h>
#include <purgatory/seal_rules.h>

using purgatory::console_violation;
using purgatory::first_violation;
using purgatory::ImagePlacement;
using purgatory::RuleViolation;

namespace {

constexpr std::uint64_t load_address = 0x1000000, memory_size = 0x8000;
constexpr std::uint64_t kernel = 0x2000000, data = 0x2100000;

constexpr ImagePlacement placement(std::uint16_t machine) {
  return {.elf_machine = machine, .load_address = load_address, .memory_size = memory_size};
}

constexpr void set_entry(purgatory_info& info, std::uint16_t machine, std::uint64_t entry) {
  if (machine == PURGATORY_MACHINE_X86_64) info.next.x86_64.rip = entry;
  if (machine == PURGATORY_MACHINE_AARCH64) info.next.arm64.entry = entry;
  if (machine == PURGATORY_MACHINE_PPC64) info.next.ppc64.entry = entry;
}

// Two segments (a kernel and its data), the entry at the kernel's first byte: nothing wrong with it.
constexpr purgatory_info good_block(std::uint16_t machine) {
  purgatory_info info{};
  info.segment_count = 2;
  info.segments[0] = {kernel, 0x10000, {}};
  info.segments[1] = {data, 0x1000, {}};
  // A whole member assigned: in a constant expression, the union's other members are not alive.
  if (machine == PURGATORY_MACHINE_X86_64) info.next.x86_64 = purgatory_x86_64_state{};
  if (machine == PURGATORY_MACHINE_AARCH64) info.next.arm64 = purgatory_arm64_state{};
  if (machine == PURGATORY_MACHINE_PPC64) info.next.ppc64 = purgatory_ppc64_state{};
  set_entry(info, machine, kernel);
  return info;
}

constexpr std::uint16_t machines[] = {PURGATORY_MACHINE_X86_64, PURGATORY_MACHINE_AARCH64, PURGATORY_MACHINE_PPC64};

std::string what(const RuleViolation& violation) { return violation.what != nullptr ? violation.what : ""; }


}  // namespace

// The same function the purgatory runs, evaluated by the compiler.
static_assert(!first_violation(good_block(PURGATORY_MACHINE_X86_64), placement(PURGATORY_MACHINE_X86_64)));
static_assert(!first_violation(good_block(PURGATORY_MACHINE_PPC64), placement(PURGATORY_MACHINE_PPC64)));
static_assert([] {
  purgatory_info info = good_block(PURGATORY_MACHINE_AARCH64);
  info.next.arm64.entry = kernel + 2;  // not an instruction boundary
  return first_violation(info, placement(PURGATORY_MACHINE_AARCH64)).what != nullptr;
}());
static_assert([] {
  purgatory_info info = good_block(PURGATORY_MACHINE_X86_64);
  info.segment_count = 0;
  return first_violation(info, placement(PURGATORY_MACHINE_X86_64)).what != nullptr;
}());

TEST_CASE("A sound block breaks no rule, on every arch", "[rules]") {
  for (const std::uint16_t machine : machines) {
    CHECK_FALSE(first_violation(good_block(machine), placement(machine)));
    CHECK_FALSE(console_violation(good_block(machine), placement(machine)));
  }
}

TEST_CASE("Segments: at most 16, none empty, wrapping, over the purgatory or over each other", "[rules]") {
  const std::uint16_t machine = PURGATORY_MACHINE_X86_64;
  purgatory_info info = good_block(machine);
  SECTION("17") {
    info.segment_count = 17;
    CHECK_THAT(what(first_violation(info, placement(machine))), Catch::Contains("PURGATORY_MAX_SEGMENTS"));
  }
  SECTION("empty") {
    info.segments[1].size = 0;
    const RuleViolation violation = first_violation(info, placement(machine));
    CHECK(what(violation) == "the segment is empty");
    CHECK(violation.segment == 1);
  }
  SECTION("wrapping past the end of the address space") {
    info.segments[1] = {0xfffffffffffff000, 0x1001, {}};
    const RuleViolation violation = first_violation(info, placement(machine));
    CHECK_THAT(what(violation), Catch::Contains("past the end of the address space"));
    CHECK(violation.segment == 1);
  }
  SECTION("ending exactly at the top of the address space is fine") {
    info.segments[1] = {0xfffffffffffff000, 0x1000, {}};
    CHECK_FALSE(first_violation(info, placement(machine)));
  }
  SECTION("over the purgatory's memory, by one byte at either end") {
    info.segments[1] = {load_address - 0x1000, 0x1001, {}};
    CHECK(first_violation(info, placement(machine)).segment == 1);
    info.segments[1] = {load_address + memory_size - 1, 0x1000, {}};
    CHECK_THAT(what(first_violation(info, placement(machine))), Catch::Contains("purgatory's own memory"));
  }
  SECTION("touching the purgatory's memory is fine") {
    info.segments[1] = {load_address - 0x1000, 0x1000, {}};
    CHECK_FALSE(first_violation(info, placement(machine)));
    info.segments[1] = {load_address + memory_size, 0x1000, {}};
    CHECK_FALSE(first_violation(info, placement(machine)));
  }
  SECTION("a purgatory at the top of the address space still sees a segment that ends there") {
    const ImagePlacement high{.elf_machine = machine, .load_address = 0xffffffffffffd000, .memory_size = 0x2800};
    info.segments[1] = {0xfffffffffffff000, 0x1000, {}};  // shares [2^64 - 0x1000, 2^64 - 0x800)
    CHECK(first_violation(info, high).segment == 1);
  }
  SECTION("two segments over each other, both named") {
    info.segment_count = 3;
    info.segments[2] = {kernel + 0xfff0, 0x20, {}};
    const RuleViolation violation = first_violation(info, placement(machine));
    CHECK(what(violation) == "the segment overlaps an earlier one");
    CHECK(violation.segment == 2);
    CHECK(violation.other_segment == 0);
  }
}

TEST_CASE("Verification needs segments, and the entry inside one, aligned as the arch needs", "[rules]") {
  for (const std::uint16_t machine : machines) {
    INFO("ELF machine " << machine);
    purgatory_info info = good_block(machine);
    SECTION("no segments") {
      info.segment_count = 0;
      CHECK_THAT(what(first_violation(info, placement(machine))), Catch::Contains("no segments to verify"));
    }
    SECTION("the entry at 0, in the purgatory, one past a segment, in unloaded memory") {
      for (const std::uint64_t entry : {std::uint64_t{0}, load_address + 0x80, kernel + 0x10000, std::uint64_t{0x7000000}}) {
        set_entry(info, machine, entry);
        CHECK(what(first_violation(info, placement(machine))) ==
              "the next kernel's entry is outside every verified segment");
      }
    }
    SECTION("the entry at a segment's last instruction is fine") {
      set_entry(info, machine, data + 0x1000 - 4);
      CHECK_FALSE(first_violation(info, placement(machine)));
    }
    SECTION("an entry off an instruction boundary") {
      set_entry(info, machine, kernel + 2);
      if (machine == PURGATORY_MACHINE_X86_64) {
        CHECK_FALSE(first_violation(info, placement(machine)));  // x86 instructions have no alignment
      } else {
        CHECK_THAT(what(first_violation(info, placement(machine))), Catch::Contains("not 4-byte aligned"));
      }
    }
    SECTION("skipping verification, a loader may give no segments and any entry") {
      info.flags = PURGATORY_FLAG_SKIP_VERIFICATION;
      info.segment_count = 0;
      set_entry(info, machine, 2);
      CHECK_FALSE(first_violation(info, placement(machine)));
    }
  }
}

TEST_CASE("ppc64: secondary entry, low memory and the device tree's header inside verified segments",
          "[rules]") {
  const std::uint16_t machine = PURGATORY_MACHINE_PPC64;
  purgatory_info info = good_block(machine);
  purgatory_ppc64_state& state = info.next.ppc64;
  SECTION("the secondary CPUs' entry outside every segment, or misaligned") {
    state.secondary_entry = 0x60;
    CHECK_THAT(what(first_violation(info, placement(machine))), Catch::Contains("secondary CPUs' entry"));
    state.secondary_entry = kernel + 0x62;
    CHECK_THAT(what(first_violation(info, placement(machine))), Catch::Contains("secondary CPUs' entry"));
    state.secondary_entry = kernel + 0x60;
    CHECK_FALSE(first_violation(info, placement(machine)));
  }
  SECTION("low memory restored where no segment verifies it") {
    state.flags = PURGATORY_PPC64_RESTORE_LOW_MEMORY;
    CHECK_THAT(what(first_violation(info, placement(machine))), Catch::Contains("low memory"));
    info.segment_count = 3;
    info.segments[2] = {0, 0x80, {}};  // half of it
    CHECK_THAT(what(first_violation(info, placement(machine))), Catch::Contains("low memory"));
    info.segments[2] = {0, 0x100, {}};
    CHECK_FALSE(first_violation(info, placement(machine)));
    state.secondary_entry = 0x60;  // Linux's __secondary_hold, in low memory
    CHECK_FALSE(first_violation(info, placement(machine)));
  }
  SECTION("the device tree that gets the boot CPU's id") {
    state.flags = PURGATORY_PPC64_SET_FDT_BOOT_CPU;
    state.r3 = 0x3000000;
    CHECK_THAT(what(first_violation(info, placement(machine))), Catch::Contains("device tree"));
    state.r3 = data + 0x1000 - 16;  // its header would run past the segment
    CHECK_THAT(what(first_violation(info, placement(machine))), Catch::Contains("device tree"));
    state.r3 = data;
    CHECK_FALSE(first_violation(info, placement(machine)));
    state.r3 = 0;  // no tree: nothing written
    CHECK_FALSE(first_violation(info, placement(machine)));
  }
  SECTION("reset on failure through RTAS needs its token") {
    info.flags = PURGATORY_FLAG_RESET_ON_FAILURE;
    CHECK_THAT(what(first_violation(info, placement(machine))), Catch::Contains("RTAS"));
    info.reset.method = PURGATORY_RESET_RTAS_HCALL;
    CHECK_THAT(what(first_violation(info, placement(machine))), Catch::Contains("RTAS"));
    info.reset.token = 0x2004;
    CHECK_FALSE(first_violation(info, placement(machine)));
  }
  SECTION("other arches reset without a token") {
    purgatory_info x86 = good_block(PURGATORY_MACHINE_X86_64);
    x86.flags = PURGATORY_FLAG_RESET_ON_FAILURE;
    CHECK_FALSE(first_violation(x86, placement(PURGATORY_MACHINE_X86_64)));
  }
}

TEST_CASE("A console whose registers overlap the purgatory or a segment is refused", "[rules]") {
  const std::uint16_t machine = PURGATORY_MACHINE_AARCH64;
  purgatory_info info = good_block(machine);
  SECTION("an 8250 on the block's own flags word, the loader mistake that turned verification off") {
    info.console = {PURGATORY_CONSOLE_8250_MMIO, 0, 0, 0, load_address + 0x3450 + 16, 1, 0, 0};
    CHECK_THAT(what(console_violation(info, placement(machine))), Catch::Contains("purgatory's own memory"));
  }
  SECTION("an 8250's span grows with its register shift and width") {
    info.console = {PURGATORY_CONSOLE_8250_MMIO, 0, 1, 0, load_address - 8, 0, 0, 0};  // registers 0..7, bytes
    CHECK_FALSE(console_violation(info, placement(machine)));
    info.console.register_shift = 2;  // register 7 at base + 28
    CHECK(console_violation(info, placement(machine)));
    info.console.base = load_address - 32;
    info.console.access_width = 4;  // and 4 bytes wide: ends exactly at the purgatory
    CHECK_FALSE(console_violation(info, placement(machine)));
  }
  SECTION("a PL011 inside a segment names the segment") {
    info.console = {PURGATORY_CONSOLE_PL011, 0, 0, 0, data, 0, 0, 0};
    const RuleViolation violation = console_violation(info, placement(machine));
    CHECK(what(violation) == "the console's registers overlap a segment");
    CHECK(violation.segment == 1);
  }
  SECTION("port I/O and the hypervisor console have no memory to overlap") {
    info.console = {PURGATORY_CONSOLE_8250_PIO, 0, 0, 0, load_address, 0, 0, 0};
    CHECK_FALSE(console_violation(info, placement(machine)));
    info.console = {PURGATORY_CONSOLE_HVC, 0, 0, 0, kernel, 0, 0, 0};
    CHECK_FALSE(console_violation(info, placement(machine)));
  }
  SECTION("registers past the end of the address space") {
    info.console = {PURGATORY_CONSOLE_PL011, 0, 0, 0, 0xfffffffffffff800, 0, 0, 0};
    CHECK_THAT(what(console_violation(info, placement(machine))), Catch::Contains("past the end"));
  }
}

TEST_CASE("Copies: inside one segment that nothing used lies in, clear of their source and each other",
          "[rules][copies]") {
  for (const std::uint16_t machine : machines) {
    purgatory_info info = good_block(machine);
    info.copies[0] = {0x1000, data, 0x800};  // into the data segment: sound
    CHECK_FALSE(first_violation(info, placement(machine)));
    SECTION("outside every segment") {
      info.copies[0].destination = data + 0x1000;
      CHECK(what(first_violation(info, placement(machine))) == "a copy's destination is not inside one segment");
    }
    SECTION("running past a segment's end") {
      info.copies[0].destination = data + 0x900;
      CHECK(what(first_violation(info, placement(machine))) == "a copy's destination is not inside one segment");
    }
    SECTION("into the segment the next kernel is entered in") {
      info.copies[0].destination = kernel + 0x1000;
      const RuleViolation violation = first_violation(info, placement(machine));
      CHECK(what(violation) == "a copy's destination segment holds the next kernel's entry or device tree");
      CHECK(violation.segment == 0);
    }
    SECTION("into a segment at 0 whose first byte is the entry") {
      info.segments[1].start = 0;
      set_entry(info, machine, 0);
      info.copies[0] = {0x4000000, 0x800, 0x10};
      CHECK(what(first_violation(info, placement(machine))) ==
            "a copy's destination segment holds the next kernel's entry or device tree");
    }
    SECTION("wrapping") {
      info.copies[0].source = ~std::uint64_t{0} - 0x10;
      CHECK(what(first_violation(info, placement(machine))) == "a copy runs past the end of the address space");
    }
    SECTION("over its own source") {
      info.copies[0].source = data + 0x400;
      CHECK(what(first_violation(info, placement(machine))) == "a copy's source and destination overlap");
    }
    SECTION("two over each other") {
      info.copies[1] = {0x4000, data + 0x7ff, 0x10};
      CHECK(what(first_violation(info, placement(machine))) == "two copies' destinations overlap");
    }
    SECTION("checked when verification is skipped too") {
      info.flags = PURGATORY_FLAG_SKIP_VERIFICATION;
      info.copies[0].destination = data + 0x1000;
      CHECK(what(first_violation(info, placement(machine))) == "a copy's destination is not inside one segment");
    }
  }
}

TEST_CASE("ppc64: no copy into the segment holding the device tree or the secondaries' entry", "[rules][copies]") {
  const std::uint16_t machine = PURGATORY_MACHINE_PPC64;
  purgatory_info info = good_block(machine);
  info.copies[0] = {0, data, 0x100};
  SECTION("device tree") { info.next.ppc64.r3 = data + 0x10; }
  SECTION("secondaries' entry") { info.next.ppc64.secondary_entry = data + 0x60; }
  CHECK(what(first_violation(info, placement(machine))) ==
        "a copy's destination segment holds the next kernel's entry or device tree");
}

static_assert([] {
  purgatory_info info = good_block(PURGATORY_MACHINE_PPC64);
  info.copies[0] = {0, data, 0x1000};
  return !first_violation(info, placement(PURGATORY_MACHINE_PPC64));
}());
