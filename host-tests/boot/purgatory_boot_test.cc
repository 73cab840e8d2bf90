// SPDX-License-Identifier: MIT
// purgatory-boot-test: boots a sealed purgatory in QEMU (TCG) at a chosen address, with a stand-in next
// kernel and a data segment, and checks what happens against what the scenario requires. Every
// scenario but "boot" and "custom" must end without the next kernel running.
//
//   boot                the purgatory verifies both segments and jumps; the next kernel reports exactly
//                       the registers that were sealed, and the emulator exits with the arch's success
//   corrupt             one bit of the data segment flipped after sealing: the purgatory names the
//                       segment with the expected and computed digests and halts
//   corrupt-reset       the same, sealed with PURGATORY_FLAG_RESET_ON_FAILURE: the machine resets
//   corrupt-dump        corrupt; then the purgatory's memory is saved and read back with
//                       purgatory-tool inspect --json: status, segment, digests and log as printed
//   custom              examples/custom: its extra step reports on the console, then the next kernel runs
//   console-on-block    the console patched, after sealing, to an 8250 whose registers are the block's own
//                       flags (the loader mistake that used to switch verification off), a bit of data
//                       flipped: the purgatory must not use that console and must refuse; its memory,
//                       read back, says why and shows the block untouched
//   entry-outside       the next kernel's entry patched to inside the purgatory: refused up front
//   no-segments         the segment count patched to 0: refused up front
//   unreadable-segment  a third segment beyond what the purgatory can read (x86_64: outside the page
//                       tables; arm64: beyond the CPU's physical address size): refused up front
//   segment-fault       arm64: a third segment in a hole of the physical address space: the data abort
//                       while hashing it is reported, naming the segment
//   fault-read          the faulting test purgatory reads an unmapped address: the fault is reported
//   fault-trap          the faulting test purgatory executes a trap instruction: the fault is reported
//   fault-reset         fault-trap, sealed to reset on failure: the machine resets
//   reset-fails         ppc64: corrupt, sealed to reset through an RTAS token QEMU does not know: the
//                       purgatory says the reset did not happen, and halts
//   low-memory          ppc64: sealed with low memory, which becomes a third segment, verified
//   low-memory-corrupt  ppc64: the block's low memory bytes patched after sealing: restored, then
//                       refused as a mismatch in that segment
//
// Exit status 0 when every expectation holds; otherwise 1, with the console output and the reasons.
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <purgatory/host/file.h>
#include <purgatory/host/image.h>
#include <purgatory/sha256.h>

#include "machine.h"
#include "run.h"

namespace {

using namespace purgatory::host;
using purgatory::test::RunResult;
namespace fs = std::filesystem;

struct Options {
  std::string arch;  // --arch, then machine.arch
  purgatory::test::Machine machine;
  std::string image;
  std::string next_kernel;
  std::string scenario = "boot";
  std::uint64_t load_address = 0;
  std::uint64_t next_kernel_address = 0;
  std::uint64_t data_address = 0;
  std::string engine;                // the digest engine the console must name; empty: the emulated CPU's
  bool no_hardware_digest = false;   // seal with PURGATORY_FLAG_NO_HARDWARE_DIGEST
  bool verify_each_segment = false;  // seal with PURGATORY_FLAG_VERIFY_EACH_SEGMENT
  std::string tool;                  // purgatory-tool, for the scenarios that read memory back
  std::string work_dir;
  double timeout_seconds = 30;
  bool summary = false;
};

const std::set<std::string> scenarios = {
    "boot",        "corrupt",    "corrupt-reset", "corrupt-dump", "custom",      "console-on-block",
    "entry-outside", "no-segments", "unreadable-segment", "segment-fault", "fault-read", "fault-trap",
    "fault-reset", "reset-fails", "low-memory", "low-memory-corrupt"};

std::vector<std::byte> bytes_of(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes) throw std::runtime_error(bytes.error().message);
  return std::move(bytes).value();
}

void write_bytes(const fs::path& path, std::span<const std::byte> bytes) {
  const auto written = write_output(path.string(), bytes);
  if (!written) throw std::runtime_error(written.error().message);
}

