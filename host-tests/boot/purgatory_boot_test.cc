// purgatory-boot-test: boots a sealed purgatory in QEMU (TCG) at a chosen address, with a stand-in next
// kernel and a data segment, and checks what happens against what the scenario requires:
//
//   boot          the purgatory verifies both segments and jumps; the next kernel reports exactly the
//                 registers that were sealed, and the emulator exits with the arch's success status
//   corrupt       one bit of the data segment is flipped after sealing: the purgatory names segment 1
//                 with the expected and computed digests and halts; the next kernel never runs
//   corrupt-reset the same, sealed with PURGATORY_FLAG_RESET_ON_FAILURE: the machine resets
//   custom        examples/custom: its extra step reports on the console, then the next kernel runs
//
// Exit status 0 when every expectation holds; otherwise 1, with the console output and the reasons.
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <purgatory/host/file.h>
#include <purgatory/host/image.h>
#include <purgatory/host/loadable_elf.h>
#include <purgatory/sha256.h>

#include "qemu_run.h"

namespace {

using namespace purgatory::host;
using purgatory::test::RunResult;
namespace fs = std::filesystem;

struct Options {
  std::string arch;
  std::string image;
  std::string next_kernel;
  std::string bootstrap;  // x86_64 only
  std::string scenario = "boot";
  std::uint64_t load_address = 0;
  std::uint64_t next_kernel_address = 0;
  std::uint64_t data_address = 0;
  bool el2 = false;  // arm64: enter at EL2 (virtualization=on)
  bool vhe = false;  // arm64: at EL2 with HCR_EL2.E2H set, as a VHE kernel runs (implies el2)
  std::string engine = "portable";  // the digest engine the console must name
  bool no_hardware_digest = false;  // seal with PURGATORY_FLAG_NO_HARDWARE_DIGEST
  bool verify_each_segment = false;  // seal with PURGATORY_FLAG_VERIFY_EACH_SEGMENT
  std::string work_dir;
  double timeout_seconds = 30;
  bool summary = false;
};

std::vector<std::byte> bytes_of(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes) throw std::runtime_error(bytes.error().message);
  return std::move(bytes).value();
}

void write_bytes(const fs::path& path, std::span<const std::byte> bytes) {
  const auto written = write_output(path.string(), bytes);
  if (!written) throw std::runtime_error(written.error().message);
}

// 48 KiB and a few bytes of deterministic noise: a segment with no structure a bug could hide in.
std::vector<std::byte> data_segment() {
  std::vector<std::byte> data(48 * 1024 + 13);
  std::uint64_t state = 0x9e3779b97f4a7c15;
  for (auto& byte : data) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    byte = static_cast<std::byte>(state);
  }
  return data;
}

std::uint64_t memory_size_of(const Segment& segment) {
  return segment.memory_size != 0 ? segment.memory_size : segment.bytes.size();
}

std::string hex_digest(const std::array<std::uint8_t, 32>& digest) {
  std::string text;
  for (auto byte : digest) text += fmt::format("{:02x}", byte);
  return text;
}

// QEMU's pseries needs its -kernel as an ELF, starts it at the load address (kernel-addr) rather than
// at e_entry, and keeps only the low 32 bits of that address. So the -kernel is a small trampoline
// loaded low, which jumps to the purgatory's 64-bit entry address; the purgatory is loaded with
// -device loader like every other segment. VOF starts the CPU big-endian and in 32-bit mode; the
// trampoline (big-endian code) turns on 64-bit mode, as Linux's kexec leaves it, and the purgatory's
// entry switches to its own byte order as it does under kexec.
constexpr std::uint64_t pseries_trampoline_address = 0x4000000;

