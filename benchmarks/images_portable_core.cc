// SPDX-License-Identifier: MIT
// The portable core in the form purgatory images run it (PURGATORY_SHA256_SMALL, -Os, as
// cmake/PurgatoryFlags.cmake builds them), for the benchmark to set beside the host form and the
// engines. The header is included inside a namespace of its own: the same template compiled with two
// bodies in one program would otherwise be one symbol, and the linker would keep either.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#define PURGATORY_SHA256_SMALL 1
namespace images_form {
#include <purgatory/sha256.h>
}  // namespace images_form

#include "images_portable_core.h"

void images_portable_blocks(const void* context, std::uint32_t* state, const std::uint8_t* data, std::size_t blocks) {
  images_form::purgatory::sha256_portable_blocks(context, state, data, blocks);
}
