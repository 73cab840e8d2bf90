// SPDX-License-Identifier: MIT
// purgatory-tool digest IMAGE... and sha256 FILE...: digests printed as sha256sum prints them, or as
// JSON.
#include <string>
#include <vector>

#include <purgatory/host/embed.h>
#include <purgatory/host/sha256_engine.h>
#include <purgatory/sha256.h>

#include "commands.h"
#include "describe.h"
#include "files.h"

namespace purgatory_tool {
namespace {

using namespace purgatory::host;

struct FilesOptions {
  std::vector<std::string> files;
  bool json = false;
};

// What sha256sum prints for a name with a backslash or a line break: the name escaped, and a backslash
// before the digest (GNU coreutils' rule), so that every line reads back unambiguously.
std::string sha256sum_line(const std::string& digest, const std::string& path) {
  if (path.find_first_of("\\\n\r") == std::string::npos) return fmt::format("{}  {}\n", digest, path);
  std::string escaped;
  for (char c : path) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else if (c == '\r') {
      escaped += "\\r";
    } else {
      escaped += c;
    }
  }
  return fmt::format("\\{}  {}\n", digest, escaped);
}

// Runs `digest_of` over every file: prints its lines (or one JSON array) and returns the exit status.
template <class DigestOf>
int digest_files(const FilesOptions& options, DigestOf digest_of) {
  int worst = exit_ok;
  ordered_json all = ordered_json::array();
  for (const auto& path : options.files) {
    const auto file = read_input(path);
    if (!file) {
      worst = std::max(worst, exit_usage);
      all.push_back({{"file", path}, {"error", file.error().message}});
      continue;
    }
    const Result<std::string> digest = digest_of(*file);
    if (!digest) {
      fmt::print(stderr, "purgatory-tool: {}: {}\n", path, digest.error().message);
      worst = std::max(worst, exit_failed);
      all.push_back({{"file", path}, {"error", digest.error().message}});
      continue;
    }
    if (options.json) {
      all.push_back({{"file", path}, {"sha256", *digest}});
    } else {
      fmt::print("{}", sha256sum_line(*digest, path));
    }
  }
  if (options.json) print_json(all);
  return worst;
}

}  // namespace

Command add_digest(CLI::App& app) {
  auto o = std::make_shared<FilesOptions>();
  auto* command = app.add_subcommand(
      "digest",
      "SHA-256 of each image as built: the loader-filled part of purgatory_info counts as zero, so a sealed "
      "image has the digest of the image it was sealed from, stable across loads. What to sign.");
  command->add_option("IMAGE", o->files, "images (flat, or their ELF)")->required();
  command->add_flag("--json", o->json, "a JSON array with one object per file (docs/purgatory-tool.md)");
  return [o] {
    return digest_files(*o, [](const std::vector<std::byte>& file) -> Result<std::string> {
      const auto image = load_image(file);
      if (!image) return image.error();
      return hex(unsealed_digest(*image));
    });
  };
}

Command add_sha256(CLI::App& app) {
  auto o = std::make_shared<FilesOptions>();
  auto* command = app.add_subcommand(
      "sha256", "SHA-256 of each file with the SDK's digest core, printed as sha256sum does (\"-\" is stdin).");
  command->add_option("FILE", o->files, "files")->required();
  command->add_flag("--json", o->json, "a JSON array with one object per file (docs/purgatory-tool.md)");
  return [o] {
    return digest_files(*o, [](const std::vector<std::byte>& file) -> Result<std::string> {
      auto hasher = host_sha256();
      hasher.update(file.data(), file.size());
      return hex(hasher.finish());
    });
  };
}

}  // namespace purgatory_tool