std::vector<std::byte> pseries_trampoline(std::uint64_t target) {
  const auto field = [&](unsigned shift) { return static_cast<std::uint32_t>((target >> shift) & 0xffff); };
  const std::uint32_t code[] = {
      0x7d6000a6,              // mfmsr  r11
      0x39800001,              // li     r12, 1
      0x798cf806,              // sldi   r12, r12, 63        (MSR[SF]: 64-bit mode)
      0x7d6b6378,              // or     r11, r11, r12
      0x7d600164,              // mtmsrd r11
      0x4c00012c,              // isync
      0x3d800000 | field(48),  // lis    r12, target[63:48]
      0x618c0000 | field(32),  // ori    r12, r12, target[47:32]
      0x798c07c6,              // sldi   r12, r12, 32
      0x658c0000 | field(16),  // oris   r12, r12, target[31:16]
      0x618c0000 | field(0),   // ori    r12, r12, target[15:0]
      0x7d8903a6,              // mtctr  r12
      0x4e800420,              // bctr
  };
  std::vector<std::byte> bytes;
  for (std::uint32_t word : code) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::byte>(word >> shift));
  }
  ImageHeader header;
  header.byte_order = ByteOrder::big;
  header.elf_machine = PURGATORY_MACHINE_PPC64;
  header.memory_size = bytes.size();
  return loadable_elf(header, bytes);
}

// arm64 VHE: QEMU enters EL2 with HCR_EL2.E2H clear, and no CPU model both has FEAT_VHE and sets it.
// This stub, where the CPU starts, sets E2H (as a VHE kernel runs, with CPTR_EL2 in CPACR_EL1's layout)
// and jumps to the purgatory's entry.
constexpr std::uint64_t vhe_trampoline_address = 0x47ff0000;

std::vector<std::byte> vhe_trampoline(std::uint64_t target) {
  const std::uint32_t code[] = {
      0xd53c1100,  // mrs  x0, hcr_el2
      0xb25e0000,  // orr  x0, x0, #(1 << 34)   (E2H)
      0xd51c1100,  // msr  hcr_el2, x0
      0xd5033fdf,  // isb
      0x58000041,  // ldr  x1, target (the literal below)
      0xd61f0020,  // br   x1
      static_cast<std::uint32_t>(target), static_cast<std::uint32_t>(target >> 32),
  };
  std::vector<std::byte> bytes;
  for (std::uint32_t word : code) {
    for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<std::byte>(word >> shift));
  }
  return bytes;
}

// Distinct values for each register, so a swapped or dropped one shows.
std::map<std::string, std::uint64_t> test_registers(const Options& options) {
  std::map<std::string, std::uint64_t> registers;
  if (options.arch == "x86_64") {
    std::uint64_t n = 1;
    for (const auto& name : register_names("x86_64")) {
      if (name == "rsp") continue;  // 0: the purgatory keeps its own stack
      registers[name] = 0x5e57000000000000 | (n++ << 32) | 0xc0de;
    }
    registers["rsi"] = options.data_address;  // boot_params, in the Linux protocol
  } else if (options.arch == "arm64") {
    registers = {{"x0", options.data_address}, {"x1", 0x5e57000100000001}, {"x2", 0x5e57000200000002},
                 {"x3", 0x5e57000300000003}};
  } else {
    registers = {{"r3", options.data_address}, {"r4", options.next_kernel_address}, {"r5", 0},
                 {"r8", 0x5e57000800000008}, {"r9", 0x5e57000900000009}};
  }
  return registers;
}

purgatory_console test_console(const std::string& arch) {
  purgatory_console console{};
  if (arch == "x86_64") {
    console.kind = PURGATORY_CONSOLE_8250_PIO;
    console.base = 0x3f8;
    console.divisor = 1;  // 115200 baud from the 1.8432 MHz clock: exercises the line setup
  } else if (arch == "arm64") {
    console.kind = PURGATORY_CONSOLE_PL011;
    console.base = 0x09000000;
  } else {
    console.kind = PURGATORY_CONSOLE_HVC;
  }
  return console;
}

