// SPDX-License-Identifier: MIT
#include "device_tree.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include <fmt/format.h>

#include <purgatory/host/file.h>

extern "C" {
#include <libfdt.h>
}

namespace kexec_loader {

using purgatory::host::Error;

namespace {

std::uint64_t read_cells(const fdt32_t* cells, int count) {
  std::uint64_t value = 0;
  for (int i = 0; i < count; ++i) value = value << 32 | fdt32_to_cpu(cells[i]);
  return value;
}

// The first address in a node's reg, in the parent's #address-cells.
std::optional<std::uint64_t> first_reg_address(const void* tree, int node) {
  int length = 0;
  const auto* reg = static_cast<const fdt32_t*>(fdt_getprop(tree, node, "reg", &length));
  const int parent = fdt_parent_offset(tree, node);
  const int cells = parent >= 0 ? fdt_address_cells(tree, parent) : 2;
  if (!reg || cells < 1 || cells > 2 || length < cells * 4) return std::nullopt;
  return read_cells(reg, cells);
}

std::uint32_t u32_property(const void* tree, int node, const char* name, std::uint32_t fallback) {
  int length = 0;
  const auto* value = static_cast<const fdt32_t*>(fdt_getprop(tree, node, name, &length));
  return value && length == 4 ? fdt32_to_cpu(*value) : fallback;
}

// The root's #address-cells and #size-cells, which reg and the ranges written here use: 1 or 2 each.
// `context` leads the error ("linux,elfcorehdr: ", or nothing).
struct RootCells {
  int address = 0, size = 0;
};
purgatory::host::Result<RootCells> root_cells(const void* fdt, std::string_view context) {
  const RootCells cells{fdt_address_cells(fdt, 0), fdt_size_cells(fdt, 0)};
  if (cells.address < 1 || cells.address > 2 || cells.size < 1 || cells.size > 2) {
    return Error{fmt::format("device tree: {}the root's #address-cells/#size-cells ({}/{}) are not 1 or 2", context,
                             cells.address, cells.size)};
  }
  return cells;
}

// `value` as `count` big-endian cells (1 or 2), appended.
void append_cells(std::vector<fdt32_t>& cells, std::uint64_t value, int count) {
  if (count == 2) cells.push_back(cpu_to_fdt32(static_cast<std::uint32_t>(value >> 32)));
  cells.push_back(cpu_to_fdt32(static_cast<std::uint32_t>(value)));
}

using Ranges = std::vector<std::pair<std::uint64_t, std::uint64_t>>;  // [start, end), sorted, disjoint

// The parts of [start, end) inside `usable`, each appended as <address size> in the given cells.
// Returns how many.
std::uint64_t append_usable_parts(std::vector<fdt32_t>& cells, std::uint64_t start, std::uint64_t end,
                                  const Ranges& usable, RootCells root) {
  std::uint64_t parts = 0;
  for (const auto& [usable_start, usable_end] : usable) {
    const std::uint64_t from = std::max(start, usable_start), to = std::min(end, usable_end);
    if (from >= to) continue;
    append_cells(cells, from, root.address);
    append_cells(cells, to - from, root.size);
    ++parts;
  }
  return parts;
}

// linux,usable-memory on every memory node: the parts of its reg inside `usable`, <0 0> if none (the
// kernel then ignores the node), in the root's cells as reg is. Hot-pluggable memory is not in these
// nodes: drconf_usable_memory() covers it.
std::optional<Error> set_usable_memory(void* fdt, const Ranges& usable) {
  const auto root = root_cells(fdt, "");
  if (!root) return root.error();
  const int address_cells = root->address, size_cells = root->size;
  bool any = false;
  for (int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7); node >= 0;
       node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory", 7)) {
    int length = 0;
    const auto* reg = static_cast<const fdt32_t*>(fdt_getprop(fdt, node, "reg", &length));
    const int entry = (address_cells + size_cells) * 4;
    if (!reg || length <= 0 || length % entry != 0) {
      return Error{fmt::format("device tree: memory node {} has no reg of <address size> entries",
                               fdt_get_name(fdt, node, nullptr))};
    }
    std::vector<fdt32_t> cells;
    for (int at = 0; at < length / 4; at += address_cells + size_cells) {
      const std::uint64_t start = read_cells(reg + at, address_cells);
      const std::uint64_t end = start + read_cells(reg + at + address_cells, size_cells);
      append_usable_parts(cells, start, end, usable, *root);
    }
    if (cells.empty()) {
      append_cells(cells, 0, address_cells);
      append_cells(cells, 0, size_cells);
    } else {
      any = true;
    }
    const int result = fdt_setprop(fdt, node, "linux,usable-memory", cells.data(), static_cast<int>(cells.size() * 4));
    if (result < 0) return Error{fmt::format("device tree: linux,usable-memory: {}", fdt_strerror(result))};
  }
  if (!any) return Error{"device tree: no memory node covers the crash kernel's memory"};
  return std::nullopt;
}

// Hot-pluggable memory (/ibm,dynamic-reconfiguration-memory, as PowerVM and QEMU's pseries with
// maxmem give) is listed as logical memory blocks (LMBs) of ibm,lmb-size bytes each, not as memory
// nodes. The crash kernel learns which parts it may use from linux,drconf-usable-memory: for each LMB
// that is assigned to the partition and not reserved, in the order listed, a count (root #size-cells)
// and that many <address size> parts. The kernel reads a count for those LMBs only and skips the others
// (Linux, arch/powerpc/kernel/prom.c early_init_drmem_lmb() and mm/numa.c numa_setup_drmem_lmb()),
// so none is written for them. Listed as ibm,dynamic-memory (one entry per LMB: address, DRC index,
// reserved, associativity index, flags) or ibm,dynamic-memory-v2 (sets of consecutive LMBs: count,
// first address, first DRC index, associativity index, flags); the kernel reads the first if both are
// there. Returns nothing when the tree has no such node.
constexpr std::uint32_t drconf_assigned = 0x8, drconf_reserved = 0x80;
constexpr std::uint64_t drconf_lmbs_at_most = std::uint64_t{1} << 24;  // 4 PiB of 256 MiB blocks

purgatory::host::Result<std::optional<std::vector<fdt32_t>>> drconf_usable_memory(const void* fdt, const Ranges& usable) {
  const int node = fdt_path_offset(fdt, "/ibm,dynamic-reconfiguration-memory");
  if (node < 0) return std::optional<std::vector<fdt32_t>>{};
  const auto root = root_cells(fdt, "ibm,dynamic-reconfiguration-memory: ");
  if (!root) return root.error();
  const auto property = [&](const char* name) {
    int length = 0;
    const auto* value = static_cast<const fdt32_t*>(fdt_getprop(fdt, node, name, &length));
    return std::pair{value, value ? length / 4 : 0};
  };
  const auto problem = [](std::string_view what) {
    return Error{fmt::format("device tree: /ibm,dynamic-reconfiguration-memory: {}", what)};
  };
  const auto [lmb_size_cells, lmb_size_count] = property("ibm,lmb-size");
  if (!lmb_size_cells || lmb_size_count != root->size) return problem("no ibm,lmb-size of #size-cells cells");
  const std::uint64_t lmb_size = read_cells(lmb_size_cells, root->size);
  if (lmb_size == 0) return problem("ibm,lmb-size is 0");

  auto [entries, cell_count] = property("ibm,dynamic-memory");
  const bool version_2 = entries == nullptr;
  if (version_2) std::tie(entries, cell_count) = property("ibm,dynamic-memory-v2");
  const char* name = version_2 ? "ibm,dynamic-memory-v2" : "ibm,dynamic-memory";
  if (!entries || cell_count < 1) return problem("neither ibm,dynamic-memory nor ibm,dynamic-memory-v2 lists the blocks");
  const std::uint64_t listed = fdt32_to_cpu(entries[0]);
  // v1: address, DRC index, reserved, associativity index, flags; v2: count, address, DRC, associativity, flags
  const auto entry_cells = static_cast<std::uint64_t>(root->address) + 4;
  if (static_cast<std::uint64_t>(cell_count - 1) != listed * entry_cells) {
    return problem(fmt::format("{} says {} entries of {} cells but holds {} cells", name, listed, entry_cells, cell_count - 1));
  }
  std::vector<fdt32_t> cells;
  std::uint64_t lmbs = 0;
  for (std::uint64_t i = 0; i < listed; ++i) {
    const fdt32_t* entry = entries + 1 + i * entry_cells;
    const std::uint64_t in_set = version_2 ? fdt32_to_cpu(entry[0]) : 1;
    const std::uint64_t first = read_cells(entry + (version_2 ? 1 : 0), root->address);
    const std::uint32_t flags = fdt32_to_cpu(entry[entry_cells - 1]);
    lmbs += in_set;
    if (lmbs > drconf_lmbs_at_most) return problem(fmt::format("{} lists more than {} blocks", name, drconf_lmbs_at_most));
    if (in_set != 0 && (lmb_size > (UINT64_MAX - first) / in_set)) {
      return problem(fmt::format("{}: blocks from {:#x} run past the end of the address space", name, first));
    }
    if (!(flags & drconf_assigned) || (flags & drconf_reserved)) continue;  // the kernel reads no count for these
    for (std::uint64_t lmb = 0; lmb < in_set; ++lmb) {
      const std::uint64_t start = first + lmb * lmb_size;
      std::vector<fdt32_t> parts;
      append_cells(cells, append_usable_parts(parts, start, start + lmb_size, usable, *root), root->size);
      cells.insert(cells.end(), parts.begin(), parts.end());
    }
  }
  return std::optional{std::move(cells)};
}

// A header libfdt accepts, for a tree no larger than the bytes it is in.
bool header_holds(std::span<const std::byte> tree) {
  return tree.size() >= sizeof(fdt_header) && fdt_check_header(tree.data()) == 0 && fdt_totalsize(tree.data()) <= tree.size();
}

}  // namespace

