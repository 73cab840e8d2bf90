// Whole-file reads and writes for the host tools. Writes go to a temporary file renamed into place, so
// a failed or interrupted write never leaves a half-written output.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

#include <purgatory/host/result.h>

namespace purgatory::host {

Result<std::vector<std::byte>> read_file(const std::filesystem::path& path);

// The value is only a success marker.
Result<bool> write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes);

}  // namespace purgatory::host
