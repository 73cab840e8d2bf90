/* SPDX-License-Identifier: MIT */
// The device tree the next kernel gets (arm64 and ppc64): the running system's, with /chosen updated,
// through libfdt.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <purgatory/abi.h>
#include <purgatory/host/result.h>

namespace kexec_loader {

// What makes `tree` unusable (a header, size or structure that does not hold up), or nothing.
std::optional<std::string> device_tree_problem(std::span<const std::byte> tree);

// /sys/firmware/fdt: the flattened tree the running kernel booted with, checked (device_tree_problem).
purgatory::host::Result<std::vector<std::byte>> read_device_tree(const std::string& path);

struct ChosenUpdate {
  std::string bootargs;
  std::optional<std::pair<std::uint64_t, std::uint64_t>> initrd;  // [start, end)
  std::optional<std::uint64_t> kaslr_seed;  // refilled only where the tree already has one
  // A crash kernel's: linux,elfcorehdr and linux,usable-memory-range as <address size> in the root's
  // cells (arm64 reads them instead of a memory map). Linux caps memory to the first usable range and
  // adds the second (a crashkernel=...,high reservation's low part); it reads no more than two.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> elfcorehdr;  // address, size
  std::vector<std::pair<std::uint64_t, std::uint64_t>> usable_memory;  // [start, end) each
  // A ppc64 crash kernel's: linux,usable-memory on every memory node (its reg within these [start, end)
  // ranges, or <0 0> where none is), linux,drconf-usable-memory for hot-pluggable memory
  // (/ibm,dynamic-reconfiguration-memory's blocks within them), and memory reserve map entries
  // <address size> added.
  std::optional<std::vector<std::pair<std::uint64_t, std::uint64_t>>> usable_memory_ranges;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> reserve;
};

// A copy of `tree` with /chosen's bootargs and linux,initrd-start/-end set (or the initrd properties
// removed), packed.
purgatory::host::Result<std::vector<std::byte>> update_chosen(std::span<const std::byte> tree, const ChosenUpdate& update);

// These three read only a tree that device_tree_problem() passes whole, and give nothing otherwise.

// ppc64: where RTAS lives, [linux,rtas-base, + rtas-size) of /rtas, if the tree says.
std::optional<std::pair<std::uint64_t, std::uint64_t>> rtas_range(std::span<const std::byte> tree);

// ppc64: the RTAS token of a service (/rtas's property of that name, e.g. "system-reboot"), if any.
std::optional<std::uint32_t> rtas_token(std::span<const std::byte> tree, const char* service);

// The purgatory console matching the tree's /chosen stdout-path, if the SDK has a driver for it:
// "arm,pl011", ns16550-compatible UARTs (with reg-shift and reg-io-width), "hvterm1" (ppc64 hvc).
std::optional<purgatory_console> console_from_device_tree(std::span<const std::byte> tree);

}  // namespace kexec_loader