// Deterministic noise: a segment with no structure a bug could hide in.
std::vector<std::byte> noise(std::size_t size, std::uint64_t seed) {
  std::vector<std::byte> data(size);
  std::uint64_t state = seed;
  for (auto& byte : data) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    byte = static_cast<std::byte>(state);
  }
  return data;
}

std::string hex_digest(const std::array<std::uint8_t, 32>& digest) {
  std::string text;
  for (auto byte : digest) text += fmt::format("{:02x}", byte);
  return text;
}

// Distinct values for each register, so a swapped or dropped one shows.
std::map<std::string, std::uint64_t> test_registers(const Options& options) {
  const Arch arch = options.machine.arch;
  std::map<std::string, std::uint64_t> registers;
  if (arch == Arch::x86_64) {
    std::uint64_t n = 1;
    for (const auto& name : register_names(Arch::x86_64)) {
      if (name == "rsp") continue;  // 0: the purgatory keeps its own stack
      registers[name] = 0x5e57000000000000 | (n++ << 32) | 0xc0de;
    }
    registers["rsi"] = options.data_address;  // boot_params, in the Linux protocol
  } else if (arch == Arch::arm64) {
    registers = {{"x0", options.data_address}, {"x1", 0x5e57000100000001}, {"x2", 0x5e57000200000002},
                 {"x3", 0x5e57000300000003}};
  } else {
    registers = {{"r3", options.data_address}, {"r4", options.next_kernel_address}, {"r5", 0},
                 {"r8", 0x5e57000800000008}, {"r9", 0x5e57000900000009}};
  }
  return registers;
}

// What the next kernel must report for each sealed register, and the machine state it was handed.
std::vector<std::string> expected_register_reports(const Options& options,
                                                   const std::map<std::string, std::uint64_t>& registers) {
  std::vector<std::string> reports;
  for (const auto& [name, value] : registers) reports.push_back(fmt::format(" {}={:#x}", name, value));
  if (options.machine.arch == Arch::arm64) {
    reports.push_back(fmt::format(" el={:#x}", options.machine.el2 ? 2 : 1));
    // The machine state the purgatory must hand over as it found it: MMU and data cache off (the cache
    // window turns both on to hash), and FP/SIMD traps as QEMU's reset left them (CPACR_EL1.FPEN = 0,
    // trapping, at EL1, which the hardware engine must enable and then restore; CPTR_EL2 = 0 at EL2).
    reports.push_back(" sctlr_mc=0x0");
    reports.push_back(" fp_traps=0x0");
    reports.push_back(fmt::format(" e2h={:#x}", options.machine.vhe ? 1 : 0));  // the trampoline's doing, kept
  }
  // x86_64: the bootstrap enters with CR4.OSFXSR/OSXMMEXCPT and CR0.EM/MP clear (as relocate_kernel
  // does); the engines that need SSE (SHA-NI, ssse3+bmi2 under --cpu-max) set them and must clear them.
  if (options.machine.arch == Arch::x86_64) {
    reports.push_back(" cr4_sse=0x0");
    reports.push_back(" cr0_em_mp=0x0");
  }
  // ppc64: MSR[VEC] and MSR[VSX] are off at entry and must be off again after the vector engine.
  if (traits(options.machine.arch).elf_machine == PURGATORY_MACHINE_PPC64) reports.push_back(" msr_vec_vsx=0x0");
  return reports;
}

// Where in each arch's emulated machine nothing can be read (x86_64: beyond the bootstrap's 8 GiB
// identity map; arm64: past the end of RAM and below the high memory-mapped devices), and where is
// beyond what the CPU can address at all (arm64: cortex-a57's 44-bit physical addresses).
constexpr std::uint64_t x86_64_unmapped = 0x400000000;
constexpr std::uint64_t arm64_hole = 0x800000000;
constexpr std::uint64_t arm64_beyond_physical = std::uint64_t{1} << 44;