std::vector<std::string> qemu_command(const Options& options, const ImageHeader& header, const fs::path& image,
                                      const fs::path& next_kernel, const fs::path& data) {
  auto loader = [](const fs::path& file, std::uint64_t address) {
    return fmt::format("loader,file={},addr={:#x}", file.string(), address);
  };
  const std::uint64_t entry = options.load_address + header.entry_offset;
  std::vector<std::string> command;
  if (options.arch == "x86_64") {
    command = {"qemu-system-x86_64", "-M", "pc", "-m", "6G", "-kernel", options.bootstrap,
               "-append", fmt::format("{:#x}", entry), "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-device", loader(image, options.load_address)};
  } else if (options.arch == "arm64") {
    // VHE needs an Armv8.1 CPU: "max" (which also has the SHA-256 instructions).
    command = {"qemu-system-aarch64", "-M", options.el2 ? "virt,virtualization=on" : "virt", "-cpu",
               options.vhe ? "max" : "cortex-a57", "-m", "6G", "-semihosting", "-device",
               loader(image, options.load_address)};
    if (options.vhe) {
      command.insert(command.end(), {"-device", loader(image.parent_path() / "vhe-trampoline.bin", vhe_trampoline_address),
                                     "-device", fmt::format("loader,addr={:#x},cpu-num=0", vhe_trampoline_address)});
    } else {
      command.insert(command.end(), {"-device", fmt::format("loader,addr={:#x},cpu-num=0", entry)});
    }
  } else {
    // See pseries_trampoline(). The caps silence warnings TCG cannot honour.
    command = {"qemu-system-ppc64", "-M",
               fmt::format("pseries,x-vof=on,kernel-addr={:#x},cap-ccf-assist=off,cap-cfpc=broken,"
                           "cap-sbbc=broken,cap-ibs=broken",
                           pseries_trampoline_address),
               "-cpu", "power9", "-m", "6G", "-kernel", (image.parent_path() / "trampoline.elf").string(),
               "-device", loader(image, options.load_address)};
  }
  for (const std::string& argument : {std::string("-nographic"), std::string("-nodefaults"),
                                      std::string("-serial"), std::string("stdio"), std::string("-no-reboot")}) {
    command.push_back(argument);
  }
  command.insert(command.end(), {"-device", loader(next_kernel, options.next_kernel_address), "-device",
                                 loader(data, options.data_address)});
  return command;
}

// What the next kernel must report for each sealed register.
std::vector<std::string> expected_register_reports(const Options& options,
                                                   const std::map<std::string, std::uint64_t>& registers) {
  std::vector<std::string> reports;
  for (const auto& [name, value] : registers) reports.push_back(fmt::format(" {}={:#x}", name, value));
  if (options.arch == "arm64") {
    reports.push_back(fmt::format(" el={:#x}", options.el2 ? 2 : 1));
    // The machine state the purgatory must hand over as it found it: MMU and data cache off (the cache
    // window turns both on to hash), and FP/SIMD traps as QEMU's reset left them (CPACR_EL1.FPEN = 0,
    // trapping, at EL1, which the hardware engine must enable and then restore; CPTR_EL2 = 0 at EL2).
    reports.push_back(" sctlr_mc=0x0");
    reports.push_back(" fp_traps=0x0");
    reports.push_back(fmt::format(" e2h={:#x}", options.vhe ? 1 : 0));  // the trampoline's doing, kept
  }
  // ppc64: MSR[VEC] and MSR[VSX] are off at entry and must be off again after the vector engine.
  if (options.arch.starts_with("ppc64")) reports.push_back(" msr_vec_vsx=0x0");
  return reports;
}

int success_exit_status(const std::string& arch) { return arch.starts_with("ppc64") ? 0 : 33; }

