// SPDX-License-Identifier: MIT
// kexec-loader: a minimal kexec-tools built on the purgatory SDK. It loads a sealed SDK purgatory and
// the next kernel (with its initrd, command line and boot data) with kexec_load(2), then reboots into
// it: the old kernel jumps to the purgatory, which checks every segment's SHA-256 and starts the next
// kernel, or refuses to.
//
//   x86_64   bzImage: boot_params (zero page) built here, memory map from /sys/firmware/memmap, rsi
//   arm64    Image: the running device tree (/sys/firmware/fdt) with /chosen updated, x0 = tree
//   ppc64    vmlinux (ELF): the same for the tree, r3 = tree, r4 = kernel; secondary CPUs released to
//            the next kernel's __secondary_hold
#include <sys/random.h>
#include <unistd.h>

#include <linux/kexec.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <purgatory/host/file.h>
#include <purgatory/host/image.h>
#include <purgatory/host/spec.h>

#include "boot_arm64.h"
#include "boot_ppc64.h"
#include "boot_x86_64.h"
#include "device_tree.h"
#include "kexec.h"
#include "memory_map.h"

namespace kexec_loader {
namespace {

using namespace purgatory::host;

#if defined(__x86_64__)
constexpr const char* machine = "x86_64";
constexpr std::uint64_t kexec_arch = KEXEC_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr const char* machine = "arm64";
constexpr std::uint64_t kexec_arch = KEXEC_ARCH_AARCH64;
#elif defined(__powerpc64__)
constexpr const char* machine = "ppc64";
constexpr std::uint64_t kexec_arch = KEXEC_ARCH_PPC64;
#else
#error "kexec-loader supports x86_64, arm64 and ppc64"
#endif

// The longest command line the kernel keeps, its NUL included: COMMAND_LINE_SIZE, which is 2048 on
// x86_64 (arch/x86/include/asm/setup.h), arm64 and powerpc (their uapi asm/setup.h).
constexpr std::size_t command_line_size = 2048;

struct Options {
  std::string purgatory, kernel, initrd, append, dtb = "/sys/firmware/fdt", console, on_failure = "halt";
  std::string corrupt_segment;
  bool dry_run = false;
  bool no_hardware_digest = false;
  bool verify_each_segment = false;
};

// A segment's bytes are hashed (page-rounded) and verified by the purgatory; kexec reserves and
// zero-fills `memory_size` from `address`. The zero-filled rest (a kernel's decompression space or
// .bss, up to tens of MiB) is not hashed: kexec writes only zeros there, and hashing them would make
// every kexec slower for nothing.
struct PlannedSegment {
  std::string name;
  std::uint64_t address = 0;
  std::vector<std::byte> bytes;
  std::uint64_t memory_size = 0;
};

// Everything about the next kernel: where its pieces go and how it is entered.
struct Plan {
  std::vector<PlannedSegment> segments;
  std::uint64_t entry = 0;
  std::map<std::string, std::uint64_t> registers;
  std::optional<purgatory_console> console;
  std::optional<std::uint64_t> ppc64_secondary_entry;
  std::uint32_t ppc64_flags = 0;
  std::optional<std::array<std::uint8_t, PURGATORY_PPC64_LOW_MEMORY_SIZE>> ppc64_low_memory;
  std::uint64_t floor = 0, ceiling = 0;  // where the purgatory may go too
};

std::uint64_t page_size() { return static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)); }

// The file, if it is at most `limit` bytes: its size is checked before anything is read.
Result<std::vector<std::byte>> read_named(const std::string& path, const char* what, std::uint64_t limit,
                                          const char* limit_reason) {
  const auto size = regular_file_size(path);
  if (!size) return Error{fmt::format("{}: {}", what, size.error().message)};
  if (*size && **size > limit) {
    return Error{fmt::format("{}: {} is {} bytes, more than {} ({} bytes)", what, path, **size, limit_reason, limit)};
  }
  auto bytes = read_file(path, limit);
  if (!bytes) return Error{fmt::format("{}: {}", what, bytes.error().message)};
  return bytes;
}

