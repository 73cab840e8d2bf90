#include <purgatory/host/file.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include <fmt/format.h>
#include <fmt/std.h>

namespace purgatory::host {

Result<std::vector<std::byte>> read_file(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) return Error{fmt::format("{}: is a directory", path)};
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return Error{fmt::format("{}: cannot open: {}", path, std::strerror(errno))};
  std::vector<char> chars((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  if (stream.bad()) return Error{fmt::format("{}: read error", path)};
  std::vector<std::byte> bytes(chars.size());
  if (!chars.empty()) std::memcpy(bytes.data(), chars.data(), chars.size());  // never memcpy from null
  return bytes;
}

Result<bool> write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
    if (!stream) return Error{fmt::format("{}: cannot create: {}", temporary, std::strerror(errno))};
    stream.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    stream.close();
    if (!stream) {
      std::filesystem::remove(temporary);
      return Error{fmt::format("{}: write error", temporary)};
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary);
    return Error{fmt::format("{}: cannot rename into place: {}", path, error.message())};
  }
  return true;
}

}  // namespace purgatory::host
