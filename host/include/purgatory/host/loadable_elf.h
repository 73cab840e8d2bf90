/* SPDX-License-Identifier: MIT */
// An ELF wrapper around a flat purgatory image, for loaders that only take ELF (QEMU's -kernel on
// pseries, firmware that boots ELF): one PT_LOAD at address 0 holding the image, entry at its entry
// offset. The image's bytes are unchanged; the wrapper has no sections and no relocations.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include <purgatory/host/image.h>

namespace purgatory::host {

std::vector<std::byte> loadable_elf(const ImageHeader& header, std::span<const std::byte> image_bytes);

}  // namespace purgatory::host