// Places a segment holding `bytes` (its memory at least `memory_size`), page-aligned.
Result<bool> add_segment(Plan& plan, Placer& placer, std::string name, std::vector<std::byte> bytes,
                         std::uint64_t memory_size, std::uint64_t alignment, std::optional<std::uint64_t> at = {}) {
  const std::uint64_t size = round_up(std::max<std::uint64_t>(memory_size, bytes.size()), page_size());
  std::uint64_t address = 0;
  if (at) {
    const auto taken = placer.take(*at, size, name);
    if (!taken) return taken.error();
    address = *at;
  } else {
    const auto placed = placer.place(size, std::max(alignment, page_size()), plan.floor, plan.ceiling, name);
    if (!placed) return placed.error();
    address = *placed;
  }
  plan.segments.push_back({std::move(name), address, std::move(bytes), size});
  return true;
}

#if !defined(__x86_64__)
std::uint64_t random_u64() {
  std::uint64_t value = 0;
  if (getrandom(&value, sizeof(value), 0) != sizeof(value)) value = 0x5eedULL ^ static_cast<std::uint64_t>(getpid());
  return value;
}
#endif

// The running system's memory: every range (x86_64: the firmware's map, for e820; elsewhere: RAM), and
// where the running kernel ends (0 if unknown).
struct Memory {
  std::vector<MemoryRange> ranges;
  std::uint64_t kernel_end = 0;
};

#if defined(__x86_64__)
Result<Memory> read_memory() {
  auto ranges = read_firmware_memmap();
  if (!ranges) return ranges.error();
  return Memory{std::move(ranges).value(), 0};
}

Result<Plan> plan_next_kernel(const Options& options, const std::vector<std::byte>& kernel_file,
                              const std::optional<std::vector<std::byte>>& initrd, const Memory& memory,
                              Placer& placer) {
  const auto image = x86_64::parse_bzimage(kernel_file);
  if (!image) return Error{"kernel: " + image.error().message};
  Plan plan;
  plan.floor = 16 << 20;           // clear of the legacy low megabytes and the kernel's own early use
  plan.ceiling = std::uint64_t{1} << 32;  // boot_params' 32-bit fields suffice, identity-mapped by kexec
  const auto kernel = x86_64::protected_mode_kernel(*image);
  auto added = add_segment(plan, placer, "kernel", {kernel.begin(), kernel.end()}, image->init_size, image->kernel_alignment);
  if (!added) return added.error();
  const std::uint64_t kernel_address = plan.segments.back().address;
  std::uint64_t initrd_address = 0, initrd_size = 0;
  if (initrd) {
    added = add_segment(plan, placer, "initrd", *initrd, initrd->size(), page_size());
    if (!added) return added.error();
    initrd_address = plan.segments.back().address;
    initrd_size = initrd->size();
  }
  // The zero page and command line: placed first with a dummy, then filled with their own address.
  const std::uint64_t params_size = x86_64::zero_page_size + options.append.size() + 1;
  const auto params_address = placer.place(round_up(params_size, page_size()), page_size(), plan.floor, plan.ceiling,
                                           "boot parameters");
  if (!params_address) return params_address.error();
  const auto params = x86_64::build_boot_params(
      *image, {*params_address, options.append, initrd_address, initrd_size, memory.ranges});
  if (!params) return params.error();
  plan.segments.push_back({"boot-params", *params_address, *params, round_up(params->size(), page_size())});

  plan.entry = kernel_address + x86_64::entry_offset_64;
  plan.registers = {{"rsi", *params_address}, {"rbx", 0}, {"rbp", 0}, {"rdi", 0}};
  purgatory_console console{};
  console.kind = PURGATORY_CONSOLE_8250_PIO;
  console.base = 0x3f8;  // COM1, as the firmware and old kernel left it
  plan.console = console;
  return plan;
}
#else
Result<Memory> read_memory() {
  auto iomem = read_iomem();
  if (!iomem) return iomem.error();
  return Memory{iomem->ram, iomem->kernel_end};
}

