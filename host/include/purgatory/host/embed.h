/* SPDX-License-Identifier: MIT */
// Turning a purgatory image into something a host program links: a C header (the bytes and the
// header's key fields as constants) or an assembler file that .incbin's the image.
#pragma once

#include <string>
#include <string_view>

#include <purgatory/host/image.h>
#include <purgatory/host/result.h>

namespace purgatory::host {

// `name` must be a C identifier; it prefixes every symbol and (upper-cased) every macro.
Result<std::string> embed_as_c_header(const Image& image, std::string_view name, std::string_view source_name);
Result<std::string> embed_as_assembler(const Image& image, std::string_view name, std::string_view image_path);

// SHA-256 of the image as built: the loader-filled part of purgatory_info is taken as zero, so the
// digest of a sealed image equals that of the image it was sealed from. What a signature should cover.
std::array<std::uint8_t, 32> unsealed_digest(const Image& image);

std::string hex(std::span<const std::uint8_t> bytes);

}  // namespace purgatory::host
