// SPDX-License-Identifier: MIT
// purgatory-tool digest IMAGE... and sha256 FILE...: digests printed as sha256sum prints them, or as
// JSON; sha256 --check LIST... as sha256sum -c.
#include <sys/stat.h>

#include <string>
#include <vector>

#include <purgatory/host/embed.h>
#include <purgatory/host/file_sha256.h>
#include <purgatory/host/sha256_engine.h>
#include <purgatory/host/sha256sum_format.h>
#include <purgatory/sha256.h>

#include "commands.h"
#include "describe.h"
#include "files.h"
#include "progress.h"
#include "sha256_check.h"

namespace purgatory_tool {
namespace {

using namespace purgatory::host;
using purgatory::Sha256Digest;

struct FilesOptions {
  std::vector<std::string> files;
  bool json = false;
  bool check = false;
};

// Runs `digest_of` over every image: prints its lines (or one JSON array) and returns the exit status.
template <class DigestOf>
int digest_images(const FilesOptions& options, DigestOf digest_of) {
  int worst = exit_ok;
  ordered_json all = ordered_json::array();
  for (const auto& path : options.files) {
    const auto file = read_input(path, image_file_limit);
    if (!file) {
      worst = std::max(worst, exit_usage);
      all.push_back({{"file", path}, {"error", file.error().message}});
      continue;
    }
    const Result<Sha256Digest> digest = digest_of(*file);
    if (!digest) {
      fmt::print(stderr, "purgatory-tool: {}: {}\n", path, digest.error().message);
      worst = std::max(worst, exit_failed);
      all.push_back({{"file", path}, {"error", digest.error().message}});
      continue;
    }
    if (options.json) {
      all.push_back({{"file", path}, {"sha256", hex(*digest)}});
    } else {
      fmt::print("{}", sha256sum_line(*digest, path));
    }
  }
  if (options.json) print_json(all);
  return worst;
}

// What the files add up to, where that is known before reading them (for the progress line).
std::optional<std::uint64_t> total_size(const std::vector<std::string>& paths) {
  std::uint64_t total = 0;
  for (const auto& path : paths) {
    struct stat info {};
    if (path == "-" || ::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
    total += static_cast<std::uint64_t>(info.st_size);
  }
  return total;
}

// sha256 FILE...: read in chunks, two files at a time through the two-lane engine where the CPU has
// one; each line printed as soon as its file and those before it are done.
int hash_files(const FilesOptions& options) {
  int worst = exit_ok;
  ordered_json all = ordered_json::array();
  ProgressLine progress(total_size(options.files));
  sha256_files(
      options.files,
      [&](std::size_t index, const Result<Sha256Digest>& digest) {
        const std::string& path = options.files[index];
        progress.clear();
        if (!digest) {
          std::fflush(stdout);  // the lines so far before the message, as on a terminal
          fmt::print(stderr, "purgatory-tool: {}\n", digest.error().message);
          worst = std::max(worst, exit_usage);
          all.push_back({{"file", path}, {"error", digest.error().message}});
        } else if (options.json) {
          all.push_back({{"file", path}, {"sha256", hex(*digest)}});
        } else {
          fmt::print("{}", sha256sum_line(*digest, path));
        }
      },
      host_sha256_two_lanes(), [&](std::uint64_t hashed) { progress.update(hashed); });
  progress.clear();
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
    return digest_images(*o, [](const std::vector<std::byte>& file) -> Result<Sha256Digest> {
      const auto image = load_image(file);
      if (!image) return image.error();
      return unsealed_digest(*image);
    });
  };
}

Command add_sha256(CLI::App& app) {
  auto o = std::make_shared<FilesOptions>();
  auto* command = app.add_subcommand(
      "sha256",
      "SHA-256 of each file with the SDK's digest engine, printed as sha256sum does (names escaped as GNU "
      "does; \"-\" is stdin). Files are read in 1 MiB chunks, so memory does not grow with their size, and "
      "hashed two at a time where the CPU's engine has two lanes (x86_64 SHA-NI). On a terminal, a progress "
      "line on stderr for hashing that takes more than a second. Exit status 2 if a file cannot be read "
      "(with --check, 1 if a listed file cannot be read, 2 if a list cannot).");
  command->add_option("FILE", o->files, "files; with --check, checksum lists")->required();
  auto* json = command->add_flag("--json", o->json, "a JSON array with one object per file (docs/purgatory-tool.md)");
  command
      ->add_flag("-c,--check", o->check,
                 "read sha256sum output (\"DIGEST  NAME\", \"DIGEST *NAME\", escaped names, \"SHA256 (NAME) = "
                 "DIGEST\") from each FILE and check the files it lists: \"NAME: OK\" or \"NAME: FAILED\" as "
                 "sha256sum -c prints them, a warning on stderr for what failed; exit status 1 if any file "
                 "differs, cannot be read, or any line is malformed (each named on stderr)")
      ->excludes(json);
  return [o] { return o->check ? check_sha256_lists(o->files) : hash_files(*o); };
}

}  // namespace purgatory_tool
