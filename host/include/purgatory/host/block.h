/* SPDX-License-Identifier: MIT */
// purgatory_info inside an image, converted between the image's byte order and the host's: the one
// place that knows which bytes of the block are which integers.
#pragma once

#include <cstddef>
#include <span>

#include <purgatory/abi.h>
#include <purgatory/host/image.h>

namespace purgatory::host {

// The image's block in host byte order. Fields beyond the image's info_size (an image older than this
// ABI version) read as zero; so does the part of the result beyond the bytes given (a short dump).
purgatory_info read_block(const Image& image);

// Writes every loader field of `info` (host order) into `block` (the image's info_size bytes at its
// info_offset) in the image's byte order, the result as zeros, and segment_origin where the block has
// room for it (ABI 1.3 and later).
void write_block(std::span<std::byte> block, const ImageHeader& header, const purgatory_info& info);

}  // namespace purgatory::host