std::optional<std::pair<std::uint64_t, std::uint64_t>> rtas_range(std::span<const std::byte> tree) {
  const void* fdt = tree.data();
  if (device_tree_problem(tree)) return std::nullopt;  // only a tree sound throughout is read
  const int rtas = fdt_path_offset(fdt, "/rtas");
  if (rtas < 0) return std::nullopt;
  const std::uint32_t base = u32_property(fdt, rtas, "linux,rtas-base", 0), size = u32_property(fdt, rtas, "rtas-size", 0);
  if (base == 0 || size == 0) return std::nullopt;
  return std::pair<std::uint64_t, std::uint64_t>{base, std::uint64_t{base} + size};
}

std::optional<std::uint32_t> rtas_token(std::span<const std::byte> tree, const char* service) {
  const void* fdt = tree.data();
  if (device_tree_problem(tree)) return std::nullopt;  // only a tree sound throughout is read
  const int rtas = fdt_path_offset(fdt, "/rtas");
  if (rtas < 0) return std::nullopt;
  const std::uint32_t token = u32_property(fdt, rtas, service, 0);
  if (token == 0) return std::nullopt;
  return token;
}

std::optional<std::string> device_tree_problem(std::span<const std::byte> tree) {
  if (!header_holds(tree)) return "not a valid flattened device tree";
  // Every node, property and name checked once here, so that what reads the tree later can trust its
  // offsets and lengths.
  if (const int problem = fdt_check_full(tree.data(), tree.size()); problem != 0) {
    return fmt::format("not a valid flattened device tree: {}", fdt_strerror(problem));
  }
  return std::nullopt;
}