// Writes integers into the sealed block, in the image's byte order: the patches a loader bug (or a
// stray write) would make, which seal() itself refuses to produce.
class BlockPatcher {
 public:
  BlockPatcher(std::vector<std::byte>& bytes, const ImageHeader& header) : bytes_(bytes), header_(header) {}
  void put(std::size_t field, std::uint64_t value, unsigned width) {
    const std::size_t at = static_cast<std::size_t>(header_.info_offset) + field;
    for (unsigned i = 0; i < width; ++i) {
      const unsigned shift = 8 * (header_.byte_order == ByteOrder::big ? width - 1 - i : i);
      bytes_.at(at + i) = static_cast<std::byte>(value >> shift);
    }
  }
  void flip(std::size_t field, std::uint8_t bits) { bytes_.at(static_cast<std::size_t>(header_.info_offset) + field) ^= std::byte{bits}; }

 private:
  std::vector<std::byte>& bytes_;
  const ImageHeader& header_;
};

std::size_t entry_field(Arch arch) {
  const std::size_t next = offsetof(purgatory_info, next);
  if (arch == Arch::x86_64) return next + offsetof(purgatory_x86_64_state, rip);
  if (arch == Arch::arm64) return next + offsetof(purgatory_arm64_state, entry);
  return next + offsetof(purgatory_ppc64_state, entry);
}

// What must be seen for the scenario to pass.
struct Expectations {
  std::vector<std::string> present, absent;
  enum class End { next_kernel_exit, reset, halt } end = End::halt;
};

// Reads the saved memory back with purgatory-tool inspect --json: returns its one object.
nlohmann::json inspect_dump(const Options& options, const fs::path& dump, std::vector<std::string>& problems) {
  const fs::path json_file = fs::path(options.work_dir) / "inspect.json";
  const std::string command = fmt::format("'{}' inspect --json '{}' > '{}'", options.tool, dump.string(), json_file.string());
  if (std::system(command.c_str()) != 0) {
    problems.push_back("purgatory-tool inspect --json failed on the saved memory: " + command);
    return {};
  }
  const auto text = read_file(json_file.string());
  if (!text) {
    problems.push_back(text.error().message);
    return {};
  }
  const auto parsed = nlohmann::json::parse(reinterpret_cast<const char*>(text->data()),
                                            reinterpret_cast<const char*>(text->data()) + text->size(), nullptr, false);
  if (!parsed.is_array() || parsed.size() != 1) {
    problems.push_back("inspect --json did not print an array of one object");
    return {};
  }
  return parsed[0];
}

void expect_json(const nlohmann::json& object, const nlohmann::json::json_pointer& where, const nlohmann::json& wanted,
                 std::vector<std::string>& problems) {
  if (!object.contains(where) || object.at(where) != wanted) {
    problems.push_back(fmt::format("inspect: {} is {}, expected {}", where.to_string(),
                                   object.contains(where) ? object.at(where).dump() : "missing", wanted.dump()));
  }
}

