// purgatory-tool: inspect, check and prepare purgatory images from the host.
//
// Exit codes (also in --help): 0 success; 1 a file failed its check; 2 bad usage or unreadable input.
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <purgatory/host/elf.h>
#include <purgatory/host/file.h>

namespace {

using namespace purgatory::host;

constexpr int exit_ok = 0;
constexpr int exit_check_failed = 1;
constexpr int exit_usage = 2;

// Checks one file; prints "FILE: ok" or each problem. Returns the exit code for this file.
int check_one(const std::string& path) {
  const auto bytes = read_file(path);
  if (!bytes) {
    fmt::print(stderr, "purgatory-tool: {}\n", bytes.error().message);
    return exit_usage;
  }
  if (!has_elf_magic(*bytes)) {
    fmt::print(stderr, "{}: not an ELF file\n", path);
    return exit_check_failed;
  }
  const auto elf = parse_elf(*bytes);
  if (!elf) {
    fmt::print(stderr, "{}: {}\n", path, elf.error().message);
    return exit_check_failed;
  }
  const auto problems = purgatory_elf_problems(*elf);
  for (const auto& problem : problems) fmt::print(stderr, "{}: {}\n", path, problem);
  if (!problems.empty()) return exit_check_failed;
  fmt::print("{}: ok ({}, relocation-free)\n", path, arch_name(elf->machine, elf->byte_order));
  return exit_ok;
}

// One line per file for tables: arch, file size, memory size, entry, relocation count, path.
int inspect_brief(const std::string& path) {
  const auto bytes = read_file(path);
  if (!bytes) {
    fmt::print(stderr, "purgatory-tool: {}\n", bytes.error().message);
    return exit_usage;
  }
  const auto elf = parse_elf(*bytes);
  if (!elf) {
    fmt::print(stderr, "{}: {}\n", path, elf.error().message);
    return exit_check_failed;
  }
  std::uint64_t file_size = 0, memory_size = 0;
  for (const auto& header : elf->program_headers) {
    if (header.type == elf::segment_load) file_size += header.file_size, memory_size += header.memory_size;
  }
  fmt::print("{:<8} {:>7} {:>7} {:>#8x} {:>6}  {}\n", arch_name(elf->machine, elf->byte_order), file_size,
             memory_size, elf->entry, relocation_count(*elf), path);
  return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"purgatory-tool: inspect, check and prepare kexec purgatory images"};
  app.footer(
      "Exit codes: 0 success, 1 a file failed its check, 2 bad usage or unreadable input.\n"
      "Run 'purgatory-tool COMMAND --help' for a command's options.");
  app.require_subcommand(1);

  auto* check = app.add_subcommand(
      "check", "Exit 0 only if every FILE is a purgatory image that runs without relocation: a PIE (ET_DYN) "
               "with exactly one PT_LOAD at address 0, no dynamic section, no relocation entries of any "
               "kind, and its entry inside the image. Prints each problem found.");
  std::vector<std::string> check_files;
  check->add_option("FILE", check_files, "ELF files to check")->required();

  auto* inspect = app.add_subcommand("inspect", "Describe purgatory ELF files");
  std::vector<std::string> inspect_files;
  inspect->add_option("FILE", inspect_files, "ELF files to describe")->required();
  bool brief = false;
  inspect->add_flag("--brief", brief,
                    "one line per file: arch, file size, memory size, entry, relocations, path");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? exit_ok : exit_usage;
  }

  if (*check) {
    int worst = exit_ok;
    for (const auto& file : check_files) worst = std::max(worst, check_one(file));
    return worst;
  }
  if (*inspect) {
    if (brief) fmt::print("{:<8} {:>7} {:>7} {:>8} {:>6}  {}\n", "arch", "file", "memory", "entry", "relocs", "image");
    int worst = exit_ok;
    for (const auto& file : inspect_files) worst = std::max(worst, inspect_brief(file));
    return worst;
  }
  return exit_usage;
}
