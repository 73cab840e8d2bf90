// purgatory-tool digest IMAGE... and sha256 FILE...: digests printed as sha256sum prints them.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <purgatory/host/embed.h>
#include <purgatory/host/sha256_engine.h>
#include <purgatory/sha256.h>

#include "commands.h"
#include "files.h"

namespace purgatory_tool {
namespace {

using namespace purgatory::host;

struct FilesOptions {
  std::vector<std::string> files;
};

std::optional<std::vector<std::byte>> read_file_or_stdin(const std::string& path) { return read_input(path); }

}  // namespace

Command add_digest(CLI::App& app) {
  auto o = std::make_shared<FilesOptions>();
  auto* command = app.add_subcommand(
      "digest",
      "SHA-256 of each image as built: the loader-filled part of purgatory_info counts as zero, so a sealed "
      "image has the digest of the image it was sealed from, stable across loads. What to sign.");
  command->add_option("IMAGE", o->files, "images (flat, or their ELF)")->required();
  return [o] {
    int worst = exit_ok;
    for (const auto& path : o->files) {
      const auto file = read_input(path);
      if (!file) {
        worst = std::max(worst, exit_usage);
        continue;
      }
      const auto image = load_image(*file);
      if (!image) {
        fmt::print(stderr, "purgatory-tool: {}: {}\n", path, image.error().message);
        worst = std::max(worst, exit_failed);
        continue;
      }
      fmt::print("{}  {}\n", hex(unsealed_digest(*image)), path);
    }
    return worst;
  };
}

Command add_sha256(CLI::App& app) {
  auto o = std::make_shared<FilesOptions>();
  auto* command = app.add_subcommand(
      "sha256", "SHA-256 of each file with the SDK's digest core, printed as sha256sum does (\"-\" is stdin).");
  command->add_option("FILE", o->files, "files")->required();
  return [o] {
    int worst = exit_ok;
    for (const auto& path : o->files) {
      const auto bytes = read_file_or_stdin(path);
      if (!bytes) {
        worst = std::max(worst, exit_usage);
        continue;
      }
      auto hasher = host_sha256();
      hasher.update(bytes->data(), bytes->size());
      fmt::print("{}  {}\n", hex(hasher.finish()), path);
    }
    return worst;
  };
}

}  // namespace purgatory_tool