// arm64 and ppc64 share the device tree handling; they differ in the kernel format and entry state.
Result<Plan> plan_next_kernel(const Options& options, const std::vector<std::byte>& kernel_file,
                              const std::optional<std::vector<std::byte>>& initrd, const Memory& memory,
                              Placer& placer) {
  const auto tree = read_device_tree(options.dtb);
  if (!tree) return tree.error();
  Plan plan;
#if defined(__aarch64__)
  const auto image = arm64::parse_kernel_image(kernel_file);
  if (!image) return Error{"kernel: " + image.error().message};
  plan.floor = memory.ranges.front().start;
  plan.ceiling = memory.ranges.back().end;
  // The kernel at a 2 MiB-aligned base plus text_offset, image_size bytes from there.
  const auto base = placer.place(round_up(image->text_offset + image->image_size, page_size()),
                                 arm64::base_alignment, plan.floor, plan.ceiling, "kernel");
  if (!base) return base.error();
  const std::uint64_t kernel_address = *base + image->text_offset;
  plan.segments.push_back({"kernel", kernel_address, kernel_file, round_up(image->image_size, page_size())});
  plan.entry = kernel_address;
#else
  const auto kernel = ppc64::parse_vmlinux(kernel_file);
  if (!kernel) return Error{"kernel: " + kernel.error().message};
  // kexec_load refuses destinations below the running kernel's end; the purgatory and the kernel's
  // early code run in real mode, which reaches only the first memory range (the RMA).
  plan.floor = round_up(std::max<std::uint64_t>(memory.kernel_end, 0x10000000), page_size());
  plan.ceiling = memory.ranges.front().end;
  auto added = add_segment(plan, placer, "kernel", kernel->image, kernel->memory_size, page_size());
  if (!added) return added.error();
  const std::uint64_t kernel_address = plan.segments.back().address;
  plan.entry = kernel_address + kernel->entry_offset;
  // Linux's kexec copies the purgatory's first 0x100 bytes to physical 0 and sends the secondary CPUs to
  // 0x60; the purgatory restores those bytes from the next kernel's own first 256 before releasing the
  // secondaries to 0x60, so they wait in its __secondary_hold until it has copied itself down to 0.
  plan.ppc64_low_memory.emplace();  // zeros past a (very) short image, as kexec fills them
  for (std::size_t i = 0; i < plan.ppc64_low_memory->size() && i < kernel->image.size(); ++i) {
    (*plan.ppc64_low_memory)[i] = std::to_integer<std::uint8_t>(kernel->image[i]);
  }
  plan.ppc64_secondary_entry = 0x60;
  plan.ppc64_flags = PURGATORY_PPC64_SET_FDT_BOOT_CPU;
#endif
  std::optional<std::pair<std::uint64_t, std::uint64_t>> initrd_range;
  if (initrd) {
    auto added_initrd = add_segment(plan, placer, "initrd", *initrd, initrd->size(), page_size());
    if (!added_initrd) return added_initrd.error();
    initrd_range = {plan.segments.back().address, plan.segments.back().address + initrd->size()};
  }
  const auto updated = update_chosen(*tree, {options.append, initrd_range, random_u64()});
  if (!updated) return updated.error();
  auto added_tree = add_segment(plan, placer, "device-tree", *updated, updated->size(), page_size());
  if (!added_tree) return added_tree.error();
  const std::uint64_t tree_address = plan.segments.back().address;
#if defined(__aarch64__)
  plan.registers = {{"x0", tree_address}, {"x1", 0}, {"x2", 0}, {"x3", 0}};
#else
  plan.registers = {{"r3", tree_address}, {"r4", plan.segments.front().address}, {"r5", 0}};
#endif
  plan.console = console_from_device_tree(*tree);
  return plan;
}
#endif