int run_test(const Options& options) {
  const fs::path work = options.work_dir;
  fs::create_directories(work);

  const auto image = parse_image(bytes_of(options.image), ImageExpectations{options.arch});
  if (!image) throw std::runtime_error(fmt::format("{}: {}", options.image, image.error().message));
  const auto next_kernel_bytes = bytes_of(options.next_kernel);
  const auto data = data_segment();

  SealRequest request;
  request.load_address = options.load_address;
  request.segments = {Segment{options.next_kernel_address, next_kernel_bytes, 0},
                      Segment{options.data_address, data, 0}};
  request.entry = options.next_kernel_address;  // the stand-in kernel's entry is its first byte
  request.registers = test_registers(options);
  request.console = test_console(options.arch);
  if (options.scenario == "corrupt-reset") {
    request.flags |= PURGATORY_FLAG_RESET_ON_FAILURE;
    if (options.arch.starts_with("ppc64")) {
      request.reset.method = PURGATORY_RESET_RTAS_HCALL;
      request.reset.token = 0x2004;  // QEMU's RTAS system-reboot
    }
  }
  if (options.no_hardware_digest) request.flags |= PURGATORY_FLAG_NO_HARDWARE_DIGEST;
  if (options.verify_each_segment) request.flags |= PURGATORY_FLAG_VERIFY_EACH_SEGMENT;
  // Only an image that advertises it checks each segment by its own digest; the others ignore the
  // flag and check the all-segments digest, which the loader fills in either way. For the first kind
  // the loader lays the segments out in halves to pair up, as purgatory-tool seal does (from 16 KiB
  // here, so that the 48 KiB data segment is split: the purgatory then checks three segments).
  const bool each_segment = checks_each_segment(image->header, request.flags);
  if (each_segment) request.segments = pair_for_two_lanes(request.segments, 16 * 1024);
  if (options.scenario == "custom") {
    // examples/custom wipes user[1] bytes at user[0] before the jump: a page of the data segment's
    // tail that nothing else reads (the digest was checked before).
    request.user = {options.data_address + 0x8000, 0x1000, 0, 0};
  }
  const auto sealed = seal(*image, request);
  if (!sealed) throw std::runtime_error(fmt::format("seal: {}", sealed.error().message));

  auto loaded_data = data;
  const bool corrupt = options.scenario.starts_with("corrupt");
  if (corrupt) loaded_data[loaded_data.size() / 3] ^= std::byte{0x10};

  const fs::path image_file = work / "sealed.bin";
  write_bytes(image_file, *sealed);
  if (options.arch.starts_with("ppc64")) {
    write_bytes(work / "trampoline.elf", pseries_trampoline(options.load_address + image->header.entry_offset));
  }
  if (options.vhe) {
    write_bytes(work / "vhe-trampoline.bin", vhe_trampoline(options.load_address + image->header.entry_offset));
  }
  write_bytes(work / "next-kernel.bin", next_kernel_bytes);
  write_bytes(work / "data.bin", loaded_data);

  const auto command = qemu_command(options, image->header, image_file, work / "next-kernel.bin", work / "data.bin");
  const std::string halted = "purgatory: not booting the next kernel; halted";
  const RunResult result = purgatory::test::run(
      command, options.scenario == "corrupt" ? std::vector<std::string>{halted} : std::vector<std::string>{},
      options.timeout_seconds);

  std::vector<std::string> expected, rejected, problems;
  expected.push_back(fmt::format(" ({}): {} segments to verify", options.arch, request.segments.size()));  // the banner
  const auto registers = test_registers(options);
  if (corrupt) {
    // The sealed segment holding the flipped byte, as sealed and as loaded.
    const std::uint64_t flipped = options.data_address + data.size() / 3;
    std::size_t index = 0;
    while (!(request.segments[index].address <= flipped &&
             flipped - request.segments[index].address < memory_size_of(request.segments[index]))) {
      ++index;
    }
    const Segment& good = request.segments[index];
    Segment bad = good;
    bad.bytes[flipped - good.address] ^= std::byte{0x10};
    expected.push_back(fmt::format("purgatory: SHA-256 MISMATCH in segment {} ({:#x}, {} bytes; {})", index, good.address,
                                   memory_size_of(good), options.engine));
    expected.push_back("  expected " + hex_digest(segments_digest({good})));
    expected.push_back("  computed " + hex_digest(segments_digest({bad})));
    expected.push_back(options.scenario == "corrupt" ? halted : "purgatory: not booting the next kernel; resetting");
    rejected.push_back("next-kernel:");
    rejected.push_back("booting next kernel");
  } else {
    expected.push_back(fmt::format("purgatory: SHA-256 ok: {} segments, {}{} bytes ({})", request.segments.size(),
                                   each_segment ? "each by its own digest, " : "",
                                   next_kernel_bytes.size() + data.size(), options.engine));
    expected.push_back(fmt::format("purgatory: booting next kernel at {:#x}", options.next_kernel_address));
    for (const auto& report : expected_register_reports(options, registers)) expected.push_back(report);
    expected.push_back("next-kernel: done");
    rejected.push_back("MISMATCH");
  }
  if (options.scenario == "custom") {
    expected.push_back(fmt::format("custom: wiped 4096 bytes at {:#x}", options.data_address + 0x8000));
  }

  for (const auto& text : expected) {
    if (result.output.find(text) == std::string::npos) problems.push_back(fmt::format("missing: \"{}\"", text));
  }
  for (const auto& text : rejected) {
    if (result.output.find(text) != std::string::npos) problems.push_back(fmt::format("present: \"{}\"", text));
  }
  if (result.timed_out) problems.push_back(fmt::format("timed out after {} s", options.timeout_seconds));
  if (options.scenario == "corrupt") {
    if (result.exit_status) problems.push_back(fmt::format("exited ({}) instead of halting", *result.exit_status));
  } else if (!result.exit_status) {
    problems.push_back("did not exit");
  } else {
    const int wanted = options.scenario == "corrupt-reset" ? 0 : success_exit_status(options.arch);
    if (*result.exit_status != wanted) {
      problems.push_back(fmt::format("exit status {}, expected {}", *result.exit_status, wanted));
    }
  }

  const std::string verdict = corrupt ? "refused" : "verified";
  if (options.summary) {
    fmt::print("{:<8} {:>13}  {:<14} {:<9} {:5.2f} s  {}\n", options.arch, fmt::format("{:#x}", options.load_address),
               options.scenario + (options.vhe ? " (EL2, VHE)" : options.el2 ? " (EL2)" : ""), problems.empty() ? verdict : "FAILED",
               result.seconds, problems.empty() ? "ok" : problems.front());
  }
  if (!problems.empty()) {
    fmt::print("command: {}\n--- console ---\n{}\n--- end ---\n", purgatory::test::shell_command_line(command),
               result.output);
    for (const auto& problem : problems) fmt::print("FAIL: {}\n", problem);
    return 1;
  }
  if (!options.summary) {
    fmt::print("{}\n--- {} at {:#x}: {} ({:.2f} s) ---\n", result.output, options.arch, options.load_address,
               verdict, result.seconds);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"Boot a sealed purgatory in QEMU and check the outcome of a scenario"};
  app.add_option("--arch", options.arch, "x86_64, arm64, ppc64le or ppc64")->required();
  app.add_option("--image", options.image, "purgatory image (.bin)")->required();
  app.add_option("--next-kernel", options.next_kernel, "stand-in next kernel (.bin)")->required();
  app.add_option("--bootstrap", options.bootstrap, "x86_64: the multiboot bootstrap (.bin)");
  app.add_option("--scenario", options.scenario, "boot, corrupt, corrupt-reset or custom")
      ->check(CLI::IsMember({"boot", "corrupt", "corrupt-reset", "custom"}));
  app.add_option("--load-address", options.load_address, "where the purgatory goes")->required();
  app.add_option("--next-kernel-address", options.next_kernel_address, "where the next kernel goes")->required();
  app.add_option("--data-address", options.data_address, "where the data segment goes")->required();
  app.add_flag("--el2", options.el2, "arm64: run at EL2");
  app.add_flag("--vhe", options.vhe, "arm64: run at EL2 with HCR_EL2.E2H set (VHE)");
  app.add_option("--engine", options.engine, "the digest engine the purgatory must report (its console name)")
      ->capture_default_str();
  app.add_flag("--no-hardware-digest", options.no_hardware_digest, "forbid hardware digest engines");
  app.add_flag("--verify-each-segment", options.verify_each_segment, "ask for each segment to be checked alone");
  app.add_option("--work-dir", options.work_dir, "directory for the sealed files")->required();
  app.add_option("--timeout", options.timeout_seconds, "seconds before giving up");
  app.add_flag("--summary", options.summary, "print one table row instead of the console");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }
  if (options.vhe) options.el2 = true;
  if (options.vhe && options.arch != "arm64") {
    fmt::print(stderr, "--vhe is for arm64\n");
    return 2;
  }
  if (options.arch == "x86_64" && options.bootstrap.empty()) {
    fmt::print(stderr, "x86_64 needs --bootstrap\n");
    return 2;
  }
  try {
    return run_test(options);
  } catch (const std::exception& error) {
    fmt::print("FAIL: {}\n", error.what());
    return 1;
  }
}
