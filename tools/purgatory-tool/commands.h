/* SPDX-License-Identifier: MIT */
// purgatory-tool's commands. Each registers its options on the CLI11 app and returns the function
// that runs it; the function returns the process exit status.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace purgatory_tool {

// Exit statuses, documented in --help.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;  // a check failed, or an input is not a valid image/request
inline constexpr int exit_usage = 2;   // bad options or values, or a file could not be read or written
inline constexpr int exit_internal = 3;  // a bug

using Command = std::function<int()>;

Command add_inspect(CLI::App& app);
Command add_check(CLI::App& app);
Command add_seal(CLI::App& app);
Command add_embed(CLI::App& app);
Command add_digest(CLI::App& app);
Command add_sha256(CLI::App& app);
Command add_relocations(CLI::App& app);

}  // namespace purgatory_tool