int run_test(const Options& options) {
  const std::string& arch = options.arch;
  const Arch machine_arch = options.machine.arch;
  const std::string& scenario = options.scenario;
  const fs::path work = options.work_dir;
  fs::create_directories(work);

  const auto image = parse_image(bytes_of(options.image), ImageExpectations{machine_arch});
  if (!image) throw std::runtime_error(fmt::format("{}: {}", options.image, image.error().message));
  const ImageHeader& header = image->header;
  const auto next_kernel_bytes = bytes_of(options.next_kernel);
  const auto data = noise(48 * 1024 + 13, 0x9e3779b97f4a7c15);
  const bool x86_64 = machine_arch == Arch::x86_64, arm64 = machine_arch == Arch::arm64,
             ppc64 = traits(machine_arch).elf_machine == PURGATORY_MACHINE_PPC64;
  const auto only = [&](bool arches) {
    if (!arches) throw std::runtime_error(fmt::format("scenario {} does not apply to {}", scenario, arch));
  };

  SealRequest request;
  request.load_address = options.load_address;
  request.segments = {Segment{options.next_kernel_address, next_kernel_bytes, 0},
                      Segment{options.data_address, data, 0}};
  request.entry = options.next_kernel_address;  // the stand-in kernel's entry is its first byte
  request.registers = test_registers(options);
  request.console = purgatory::test::emulated_console(machine_arch);
  const bool wants_reset = scenario == "corrupt-reset" || scenario == "fault-reset" || scenario == "reset-fails";
  if (wants_reset) {
    request.flags |= PURGATORY_FLAG_RESET_ON_FAILURE;
    if (ppc64) {
      request.reset.method = PURGATORY_RESET_RTAS_HCALL;
      request.reset.token = scenario == "reset-fails" ? 0xdead : 0x2004;  // QEMU's RTAS system-reboot is 0x2004
    }
  }
  if (scenario == "reset-fails") only(ppc64);
  if (options.no_hardware_digest) request.flags |= PURGATORY_FLAG_NO_HARDWARE_DIGEST;
  if (options.verify_each_segment) request.flags |= PURGATORY_FLAG_VERIFY_EACH_SEGMENT;
  // Only an image that advertises it checks each segment by its own digest; the others ignore the
  // flag and check the all-segments digest, which the loader fills in either way. For the first kind
  // seal() lays the segments out in halves to pair up (from 16 KiB here, so that the 48 KiB data
  // segment is split: the purgatory then checks three segments).
  const bool each_segment = checks_each_segment(header, request.flags);
  request.two_lane_split_from = 16 * 1024;
  if (scenario == "custom") {
    // examples/custom wipes user[1] bytes at user[0] before the jump: a page of the data segment's
    // tail that nothing else reads (the digest was checked before).
    request.user = {options.data_address + 0x8000, 0x1000, 0, 0};
  }
  std::uint64_t unreadable = 0;  // the third segment's address, for the scenarios that have one
  if (scenario == "unreadable-segment") {
    only(x86_64 || arm64);
    unreadable = x86_64 ? x86_64_unmapped : arm64_beyond_physical;
  }
  if (scenario == "segment-fault") {
    only(arm64);
    unreadable = arm64_hole;
  }
  if (unreadable != 0) request.segments.push_back(Segment{unreadable, noise(4096, 7), 0});
  std::uint64_t fault_address = 0;
  if (scenario == "fault-read") {
    only(x86_64 || arm64);
    fault_address = x86_64 ? x86_64_unmapped : arm64_hole;
    request.user = {fault_address, 0, 0, 0};
  }
  if (scenario == "fault-trap" || scenario == "fault-reset") request.user = {0, 1, 0, 0};
  std::array<std::uint8_t, PURGATORY_PPC64_LOW_MEMORY_SIZE> low_memory{};
  if (scenario.starts_with("low-memory")) {
    only(ppc64);
    const auto pattern = noise(low_memory.size(), 3);
    for (std::size_t i = 0; i < low_memory.size(); ++i) low_memory[i] = std::to_integer<std::uint8_t>(pattern[i]);
    request.ppc64_low_memory = low_memory;
  }

  const auto sealed = seal(*image, request);
  if (!sealed) throw std::runtime_error(fmt::format("seal: {}", sealed.error().message));
  std::vector<std::byte> sealed_bytes = sealed->bytes;
  const std::vector<CheckedSegment>& checked = sealed->segments;  // as the purgatory numbers them

  BlockPatcher patch(sealed_bytes, header);
  const std::uint64_t block_address = options.load_address + header.info_offset;
  if (scenario == "console-on-block") {
    only(x86_64 || arm64);  // the arches whose images drive an 8250 in memory
    const std::size_t console = offsetof(purgatory_info, console);
    patch.put(console + offsetof(purgatory_console, kind), PURGATORY_CONSOLE_8250_MMIO, 4);
    patch.put(console + offsetof(purgatory_console, base), block_address + offsetof(purgatory_info, flags), 8);
    patch.put(console + offsetof(purgatory_console, divisor), 1, 4);
  }
  if (scenario == "entry-outside") patch.put(entry_field(machine_arch), options.load_address + header.entry_offset, 8);
  if (scenario == "no-segments") patch.put(offsetof(purgatory_info, segment_count), 0, 4);
  if (scenario == "low-memory-corrupt") {
    patch.flip(offsetof(purgatory_info, next) + offsetof(purgatory_ppc64_state, low_memory) + 7, 0x01);
  }

  auto loaded_data = data;
  const bool corrupt = scenario.starts_with("corrupt") || scenario == "console-on-block" || scenario == "reset-fails";
  const std::uint64_t flipped = options.data_address + data.size() / 3;
  if (corrupt) loaded_data[data.size() / 3] ^= std::byte{0x10};

  const fs::path image_file = work / "sealed.bin";
  write_bytes(image_file, sealed_bytes);
  write_bytes(work / "next-kernel.bin", next_kernel_bytes);
  write_bytes(work / "data.bin", loaded_data);
  const bool reads_memory = scenario == "corrupt-dump" || scenario == "console-on-block";
  purgatory::test::Monitor monitor;
  if (reads_memory && monitor.socket_path().empty()) {
    fmt::print(stderr, "FAIL: no directory under /tmp for QEMU's monitor socket\n");
    return 1;
  }
  const std::string monitor_socket = reads_memory ? monitor.socket_path() : "";
  const auto command = purgatory::test::qemu_command(
      options.machine, options.load_address + header.entry_offset,
      {{image_file, options.load_address}, {work / "next-kernel.bin", options.next_kernel_address},
       {work / "data.bin", options.data_address}},
      work, monitor_socket);

  // --- What must happen.
  Expectations expect;
  const std::string halted = "purgatory: not booting the next kernel; halted";
  const std::string resetting = "purgatory: not booting the next kernel; resetting";
  const auto registers = test_registers(options);
  std::string mismatch_line, expected_digest, computed_digest;
  std::size_t failed_index = 0;
  if (scenario != "console-on-block") {
    expect.present.push_back(fmt::format(" ({}): {} segment{} to verify", arch, scenario == "no-segments" ? 0 : checked.size(),
                                         scenario == "no-segments" ? "s" : checked.size() == 1 ? "" : "s"));
  }
  const bool boots = scenario == "boot" || scenario == "custom" || scenario == "low-memory";
  if (boots) {
    std::uint64_t bytes = next_kernel_bytes.size() + data.size() + (scenario == "low-memory" ? low_memory.size() : 0);
    expect.present.push_back(fmt::format("purgatory: SHA-256 ok: {} segments, {}{} bytes ({})", checked.size(),
                                         each_segment ? "each by its own digest, " : "", bytes, options.engine));
    expect.present.push_back(fmt::format("purgatory: booting next kernel at {:#x}", options.next_kernel_address));
    for (const auto& report : expected_register_reports(options, registers)) expect.present.push_back(report);
    expect.present.push_back("next-kernel: done");
    expect.absent.push_back("MISMATCH");
    expect.end = Expectations::End::next_kernel_exit;
  } else {
    expect.absent.push_back("next-kernel:");
    expect.absent.push_back("booting next kernel");
    expect.end = wants_reset && scenario != "reset-fails" ? Expectations::End::reset : Expectations::End::halt;
    if (scenario != "console-on-block" && scenario != "reset-fails") {
      expect.present.push_back(expect.end == Expectations::End::reset ? resetting : halted);
    }
  }
  if (scenario == "custom") {
    expect.present.push_back(fmt::format("custom: wiped 4096 bytes at {:#x}", options.data_address + 0x8000));
  }
  if (corrupt || scenario == "low-memory-corrupt") {
    // The sealed segment holding the changed byte, as sealed and as loaded.
    Segment good, bad;
    if (scenario == "low-memory-corrupt") {
      failed_index = checked.size() - 1;
      good = Segment{0, {}, 0};
      for (auto byte : low_memory) good.bytes.push_back(std::byte{byte});
      bad = good;
      bad.bytes[7] ^= std::byte{0x01};
    } else {
      while (!(checked[failed_index].start <= flipped && flipped - checked[failed_index].start < checked[failed_index].size)) {
        ++failed_index;
      }
      const CheckedSegment& hit = checked[failed_index];
      const Segment& whole = request.segments[hit.loader_index];
      const auto from = whole.bytes.begin() + static_cast<std::ptrdiff_t>(hit.start - whole.address);
      good = Segment{hit.start, {from, from + static_cast<std::ptrdiff_t>(hit.size)}, hit.size};
      bad = good;
      bad.bytes[flipped - good.address] ^= std::byte{0x10};
    }
    const CheckedSegment& hit = checked[failed_index];
    const std::string name = hit.part == CheckedSegment::Part::whole        ? fmt::format("segment {}", failed_index)
                             : hit.part == CheckedSegment::Part::low_memory ? fmt::format("segment {}, ppc64 low memory", failed_index)
                                                                            : fmt::format("segment {}, part of the loader's segment {}",
                                                                                          failed_index, hit.loader_index);
    mismatch_line = fmt::format("purgatory: SHA-256 MISMATCH in {} ({:#x}, {} bytes; {})", name, hit.start, hit.size,
                                options.engine);
    expected_digest = hex_digest(segments_digest({good}));
    computed_digest = hex_digest(segments_digest({bad}));
    if (scenario != "console-on-block") {
      expect.present.push_back(mismatch_line);
      expect.present.push_back("  expected " + expected_digest);
      expect.present.push_back("  computed " + computed_digest);
    }
  }
  if (scenario == "reset-fails") {
    expect.present.push_back(resetting);
    expect.present.push_back("purgatory: the reset did not happen; halted");
  }
  if (scenario == "entry-outside") {
    expect.present.push_back("purgatory: cannot verify: the next kernel's entry is outside every verified segment");
  }
  if (scenario == "no-segments") {
    expect.present.push_back("purgatory: cannot verify: no segments to verify");
  }
  if (scenario == "unreadable-segment") {
    expect.present.push_back("purgatory: cannot verify: the segment is outside the memory this purgatory can read: segment 2");
  }
  if (scenario == "segment-fault" || scenario == "fault-read") {
    const std::uint64_t address = scenario == "segment-fault" ? unreadable : fault_address;
    expect.present.push_back(x86_64 ? "purgatory: FAULT: x86 exception 0xe (error code 0x0) at pc 0x"
                                    : "purgatory: FAULT: arm64 exception class 0x25 (ESR 0x");
    std::string where = fmt::format("purgatory: the address was {:#x}", address);
    if (scenario == "segment-fault") where += fmt::format(", in segment 2 ({:#x}, 4096 bytes)", address);
    expect.present.push_back(where);
  }
  if (scenario == "fault-trap" || scenario == "fault-reset") {
    // The trap instruction each compiler emits for __builtin_trap: x86 ud2 (#UD, vector 6), arm64
    // brk (exception class 0x3c), ppc64 trap (the program interrupt, 0x700).
    expect.present.push_back(x86_64  ? "purgatory: FAULT: x86 exception 0x6 (error code 0x0) at pc 0x"
                             : arm64 ? "purgatory: FAULT: arm64 exception class 0x3c (ESR 0x"
                                     : "purgatory: FAULT: ppc64 interrupt 0x700 (SRR1 0x");
  }

  // --- Run it.
  const fs::path dump = work / "memory.bin";
  fs::remove(dump);
  purgatory::test::RunOptions run_options;
  run_options.timeout_seconds = options.timeout_seconds;
  // A halted machine never exits: its last words end the run (also "the reset did not happen; halted").
  if (expect.end == Expectations::End::halt && scenario != "console-on-block") run_options.stop_markers = {"; halted"};
  if (scenario == "console-on-block") {
    // Nothing is printed: wait for the verdict in the block's result instead, and then for the log to
    // stop growing (the status is recorded before the verdict's lines are written).
    const std::uint64_t result_address = block_address + offsetof(purgatory_info, result);
    run_options.poll = [&monitor, result_address, last_length = std::optional<std::uint32_t>()]() mutable {
      const auto status = monitor.read_u32(result_address + offsetof(purgatory_result, status));
      if (!status || *status < PURGATORY_STATUS_VERIFIED) return false;
      const auto length = monitor.read_u32(result_address + offsetof(purgatory_result, log_length));
      const bool settled = length && last_length == length;
      last_length = length;
      return settled;
    };
  }
  if (reads_memory) {
    run_options.before_kill = [&] {
      monitor.save_memory(options.load_address, header.memory_size, dump.string());
    };
  }
  const RunResult result = purgatory::test::run(command, run_options);

  // --- Check.
  std::vector<std::string> problems;
  for (const auto& text : expect.present) {
    if (result.output.find(text) == std::string::npos) problems.push_back(fmt::format("missing: \"{}\"", text));
  }
  for (const auto& text : expect.absent) {
    if (result.output.find(text) != std::string::npos) problems.push_back(fmt::format("present: \"{}\"", text));
  }
  if (scenario == "console-on-block" && result.output.find("purgatory") != std::string::npos) {
    problems.push_back("the purgatory printed on a console it must not use");
  }
  if (result.timed_out) problems.push_back(fmt::format("timed out after {} s", options.timeout_seconds));
  switch (expect.end) {
    case Expectations::End::halt:
      if (result.exit_status) problems.push_back(fmt::format("exited ({}) instead of halting", *result.exit_status));
      break;
    case Expectations::End::reset:
    case Expectations::End::next_kernel_exit: {
      const int wanted = expect.end == Expectations::End::reset ? 0 : purgatory::test::success_exit_status(machine_arch);
      if (!result.exit_status) {
        problems.push_back("did not exit");
      } else if (*result.exit_status != wanted) {
        problems.push_back(fmt::format("exit status {}, expected {}", *result.exit_status, wanted));
      }
      break;
    }
  }
  if (reads_memory && problems.empty()) {
    if (!fs::exists(dump)) {
      problems.push_back("the purgatory's memory could not be saved through QEMU's monitor");
    } else {
      const nlohmann::json inspected = inspect_dump(options, dump, problems);
      using pointer = nlohmann::json::json_pointer;
      if (!inspected.is_null()) {
        expect_json(inspected, pointer("/image/memory_dump"), true, problems);
        expect_json(inspected, pointer("/result/status_name"), "mismatch", problems);
        expect_json(inspected, pointer("/result/failed_segment"), failed_index, problems);
        expect_json(inspected, pointer("/result/failed_loader_segment"), checked[failed_index].loader_index, problems);
        expect_json(inspected, pointer("/result/failed_segment_start"), checked[failed_index].start, problems);
        expect_json(inspected, pointer("/result/expected_sha256"), expected_digest, problems);
        expect_json(inspected, pointer("/result/computed_sha256"), computed_digest, problems);
        expect_json(inspected, pointer("/result/digest_engine_name"), options.engine.substr(0, options.engine.find(',')), problems);
        const std::string log = inspected.value(pointer("/result/log"), std::string());
        if (log.find(mismatch_line.substr(std::string("purgatory: ").size())) == std::string::npos) {
          problems.push_back("inspect: the log does not hold the mismatch line: " + log);
        }
        if (scenario == "console-on-block") {
          expect_json(inspected, pointer("/sealed/flags"), request.flags, problems);
          expect_json(inspected, pointer("/sealed/segment_count"), checked.size(), problems);
          if (log.find("purgatory: console not used: the console's registers overlap the purgatory's own memory") ==
              std::string::npos) {
            problems.push_back("inspect: the log does not say why the console was not used: " + log);
          }
        }
      }
    }
  }

  const std::string verdict = boots ? "verified" : "refused";
  if (options.summary) {
    const std::string shown = scenario + (options.machine.vhe ? " (EL2, VHE)" : options.machine.el2 ? " (EL2)" : "");
    fmt::print("{:<8} {:>13}  {:<18} {:<9} {:5.2f} s  {}\n", arch, fmt::format("{:#x}", options.load_address), shown,
               problems.empty() ? verdict : "FAILED", result.seconds, problems.empty() ? "ok" : problems.front());
  }
  if (!problems.empty()) {
    fmt::print("command: {}\n--- console ---\n{}\n--- end ---\n", purgatory::test::shell_command_line(command),
               result.output);
    for (const auto& problem : problems) fmt::print("FAIL: {}\n", problem);
    return 1;
  }
  if (!options.summary) {
    fmt::print("{}\n--- {} at {:#x}: {} ({:.2f} s) ---\n", result.output, arch, options.load_address, verdict,
               result.seconds);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"Boot a sealed purgatory in QEMU and check the outcome of a scenario"};
  app.add_option("--arch", options.arch, "x86_64, arm64, ppc64le or ppc64")
      ->required()
      ->check(CLI::IsMember({"x86_64", "arm64", "ppc64le", "ppc64"}));
  app.add_option("--image", options.image, "purgatory image (.bin)")->required();
  app.add_option("--next-kernel", options.next_kernel, "stand-in next kernel (.bin)")->required();
  app.add_option("--bootstrap", options.machine.bootstrap, "x86_64: the multiboot bootstrap (.bin)");
  app.add_option("--scenario", options.scenario, "what to do and expect (see the source's header)")
      ->check(CLI::IsMember(scenarios));
  app.add_option("--load-address", options.load_address, "where the purgatory goes")->required();
  app.add_option("--next-kernel-address", options.next_kernel_address, "where the next kernel goes")->required();
  app.add_option("--data-address", options.data_address, "where the data segment goes")->required();
  app.add_flag("--el2", options.machine.el2, "arm64: run at EL2");
  app.add_flag("--vhe", options.machine.vhe, "arm64: run at EL2 with HCR_EL2.E2H set (VHE)");
  app.add_flag("--cpu-max", options.machine.cpu_max, "x86_64: QEMU's max CPU (SSSE3 and BMI2) instead of qemu64");
  app.add_option("--engine", options.engine,
                 "the digest engine the purgatory must report (its console name); default: what the emulated CPU "
                 "offers (x86_64: portable, TCG has no SHA-NI; ssse3+bmi2 with --cpu-max; arm64: armv8 sha2, caches on; ppc64: power8 vector "
                 "crypto; portable with --no-hardware-digest)");
  app.add_flag("--no-hardware-digest", options.no_hardware_digest, "forbid hardware digest engines");
  app.add_flag("--verify-each-segment", options.verify_each_segment, "ask for each segment to be checked alone");
  app.add_option("--tool", options.tool, "purgatory-tool, for corrupt-dump and console-on-block");
  app.add_option("--work-dir", options.work_dir, "directory for the sealed files")->required();
  app.add_option("--timeout", options.timeout_seconds, "seconds before giving up");
  app.add_flag("--summary", options.summary, "print one table row instead of the console");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }
  options.machine.arch = *arch_named(options.arch);  // --arch accepts only the SDK's names
  if (options.machine.vhe) options.machine.el2 = true;
  if (options.machine.vhe && options.machine.arch != Arch::arm64) {
    fmt::print(stderr, "--vhe is for arm64\n");
    return 2;
  }
  if (options.machine.cpu_max && options.machine.arch != Arch::x86_64) {
    fmt::print(stderr, "--cpu-max is for x86_64\n");
    return 2;
  }
  if (options.machine.arch == Arch::x86_64 && options.machine.bootstrap.empty()) {
    fmt::print(stderr, "x86_64 needs --bootstrap\n");
    return 2;
  }
  if ((options.scenario == "corrupt-dump" || options.scenario == "console-on-block") && options.tool.empty()) {
    fmt::print(stderr, "--scenario {} needs --tool\n", options.scenario);
    return 2;
  }
  if (options.engine.empty()) {
    options.engine = purgatory::test::emulated_engine(options.machine, options.no_hardware_digest);
  }
  try {
    return run_test(options);
  } catch (const std::exception& error) {
    fmt::print("FAIL: {}\n", error.what());
    return 1;
  }
}
