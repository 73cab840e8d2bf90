/* SPDX-License-Identifier: MIT */
// No SHA-256 engine: the host library on a CPU the SDK has no engine for hashes with the portable core
// (<purgatory/sha256.h>). The same header name as every CPU's engine in sha256/<cpu>/, so that the host
// code that picks an engine reads the same everywhere.
#pragma once

#include <string_view>

#include <purgatory/sha256.h>

namespace purgatory::sha256_engine {

constexpr std::string_view name() { return "portable"; }

}  // namespace purgatory::sha256_engine