purgatory::host::Result<std::vector<std::byte>> read_device_tree(const std::string& path) {
  // A read error is reported, not taken for the end of the tree; the limit is the format's own (its
  // header's sizes are 32-bit), far above any real tree.
  auto read = purgatory::host::read_file(path, UINT32_MAX);
  if (!read) return Error{fmt::format("{} (the running kernel's device tree)", read.error().message)};
  if (const auto problem = device_tree_problem(*read)) return Error{fmt::format("{} is {}", path, *problem)};
  return std::move(read.value());
}

purgatory::host::Result<std::vector<std::byte>> update_chosen(std::span<const std::byte> tree, const ChosenUpdate& update) {
  if (!header_holds(tree)) return Error{"not a device tree"};
  // Hot-pluggable memory's usable parts, made from the tree as it is (their size decides the room).
  std::optional<std::vector<fdt32_t>> drconf_usable;
  if (update.usable_memory_ranges) {
    auto made = drconf_usable_memory(tree.data(), *update.usable_memory_ranges);
    if (!made) return made.error();
    drconf_usable = std::move(made.value());
  }
  // Room for the new properties: bootargs plus a few fixed-size ones, and the crash kernel's memory.
  const std::size_t ranges = update.usable_memory_ranges ? update.usable_memory_ranges->size() : 0;
  const std::size_t drconf_bytes = drconf_usable ? drconf_usable->size() * sizeof(fdt32_t) + 64 : 0;
  std::vector<std::byte> copy(fdt_totalsize(tree.data()) + update.bootargs.size() + 4096 + 16 * ranges * 64 +
                              16 * update.reserve.size() + drconf_bytes);
  auto* fdt = copy.data();
  auto check = [](int result, const char* what) -> std::optional<Error> {
    if (result < 0) return Error{fmt::format("device tree: {}: {}", what, fdt_strerror(result))};
    return std::nullopt;
  };
  if (auto error = check(fdt_open_into(tree.data(), fdt, static_cast<int>(copy.size())), "open")) return *error;
  int chosen = fdt_path_offset(fdt, "/chosen");
  if (chosen == -FDT_ERR_NOTFOUND) chosen = fdt_add_subnode(fdt, 0, "chosen");
  if (auto error = check(chosen, "/chosen")) return *error;
  // (fdt_setprop_string's length arithmetic is libfdt's int; our command lines are far below INT_MAX.)
  const int bootargs_size = static_cast<int>(update.bootargs.size() + 1);
  if (auto error = check(fdt_setprop(fdt, chosen, "bootargs", update.bootargs.c_str(), bootargs_size), "bootargs")) {
    return *error;
  }
  if (update.initrd) {
    if (auto error = check(fdt_setprop_u64(fdt, chosen, "linux,initrd-start", update.initrd->first), "initrd")) return *error;
    if (auto error = check(fdt_setprop_u64(fdt, chosen, "linux,initrd-end", update.initrd->second), "initrd")) return *error;
  } else {
    fdt_delprop(fdt, chosen, "linux,initrd-start");
    fdt_delprop(fdt, chosen, "linux,initrd-end");
  }
  // <address size> in the root's cells, as the kernel reads these two (of_flat_dt_translate-free).
  const auto set_ranges = [&](const char* name,
                              std::span<const std::pair<std::uint64_t, std::uint64_t>> address_sizes) -> std::optional<Error> {
    const auto root = root_cells(fdt, fmt::format("{}: ", name));
    if (!root) return root.error();
    std::vector<fdt32_t> cells;
    for (const auto& [address, size] : address_sizes) {
      if ((root->address == 1 && address >> 32) || (root->size == 1 && size >> 32)) {
        return Error{fmt::format("device tree: {}: {:#x}+{:#x} does not fit the root's 32-bit cells", name, address, size)};
      }
      append_cells(cells, address, root->address);
      append_cells(cells, size, root->size);
    }
    return check(fdt_setprop(fdt, chosen, name, cells.data(), static_cast<int>(cells.size() * sizeof(fdt32_t))), name);
  };
  if (update.elfcorehdr) {
    const std::pair<std::uint64_t, std::uint64_t> header[] = {*update.elfcorehdr};
    if (auto error = set_ranges("linux,elfcorehdr", header)) return *error;
  }
  if (!update.usable_memory.empty()) {
    if (update.usable_memory.size() > 2) {
      return Error{fmt::format("device tree: linux,usable-memory-range: {} ranges, and Linux reads at most 2",
                               update.usable_memory.size())};
    }
    std::vector<std::pair<std::uint64_t, std::uint64_t>> address_size;
    for (const auto& [start, end] : update.usable_memory) address_size.emplace_back(start, end - start);
    if (auto error = set_ranges("linux,usable-memory-range", address_size)) return *error;
  }
  if (update.usable_memory_ranges) {
    if (auto error = set_usable_memory(fdt, *update.usable_memory_ranges)) return *error;
  }
  if (drconf_usable) {
    // Present even if empty (no block assigned): the kernel then knows it is a crash kernel here too.
    const int node = fdt_path_offset(fdt, "/ibm,dynamic-reconfiguration-memory");
    if (auto error = check(fdt_setprop(fdt, node, "linux,drconf-usable-memory", drconf_usable->data(),
                                       static_cast<int>(drconf_usable->size() * sizeof(fdt32_t))),
                           "linux,drconf-usable-memory")) {
      return *error;
    }
  }
  for (const auto& [address, size] : update.reserve) {
    if (auto error = check(fdt_add_mem_rsv(fdt, address, size), "memory reserve map")) return *error;
  }
  if (update.kaslr_seed && fdt_getprop(fdt, chosen, "kaslr-seed", nullptr)) {
    if (auto error = check(fdt_setprop_u64(fdt, chosen, "kaslr-seed", *update.kaslr_seed), "kaslr-seed")) return *error;
  }
  if (auto error = check(fdt_pack(fdt), "pack")) return *error;
  copy.resize(fdt_totalsize(fdt));
  return copy;
}

