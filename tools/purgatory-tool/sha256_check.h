/* SPDX-License-Identifier: MIT */
// purgatory-tool sha256 --check LIST...: sha256sum -c with the SDK's engine.
#pragma once

#include <string>
#include <vector>

namespace purgatory_tool {

// Checks every file each list names ("-": standard input), printing "NAME: OK" or "NAME: FAILED" as
// sha256sum -c does, a warning per list on standard error for what failed; the exit status.
int check_sha256_lists(const std::vector<std::string>& lists);

}  // namespace purgatory_tool
