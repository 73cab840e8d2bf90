// purgatory-tool check FILE...: is each file a purgatory that runs without relocation?
#include <string>
#include <vector>

#include "commands.h"
#include "files.h"

namespace purgatory_tool {
namespace {

using namespace purgatory::host;

struct CheckOptions {
  std::vector<std::string> files;
  bool no_header = false;
};

// Every problem with one file, printed as "FILE: problem"; returns the exit status for it.
int check_file(const std::string& path, const CheckOptions& options) {
  const auto file = read_input(path);
  if (!file) return exit_usage;
  std::vector<std::string> problems;
  std::string arch;
  if (has_elf_magic(*file)) {
    const auto elf = parse_elf(*file);
    if (!elf) {
      problems.push_back(elf.error().message);
    } else {
      problems = purgatory_elf_problems(*elf);
      arch = arch_name(elf->machine, elf->byte_order);
    }
  }
  if (options.no_header && !has_elf_magic(*file)) {
    problems.push_back("not an ELF file: without an image header only an ELF can be checked");
  }
  if (problems.empty() && !options.no_header) {
    const auto image = load_image(*file);
    if (!image) {
      problems.push_back(image.error().message);
    } else {
      arch = image->header.arch();
    }
  }
  for (const auto& problem : problems) fmt::print(stderr, "{}: {}\n", path, problem);
  if (!problems.empty()) return exit_failed;
  fmt::print("{}: ok ({}{})\n", path, arch.empty() ? "flat blob" : arch,
             has_elf_magic(*file) ? ", relocation-free" : "");
  return exit_ok;
}

}  // namespace

Command add_check(CLI::App& app) {
  auto options = std::make_shared<CheckOptions>();
  auto* command = app.add_subcommand(
      "check",
      "Exit 0 only if every FILE is a purgatory that runs without relocation. An ELF must be a PIE "
      "(ET_DYN) with exactly one PT_LOAD at address 0, no dynamic section, interpreter or TLS, no "
      "relocation entries of any kind and its entry inside the image; the image (a flat file, or the "
      "ELF's PT_LOAD) must have a valid header with its entry and purgatory_info inside. Prints each "
      "problem found.");
  command->add_option("FILE", options->files, "ELF files or flat images")->required();
  command->add_flag("--no-header", options->no_header,
                    "the image has no SDK header (a bare blob): check only the ELF rules");
  return [options] {
    int worst = exit_ok;
    for (const auto& file : options->files) worst = std::max(worst, check_file(file, *options));
    return worst;
  };
}

}  // namespace purgatory_tool
