// SPDX-License-Identifier: MIT
// purgatory-system-test: boots a real Linux kernel in QEMU (TCG) with a stage-1 initramfs whose /init
// (host-tests/system/init) runs the kexec loader, and checks the whole chain on the console:
//
//   kexec    first kernel -> kexec-loader -> purgatory (verifies every segment) -> second kernel, which
//            prints its command line with the nonce this run put on the first kernel's and powers off
//   corrupt  the same with the loader flipping one bit of the next kernel's segment after sealing: the
//            purgatory names the segment and halts; the second kernel never runs
//   crash    kdump: the first kernel (2 CPUs, crashkernel=) loads the second as a crash kernel, leaves
//            three markers in its memory (a kmsg line, a file, an mlock()ed page) and panics on CPU 1;
//            the purgatory verifies the crash kernel, which finds in /proc/vmcore an ET_CORE of the
//            machine, a note per CPU, VMCOREINFO and the three markers, then powers off
//   crash-corrupt  the same with one bit of the crash kernel flipped after sealing: at the panic the
//            purgatory refuses it and resets (QEMU exits under -no-reboot); the crash kernel never runs
//   crash-unload  a crash kernel loaded, unloaded, and --status then reports nothing loaded; no panic
//   direct   no kexec: the kernel boots the initramfs straight into its second-kernel path; proves the
//            kernel, initramfs, console and power-off work on their own
//
// It builds nothing: the kernel and the initramfs are given (host-tests/system/CMakeLists.txt makes them).
// Exit status 0 when every expectation holds; otherwise 1, with the console output and the reasons.
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <purgatory/abi.h>
#include <purgatory/host/file.h>
#include <purgatory/host/image.h>

#include "run.h"

namespace {

namespace fs = std::filesystem;
using purgatory::test::RunResult;

struct Options {
  std::string arch;            // the kernel's: x86_64, arm64 or ppc64le
  std::string purgatory_arch;  // the purgatory's, as its banner names it; the kernel's by default
  std::string kernel;
  std::string initrd;
  std::string loader;  // checked only: the initrd carries its copy
  std::string scenario = "kexec";
  std::string each_segment_image;  // --verify-each-segment: the purgatory image, for its features
  std::string nonce;  // random by default
  double timeout_seconds = 300;
  bool summary = false;
};

const std::string first_kernel_marker = "PURGATORY-SDK-FIRST-KERNEL";
const std::string second_kernel_marker = "PURGATORY-SDK-SECOND-KERNEL cmdline:";
const std::string loader_failed_marker = "PURGATORY-SDK-LOADER-FAILED";
const std::string halted_marker = "purgatory: not booting the next kernel; halted";
const std::string panic_marker = "Kernel panic - not syncing";

std::string console_device(const std::string& arch) {
  if (arch == "x86_64") return "ttyS0";
  if (arch == "arm64") return "ttyAMA0";
  return "hvc0";  // pseries: the hypervisor's virtual terminal
}

bool is_crash(const Options& options) { return options.scenario.starts_with("crash"); }

std::vector<std::string> qemu_command(const Options& options, const std::string& append) {
  std::vector<std::string> command;
  if (options.arch == "x86_64" && is_crash(options)) {
    // Two CPUs, to panic on the second; 1 GiB keeps the dump that the crash kernel reads through small.
    command = {"qemu-system-x86_64", "-M", "pc", "-m", "1G", "-smp", "2"};
  } else if (options.arch == "x86_64") {
    command = {"qemu-system-x86_64", "-M", "pc", "-m", "2G", "-smp", "1"};
  } else if (options.arch == "arm64" && is_crash(options)) {
    command = {"qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-m", "1G", "-smp", "2"};
  } else if (options.arch == "arm64") {
    command = {"qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-m", "2G"};
  } else {
    // The caps silence warnings TCG cannot honour. Two CPUs on purpose: the kernel's kexec must bring
    // the secondary CPU to a stop, and the purgatory runs on one while the other waits.
    command = {"qemu-system-ppc64", "-M",
               "pseries,x-vof=on,cap-ccf-assist=off,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken",
               "-cpu", "power9", "-m", "2G,slots=1,maxmem=3G", "-smp", "2",
               // A DIMM plugged in at boot (at 2 GiB): its memory is listed as hot-pluggable blocks in
               // /ibm,dynamic-reconfiguration-memory, as on PowerVM, not as a memory node.
               "-object", "memory-backend-ram,id=dimm0,size=256M", "-device", "pc-dimm,id=dimm0,memdev=dimm0"};
  }
  command.insert(command.end(), {"-kernel", options.kernel, "-initrd", options.initrd, "-append", append,
                                 "-nographic", "-nodefaults", "-serial", "stdio", "-no-reboot"});
  return command;
}

std::string random_nonce() {
  std::random_device device;
  const std::uint64_t value = (std::uint64_t{device()} << 32) | device();
  return fmt::format("{:016x}", value);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The rest of the line that starts at `at`, without its line ending.
std::string line_from(const std::string& text, std::size_t at) {
  const std::size_t end = text.find('\n', at);
  std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// The CPU count of each kernel's "smp: Brought up N nodes, M CPUs" line.
std::vector<int> cpus_brought_up(const std::string& output) {
  static const std::regex line(R"(smp: Brought up [0-9]+ nodes?, ([0-9]+) CPUs?)");
  std::vector<int> counts;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), line); it != std::sregex_iterator(); ++it) {
    counts.push_back(std::stoi((*it)[1].str()));
  }
  return counts;
}

