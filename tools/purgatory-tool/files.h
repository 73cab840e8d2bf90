// File helpers shared by the commands: read an input (reporting why not), load an image from a flat
// file or from the one PT_LOAD of an ELF.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <purgatory/host/elf.h>
#include <purgatory/host/file.h>
#include <purgatory/host/image.h>

namespace purgatory_tool {

inline std::optional<std::vector<std::byte>> read_input(const std::string& path) {
  auto bytes = purgatory::host::read_file(path);
  if (!bytes) {
    fmt::print(stderr, "purgatory-tool: {}\n", bytes.error().message);
    return std::nullopt;
  }
  return std::move(bytes).value();
}

// The image bytes of a file: the file itself, or for an ELF the file bytes of its single PT_LOAD.
inline purgatory::host::Result<std::vector<std::byte>> image_bytes_of(const std::vector<std::byte>& file) {
  using namespace purgatory::host;
  if (!has_elf_magic(file)) return file;
  const auto elf = parse_elf(file);
  if (!elf) return elf.error();
  const ElfProgramHeader* load = nullptr;
  for (const auto& header : elf->program_headers) {
    if (header.type != elf::segment_load) continue;
    if (load) return Error{"more than one PT_LOAD: not a purgatory image"};
    load = &header;
  }
  if (!load) return Error{"no PT_LOAD: not a purgatory image"};
  if (load->offset > file.size() || load->file_size > file.size() - load->offset) {
    return Error{"the PT_LOAD's bytes run past the end of the file"};
  }
  const auto first = file.begin() + static_cast<std::ptrdiff_t>(load->offset);
  return std::vector<std::byte>(first, first + static_cast<std::ptrdiff_t>(load->file_size));
}

// The validated image in a file. For an ELF, the image header inside its PT_LOAD must also agree with
// the ELF's own machine and byte order.
inline purgatory::host::Result<purgatory::host::Image> load_image(
    const std::vector<std::byte>& file, const purgatory::host::ImageExpectations& expectations = {}) {
  using namespace purgatory::host;
  const auto bytes = image_bytes_of(file);
  if (!bytes) return bytes.error();
  auto image = parse_image(*bytes, expectations);
  if (!image) return image.error();
  if (has_elf_magic(file)) {
    const auto elf = parse_elf(file);
    if (!elf) return elf.error();
    const std::string elf_arch = arch_name(elf->machine, elf->byte_order);
    if (elf_arch != image->header.arch()) {
      return Error{fmt::format("the ELF is for {} but its image header says {}", elf_arch, image->header.arch())};
    }
  }
  return image;
}

}  // namespace purgatory_tool
