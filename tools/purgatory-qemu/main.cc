// SPDX-License-Identifier: MIT
// purgatory-qemu IMAGE: boots a purgatory image (the SDK's or a custom one, flat or ELF, any arch)
// under QEMU (TCG) the way its arch's kexec starts one, with the SDK's stand-in next kernel and a data
// segment (or the segments given), shows its console as it runs, and ends with its verdict:
//
//   0  verified: the purgatory checked every segment and the next kernel started
//   1  refused: the purgatory stopped without starting it (a mismatch, a request it refuses, a fault)
//   2  bad usage, or an input that cannot be read, is not an image, or cannot be sealed
//   3  no verdict: the emulator could not run, ended early, or the time ran out
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <purgatory/host/file.h>
#include <purgatory/host/image.h>
#include <purgatory/host/spec.h>

#include "machine.h"
#include "run.h"

namespace {

using namespace purgatory::host;
namespace fs = std::filesystem;

constexpr int exit_verified = 0, exit_refused = 1, exit_usage = 2, exit_no_verdict = 3;

// The signal that asked us to stop (Ctrl-C, a terminal closed, kill), 0 if none: a handler can do no
// more than note it, and the run loop then stops QEMU so that the temporary files go too.
volatile sig_atomic_t stop_signal = 0;

void note_stop_signal(int signal_number) { stop_signal = signal_number; }

void stop_on_signals() {
  struct sigaction action {};
  action.sa_handler = note_stop_signal;
  sigemptyset(&action.sa_mask);
  for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    // One ignored when we started stays ignored (nohup, a background job of a shell without job control).
    struct sigaction inherited {};
    if (sigaction(signal_number, nullptr, &inherited) == 0 && inherited.sa_handler == SIG_IGN) continue;
    sigaction(signal_number, &action, nullptr);
  }
}

// Dies of the signal that stopped us, as a shell expects of an interrupted command (status 128 + N).
[[noreturn]] void die_of_stop_signal() {
  const int signal_number = stop_signal;
  signal(signal_number, SIG_DFL);
  raise(signal_number);
  _exit(128 + signal_number);
}

struct Options {
  std::string image;
  std::string load_address;
  std::vector<std::string> segments;
  std::vector<std::string> user;
  std::string on_failure = "halt";
  bool no_hardware_digest = false;
  bool verify_each_segment = false;
  bool corrupt = false;
  bool el2 = false;
  bool vhe = false;
  bool cpu_max = false;
  double timeout_seconds = 30;
  std::string stand_ins;
  std::string work_dir;
};

// Where each arch's emulated machine has room: the purgatory, the stand-in next kernel and the data.
struct Layout {
  std::uint64_t purgatory, next_kernel, data;
};
Layout layout_of(Arch arch) {
  if (arch == Arch::x86_64) return {0x1234000, 0x3000000, 0x3100000};
  if (arch == Arch::arm64) return {0x4a6b1000, 0x48000000, 0x48100000};
  return {0x2a6b0000, 0x8000000, 0x8100000};
}

int usage_error(const std::string& message) {
  fmt::print(stderr, "purgatory-qemu: {}\n", message);
  return exit_usage;
}

// The installed prefix's share/purgatory-sdk (beside bin/), or the build tree's.
fs::path default_stand_ins() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path installed = self.parent_path().parent_path() / "share" / "purgatory-sdk";
    if (fs::exists(installed / "x86_64" / "next-kernel.bin", error)) return installed;
  }
  return PURGATORY_QEMU_BUILD_SHARE_DIR;
}

std::vector<std::byte> data_segment() {
  std::vector<std::byte> data(48 * 1024 + 13);
  std::uint64_t state = 0x9e3779b97f4a7c15;
  for (auto& byte : data) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    byte = static_cast<std::byte>(state);
  }
  return data;
}

