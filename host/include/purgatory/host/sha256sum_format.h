/* SPDX-License-Identifier: MIT */
// The lines GNU sha256sum writes and `sha256sum -c` reads, so that the tools' output and checks agree
// with it byte for byte, odd file names included.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <purgatory/host/result.h>
#include <purgatory/sha256.h>

namespace purgatory::host {

// "DIGEST  NAME\n". A name with a backslash or a line break is escaped (\\, \n, \r) and the line starts
// with a backslash, GNU's rule, so that every line reads back unambiguously.
std::string sha256sum_line(const Sha256Digest& digest, std::string_view name);

// How `sha256sum -c` (coreutils 9.1) names a file in its verdicts: as it is, unless it holds a newline;
// then escaped, with a backslash first.
std::string sha256sum_check_name(std::string_view name);

// One line of a checksum file, understood.
struct Sha256sumEntry {
  Sha256Digest digest{};
  std::string name;     // unescaped
  bool binary = false;  // written with '*' (no difference on POSIX systems)
};

// One line (without its '\n') as `sha256sum -c` reads it: "DIGEST  NAME", "DIGEST *NAME" (and GNU's
// lenient "DIGEST NAME"), the escaped form with a leading backslash, and the BSD-style tagged form
// "SHA256 (NAME) = DIGEST"; hex digits in either case, a trailing '\r' dropped. nullopt for a line to
// skip (empty, or a '#' comment); an Error saying what is wrong with any other line.
Result<std::optional<Sha256sumEntry>> parse_sha256sum_line(std::string_view line);

}  // namespace purgatory::host
