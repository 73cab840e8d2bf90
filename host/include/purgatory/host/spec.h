/* SPDX-License-Identifier: MIT */
// Parsing the small text forms the command line and build scripts use: numbers, console specs,
// segment specs and register assignments. Every function returns an Error that quotes the input.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <purgatory/abi.h>
#include <purgatory/host/result.h>

namespace purgatory::host {

// Decimal, or hexadecimal with 0x; a whole 64-bit value, nothing after it.
Result<std::uint64_t> parse_number(std::string_view text);

// Console specs:
//   none
//   8250-pio,PORT[,divisor=N]                        x86_64 I/O ports (e.g. 8250-pio,0x3f8)
//   8250-mmio,ADDRESS[,shift=N][,width=1|4][,divisor=N]
//   pl011,ADDRESS
//   hvc[,TERMINAL]                                   ppc64 pseries hypervisor console (default 0)
Result<purgatory_console> parse_console_spec(std::string_view spec);

// Reset specs: default | psci-hvc | psci-smc | rtas-hcall,TOKEN
Result<purgatory_reset> parse_reset_spec(std::string_view spec);

// "ADDRESS:FILE" or "ADDRESS:FILE:MEMORY_SIZE" (the segment is zero-filled up to MEMORY_SIZE, which
// may not be 0: leave it out for the file's own size).
struct SegmentSpec {
  std::uint64_t address = 0;
  std::string file;
  std::uint64_t memory_size = 0;  // 0: not given, the file's size
};
// A last ":PART" that is a number is the memory size, so file names may hold colons. One that looks
// like a number attempt but is none ("0x1:k:1e3") is an Error naming it, unless a file has the whole
// name: the one place this parser looks at the file system (stat(2), relative to the current directory).
Result<SegmentSpec> parse_segment_spec(std::string_view spec);

// "SOURCE:DESTINATION:SIZE", three numbers: a copy the purgatory makes after verification (ABI 1.4).
Result<purgatory_copy> parse_copy_spec(std::string_view spec);

// "NAME=VALUE"
struct Assignment {
  std::string name;
  std::uint64_t value = 0;
};
Result<Assignment> parse_assignment(std::string_view text);

// "--user INDEX=VALUE" options, each index 0..3 at most once: purgatory_info.user (unnamed words stay 0).
Result<std::array<std::uint64_t, 4>> parse_user_words(const std::vector<std::string>& assignments);

}  // namespace purgatory::host
