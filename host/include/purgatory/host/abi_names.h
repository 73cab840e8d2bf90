/* SPDX-License-Identifier: MIT */
// Names for the ABI's numbers, as the tools print them and their JSON carries them. Unknown values get
// a name that says so ("unknown (7)"), never a wrong one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace purgatory::host {

std::string status_name(std::uint32_t status);        // "not-run", "running", "verified", "mismatch", ...
std::string engine_name(std::uint32_t engine);        // "none", "portable", "sha-ni", ...
std::string console_kind_name(std::uint32_t kind);    // "none", "8250-pio", "8250-mmio", "pl011", "hvc"
std::string reset_method_name(std::uint32_t method);  // "default", "psci-hvc", "psci-smc", "rtas-hcall"

// The names of the bits set; an unknown bit as "bit N".
std::vector<std::string> flag_names(std::uint32_t flags);                // PURGATORY_FLAG_*
std::vector<std::string> feature_names(std::uint32_t features);          // PURGATORY_FEATURE_*
std::vector<std::string> digest_flag_names(std::uint32_t digest_flags);  // PURGATORY_DIGEST_*
std::vector<std::string> ppc64_flag_names(std::uint32_t flags);          // PURGATORY_PPC64_*

}  // namespace purgatory::host
