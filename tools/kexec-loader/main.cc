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
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include <linux/kexec.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <purgatory/host/elf.h>
#include <purgatory/host/file.h>
#include <purgatory/host/image.h>
#include <purgatory/host/spec.h>

#include "boot_arm64.h"
#include "boot_ppc64.h"
#include "boot_x86_64.h"
#include "crash_dump.h"
#include "device_tree.h"
#include "kexec.h"
#include "memory_map.h"
#include "vmcore.h"

namespace kexec_loader {
namespace {

using namespace purgatory::host;

// `running_arch` is the running kernel's, whose byte order the ELF core header takes.
#if defined(__x86_64__)
constexpr Arch running_arch = Arch::x86_64;
constexpr std::uint64_t kexec_arch = KEXEC_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr Arch running_arch = Arch::arm64;
constexpr std::uint64_t kexec_arch = KEXEC_ARCH_AARCH64;
#elif defined(__powerpc64__)
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
constexpr Arch running_arch = Arch::ppc64;
#else
constexpr Arch running_arch = Arch::ppc64le;
#endif
constexpr std::uint64_t kexec_arch = KEXEC_ARCH_PPC64;
#else
#error "kexec-loader supports x86_64, arm64 and ppc64"
#endif

// The longest command line the kernel keeps, its NUL included: COMMAND_LINE_SIZE, which is 2048 on
// x86_64 (arch/x86/include/asm/setup.h), arm64 and powerpc (their uapi asm/setup.h).
constexpr std::size_t command_line_size = 2048;

struct Options {
  std::string purgatory, kernel, initrd, append, dtb = "/sys/firmware/fdt", console, on_failure;
  std::string corrupt_segment;
  std::string hold_marker;  // --test-hold-marker
  // Where the running kernel publishes what a load needs (options, so a plan can be made elsewhere).
  std::string iomem = "/proc/iomem", firmware_memmap = "/sys/firmware/memmap", sys = "/sys", kcore = "/proc/kcore";
  std::string live_device_tree = "/proc/device-tree";
  bool crash = false, unload = false, status = false;
  std::string vmcore;              // --describe-vmcore
  std::vector<std::string> finds;  // --find
  std::vector<std::string> log_finds;  // --find-in-log
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
  std::vector<purgatory_copy> copies;    // made by the purgatory after verification (kdump backups)
  purgatory_reset reset{};               // how the purgatory resets, if told to on a mismatch
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

// The running system's memory: every range (x86_64: the firmware's map, for e820; elsewhere: RAM, from
// /proc/iomem, which is then kept whole: a crash load reads its reservation too).
struct Memory {
  std::vector<MemoryRange> ranges;
  std::optional<IomemSummary> iomem;
  // Where the running kernel ends: 0 if unknown (no /proc/iomem read, or it does not show the kernel).
  std::uint64_t kernel_end() const { return iomem ? iomem->kernel_end : 0; }
};

// A crash load: everything goes inside the reservation; the crash kernel is told where the ELF core
// header is, and (x86_64) given a memory map of the reservation and the firmware's tables only.
struct CrashLoad {
  std::vector<MemoryRange> reservation;
  std::vector<MemoryRange> crash_kernel_memory;  // x86_64: its e820
  std::uint64_t core_header_address = 0, core_header_size = 0;
  std::optional<std::uint64_t> backup_address;   // ppc64: where the purgatory saves the first 64 KiB
};

#if defined(__x86_64__)
Result<Memory> read_memory(const Options& options) {
  auto ranges = read_firmware_memmap(options.firmware_memmap);
  if (!ranges) return ranges.error();
  return Memory{std::move(ranges).value(), std::nullopt};
}

Result<Plan> plan_next_kernel(const Options& options, const std::vector<std::byte>& kernel_file,
                              std::optional<std::vector<std::byte>> initrd, const Memory& memory,
                              const std::optional<CrashLoad>& crash, Placer& placer) {
  const auto image = x86_64::parse_bzimage(kernel_file);
  if (!image) return Error{"kernel: " + image.error().message};
  Plan plan;
  plan.floor = 16 << 20;           // clear of the legacy low megabytes and the kernel's own early use
  plan.ceiling = std::uint64_t{1} << 32;  // boot_params' 32-bit fields suffice, identity-mapped by kexec
  if (crash) {
    plan.floor = crash->reservation.front().start;
    plan.ceiling = std::min(plan.ceiling, crash->reservation.back().end);
    if (plan.floor >= plan.ceiling) {
      return Error{fmt::format("the crash kernel memory starts at {:#x}, above 4 GiB, where this loader places "
                               "nothing on x86_64 (boot_params' 32-bit fields): reserve it below 4 GiB "
                               "(crashkernel=SIZE without ,high)", plan.floor)};
    }
  }
  const auto kernel = x86_64::protected_mode_kernel(*image);
  auto added = add_segment(plan, placer, "kernel", {kernel.begin(), kernel.end()}, image->init_size, image->kernel_alignment);
  if (!added) return added.error();
  const std::uint64_t kernel_address = plan.segments.back().address;
  std::uint64_t initrd_address = 0, initrd_size = 0;
  if (initrd) {
    initrd_size = initrd->size();
    added = add_segment(plan, placer, "initrd", std::move(*initrd), initrd_size, page_size());
    if (!added) return added.error();
    initrd_address = plan.segments.back().address;
  }
  // The zero page and command line: placed first with a dummy, then filled with their own address.
  const std::uint64_t params_size = x86_64::zero_page_size + options.append.size() + 1;
  const auto params_address = placer.place(round_up(params_size, page_size()), page_size(), plan.floor, plan.ceiling,
                                           "boot parameters");
  if (!params_address) return params_address.error();
  const auto params = x86_64::build_boot_params(
      *image, {*params_address, options.append, initrd_address, initrd_size,
               crash ? crash->crash_kernel_memory : memory.ranges});
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
Result<Memory> read_memory(const Options& options) {
  auto iomem = read_iomem(options.iomem);
  if (!iomem) return iomem.error();
  return Memory{iomem->ram, std::move(iomem).value()};
}

// arm64 and ppc64 share the device tree handling; they differ in the kernel format and entry state.
Result<Plan> plan_next_kernel(const Options& options, const std::vector<std::byte>& kernel_file,
                              std::optional<std::vector<std::byte>> initrd, const Memory& memory,
                              const std::optional<CrashLoad>& crash, Placer& placer) {
  const auto tree = read_device_tree(options.dtb);
  if (!tree) return tree.error();
  Plan plan;
#if defined(__aarch64__)
  const auto image = arm64::parse_kernel_image(kernel_file);
  if (!image) return Error{"kernel: " + image.error().message};
  plan.floor = crash ? crash->reservation.front().start : memory.ranges.front().start;
  plan.ceiling = crash ? crash->reservation.back().end : memory.ranges.back().end;
  // The kernel at a 2 MiB-aligned base plus text_offset, image_size bytes from there.
  const auto base = placer.place(round_up(image->text_offset + image->image_size, page_size()),
                                 arm64::base_alignment, plan.floor, plan.ceiling, "kernel");
  if (!base) return base.error();
  const std::uint64_t kernel_address = *base + image->text_offset;
  plan.segments.push_back({"kernel", kernel_address, kernel_file, round_up(image->image_size, page_size())});
  plan.entry = kernel_address;
#else
  auto parsed = ppc64::parse_vmlinux(kernel_file);
  if (!parsed) return Error{"kernel: " + parsed.error().message};
  ppc64::Vmlinux* kernel = &parsed.value();
  // kexec_load refuses destinations below the running kernel's end; the purgatory and the kernel's
  // early code run in real mode, which reaches only the first memory range (the RMA).
  plan.floor = round_up(std::max<std::uint64_t>(memory.kernel_end(), 0x10000000), page_size());
  plan.ceiling = memory.ranges.front().end;
  if (crash) {
    // The crash kernel runs where it is loaded, first in the reservation, and puts only its interrupt
    // vectors at 0, whose previous bytes the purgatory saves first.
    plan.floor = crash->reservation.front().start;
    plan.ceiling = std::min(crash->reservation.front().end, plan.ceiling);
    if (auto patched = ppc64::run_at_load_address(*kernel); !patched) return Error{"kernel: " + patched.error().message};
    plan.copies.push_back({0, *crash->backup_address, ppc64_backup_size});
  }
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
  // A reset goes through RTAS's system-reboot, whose token only the firmware's tree knows.
  if (const auto token = rtas_token(*tree, "system-reboot")) plan.reset.token = *token;
  plan.ppc64_flags = PURGATORY_PPC64_SET_FDT_BOOT_CPU;
#endif
  std::optional<std::pair<std::uint64_t, std::uint64_t>> initrd_range;
  if (initrd) {
    const std::uint64_t initrd_size = initrd->size();
    auto added_initrd = add_segment(plan, placer, "initrd", std::move(*initrd), initrd_size, page_size());
    if (!added_initrd) return added_initrd.error();
    initrd_range = {plan.segments.back().address, plan.segments.back().address + initrd_size};
  }
  ChosenUpdate chosen;
  chosen.bootargs = options.append;
  chosen.initrd = initrd_range;
  chosen.kaslr_seed = random_u64();
  if (crash) {
    chosen.elfcorehdr = {crash->core_header_address, crash->core_header_size};
#if defined(__aarch64__)
    // Every part of the reservation (crashkernel=...,high has a low one too): the placer may use each.
    for (const auto& range : crash->reservation) chosen.usable_memory.emplace_back(range.start, range.end);
#else
    // As Linux's own ppc64 kdump loader: the crash kernel may use [0, reservation end) (early boot on
    // guests fails without the low memory) and RTAS, while the dying kernel's memory above the first
    // 64 KiB, the backup and the core header are in the reserve map.
    const std::uint64_t start = crash->reservation.front().start, end = crash->reservation.front().end;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> usable = {{0, end}};
    if (const auto rtas = rtas_range(*tree)) usable.push_back(*rtas);
    chosen.usable_memory_ranges = usable;
    if (start > ppc64_backup_size) chosen.reserve.push_back({ppc64_backup_size, start - ppc64_backup_size});
    chosen.reserve.push_back({*crash->backup_address, ppc64_backup_size});
    chosen.reserve.push_back({crash->core_header_address, round_up(crash->core_header_size, page_size())});
#endif
  }
  const auto updated = update_chosen(*tree, chosen);
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

int fail(const std::string& message) {
  fmt::print(stderr, "kexec-loader: {}\n", message);
  return 1;
}

// A request that cannot be carried out as asked (a missing, conflicting or malformed option): exit 2.
int usage_error(const std::string& message) {
  fmt::print(stderr, "kexec-loader: {}\nRun 'kexec-loader --help'.\n", message);
  return 2;
}

// --status: 0 when a kernel (with --crash: a crash kernel) is loaded, 1 when not, as kexec-tools'.
int report_status(const Options& options) {
  const std::string file = options.sys + (options.crash ? "/kernel/kexec_crash_loaded" : "/kernel/kexec_loaded");
  const std::string text = read_text(file);
  if (text != "0" && text != "1") return fail(fmt::format("{}: unreadable (a kernel without CONFIG_KEXEC?)", file));
  fmt::print("kexec-loader: {} {}loaded\n", options.crash ? "crash kernel" : "kernel", text == "1" ? "" : "not ");
  return text == "1" ? 0 : 1;
}

// The ELF core header of a crash load: the CPUs' notes, VMCOREINFO, and RAM outside the reservation.
Result<std::vector<std::byte>> core_header_for(const Options& options, const IomemSummary& iomem,
                                               std::optional<std::uint64_t> backup) {
  auto notes = read_crash_notes(options.sys + "/devices/system/cpu");
  if (!notes) return notes.error();
  auto vmcoreinfo = read_vmcoreinfo(options.sys + "/kernel/vmcoreinfo");
  if (!vmcoreinfo) return vmcoreinfo.error();
  CoreHeaderRequest request{running_arch, std::move(notes).value(), *vmcoreinfo, {}};
  // The crash kernel reads the dump by physical address; tools such as crash also want the virtual
  // ones, which /proc/kcore gives. Without it they stay 0 and the dump is still whole.
  auto mappings = read_kernel_mappings(options.kcore, running_arch);
  if (!mappings) {
    fmt::print("kexec-loader: note: {}; the dump's virtual addresses are left 0\n", mappings.error().message);
    mappings = KernelMappings{};
  }
  request.loads = loads_to_dump(subtract_ranges(iomem.ram, iomem.crash), *mappings);
  if (backup) request.loads = with_backup(request.loads, ppc64_backup_size, *backup);
  return build_core_header(request);
}

// --describe-vmcore: what a crash kernel's dump holds; 0 when it is a sane core file of this machine
// with every CPU note and VMCOREINFO, every --find string is in its memory and every --find-in-log
// string in the dying kernel's log.
int describe_vmcore_file(const Options& options) {
  const auto summary = describe_vmcore(options.vmcore, options.finds, options.log_finds);
  if (!summary) return fail(summary.error().message);
  const std::string arch = summary->arch ? std::string(name_of(*summary->arch)) : "an unknown machine";
  const bool core = summary->elf_type == purgatory::host::elf::type_core;
  fmt::print("kexec-loader: vmcore: {} for {}, {} CPU notes (NT_PRSTATUS), VMCOREINFO {} bytes, {} memory ranges "
             "({} with virtual addresses), {} bytes\n",
             core ? "ET_CORE" : fmt::format("e_type {}", summary->elf_type), arch,
             summary->prstatus_notes, summary->vmcoreinfo_size, summary->memory_ranges, summary->mapped_ranges,
             summary->memory_bytes);
  bool ok = core && summary->arch && summary->prstatus_notes > 0 && summary->vmcoreinfo_size > 0;
  for (std::size_t i = 0; i < options.finds.size(); ++i) {
    fmt::print("kexec-loader: vmcore: \"{}\" {}\n", options.finds[i], summary->found[i] ? "found" : "NOT FOUND");
    ok = ok && summary->found[i];
  }
  if (summary->log_problem) {
    fmt::print("kexec-loader: vmcore: the kernel log cannot be read: {}\n", *summary->log_problem);
    ok = false;
  } else if (!options.log_finds.empty()) {
    fmt::print("kexec-loader: vmcore: the kernel log (printk ring): {} bytes\n", summary->log_bytes);
  }
  for (std::size_t i = 0; i < options.log_finds.size() && !summary->log_problem; ++i) {
    fmt::print("kexec-loader: vmcore: \"{}\" {} in the kernel log\n", options.log_finds[i],
               summary->found_in_log[i] ? "found" : "NOT FOUND");
    ok = ok && summary->found_in_log[i];
  }
  return ok ? 0 : 1;
}

// --test-hold-marker: a kdump test's marker in memory the kernel cannot page out: "held in locked
// memory: TEXT" in an mlock()ed page, kept until the process is killed (by the panic, in the tests).
// The text is not printed: a copy on the console's buffers would be found in the dump as well. The
// whole marker is put together only in the locked page, so a dump that has it has that page.
int hold_marker(const std::string& text) {
  constexpr std::string_view prefix = "held in locked memory: ";
  const std::size_t length = prefix.size() + text.size();
  const std::size_t size = round_up(length + 1, page_size());
  void* page = nullptr;
  if (posix_memalign(&page, page_size(), size) != 0) return fail("--test-hold-marker: out of memory");
  if (mlock(page, size) != 0) return fail(fmt::format("--test-hold-marker: mlock: {}", std::strerror(errno)));
  auto* bytes = static_cast<char*>(page);
  std::memcpy(bytes, prefix.data(), prefix.size());
  std::memcpy(bytes + prefix.size(), text.c_str(), text.size() + 1);
  fmt::print("kexec-loader: TEST: marker of {} bytes locked in memory\n", length);
  std::fflush(stdout);
  for (;;) pause();
}

int run(const Options& options) {
  if (!options.hold_marker.empty()) return hold_marker(options.hold_marker);
  if (!options.vmcore.empty()) return describe_vmcore_file(options);
  if (options.status) return report_status(options);
  if (options.unload) {
    if (options.dry_run) return usage_error("--unload --dry-run: nothing to show");
    const auto unloaded = kexec_load(0, {}, kexec_arch | (options.crash ? KEXEC_ON_CRASH : 0));
    if (!unloaded) return fail(unloaded.error().message);
    fmt::print("kexec-loader: {} unloaded\n", options.crash ? "crash kernel" : "kernel");
    return 0;
  }
  if (options.purgatory.empty() || options.kernel.empty()) {
    return usage_error("--purgatory and --kernel are required to load (or give --status or --unload)");
  }
  if (options.append.size() >= command_line_size) {
    return usage_error(fmt::format("--append: {} bytes; the kernel keeps at most {} (COMMAND_LINE_SIZE {}, with its NUL)",
                                   options.append.size(), command_line_size - 1, command_line_size));
  }
  const auto purgatory_file = read_named(options.purgatory, "purgatory", image_file_limit, "any purgatory image");
  if (!purgatory_file) return fail(purgatory_file.error().message);
  const auto image = load_image(*purgatory_file);
  if (!image) return fail(fmt::format("purgatory {}: {}", options.purgatory, image.error().message));
  // This machine starts purgatories of its own ELF machine; on ppc64 of either byte order (the purgatory
  // takes the byte order it was built for).
  const auto image_arch = image->header.arch();
  if (!image_arch || traits(*image_arch).elf_machine != traits(running_arch).elf_machine) {
    return fail(fmt::format("purgatory {} is for {}, this machine is {}", options.purgatory, image->header.arch_name(),
                            name_of(running_arch)));
  }
  // What fits is known before any large file is read: nothing larger than the largest RAM range where
  // the arch places segments (x86_64: below 4 GiB), in a crash load than the reservation. That also
  // bounds a stream that never ends (--kernel /dev/zero).
  const auto memory = read_memory(options);
  if (!memory) return fail(memory.error().message);
  const std::uint64_t placement_end = running_arch == Arch::x86_64 ? std::uint64_t{1} << 32 : UINT64_MAX;
  std::uint64_t largest_ram = 0;
  for (const auto& range : memory->ranges) {
    if ((range.type.empty() || range.type == "System RAM") && range.start < placement_end) {
      largest_ram = std::max(largest_ram, std::min(range.end, placement_end) - range.start);
    }
  }
  std::optional<CrashLoad> crash;
  std::vector<std::byte> core_header;
  Options effective = options;
  if (options.crash) {
    constexpr bool ppc64 = running_arch == Arch::ppc64 || running_arch == Arch::ppc64le;
    IomemSummary iomem;
    if (memory->iomem) {
      iomem = *memory->iomem;
    } else {
      auto read = read_iomem(options.iomem);
      if (!read) return fail(read.error().message);
      iomem = std::move(read).value();
    }
    if (iomem.crash.empty() && ppc64) {
      auto reserved = read_crash_reservation_from_device_tree(options.live_device_tree);
      if (!reserved) return fail("--crash: " + reserved.error().message);
      iomem.crash = std::move(reserved).value();
    }
    // The least a crash load needs: the files as they are, the purgatory and a page each for the rest.
    std::uint64_t needed = round_up(image->header.memory_size, page_size()) + 4 * page_size();
    if (ppc64) needed += ppc64_backup_size;
    for (const std::string& path : {options.kernel, options.initrd}) {
      if (path.empty()) continue;
      const auto size = regular_file_size(path);
      if (size && *size) needed += round_up(**size, page_size());
    }
    const std::string looked_in =
        ppc64 ? fmt::format("{} has no \"Crash kernel\" range and {}/chosen no linux,crashkernel-base", options.iomem,
                            options.live_device_tree)
              : fmt::format("{} has no \"Crash kernel\" range", options.iomem);
    auto reservation = crash_ranges_for_load(iomem.crash, iomem.ram, needed, looked_in);
    if (!reservation) return fail("--crash: " + reservation.error().message);
    std::optional<std::uint64_t> backup;
#if defined(__powerpc64__)
    // At the top of the reservation (in real mode's reach), with the core header below it: the kernel,
    // which runs where it is loaded, gets the reservation's start.
    const std::uint64_t top = std::min(reservation->front().end, memory->ranges.front().end) & ~(page_size() - 1);
    if (top < reservation->front().start + ppc64_backup_size) return fail("--crash: the reservation is outside real mode's reach");
    backup = top - ppc64_backup_size;
#endif
    auto header = core_header_for(options, iomem, backup);
    if (!header) return fail("--crash: the ELF core header: " + header.error().message);
    core_header = std::move(header).value();
    crash = CrashLoad{std::move(reservation).value(), {}, 0, core_header.size(), backup};
    largest_ram = 0;
    for (const auto& range : crash->reservation) largest_ram = std::max(largest_ram, range.end - range.start);
#if defined(__x86_64__)
    crash->crash_kernel_memory = x86_64_crash_memory_map(memory->ranges, iomem.crash);
#endif
  }
  const char* limit_reason = options.crash                    ? "the crash kernel reservation"
                             : running_arch == Arch::x86_64 ? "the largest RAM range below 4 GiB"
                                                            : "the largest RAM range";
  const auto kernel_file = read_named(options.kernel, "kernel", largest_ram, limit_reason);
  if (!kernel_file) return fail(kernel_file.error().message);
  std::optional<std::vector<std::byte>> initrd;
  if (!options.initrd.empty()) {
    auto bytes = read_named(options.initrd, "initrd", largest_ram, limit_reason);
    if (!bytes) return fail(bytes.error().message);
    if (bytes->empty()) return fail(fmt::format("initrd: {} is empty (leave --initrd out for none)", options.initrd));
    initrd = std::move(bytes).value();
  }

  Placer placer(crash ? crash->reservation : memory->ranges);
  PlannedSegment core_header_segment, backup_segment;
  if (crash) {
    // Placed first: its address goes into the command line and the device tree.
    const std::uint64_t size = round_up(core_header.size(), page_size());
    Result<std::uint64_t> at = std::uint64_t{0};
    if (crash->backup_address) {
      const std::uint64_t backup = *crash->backup_address;
      if (const auto taken = placer.take(backup, ppc64_backup_size, "backup"); !taken) return fail("--crash: " + taken.error().message);
      backup_segment = {"backup", backup, std::vector<std::byte>(ppc64_backup_size), ppc64_backup_size};
      if (backup - crash->reservation.front().start < size) return fail("--crash: no room for the ELF core header");
      at = backup - size;
      if (const auto taken = placer.take(*at, size, "ELF core header"); !taken) return fail("--crash: " + taken.error().message);
    } else {
      at = placer.place(size, page_size(), crash->reservation.front().start, crash->reservation.back().end,
                        "ELF core header");
    }
    if (!at) return fail("--crash: " + at.error().message);
    crash->core_header_address = *at;
    core_header_segment = {"core-header", *at, core_header, size};
    // The crash kernel reads the header as old memory, never as its own RAM (Linux's kexec_file
    // excludes it too): mapping it both ways faults in vmcore_init.
    crash->crash_kernel_memory = subtract_ranges(crash->crash_kernel_memory, {{*at, *at + size, "ELF core header"}});
    effective.append = crash_command_line(options.append, running_arch, *at);
    if (effective.append.size() >= command_line_size) {
      return fail(fmt::format("--append with the crash kernel's options: {} bytes; the kernel keeps at most {}",
                              effective.append.size(), command_line_size - 1));
    }
  }
  // The initrd is moved into the plan, not copied: it is the largest thing the loader holds.
  auto planned = plan_next_kernel(effective, *kernel_file, std::move(initrd), *memory, crash, placer);
  if (!planned) return fail((options.crash ? "--crash: " : "") + planned.error().message);
  Plan& plan = planned.value();
  if (crash) plan.segments.push_back(std::move(core_header_segment));
  if (crash && crash->backup_address) plan.segments.push_back(std::move(backup_segment));

  const std::uint64_t purgatory_size = round_up(image->header.memory_size, page_size());
  const auto purgatory_address = placer.place(purgatory_size, std::max(image->header.load_alignment, page_size()),
                                               plan.floor, plan.ceiling, "purgatory");
  if (!purgatory_address) return fail(purgatory_address.error().message);

  // What the purgatory hashes of each segment: its bytes, page-rounded (kexec zero-fills the rest).
  const auto hashed_size = [](const PlannedSegment& segment) { return round_up(segment.bytes.size(), page_size()); };
  SealRequest request;
  request.load_address = *purgatory_address;
  // Lent to the request for sealing and given back after it: a copy would double the memory a large
  // initrd takes.
  for (auto& segment : plan.segments) {
    const std::uint64_t size = hashed_size(segment);
    request.segments.push_back({segment.address, std::move(segment.bytes), size});
  }
  request.entry = plan.entry;
  request.registers = plan.registers;
  if (!options.console.empty()) {
    const auto console = parse_console_spec(options.console);
    if (!console) return usage_error(console.error().message);
    plan.console = *console;
  }
  if (plan.console) request.console = *plan.console;
  // A machine hung after a panic is the worst outcome: a crash load resets unless told otherwise.
  const std::string on_failure = !options.on_failure.empty() ? options.on_failure : options.crash ? "reset" : "halt";
  if (on_failure == "reset") request.flags |= PURGATORY_FLAG_RESET_ON_FAILURE;
  if (options.no_hardware_digest) request.flags |= PURGATORY_FLAG_NO_HARDWARE_DIGEST;
  if (options.verify_each_segment) request.flags |= PURGATORY_FLAG_VERIFY_EACH_SEGMENT;
  request.ppc64_secondary_entry = plan.ppc64_secondary_entry;
  request.ppc64_flags = plan.ppc64_flags;
  request.ppc64_low_memory = plan.ppc64_low_memory;
  request.copies = plan.copies;
  request.reset = plan.reset;
  const auto sealed = seal(*image, request);
  for (std::size_t i = 0; i < plan.segments.size(); ++i) plan.segments[i].bytes = std::move(request.segments[i].bytes);
  if (!sealed) {
    // seal() numbers the segments in the order given: name them, since the user never saw the numbers.
    std::string numbering;
    for (std::size_t i = 0; i < plan.segments.size(); ++i) {
      numbering += fmt::format("{}{} = {}", i == 0 ? "" : ", ", i, plan.segments[i].name);
    }
    return fail(fmt::format("sealing the purgatory: {} (segments: {})", sealed.error().message, numbering));
  }

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
  if (options.crash) {
    fmt::print("kexec-loader: crash kernel command line: {}\n", effective.append);
    fmt::print("kexec-loader: on a digest mismatch the purgatory will {}\n", on_failure);
    for (const auto& copy : plan.copies) {
      fmt::print("kexec-loader: after verification the purgatory copies {:#x} bytes from {:#x} to {:#x} (backup)\n",
                 copy.size, copy.source, copy.destination);
    }
  }
  fmt::print("kexec-loader: next kernel entry {:#x}", plan.entry);
  for (const auto& [name, value] : plan.registers) fmt::print(" {}={:#x}", name, value);
  fmt::print("\n");
  if (options.dry_run) {
    // The plan is what --dry-run is for: one that did not reach its file is a failure.
    if (const auto problem = standard_output_problem()) return fail(*problem);
    return 0;
  }
  std::fflush(stdout);

  std::vector<KexecSegment> segments;
  for (const auto& segment : plan.segments) segments.push_back({segment.bytes, segment.address, segment.memory_size});
  segments.push_back({sealed->bytes, *purgatory_address, purgatory_size});
  const auto loaded = kexec_load(entry, segments, kexec_arch | (options.crash ? KEXEC_ON_CRASH : 0));
  if (!loaded) return fail(loaded.error().message);
  if (options.crash) {
    fmt::print("kexec-loader: crash kernel loaded; a panic now starts it through the purgatory\n");
    return 0;
  }
  fmt::print("kexec-loader: loaded; rebooting into the purgatory\n");
  std::fflush(stdout);
  return fail(reboot_into_loaded_kernel().message);
}

}  // namespace
}  // namespace kexec_loader

int main(int argc, char** argv) {
  kexec_loader::Options options;
  CLI::App app{
      "kexec-loader: load an SDK purgatory and the next kernel with kexec_load(2), then reboot into it; or, with\n"
      "--crash, load a crash kernel that a panic starts (kdump)"};
  app.footer(
      "Modes:\n"
      "  (default)   load the next kernel and reboot into it now\n"
      "  --crash     load a crash kernel into the crashkernel= reservation (kexec_load KEXEC_ON_CRASH) and\n"
      "              return: a panic starts it, and the purgatory checks it first. It gets an ELF core header\n"
      "              (elfcorehdr=) describing the dying kernel's memory for /proc/vmcore; crashkernel= is\n"
      "              dropped from --append and the kdump options added unless given (x86_64: irqpoll\n"
      "              nr_cpus=1 reset_devices; arm64: nr_cpus=1 reset_devices; ppc64: maxcpus=1 noirqdistrib\n"
      "              reset_devices), all before a \"--\" (what follows it is init's). ppc64: the crash kernel\n"
      "              runs where it is loaded, and the purgatory saves\n"
      "              the first 64 KiB, which it overwrites, to a backup the header points at. On a digest\n"
      "              mismatch it resets.\n"
      "  --unload    unload the loaded kernel (with --crash: the crash kernel)\n"
      "  --status    exit 0 if a kernel (with --crash: a crash kernel) is loaded, 1 if not\n"
      "  --describe-vmcore FILE   in the crash kernel: check the dump it was given (--find, --find-in-log)\n"
      "\n"
      "Exit status: 0 for --dry-run, a crash load, --unload and a loaded --status; 1 on any error or nothing\n"
      "loaded (a normal load does not return); 2 bad usage; 3 an internal error (a bug). Needs root.");
  app.set_version_flag("--version", PURGATORY_SDK_VERSION);
  auto* purgatory = app.add_option("--purgatory", options.purgatory, "the purgatory image (flat .bin); required to load");
  auto* kernel = app.add_option("--kernel", options.kernel,
                 "the next kernel: x86_64 bzImage, arm64 Image (uncompressed), ppc64 vmlinux (ELF); required to load");
  auto* initrd = app.add_option("--initrd", options.initrd, "initial ramdisk for the next kernel");
  auto* append = app.add_option("--append", options.append, "the next kernel's command line");
  auto* dtb = app.add_option("--dtb", options.dtb, "arm64/ppc64: the device tree to start from")->capture_default_str();
  app.add_option("--console", options.console,
                 "the purgatory's console (purgatory-tool seal --console syntax); default: COM1 on x86_64, "
                 "the device tree's stdout-path elsewhere");
  app.add_option("--on-failure", options.on_failure,
                 "halt or reset when a digest does not match (default: halt; with --crash: reset)")
      ->check(CLI::IsMember({"halt", "reset"}));
  app.add_flag("--no-hardware-digest", options.no_hardware_digest,
               "the purgatory hashes with its portable code even where the CPU has SHA-256 instructions");
  app.add_flag("--verify-each-segment", options.verify_each_segment,
               "the purgatory checks each segment by its own digest, two at once where it can (x86_64; "
               "segments of 1 MiB or more are then sealed as two halves); other images check the "
               "all-segments digest as usual");
  app.add_flag("-p,--crash", options.crash, "load a crash kernel (kdump) instead; see Modes");
  auto* unload = app.add_flag("-u,--unload", options.unload, "unload instead of loading");
  auto* status = app.add_flag("--status", options.status, "report whether a kernel is loaded")->excludes(unload);
  app.add_flag("--dry-run", options.dry_run, "print the plan, load nothing");
  auto* describe = app.add_option("--describe-vmcore", options.vmcore,
                 "in a crash kernel: describe this dump (/proc/vmcore): its ELF header, CPU notes, VMCOREINFO "
                 "and memory; exit 0 if it is sane and every --find and --find-in-log string is in it");
  app.add_option("--find", options.finds, "with --describe-vmcore: a string to look for in the dumped memory")
      ->needs(describe);
  app.add_option("--find-in-log", options.log_finds,
                 "with --describe-vmcore: a string to look for in the dying kernel's log (its printk ring, "
                 "which VMCOREINFO locates)")
      ->needs(describe);
  app.add_option("--iomem", options.iomem, "where to read /proc/iomem (RAM, the crash reservation)")
      ->capture_default_str();
  app.add_option("--firmware-memmap", options.firmware_memmap, "x86_64: the firmware memory map directory")
      ->capture_default_str();
  app.add_option("--kcore", options.kcore, "where to read the running kernel's mappings (virtual addresses of the dump)")
      ->capture_default_str();
  app.add_option("--proc-device-tree", options.live_device_tree,
                 "ppc64: the running kernel's live device tree (where it publishes the crash reservation)")
      ->capture_default_str();
  app.add_option("--sys", options.sys, "where sysfs is (crash notes, VMCOREINFO, kexec status)")->capture_default_str();
  app.add_option("--test-hold-marker", options.hold_marker,
                 "TEST ONLY: keep \"held in locked memory: TEXT\" in an mlock()ed page until killed (a marker for "
                 "a kdump test to find in the dump)");
  app.add_option("--test-corrupt-segment", options.corrupt_segment,
                 "TEST ONLY: flip one bit of this segment (kernel, initrd, boot-params, device-tree) after sealing, "
                 "so that the purgatory must refuse to boot");
  // What a mode would ignore is refused instead: the load's files with --status, --unload and
  // --describe-vmcore, and the modes with each other.
  for (auto* load_option : {purgatory, kernel, initrd, append}) {
    status->excludes(load_option);
    unload->excludes(load_option);
    describe->excludes(load_option);
  }
  describe->excludes(status);
  describe->excludes(unload);
  try {
    app.parse(argc, argv);
#if defined(__x86_64__)
    if (dtb->count() != 0) throw CLI::ValidationError("--dtb", "is for arm64 and ppc64 (x86_64 kernels get boot_params)");
#else
    (void)dtb;
#endif
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    fmt::print(stderr, "kexec-loader: {}\nRun 'kexec-loader --help'.\n", error.what());
    return 2;
  }
  try {
    const int exit_status = kexec_loader::run(options);
    // A report that did not reach its file is an error, not a success with the output lost.
    if (exit_status == 0) {
      if (const auto problem = purgatory::host::standard_output_problem()) return kexec_loader::fail(*problem);
    }
    return exit_status;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "kexec-loader: out of memory\n");
    return 1;
  } catch (const std::system_error& error) {
    // {fmt} throws when a write to standard output fails.
    if (const auto problem = purgatory::host::standard_output_problem(error.code().value())) {
      return kexec_loader::fail(*problem);
    }
    fmt::print(stderr, "kexec-loader: internal error: {}\n", error.what());
    return 3;
  } catch (const std::exception& error) {
    fmt::print(stderr, "kexec-loader: internal error: {}\n", error.what());
    return 3;
  }
}
