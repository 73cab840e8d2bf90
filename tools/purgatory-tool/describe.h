/* SPDX-License-Identifier: MIT */
// Everything known about a file, as the JSON object `inspect --json` prints (docs/purgatory-tool.md
// documents the schema): the ELF, the image header, what was sealed into it, and what the purgatory
// recorded when it ran (for a copy of its memory).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace purgatory_tool {

using nlohmann::ordered_json;

ordered_json describe_file(const std::string& path, const std::vector<std::byte>& file);

// Prints an array of per-file objects. File names and section names are bytes, not necessarily UTF-8:
// what JSON cannot hold is replaced, never a reason to fail.
void print_json(const ordered_json& array);

}  // namespace purgatory_tool
