// SPDX-License-Identifier: MIT
// purgatory-tool seal IMAGE ... -o OUT: fill in purgatory_info for one load, in the image's byte order.
#include <string>
#include <vector>

#include <purgatory/host/spec.h>

#include "commands.h"
#include "files.h"

namespace purgatory_tool {
namespace {

std::vector<std::string> arch_names() {
  std::vector<std::string> names;
  for (const auto& entry : purgatory::host::arch_table) names.emplace_back(entry.name);
  return names;
}

using namespace purgatory::host;

struct SealOptions {
  std::string image, output, load_address, entry, console = "none", on_failure = "halt", reset = "default";
  std::vector<std::string> segments, registers, user, copies;
  std::string arch;
  bool skip_verification = false, quiet = false, no_hardware_digest = false, verify_each_segment = false;
  std::string ppc64_secondary_entry, ppc64_low_memory;
  bool ppc64_set_fdt_boot_cpu = false;
};

// Everything from the options, or the first problem.
// Everything from the options but the files' contents (segment_files, in order, are read afterwards:
// a file that cannot be read is a different exit status from a request that is wrong).
Result<SealRequest> build_request(const SealOptions& options, std::vector<std::string>& segment_files) {
  SealRequest request;
  const auto load_address = parse_number(options.load_address);
  if (!load_address) return Error{"--load-address: " + load_address.error().message};
  request.load_address = *load_address;
  const auto entry = parse_number(options.entry);
  if (!entry) return Error{"--entry: " + entry.error().message};
  request.entry = *entry;

  for (const auto& text : options.segments) {
    const auto spec = parse_segment_spec(text);
    if (!spec) return spec.error();
    request.segments.push_back(Segment{spec->address, {}, spec->memory_size});
    segment_files.push_back(spec->file);
  }
  for (const auto& text : options.registers) {
    const auto assignment = parse_assignment(text);
    if (!assignment) return Error{"--reg " + assignment.error().message};
    if (request.registers.count(assignment->name)) return Error{fmt::format("--reg {} given twice", assignment->name)};
    request.registers[assignment->name] = assignment->value;
  }
  const auto user = parse_user_words(options.user);
  if (!user) return user.error();
  request.user = *user;
  for (const auto& text : options.copies) {
    const auto copy = parse_copy_spec(text);
    if (!copy) return Error{"--copy " + copy.error().message};
    request.copies.push_back(*copy);
  }
  const auto console = parse_console_spec(options.console);
  if (!console) return console.error();
  request.console = *console;
  const auto reset = parse_reset_spec(options.reset);
  if (!reset) return reset.error();
  request.reset = *reset;
  if (options.on_failure == "reset") request.flags |= PURGATORY_FLAG_RESET_ON_FAILURE;
  if (options.skip_verification) request.flags |= PURGATORY_FLAG_SKIP_VERIFICATION;
  if (options.quiet) request.flags |= PURGATORY_FLAG_QUIET;
  if (options.no_hardware_digest) request.flags |= PURGATORY_FLAG_NO_HARDWARE_DIGEST;
  if (options.verify_each_segment) request.flags |= PURGATORY_FLAG_VERIFY_EACH_SEGMENT;

  if (!options.ppc64_secondary_entry.empty()) {  // given, even as 0
    const auto address = parse_number(options.ppc64_secondary_entry);
    if (!address) return Error{"--ppc64-secondary-entry: " + address.error().message};
    request.ppc64_secondary_entry = *address;
  }
  if (options.ppc64_set_fdt_boot_cpu) request.ppc64_flags |= PURGATORY_PPC64_SET_FDT_BOOT_CPU;
  return request;
}

// The --ppc64-low-memory file as the request's low_memory; an Error for a wrong size.
Error low_memory_size_problem(const std::string& path, std::uint64_t size) {
  return Error{fmt::format("--ppc64-low-memory: {} must be exactly {} bytes, not {}", path,
                           PURGATORY_PPC64_LOW_MEMORY_SIZE, size)};
}

Result<bool> add_low_memory(SealRequest& request, const std::string& path, const std::vector<std::byte>& bytes) {
  if (bytes.size() != PURGATORY_PPC64_LOW_MEMORY_SIZE) return low_memory_size_problem(path, bytes.size());
  request.ppc64_low_memory.emplace();
  for (std::size_t i = 0; i < bytes.size(); ++i) (*request.ppc64_low_memory)[i] = std::to_integer<std::uint8_t>(bytes[i]);
  return true;
}

int seal_image(const SealOptions& options) {
  const auto file = read_input(options.image, image_file_limit);
  if (!file) return exit_usage;
  ImageExpectations expectations;
  if (!options.arch.empty()) expectations.arch = arch_named(options.arch);  // --arch takes only known names
  const auto image = load_image(*file, expectations);
  if (!image) {
    fmt::print(stderr, "purgatory-tool: {}: {}\n", options.image, image.error().message);
    return exit_failed;
  }
  std::vector<std::string> segment_files;
  auto request = build_request(options, segment_files);
  if (!request) {
    // A value the options cannot hold (not a number, not a spec): the command line's fault.
    fmt::print(stderr, "purgatory-tool: {}\n", request.error().message);
    return exit_usage;
  }
  for (std::size_t i = 0; i < segment_files.size(); ++i) {
    // A regular file is read while it is hashed, a chunk at a time (constant memory for any size);
    // anything else (standard input, a pipe) can be read only once, so it is read into memory.
    const std::string& path = segment_files[i];
    const auto size = regular_file_size(path);
    if (!size) {
      fmt::print(stderr, "purgatory-tool: {}\n", size.error().message);
      return exit_usage;
    }
    if (*size) {
      request.value().segments[i].file = {path, 0, **size};
      continue;
    }
    auto bytes = read_input(path);
    if (!bytes) return exit_usage;
    request.value().segments[i].bytes = std::move(*bytes);
  }
  if (!options.ppc64_low_memory.empty()) {
    // A regular file of the wrong size is told so by its size, however large, before it is read.
    const auto size = regular_file_size(options.ppc64_low_memory);
    if (size && *size && **size != PURGATORY_PPC64_LOW_MEMORY_SIZE) {
      fmt::print(stderr, "purgatory-tool: {}\n", low_memory_size_problem(options.ppc64_low_memory, **size).message);
      return exit_failed;
    }
    const auto bytes = read_input(options.ppc64_low_memory, PURGATORY_PPC64_LOW_MEMORY_SIZE);
    if (!bytes) return exit_usage;
    const auto added = add_low_memory(request.value(), options.ppc64_low_memory, *bytes);
    if (!added) {
      fmt::print(stderr, "purgatory-tool: {}\n", added.error().message);
      return exit_failed;
    }
  }
  const auto sealed = seal(*image, *request);
  if (!sealed) {
    fmt::print(stderr, "purgatory-tool: cannot seal {}: {}\n", options.image, sealed.error().message);
    return exit_failed;
  }
  const auto written = write_output(options.output, sealed->bytes);
  if (!written) {
    fmt::print(stderr, "purgatory-tool: {}\n", written.error().message);
    return exit_usage;
  }
  return exit_ok;
}

}  // namespace

Command add_seal(CLI::App& app) {
  auto o = std::make_shared<SealOptions>();
  auto* command = app.add_subcommand(
      "seal",
      "Fill in purgatory_info for one load and write the bytes to place: the segments' SHA-256 digests "
      "(each, and all in order), the next kernel's entry and registers, console, failure policy. Fields "
      "are written in the image's byte order, whatever the host's. Refuses what the image cannot do and "
      "every request the purgatory would refuse (docs/abi.md section 5): a misaligned load address, more "
      "than 16 segments, overlapping segments or one overlapping the purgatory, no segments, a next "
      "kernel entry outside every segment or misaligned, a console whose registers overlap the purgatory "
      "or a segment, a ppc64 reset without an RTAS token; segments are named by their --segment order.");
  command->add_option("IMAGE", o->image, "the purgatory image (flat, or its ELF)")->required();
  command->add_option("-o,--output", o->output, "where to write the sealed flat image (\"-\": standard output)")
      ->required();
  command->add_option("--load-address", o->load_address, "physical address the image will be copied to")->required();
  // The repeatable options take one value per use: taking every word up to the next option, they would
  // take an IMAGE given after them as one more value.
  command->add_option("--segment", o->segments,
                      "ADDRESS:FILE[:MEMORY_SIZE], in load order; zero-filled up to MEMORY_SIZE (at most 1 GiB "
                      "past the file) and hashed so; repeat --segment for each")
      ->required()
      ->allow_extra_args(false);
  command->add_option("--entry", o->entry, "the next kernel's entry address")->required();
  command->add_option("--reg", o->registers,
                      "NAME=VALUE: a register for the next kernel (x86_64 rax..r15; arm64 x0..x3; ppc64 r3 r4 r5 r8 r9)")
      ->allow_extra_args(false);
  command->add_option("--console", o->console,
                      "none | 8250-pio,PORT[,divisor=N] | 8250-mmio,ADDRESS[,shift=N][,width=1|4][,divisor=N] | "
                      "pl011,ADDRESS | hvc[,TERMINAL]")
      ->capture_default_str();
  command->add_option("--on-failure", o->on_failure, "halt or reset when a digest does not match")
      ->check(CLI::IsMember({"halt", "reset"}))
      ->capture_default_str();
  command->add_option("--reset", o->reset, "default | psci-hvc | psci-smc | rtas-hcall,TOKEN")->capture_default_str();
  command->add_flag("--skip-verification", o->skip_verification, "jump without checking digests");
  command->add_flag("--quiet", o->quiet, "no console output (the memory log is still written)");
  command->add_flag("--no-hardware-digest", o->no_hardware_digest,
                    "hash with the portable code even where the CPU has SHA-256 instructions");
  command->add_flag("--verify-each-segment", o->verify_each_segment,
                    "check each segment by its own digest: images that can hash two segments at once do "
                    "(x86_64), and for them each segment of 1 MiB or more is sealed as two halves, listed "
                    "first, so that the halves are hashed side by side; other images check the "
                    "all-segments digest as usual");
  command->add_option("--user", o->user, "INDEX=VALUE: purgatory_info.user[INDEX], for custom purgatories")
      ->allow_extra_args(false);
  command->add_option("--copy", o->copies,
                      "SOURCE:DESTINATION:SIZE: a copy the purgatory makes after verification, before the jump "
                      "(kdump backups; at most 2, each into a segment holding no entry; ABI 1.4)")
      ->allow_extra_args(false);
  command->add_option("--arch", o->arch, "refuse the image unless it is for this arch")
      ->check(CLI::IsMember(arch_names()));
  command->add_option("--ppc64-secondary-entry", o->ppc64_secondary_entry,
                      "ppc64: where held secondary CPUs are released (Linux: kernel base + 0x60)");
  command->add_option("--ppc64-low-memory", o->ppc64_low_memory,
                      "ppc64: a 256-byte file with physical 0..0xff as loaded, restored before verification");
  command->add_flag("--ppc64-set-fdt-boot-cpu", o->ppc64_set_fdt_boot_cpu,
                    "ppc64: write the booting CPU's id into the device tree header (r3 must be the FDT)");
  return [o] { return seal_image(*o); };
}

}  // namespace purgatory_tool