bool has_word(const std::string& line, const std::string& word) {
  const std::string padded = " " + line + " ";
  return padded.find(" " + word + " ") != std::string::npos;
}

// Expectations met in order: each is looked for after the previous one's match.
class OrderedChecks {
 public:
  OrderedChecks(const std::string& output, std::vector<std::string>& problems)
      : output_(output), problems_(problems) {}

  // Returns where `text` starts, or npos (and records a problem) if it is not there.
  std::size_t literal(const std::string& text) {
    const std::size_t at = output_.find(text, position_);
    return found(at, text.size(), text);
  }

  std::size_t pattern(const std::string& expression, const std::string& description) {
    std::smatch match;
    const auto from = output_.begin() + static_cast<std::ptrdiff_t>(position_);
    if (!std::regex_search(from, output_.end(), match, std::regex(expression))) {
      return found(std::string::npos, 0, description);
    }
    return found(position_ + static_cast<std::size_t>(match.position(0)), static_cast<std::size_t>(match.length(0)),
                 description);
  }

 private:
  std::size_t found(std::size_t at, std::size_t length, const std::string& description) {
    if (failed_) return std::string::npos;  // one missing step is enough to report
    if (at == std::string::npos) {
      const bool anywhere = position_ > 0 && output_.find(description) != std::string::npos;
      problems_.push_back(fmt::format("missing: \"{}\"{}", description, anywhere ? " (only out of order)" : ""));
      failed_ = true;
      return at;
    }
    position_ = at + length;
    return at;
  }

  const std::string& output_;
  std::vector<std::string>& problems_;
  std::size_t position_ = 0;
  bool failed_ = false;
};

std::string regex_escape(const std::string& text) {
  static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
  return std::regex_replace(text, special, R"(\$&)");
}

