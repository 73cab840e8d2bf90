// SPDX-License-Identifier: MIT
// purgatory-tool check FILE...: is each file a purgatory that runs without relocation, and one every
// other command accepts?
#include <string>
#include <vector>

#include <purgatory/host/block.h>
#include <purgatory/host/elf.h>
#include <purgatory/host/image.h>

#include "commands.h"
#include "describe.h"
#include "files.h"

namespace purgatory_tool {
namespace {

using namespace purgatory::host;

struct CheckOptions {
  std::vector<std::string> files;
  bool no_header = false;
  bool json = false;
};

struct Checked {
  std::vector<std::string> problems;
  std::string arch;
  bool elf = false;
};

// Every problem with one file. With the image header, the verdict is the one every command shares
// (load_image); an ELF's own problems are all listed first, since the linker script's gates failing
// is what a purgatory author most needs to see whole.
Checked check_bytes(const std::vector<std::byte>& file, const CheckOptions& options) {
  Checked checked;
  checked.elf = has_elf_magic(file);
  if (checked.elf) {
    const auto elf = parse_elf(file);
    if (!elf) {
      checked.problems.push_back(elf.error().message);
      return checked;
    }
    checked.problems = purgatory_elf_problems(*elf);
    checked.arch = arch_name(elf->machine, elf->byte_order);
  } else if (options.no_header) {
    checked.problems.push_back("not an ELF file: without an image header only an ELF can be checked");
  }
  if (checked.problems.empty() && !options.no_header) {
    const auto image = load_image(file);
    if (!image) {
      checked.problems.push_back(image.error().message);
    } else {
      checked.arch = image->header.arch_name();
      // A block sealed by some loader: what the purgatory would refuse is a problem too.
      const purgatory_info info = read_block(*image);
      if (info.sealed == PURGATORY_INFO_SEALED) {
        if (const auto problem = sealed_block_problem(image->header, info)) {
          checked.problems.push_back("sealed, but the purgatory refuses the block: " + *problem);
        }
      }
    }
  }
  return checked;
}

}  // namespace

Command add_check(CLI::App& app) {
  auto options = std::make_shared<CheckOptions>();
  auto* command = app.add_subcommand(
      "check",
      "Exit 0 only if every FILE is a purgatory that runs without relocation and that every command "
      "accepts. An ELF must be a PIE (ET_DYN) with exactly one PT_LOAD at address 0, no dynamic section, "
      "interpreter or TLS, no relocation entries of any kind and its entry inside the image; the image "
      "(a flat file, or the ELF's PT_LOAD) must have a valid header, with its entry and purgatory_info "
      "inside, that checks digests, and an ELF must agree with it (machine, byte order, entry, memory "
      "size). A sealed image's block must obey the purgatory's rules, those that do not depend on where "
      "it is loaded (docs/abi.md section 5). Prints each problem found.");
  command->add_option("FILE", options->files, "ELF files or flat images")->required();
  command->add_flag("--no-header", options->no_header,
                    "the image has no SDK header (a bare blob): check only the ELF rules");
  command->add_flag("--json", options->json, "a JSON array with one object per file (docs/purgatory-tool.md)");
  return [options] {
    int worst = exit_ok;
    ordered_json all = ordered_json::array();
    for (const auto& path : options->files) {
      const auto file = read_input(path, image_file_limit);
      if (!file) {
        worst = std::max(worst, exit_usage);
        all.push_back({{"file", path}, {"ok", false}, {"error", file.error().message}});
        continue;
      }
      const Checked checked = check_bytes(*file, *options);
      const bool ok = checked.problems.empty();
      if (!ok) worst = std::max(worst, exit_failed);
      if (options->json) {
        all.push_back({{"file", path},
                       {"ok", ok},
                       {"arch", checked.arch.empty() ? ordered_json(nullptr) : ordered_json(checked.arch)},
                       {"elf", checked.elf},
                       {"problems", checked.problems}});
        continue;
      }
      for (const auto& problem : checked.problems) fmt::print(stderr, "{}: {}\n", path, problem);
      if (ok) {
        fmt::print("{}: ok ({}{})\n", path, checked.arch.empty() ? "flat blob" : checked.arch,
                   checked.elf ? ", relocation-free" : "");
      }
    }
    if (options->json) print_json(all);
    return worst;
  };
}

}  // namespace purgatory_tool
