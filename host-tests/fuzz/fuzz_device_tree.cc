// SPDX-License-Identifier: MIT
// libFuzzer target: kexec-loader's device tree edits (tools/kexec-loader/device_tree.cc) over hostile
// trees, as `--dtb FILE` can give them. An input that starts with the FDT magic is a whole tree (seeded
// with QEMU's arm64 virt and ppc64 pseries trees); any other input is the contents of the properties a
// crash load reads, set into a small well-formed tree: the root's cells, memory nodes' reg,
// /ibm,dynamic-reconfiguration-memory's block lists, /chosen's stdout-path and a UART's, /rtas. Every
// tree goes through read_device_tree()'s checks (device_tree_problem), then every edit and lookup; an edit that succeeds
// must give a tree libfdt checks in full. Any crash, sanitizer report or invalid output fails.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>
#include <vector>

#include "device_tree.h"

extern "C" {
#include <libfdt.h>
}

using namespace kexec_loader;

namespace {

void set_bytes(std::vector<std::byte>& tree, int node, const char* name, const std::vector<std::uint8_t>& bytes) {
  fdt_setprop(tree.data(), node, name, bytes.data(), static_cast<int>(bytes.size()));
}

// A small tree with the nodes the edits read, their properties' bytes taken from the input.
std::vector<std::byte> structured_tree(FuzzedDataProvider& input) {
  std::vector<std::byte> tree(64 * 1024);
  void* fdt = tree.data();
  fdt_create_empty_tree(fdt, static_cast<int>(tree.size()));
  fdt_setprop_u32(fdt, 0, "#address-cells", input.ConsumeIntegralInRange<std::uint32_t>(0, 3));
  fdt_setprop_u32(fdt, 0, "#size-cells", input.ConsumeIntegralInRange<std::uint32_t>(0, 3));
  for (int i = input.ConsumeIntegralInRange(0, 3); i > 0; --i) {
    const int memory = fdt_add_subnode(fdt, 0, ("memory@" + std::to_string(i)).c_str());
    fdt_setprop_string(fdt, memory, "device_type", "memory");
    set_bytes(tree, memory, "reg", input.ConsumeBytes<std::uint8_t>(input.ConsumeIntegralInRange(0, 64)));
  }
  if (input.ConsumeBool()) {
    const int drconf = fdt_add_subnode(fdt, 0, "ibm,dynamic-reconfiguration-memory");
    set_bytes(tree, drconf, "ibm,lmb-size", input.ConsumeBytes<std::uint8_t>(input.ConsumeIntegralInRange(0, 12)));
    const char* list = input.ConsumeBool() ? "ibm,dynamic-memory" : "ibm,dynamic-memory-v2";
    set_bytes(tree, drconf, list, input.ConsumeBytes<std::uint8_t>(input.ConsumeIntegralInRange(0, 512)));
  }
  const int uart = fdt_add_subnode(fdt, 0, "uart@9000000");
  const char* compatible = input.PickValueInArray({"arm,pl011", "ns16550a", "hvterm1", "x"});  // once: a macro follows
  fdt_setprop_string(fdt, uart, "compatible", compatible);
  set_bytes(tree, uart, "reg", input.ConsumeBytes<std::uint8_t>(input.ConsumeIntegralInRange(0, 16)));
  set_bytes(tree, uart, "reg-shift", input.ConsumeBytes<std::uint8_t>(input.ConsumeIntegralInRange(0, 8)));
  const int chosen = fdt_add_subnode(fdt, 0, "chosen");
  set_bytes(tree, chosen, "stdout-path", input.ConsumeBytes<std::uint8_t>(input.ConsumeIntegralInRange(0, 32)));
  const int rtas = fdt_add_subnode(fdt, 0, "rtas");
  set_bytes(tree, rtas, "linux,rtas-base", input.ConsumeBytes<std::uint8_t>(input.ConsumeIntegralInRange(0, 8)));
  set_bytes(tree, rtas, "rtas-size", input.ConsumeBytes<std::uint8_t>(input.ConsumeIntegralInRange(0, 8)));
  set_bytes(tree, rtas, "system-reboot", input.ConsumeBytes<std::uint8_t>(input.ConsumeIntegralInRange(0, 8)));
  fdt_pack(fdt);
  tree.resize(fdt_totalsize(fdt));
  return tree;
}

void require_valid(const purgatory::host::Result<std::vector<std::byte>>& edited) {
  if (edited && fdt_check_full(edited->data(), edited->size()) != 0) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const bool whole_tree = size >= 4 && data[0] == 0xd0 && data[1] == 0x0d && data[2] == 0xfe && data[3] == 0xed;
  const std::vector<std::byte> tree =
      whole_tree ? std::vector<std::byte>(reinterpret_cast<const std::byte*>(data), reinterpret_cast<const std::byte*>(data) + size)
                 : structured_tree(input);
  if (device_tree_problem(tree)) return 0;  // what read_device_tree refuses goes no further

  // The lookups a load makes.
  console_from_device_tree(tree);
  rtas_range(tree);
  rtas_token(tree, "system-reboot");
  // A normal load's /chosen, an arm64 crash kernel's and a ppc64 crash kernel's.
  require_valid(update_chosen(tree, {.bootargs = "console=ttyAMA0", .initrd = std::pair{0x48000000ull, 0x49000000ull}}));
  require_valid(update_chosen(tree, {.bootargs = "nr_cpus=1 reset_devices",
                                      .elfcorehdr = std::pair{0xbf000000ull, 0x10000ull},
                                      .usable_memory = {{0xa0000000ull, 0xc0000000ull}, {0x60000000ull, 0x68000000ull}}}));
  require_valid(update_chosen(tree, {.bootargs = "elfcorehdr=0x2000000",
                                      .usable_memory_ranges = std::vector<std::pair<std::uint64_t, std::uint64_t>>{
                                          {0, 0x40000000}, {0x7fff0000, 0x80000000}},
                                      .reserve = {{0x10000, 0x10000}, {0x30000000, 0x1000000}}}));
  return 0;
}