// A segment file is held in memory and handed to QEMU whole: more than this is no test of a purgatory.
constexpr std::uint64_t segment_file_limit = std::uint64_t{1} << 30;

int run(const Options& options) {
  // (!(x > 0) is also true of a NaN, which no comparison would ever time out against.)
  if (!(options.timeout_seconds > 0) || options.timeout_seconds > 86400) {
    return usage_error(fmt::format("--timeout {}: give seconds, more than 0 and at most 86400", options.timeout_seconds));
  }
  const auto file = read_file(options.image, image_file_limit);
  if (!file) return usage_error(file.error().message);
  const auto image = load_image(*file);
  if (!image) return usage_error(fmt::format("{}: {}", options.image, image.error().message));
  const Arch arch = *image->header.arch();  // a loaded image has one
  const bool ppc64 = traits(arch).elf_machine == PURGATORY_MACHINE_PPC64;
  if ((options.el2 || options.vhe) && arch != Arch::arm64) return usage_error("--el2 and --vhe are for arm64 images");
  if (options.cpu_max && arch != Arch::x86_64) return usage_error("--cpu-max is for x86_64 images");

  const fs::path stand_ins = options.stand_ins.empty() ? default_stand_ins() : fs::path(options.stand_ins);
  const fs::path next_kernel_file = stand_ins / name_of(arch) / "next-kernel.bin";
  purgatory::test::Machine machine{arch, "", options.el2 || options.vhe, options.vhe, options.cpu_max};
  if (arch == Arch::x86_64) {
    machine.bootstrap = (stand_ins / "x86_64" / "x86-bootstrap.bin").string();
    if (!fs::is_regular_file(machine.bootstrap)) {
      return usage_error(machine.bootstrap + ": not there (the x86_64 bootstrap: see --stand-ins)");
    }
  }
  const auto next_kernel = read_file(next_kernel_file.string());
  if (!next_kernel) return usage_error(next_kernel.error().message + " (the stand-in next kernel: see --stand-ins)");

  const Layout layout = layout_of(arch);
  SealRequest request;
  request.load_address = layout.purgatory;
  if (!options.load_address.empty()) {
    const auto address = parse_number(options.load_address);
    if (!address) return usage_error("--load-address: " + address.error().message);
    request.load_address = *address;
  }
  request.segments.push_back(Segment{layout.next_kernel, *next_kernel, 0});
  for (const auto& text : options.segments) {
    const auto spec = parse_segment_spec(text);
    if (!spec) return usage_error(spec.error().message);
    auto bytes = read_file(spec->file, segment_file_limit);
    if (!bytes) return usage_error(bytes.error().message);
    request.segments.push_back(Segment{spec->address, std::move(bytes).value(), spec->memory_size});
  }
  if (options.segments.empty()) request.segments.push_back(Segment{layout.data, data_segment(), 0});
  const auto user = parse_user_words(options.user);
  if (!user) return usage_error(user.error().message);
  request.user = *user;
  // The stand-in reports the registers a Linux kernel is given: the data segment stands for its boot
  // data (boot_params, the device tree).
  const std::uint64_t boot_data = request.segments[1].address;
  request.entry = layout.next_kernel;
  if (arch == Arch::x86_64) request.registers = {{"rsi", boot_data}};
  if (arch == Arch::arm64) request.registers = {{"x0", boot_data}};
  if (ppc64) request.registers = {{"r3", boot_data}, {"r4", layout.next_kernel}, {"r5", 0}};
  request.console = purgatory::test::emulated_console(arch);
  if (options.on_failure == "reset") {
    request.flags |= PURGATORY_FLAG_RESET_ON_FAILURE;
    if (ppc64) request.reset = {PURGATORY_RESET_RTAS_HCALL, 0x2004, {}};  // QEMU's token
  }
  if (options.no_hardware_digest) request.flags |= PURGATORY_FLAG_NO_HARDWARE_DIGEST;
  if (options.verify_each_segment) request.flags |= PURGATORY_FLAG_VERIFY_EACH_SEGMENT;
  const auto sealed = seal(*image, request);
  if (!sealed) return usage_error(fmt::format("cannot seal {}: {}", options.image, sealed.error().message));

  // The files QEMU loads, in a directory of their own: a new one that nobody else can have prepared
  // (mkdtemp), removed afterwards, also when a signal stops us.
  stop_on_signals();
  std::error_code error;
  fs::path work = options.work_dir;
  if (work.empty()) {
    const fs::path temp = fs::temp_directory_path(error);
    if (error) return usage_error(fmt::format("no directory for temporary files: {}", error.message()));
    std::string pattern = (temp / "purgatory-qemu-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return usage_error(fmt::format("cannot make a directory in {}: {}", temp.string(), std::strerror(errno)));
    }
    work = pattern;
  } else {
    fs::create_directories(work, error);
    if (error) return usage_error(fmt::format("{}: {}", work.string(), error.message()));
  }
  std::vector<purgatory::test::Placed> files;
  const auto place = [&](const std::string& name, std::uint64_t address, std::span<const std::byte> bytes) {
    const auto written = write_output((work / name).string(), bytes);
    if (!written) return false;
    files.push_back({work / name, address});
    return true;
  };
  bool placed = place("purgatory.bin", request.load_address, sealed->bytes);
  for (std::size_t i = 0; i < request.segments.size(); ++i) {
    std::vector<std::byte> bytes = request.segments[i].bytes;
    // --corrupt: one bit of the last segment flipped after sealing, as a stray write would.
    if (options.corrupt && i + 1 == request.segments.size() && !bytes.empty()) bytes[bytes.size() / 3] ^= std::byte{0x10};
    placed = placed && place(fmt::format("segment-{}.bin", i), request.segments[i].address, bytes);
  }
  // Our own directory goes, with what QEMU left there; one the user named stays.
  const auto remove_work = [&] {
    if (options.work_dir.empty()) fs::remove_all(work, error);
  };
  if (!placed || stop_signal != 0) {
    remove_work();
    if (stop_signal != 0) die_of_stop_signal();
    return usage_error(fmt::format("cannot write the emulator's files in {}", work.string()));
  }

  const auto command = purgatory::test::qemu_command(machine, request.load_address + image->header.entry_offset,
                                                     files, work);
  purgatory::test::RunOptions run_options;
  run_options.stop_markers = {"; halted"};
  run_options.timeout_seconds = options.timeout_seconds;
  run_options.poll = [] { return stop_signal != 0; };
  run_options.on_output = [](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  };
  const purgatory::test::RunResult result = purgatory::test::run(command, run_options);
  remove_work();
  if (!result.output.empty() && result.output.back() != '\n') std::fputc('\n', stdout);
  if (stop_signal != 0) {
    const int signal_number = stop_signal;
    fmt::print(stderr, "purgatory-qemu: stopped by signal {} ({}) after {:.2f} s\n", signal_number,
               strsignal(signal_number), result.seconds);
    die_of_stop_signal();
  }

  const std::string& output = result.output;
  const bool refused = output.find("purgatory: not booting the next kernel") != std::string::npos;
  const bool next_kernel_ran = output.find("next-kernel: done") != std::string::npos;
  if (next_kernel_ran && result.exit_status == purgatory::test::success_exit_status(arch)) {
    fmt::print(stderr, "purgatory-qemu: verified: the next kernel started ({:.2f} s)\n", result.seconds);
    return exit_verified;
  }
  if (refused && (!result.stopped_by.empty() || result.exit_status == 0)) {
    fmt::print(stderr, "purgatory-qemu: refused: the purgatory {} without starting the next kernel ({:.2f} s)\n",
               result.stopped_by.empty() ? "reset the machine" : "halted", result.seconds);
    return exit_refused;
  }
  if (result.timed_out) {
    fmt::print(stderr, "purgatory-qemu: no verdict after {} s (--timeout)\n", options.timeout_seconds);
  } else if (result.exit_status) {
    fmt::print(stderr, "purgatory-qemu: no verdict: {} exited with status {}\n", command.front(), *result.exit_status);
  } else {
    fmt::print(stderr, "purgatory-qemu: no verdict: {} stopped\n", command.front());
  }
  return exit_no_verdict;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{
      "purgatory-qemu: boot a purgatory image under QEMU (TCG) as its arch's kexec starts one, with the SDK's "
      "stand-in next kernel, show its console and give its verdict as the exit status"};
  app.footer(
      "The image (flat or ELF, any arch the SDK builds) is sealed for a stand-in next kernel and a data segment "
      "(or the --segment files), and started the way kexec starts a purgatory: x86_64 in long mode with "
      "identity paging, arm64 at EL1 (or EL2) with the MMU off, ppc64 in real mode. The stand-in reports the "
      "registers it was given. Needs the arch's qemu-system program.\n"
      "Exit status: 0 verified, the next kernel started; 1 refused (a mismatch, a request the purgatory "
      "refuses, a fault); 2 bad usage or input; 3 no verdict (the emulator failed or the time ran out).");
  app.set_version_flag("--version", PURGATORY_SDK_VERSION);
  app.add_option("IMAGE", options.image, "the purgatory image (flat .bin or .elf)")->required();
  app.add_option("--load-address", options.load_address, "where the purgatory goes (default: a place the arch's "
                                                          "emulated machine has free)");
  // One value per use, as in purgatory-tool seal: an IMAGE after them is the image.
  app.add_option("--segment", options.segments,
                 "ADDRESS:FILE[:MEMORY_SIZE]: a segment to load and verify besides the next kernel (default: "
                 "48 KiB and 13 bytes of data); repeat --segment for each")
      ->allow_extra_args(false);
  app.add_option("--user", options.user, "INDEX=VALUE: purgatory_info.user[INDEX], for custom purgatories")
      ->allow_extra_args(false);
  app.add_option("--on-failure", options.on_failure, "halt or reset when the purgatory refuses")
      ->check(CLI::IsMember({"halt", "reset"}))
      ->capture_default_str();
  app.add_flag("--no-hardware-digest", options.no_hardware_digest, "forbid the CPU's SHA-256 instructions");
  app.add_flag("--verify-each-segment", options.verify_each_segment, "ask for each segment to be checked by its own digest");
  app.add_flag("--corrupt", options.corrupt, "flip one bit of the last segment after sealing: the purgatory must refuse");
  app.add_flag("--el2", options.el2, "arm64: enter at EL2");
  app.add_flag("--vhe", options.vhe, "arm64: enter at EL2 with HCR_EL2.E2H set, as under a VHE kernel");
  app.add_flag("--cpu-max", options.cpu_max,
               "x86_64: QEMU's \"max\" CPU instead of qemu64: SSSE3 and BMI2, so the purgatory hashes with its "
               "ssse3+bmi2 engine (TCG has no SHA-NI)");
  app.add_option("--timeout", options.timeout_seconds, "seconds to wait for a verdict")->capture_default_str();
  app.add_option("--stand-ins", options.stand_ins,
                 "the directory with <arch>/next-kernel.bin and x86_64/x86-bootstrap.bin (default: the SDK's "
                 "share/purgatory-sdk)");
  app.add_option("--work-dir", options.work_dir, "keep the sealed image and the files QEMU loads here");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    fmt::print(stderr, "purgatory-qemu: {}\nRun 'purgatory-qemu --help'.\n", error.what());
    return exit_usage;
  }
  try {
    return run(options);
  } catch (const std::exception& error) {
    fmt::print(stderr, "purgatory-qemu: internal error: {}\n", error.what());
    return exit_no_verdict;
  }
}
