// SPDX-License-Identifier: MIT
// purgatory-tool embed IMAGE --name NAME --format c|asm -o OUT: an image as something a host program
// links.
#include <filesystem>
#include <string>

#include <purgatory/host/elf.h>
#include <purgatory/host/embed.h>
#include <purgatory/host/file.h>

#include "commands.h"
#include "files.h"

namespace purgatory_tool {
namespace {

using namespace purgatory::host;

struct EmbedOptions {
  std::string image, name, format = "c", output;
};

int embed(const EmbedOptions& options) {
  // The assembler reads an .incbin's file itself, later, by its path: standard input, a pipe or a FIFO
  // would be empty (or another stream) by then. (A file that is not there, or a directory: read_input
  // says so.)
  if (options.format == "asm" && regular_file_size(options.image).ok() && !is_regular_file(options.image)) {
    fmt::print(stderr, "purgatory-tool: {}: --format asm .incbin's the image by its path, which the assembler reads "
                       "again later: give a regular file, not standard input, a pipe or a device\n",
               options.image == "-" ? "standard input" : options.image);
    return exit_failed;
  }
  // Source code written over the image it was made from: the image is gone, and an .incbin of it would
  // read the source itself.
  std::error_code same_error;
  if (options.output != "-" && options.image != "-" &&
      std::filesystem::equivalent(options.output, options.image, same_error)) {
    fmt::print(stderr, "purgatory-tool: -o {}: that is the image itself; write the {} elsewhere\n", options.output,
               options.format == "c" ? "header" : "assembler file");
    return exit_usage;
  }
  const auto file = read_input(options.image, image_file_limit);
  if (!file) return exit_usage;
  const auto image = load_image(*file);
  if (!image) {
    fmt::print(stderr, "purgatory-tool: {}: {}\n", options.image, image.error().message);
    return exit_failed;
  }
  std::error_code error;
  const std::string absolute = std::filesystem::absolute(options.image, error).lexically_normal().string();
  if (error) {
    fmt::print(stderr, "purgatory-tool: {}: {}\n", options.image, error.message());
    return exit_usage;
  }
  const auto text = options.format == "c"
                        ? embed_as_c_header(*image, options.name, std::filesystem::path(options.image).filename().string())
                        : embed_as_assembler(*image, options.name, absolute);
  if (!text) {
    fmt::print(stderr, "purgatory-tool: {}\n", text.error().message);
    return exit_failed;
  }
  if (options.format == "asm" && has_elf_magic(*file)) {
    fmt::print(stderr, "purgatory-tool: --format asm .incbin's the file as it is: give the flat image, not the ELF\n");
    return exit_failed;
  }
  const auto written = write_output(
      options.output, std::span(reinterpret_cast<const std::byte*>(text->data()), text->size()));
  if (!written) {
    fmt::print(stderr, "purgatory-tool: {}\n", written.error().message);
    return exit_usage;
  }
  return exit_ok;
}

}  // namespace

Command add_embed(CLI::App& app) {
  auto o = std::make_shared<EmbedOptions>();
  auto* command = app.add_subcommand(
      "embed",
      "Write an image as a C header (its bytes as NAME[], the header's key fields as NAME_* macros) or as "
      "an assembler file that .incbin's it (symbols NAME, NAME_end, NAME_size, ...).");
  command->add_option("IMAGE", o->image, "the purgatory image (flat, or its ELF for --format c)")->required();
  command->add_option("--name", o->name, "C identifier for the symbols")->required();
  command->add_option("--format", o->format, "c or asm")->check(CLI::IsMember({"c", "asm"}))->capture_default_str();
  command->add_option("-o,--output", o->output, "file to write (\"-\": standard output)")->required();
  return [o] { return embed(*o); };
}

}  // namespace purgatory_tool
