/* SPDX-License-Identifier: MIT */
// What this image advertises (PURGATORY_ARCH_FEATURES, from the arch's <purgatory/arch/image.h>), as a
// compile-time test: generic code an arch does not claim is left out of its image (if constexpr), not
// merely never run.
#pragma once

#include <cstdint>

#include <purgatory/abi.h>
#include <purgatory/arch/image.h>

namespace purgatory {

constexpr bool arch_has(std::uint32_t feature) { return (PURGATORY_ARCH_FEATURES & feature) != 0; }

}  // namespace purgatory