std::optional<purgatory_console> console_from_device_tree(std::span<const std::byte> tree) {
  const void* fdt = tree.data();
  if (device_tree_problem(tree)) return std::nullopt;  // only a tree sound throughout is read
  const int chosen = fdt_path_offset(fdt, "/chosen");
  if (chosen < 0) return std::nullopt;
  int length = 0;
  const char* path = static_cast<const char*>(fdt_getprop(fdt, chosen, "stdout-path", &length));
  if (!path) path = static_cast<const char*>(fdt_getprop(fdt, chosen, "linux,stdout-path", &length));
  if (!path || length < 2) return std::nullopt;
  // The property's bytes only: a tree may hold a string without its NUL.
  const std::string_view full(path, strnlen(path, static_cast<std::size_t>(length)));
  const std::string_view node_path = full.substr(0, full.find(':'));  // "path:options"
  const int node = fdt_path_offset_namelen(fdt, node_path.data(), static_cast<int>(node_path.size()));
  if (node < 0) return std::nullopt;

  purgatory_console console{};
  const auto address = first_reg_address(fdt, node);
  if (!address) return std::nullopt;
  if (fdt_node_check_compatible(fdt, node, "arm,pl011") == 0) {
    console.kind = PURGATORY_CONSOLE_PL011;
  } else if (fdt_node_check_compatible(fdt, node, "ns16550a") == 0 || fdt_node_check_compatible(fdt, node, "ns16550") == 0) {
    console.kind = PURGATORY_CONSOLE_8250_MMIO;
    console.register_shift = static_cast<std::uint8_t>(u32_property(fdt, node, "reg-shift", 0));
    console.access_width = static_cast<std::uint8_t>(u32_property(fdt, node, "reg-io-width", 1));
  } else if (fdt_node_check_compatible(fdt, node, "hvterm1") == 0) {
    console.kind = PURGATORY_CONSOLE_HVC;
  } else {
    return std::nullopt;
  }
  console.base = *address;
  return console;
}

}  // namespace kexec_loader