int run(const Options& options) {
  auto fail = [](const std::string& message) {
    fmt::print(stderr, "kexec-loader: {}\n", message);
    return 1;
  };
  if (options.append.size() >= command_line_size) {
    return fail(fmt::format("--append: {} bytes; the kernel keeps at most {} (COMMAND_LINE_SIZE {}, with its NUL)",
                            options.append.size(), command_line_size - 1, command_line_size));
  }
  const auto purgatory_file = read_named(options.purgatory, "purgatory", image_file_limit, "any purgatory image");
  if (!purgatory_file) return fail(purgatory_file.error().message);
  const auto image = load_image(*purgatory_file);
  if (!image) return fail(fmt::format("purgatory {}: {}", options.purgatory, image.error().message));
  if (!image->header.arch_name().starts_with(machine)) {
    return fail(fmt::format("purgatory {} is for {}, this machine is {}", options.purgatory, image->header.arch_name(),
                            machine));
  }
  // What fits is known before any large file is read: nothing larger than the largest RAM range.
  const auto memory = read_memory();
  if (!memory) return fail(memory.error().message);
  std::uint64_t largest_ram = 0;
  for (const auto& range : memory->ranges) {
    if (range.type.empty() || range.type == "System RAM") largest_ram = std::max(largest_ram, range.end - range.start);
  }
  const auto kernel_file = read_named(options.kernel, "kernel", largest_ram, "the largest RAM range");
  if (!kernel_file) return fail(kernel_file.error().message);
  std::optional<std::vector<std::byte>> initrd;
  if (!options.initrd.empty()) {
    auto bytes = read_named(options.initrd, "initrd", largest_ram, "the largest RAM range");
    if (!bytes) return fail(bytes.error().message);
    initrd = std::move(bytes).value();
  }

  Placer placer(memory->ranges);
  auto planned = plan_next_kernel(options, *kernel_file, initrd, *memory, placer);
  if (!planned) return fail(planned.error().message);
  Plan& plan = planned.value();

  const std::uint64_t purgatory_size = round_up(image->header.memory_size, page_size());
  const auto purgatory_address = placer.place(purgatory_size, std::max(image->header.load_alignment, page_size()),
                                               plan.floor, plan.ceiling, "purgatory");
  if (!purgatory_address) return fail(purgatory_address.error().message);

  // What the purgatory hashes of each segment: its bytes, page-rounded (kexec zero-fills the rest).
  const auto hashed_size = [](const PlannedSegment& segment) { return round_up(segment.bytes.size(), page_size()); };
  SealRequest request;
  request.load_address = *purgatory_address;
  for (const auto& segment : plan.segments) request.segments.push_back({segment.address, segment.bytes, hashed_size(segment)});
  request.entry = plan.entry;
  request.registers = plan.registers;
  if (!options.console.empty()) {
    const auto console = parse_console_spec(options.console);
    if (!console) return fail(console.error().message);
    plan.console = *console;
  }
  if (plan.console) request.console = *plan.console;
  if (options.on_failure == "reset") request.flags |= PURGATORY_FLAG_RESET_ON_FAILURE;
  if (options.no_hardware_digest) request.flags |= PURGATORY_FLAG_NO_HARDWARE_DIGEST;
  if (options.verify_each_segment) request.flags |= PURGATORY_FLAG_VERIFY_EACH_SEGMENT;
  request.ppc64_secondary_entry = plan.ppc64_secondary_entry;
  request.ppc64_flags = plan.ppc64_flags;
  request.ppc64_low_memory = plan.ppc64_low_memory;
  const auto sealed = seal(*image, request);
  if (!sealed) return fail("sealing the purgatory: " + sealed.error().message);

  if (!options.corrupt_segment.empty()) {
    auto corrupted = std::find_if(plan.segments.begin(), plan.segments.end(),
                                  [&](const auto& segment) { return segment.name == options.corrupt_segment; });
    if (corrupted == plan.segments.end()) return fail("--test-corrupt-segment: no segment named " + options.corrupt_segment);
    corrupted->bytes[corrupted->bytes.size() / 2] ^= std::byte{0x01};
    fmt::print("kexec-loader: TEST: flipped one bit of segment {} after sealing\n", corrupted->name);
  }

  const std::uint64_t entry = *purgatory_address + image->header.entry_offset;
  fmt::print("kexec-loader: purgatory {} ({}) at {:#x}, entry {:#x}\n", options.purgatory, image->header.arch_name(),
             *purgatory_address, entry);
  for (const auto& segment : plan.segments) {
    fmt::print("kexec-loader: {:<12} {:#14x} {:>10} bytes\n", segment.name, segment.address, segment.bytes.size());
  }
  if (sealed->segments.size() != plan.segments.size()) {
    // Split into halves for two lanes (or ppc64 low memory added): the purgatory's segment numbers, as its
    // failure report uses them.
    fmt::print("kexec-loader: the purgatory checks {} segments{}:\n", sealed->segments.size(),
               checks_each_segment(image->header, request.flags) ? ", each by its own digest" : "");
    for (std::size_t i = 0; i < sealed->segments.size(); ++i) {
      const CheckedSegment& checked = sealed->segments[i];
      const std::string whose = checked.part == CheckedSegment::Part::low_memory
                                    ? "ppc64 low memory"
                                    : plan.segments[checked.loader_index].name +
                                          (checked.part == CheckedSegment::Part::first_half    ? ", first half"
                                           : checked.part == CheckedSegment::Part::second_half ? ", second half"
                                                                                               : "");
      fmt::print("kexec-loader:   {:>2}: {:#14x} {:>10} bytes ({})\n", i, checked.start, checked.size, whose);
    }
  }
  fmt::print("kexec-loader: next kernel entry {:#x}", plan.entry);
  for (const auto& [name, value] : plan.registers) fmt::print(" {}={:#x}", name, value);
  fmt::print("\n");
  std::fflush(stdout);
  if (options.dry_run) return 0;

  std::vector<KexecSegment> segments;
  for (const auto& segment : plan.segments) segments.push_back({segment.bytes, segment.address, segment.memory_size});
  segments.push_back({sealed->bytes, *purgatory_address, purgatory_size});
  const auto loaded = kexec_load(entry, segments, kexec_arch);
  if (!loaded) return fail(loaded.error().message);
  fmt::print("kexec-loader: loaded; rebooting into the purgatory\n");
  std::fflush(stdout);
  return fail(reboot_into_loaded_kernel().message);
}

}  // namespace
}  // namespace kexec_loader