int run_test(Options options) {
  if (options.purgatory_arch.empty()) options.purgatory_arch = options.arch;
  if (options.nonce.empty()) options.nonce = random_nonce();
  const bool uses_loader = options.scenario != "direct";

  std::vector<std::string> problems;
  const auto require_file = [&](const std::string& path, const std::string& what, const std::string& remedy) {
    if (!fs::exists(path)) problems.push_back(fmt::format("{} not found at {}: {}", what, path, remedy));
  };
  require_file(options.kernel, "the kernel", "run scripts/setup.sh");
  require_file(options.initrd, "the stage-1 initramfs", "build the project (it makes the archive)");
  if (uses_loader) {
    if (options.loader.empty()) {
      problems.push_back("no --loader given");
    } else {
      require_file(options.loader, "the kexec loader", "tools/kexec-loader builds it");
      std::error_code error;
      if (problems.empty() && fs::last_write_time(options.loader) > fs::last_write_time(options.initrd, error)) {
        problems.push_back(fmt::format("{} is older than {}: build the project again to put this loader in it",
                                       options.initrd, options.loader));
      }
    }
  }
  if (!problems.empty()) {
    for (const auto& problem : problems) fmt::print("FAIL: {}\n", problem);
    return 1;
  }

  std::string append = fmt::format("console={} purgatory_sdk.nonce={}", console_device(options.arch), options.nonce);
  if (options.scenario == "direct") append += " purgatory_sdk.stage=2";
  if (is_crash(options)) {
    // ppc64le's 64 KiB-page kernel needs a larger reservation to boot in.
    append += options.arch == "ppc64le" ? " crashkernel=512M" : " crashkernel=256M";
    append += " purgatory_sdk.mode=" + std::string(options.scenario == "crash-unload" ? "crash-unload" : "crash");
  }
  std::vector<std::string> loader_args;
  if (options.scenario == "corrupt" || options.scenario == "crash-corrupt") {
    loader_args.push_back("--test-corrupt-segment=kernel");
  }
  // The loader asks for each segment to be checked by its own digest; an image with the feature then
  // gets the kernel and initrd as halves it hashes two at a time, and says so.
  bool each_segment = false;
  if (!options.each_segment_image.empty()) {
    loader_args.push_back("--verify-each-segment");
    const auto bytes = purgatory::host::read_file(options.each_segment_image);
    if (!bytes) throw std::runtime_error(bytes.error().message);
    const auto image = purgatory::host::parse_image(*bytes);
    if (!image) throw std::runtime_error(options.each_segment_image + ": " + image.error().message);
    each_segment = purgatory::host::checks_each_segment(image->header, PURGATORY_FLAG_VERIFY_EACH_SEGMENT);
  }
  if (!loader_args.empty()) append += " purgatory_sdk.loader_args=" + fmt::format("{}", fmt::join(loader_args, ","));
  const auto command = qemu_command(options, append);

  // A crash test panics on purpose: the panic stops nothing there.
  std::vector<std::string> stop_markers = {halted_marker};
  if (!is_crash(options)) stop_markers.push_back(panic_marker);
  const RunResult result = purgatory::test::run(command, stop_markers, options.timeout_seconds);
  const std::string& output = result.output;

  std::vector<std::string> rejected = {"PURGATORY-SDK-POWEROFF-FAILED", "PURGATORY-SDK-PANIC-FAILED"};
  if (!is_crash(options)) rejected.push_back(panic_marker);
  if (uses_loader) rejected.push_back(loader_failed_marker);
  const std::string banner = fmt::format(R"(purgatory-sdk [^\n]* \({}\): [0-9]+ segments? to verify)",
                                         regex_escape(options.purgatory_arch));
  OrderedChecks checks(output, problems);
  bool should_exit = true;
  if (options.scenario == "kexec" || options.scenario == "direct") {
    if (options.scenario == "kexec") {
      checks.literal(first_kernel_marker);
      if (each_segment) {
        checks.pattern(R"(kexec-loader: the purgatory checks [0-9]+ segments, each by its own digest:)",
                       "kexec-loader: the purgatory checks N segments, each by its own digest:");
        checks.pattern(R"(kexec-loader: +0: +0x[0-9a-f]+ +[0-9]+ bytes \(kernel, first half\))",
                       "kexec-loader:    0: ADDRESS SIZE bytes (kernel, first half)");
      }
      checks.pattern(banner, fmt::format(" ({}): N segments to verify", options.purgatory_arch));
      if (each_segment) {
        checks.pattern(R"(purgatory: SHA-256 ok: [0-9]+ segments, each by its own digest, )",
                       "purgatory: SHA-256 ok: N segments, each by its own digest, ");
      } else {
        checks.literal("purgatory: SHA-256 ok");
      }
      rejected.insert(rejected.end(), {"MISMATCH", halted_marker, "purgatory: cannot verify"});
      if (count(output, first_kernel_marker) > 1) problems.push_back("the first kernel's /init ran twice");
      // Each kernel prints its banner once on the console; two of them show that a second kernel booted.
      if (const std::size_t kernels = count(output, "] Linux version "); kernels != 2) {
        problems.push_back(fmt::format("{} kernel banners (\"Linux version\") instead of 2", kernels));
      }
      // The second kernel must find every CPU the first had: the others were parked through the kexec
      // (pseries runs two on purpose).
      const auto cpus = cpus_brought_up(output);
      if (cpus.size() != 2 || cpus[0] != cpus[1]) {
        problems.push_back(fmt::format("CPUs brought up by each kernel: {} (want the same count twice)",
                                       fmt::join(cpus, ", ")));
      }
    } else {
      rejected.push_back(first_kernel_marker);
    }
    const std::size_t at = checks.literal(second_kernel_marker);
    if (at != std::string::npos) {
      const std::string line = line_from(output, at + second_kernel_marker.size());
      const std::vector<std::string> words = {"purgatory_sdk.stage=2", "console=" + console_device(options.arch),
                                              "purgatory_sdk.nonce=" + options.nonce};
      for (const auto& word : words) {
        if (!has_word(line, word)) problems.push_back(fmt::format("the second kernel's command line lacks {}", word));
      }
      if (line.find("purgatory_sdk.loader_args") != std::string::npos) {
        problems.push_back("the second kernel got the first kernel's command line");
      }
    }
  } else if (options.scenario == "crash-unload") {
    checks.literal(first_kernel_marker);
    checks.literal("kexec-loader: crash kernel loaded; a panic now starts it through the purgatory");
    checks.literal("PURGATORY-SDK-CRASH-LOADED 1");
    checks.literal("kexec-loader: crash kernel unloaded");
    checks.literal("kexec-loader: crash kernel not loaded");
    checks.literal("PURGATORY-SDK-STATUS status=1 loaded=0");
    rejected.insert(rejected.end(), {panic_marker, "purgatory-sdk ", second_kernel_marker});
  } else if (is_crash(options)) {
    checks.literal(first_kernel_marker);
    checks.literal("kexec-loader: crash kernel loaded; a panic now starts it through the purgatory");
    checks.literal("PURGATORY-SDK-CRASH-LOADED 1");
    checks.literal("sysrq: Trigger a crash");
    checks.pattern(R"(CPU: 1 PID: [0-9]+ Comm: sh)", "CPU: 1 PID: N Comm: sh (the panic on CPU 1)");
    checks.pattern(banner, fmt::format(" ({}): N segments to verify", options.purgatory_arch));
    if (options.scenario == "crash") {
      // The engine the emulated CPU offers: TCG's default x86_64 CPU has neither SHA-NI nor BMI2.
      const std::string engine = options.arch == "x86_64" ? "portable"
                                 : options.arch == "arm64" ? "armv8 sha2"
                                                           : "power8 vector crypto";
      checks.pattern(fmt::format(R"(purgatory: SHA-256 ok: [^\n]*\({}[,)])", regex_escape(engine)),
                     fmt::format("purgatory: SHA-256 ok: ... ({}", engine));
      // ppc64: the first 64 KiB saved for the dump before the crash kernel puts its vectors there.
      if (options.arch == "ppc64le") checks.literal("purgatory: copied 65536 bytes from 0x0 to 0x");
      const std::size_t at = checks.literal(second_kernel_marker);
      if (at != std::string::npos) {
        const std::string line = line_from(output, at + second_kernel_marker.size());
        for (const auto& word : {"purgatory_sdk.nonce=" + options.nonce, std::string("reset_devices")}) {
          if (!has_word(line, word)) problems.push_back(fmt::format("the crash kernel's command line lacks {}", word));
        }
        if (line.find("elfcorehdr=0x") == std::string::npos) problems.push_back("the crash kernel got no elfcorehdr=");
        if (line.find("crashkernel=") != std::string::npos) problems.push_back("the crash kernel got crashkernel=");
      }
      checks.pattern(fmt::format(R"(kexec-loader: vmcore: ET_CORE for {}, 2 CPU notes \(NT_PRSTATUS\), VMCOREINFO [1-9][0-9]* bytes, ([0-9]+) memory ranges \(\1 with virtual addresses\))",
                                 regex_escape(options.arch)),
                     fmt::format("kexec-loader: vmcore: ET_CORE for {}, 2 CPU notes (NT_PRSTATUS), VMCOREINFO N bytes, "
                                 "M memory ranges (M with virtual addresses)",
                                 options.arch));
      checks.literal(fmt::format("\"KMSG-PURGATORY-SDK-MARKER-{}\" found", options.nonce));
      checks.literal(fmt::format("\"FILE-PURGATORY-SDK-MARKER-{}\" found", options.nonce));
      checks.literal(fmt::format("\"held in locked memory: MLOCK-PURGATORY-SDK-MARKER-{}\" found", options.nonce));
      // The /dev/kmsg line in the dying kernel's log itself (its printk ring), not only in some copy of it.
      checks.literal(fmt::format("\"KMSG-PURGATORY-SDK-MARKER-{}\" found in the kernel log", options.nonce));
      checks.literal("PURGATORY-SDK-VMCORE status=0");
      rejected.insert(rejected.end(), {"MISMATCH", halted_marker, "purgatory: cannot verify"});
      if (options.arch == "ppc64le") {
        // The crash kernel runs in the crash range only: not in the DIMM at 2 GiB, the dump's memory,
        // which it would take if linux,drconf-usable-memory did not say otherwise.
        static const std::regex ram(R"(purgatory-sdk-init: crash kernel iomem: *([0-9a-f]+)-([0-9a-f]+) : System RAM)");
        int ranges = 0;
        for (auto it = std::sregex_iterator(output.begin(), output.end(), ram); it != std::sregex_iterator(); ++it, ++ranges) {
          if (std::stoull((*it)[2].str(), nullptr, 16) >= 0x80000000) {
            problems.push_back(fmt::format("the crash kernel uses memory of the DIMM at 2 GiB: {}", (*it)[0].str()));
          }
        }
        if (ranges == 0) problems.push_back("the crash kernel listed no System RAM");
        // The purgatory names the CPU that panicked (CPU 1) as the crash kernel's boot CPU.
        static const std::regex panicked(R"(purgatory-sdk-init: cpu1 physical id: (0x[0-9a-f]{8}))");
        static const std::regex named(R"(purgatory-sdk-init: crash kernel fdt boot_cpuid_phys: (0x[0-9a-f]{8}))");
        std::smatch cpu1, boot_cpu;
        if (!std::regex_search(output, cpu1, panicked)) {
          problems.push_back("the first kernel did not report CPU 1's physical id");
        } else if (!std::regex_search(output, boot_cpu, named)) {
          problems.push_back("the crash kernel did not report its device tree's boot_cpuid_phys");
        } else if (cpu1[1].str() != boot_cpu[1].str()) {
          problems.push_back(fmt::format("the crash kernel's boot_cpuid_phys is {}, not the panicked CPU 1's {}",
                                         boot_cpu[1].str(), cpu1[1].str()));
        }
      }
    } else {
      checks.pattern(R"(purgatory: SHA-256 MISMATCH in segment [0-9]+ \()", "purgatory: SHA-256 MISMATCH in segment N (");
      checks.literal("purgatory: not booting the next kernel; resetting");
      rejected.insert(rejected.end(), {second_kernel_marker, "purgatory: SHA-256 ok"});
    }
  } else {  // corrupt
    checks.literal(first_kernel_marker);
    checks.pattern(banner, fmt::format(" ({}): N segments to verify", options.purgatory_arch));
    checks.pattern(R"(purgatory: SHA-256 MISMATCH in segment [0-9]+ \()", "purgatory: SHA-256 MISMATCH in segment N (");
    checks.literal(halted_marker);
    rejected.insert(rejected.end(), {second_kernel_marker, "purgatory: SHA-256 ok", "purgatory: booting next kernel"});
    should_exit = false;  // a halted machine runs until it is stopped
  }
  for (const auto& text : rejected) {
    if (output.find(text) != std::string::npos) problems.push_back(fmt::format("present: \"{}\"", text));
  }
  if (result.timed_out) problems.push_back(fmt::format("timed out after {} s", options.timeout_seconds));
  if (should_exit && !result.timed_out) {
    if (!result.exit_status) {
      problems.push_back(fmt::format("QEMU did not exit (stopped at \"{}\")", result.stopped_by));
    } else if (*result.exit_status != 0) {
      problems.push_back(fmt::format("QEMU exit status {}, expected 0 (power-off)", *result.exit_status));
    }
  }

  const std::string what = options.arch + (options.purgatory_arch != options.arch
                                               ? fmt::format(" ({} purgatory)", options.purgatory_arch)
                                               : std::string());
  const std::string verdict = options.scenario.ends_with("corrupt") ? "refused"
                              : options.scenario == "crash-unload" ? "unloaded"
                                                                   : "booted";
  if (options.summary) {
    fmt::print("{:<25} {:<8} {:<8} {:6.2f} s  {}\n", what, options.scenario, problems.empty() ? verdict : "FAILED",
               result.seconds, problems.empty() ? "ok" : problems.front());
  }
  if (!problems.empty()) {
    fmt::print("command: {}\n--- console ---\n{}\n--- end ---\n", purgatory::test::shell_command_line(command),
               output);
    for (const auto& problem : problems) fmt::print("FAIL: {}\n", problem);
    return 1;
  }
  if (!options.summary) {
    fmt::print("command: {}\n{}\n--- {} {}: {} ({:.2f} s) ---\n", purgatory::test::shell_command_line(command),
               output, what, options.scenario, verdict, result.seconds);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"Boot a Linux kernel in QEMU that kexecs through a purgatory into a second kernel, and check it"};
  app.add_option("--arch", options.arch, "the kernel's arch")
      ->required()
      ->check(CLI::IsMember({"x86_64", "arm64", "ppc64le"}));
  app.add_option("--purgatory-arch", options.purgatory_arch, "the purgatory's arch, if not the kernel's")
      ->check(CLI::IsMember({"x86_64", "arm64", "ppc64le", "ppc64"}));
  app.add_option("--kernel", options.kernel, "the kernel QEMU boots (also the next kernel inside the initramfs)")
      ->required();
  app.add_option("--initrd", options.initrd, "the stage-1 initramfs (.cpio)")->required();
  app.add_option("--loader", options.loader, "the kexec loader the initramfs carries (checked to exist)");
  app.add_option("--scenario", options.scenario, "kexec, corrupt, crash, crash-corrupt, crash-unload or direct")
      ->check(CLI::IsMember({"kexec", "corrupt", "crash", "crash-corrupt", "crash-unload", "direct"}));
  app.add_option("--verify-each-segment", options.each_segment_image,
                 "the loader passes --verify-each-segment; the purgatory image (PATH) says whether the "
                 "purgatory must then report checking each segment");
  app.add_option("--nonce", options.nonce, "the nonce passed to the second kernel (random by default)");
  app.add_option("--timeout", options.timeout_seconds, "seconds before giving up");
  app.add_flag("--summary", options.summary, "print one table row instead of the console");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }
  try {
    return run_test(options);
  } catch (const std::exception& error) {
    fmt::print("FAIL: {}\n", error.what());
    return 1;
  }
}
