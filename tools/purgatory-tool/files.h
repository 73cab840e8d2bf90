/* SPDX-License-Identifier: MIT */
// Inputs shared by the commands: read a file (reporting why not), load the image in it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <purgatory/host/file.h>
#include <purgatory/host/image.h>

namespace purgatory_tool {

// The whole file ("-": standard input). On failure the error is printed, "purgatory-tool: " first, and
// returned too (for --json).
inline purgatory::host::Result<std::vector<std::byte>> read_input(const std::string& path,
                                                                  std::uint64_t limit = UINT64_MAX) {
  auto bytes = purgatory::host::read_file(path, limit);
  if (!bytes) fmt::print(stderr, "purgatory-tool: {}\n", bytes.error().message);
  return bytes;
}

}  // namespace purgatory_tool