int main(int argc, char** argv) {
  kexec_loader::Options options;
  CLI::App app{"kexec-loader: load an SDK purgatory and the next kernel with kexec_load(2), then reboot into it"};
  app.footer(
      "Exit status: 0 for --dry-run; 1 on any error (on success it does not return); 2 bad usage; 3 an\n"
      "internal error (a bug). Needs root.");
  app.set_version_flag("--version", PURGATORY_SDK_VERSION);
  app.add_option("--purgatory", options.purgatory, "the purgatory image (flat .bin)")->required();
  app.add_option("--kernel", options.kernel,
                 "the next kernel: x86_64 bzImage, arm64 Image (uncompressed), ppc64 vmlinux (ELF)")
      ->required();
  app.add_option("--initrd", options.initrd, "initial ramdisk for the next kernel");
  app.add_option("--append", options.append, "the next kernel's command line");
  app.add_option("--dtb", options.dtb, "arm64/ppc64: the device tree to start from")->capture_default_str();
  app.add_option("--console", options.console,
                 "the purgatory's console (purgatory-tool seal --console syntax); default: COM1 on x86_64, "
                 "the device tree's stdout-path elsewhere");
  app.add_option("--on-failure", options.on_failure, "halt or reset when a digest does not match")
      ->check(CLI::IsMember({"halt", "reset"}))
      ->capture_default_str();
  app.add_flag("--no-hardware-digest", options.no_hardware_digest,
               "the purgatory hashes with its portable code even where the CPU has SHA-256 instructions");
  app.add_flag("--verify-each-segment", options.verify_each_segment,
               "the purgatory checks each segment by its own digest, two at once where it can (x86_64; "
               "segments of 1 MiB or more are then sealed as two halves); other images check the "
               "all-segments digest as usual");
  app.add_flag("--dry-run", options.dry_run, "print the plan, load nothing");
  app.add_option("--test-corrupt-segment", options.corrupt_segment,
                 "TEST ONLY: flip one bit of this segment (kernel, initrd, boot-params, device-tree) after sealing, "
                 "so that the purgatory must refuse to boot");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    fmt::print(stderr, "kexec-loader: {}\nRun 'kexec-loader --help'.\n", error.what());
    return 2;
  }
  try {
    return kexec_loader::run(options);
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "kexec-loader: out of memory\n");
    return 1;
  } catch (const std::exception& error) {
    fmt::print(stderr, "kexec-loader: internal error: {}\n", error.what());
    return 3;
  }
}
