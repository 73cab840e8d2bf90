// SPDX-License-Identifier: MIT
// The portable core as purgatory images compile it (images_portable_core.cc), as a
// Sha256BlockFunction.
#pragma once

#include <cstddef>
#include <cstdint>

void images_portable_blocks(const void* context, std::uint32_t* state, const std::uint8_t* data, std::size_t blocks);
