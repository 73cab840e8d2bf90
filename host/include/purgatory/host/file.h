/* SPDX-License-Identifier: MIT */
// Reading inputs and writing outputs for the host tools. Errors are values whose message names the
// path as the user gave it; nothing here throws, and no failure leaves an output half-written or an
// existing file, link or device replaced by something else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <purgatory/host/result.h>

namespace purgatory::host {

// Larger than any purgatory image has reason to be: what the tools accept as an image file.
inline constexpr std::uint64_t image_file_limit = std::uint64_t{64} << 20;

// The whole of `path` ("-" is standard input). Refused, before anything is read where the size is
// known (a regular file), and while reading otherwise: a directory, more than `limit` bytes, more than
// the memory this machine has free for it (three quarters of memory_available_from_meminfo() of
// /proc/meminfo, at most its physical memory), where reading on would end in the OOM killer. A read
// error (an unreadable /proc file, an I/O error) is an Error too.
Result<std::vector<std::byte>> read_file(const std::string& path, std::uint64_t limit = UINT64_MAX);

// From /proc/meminfo's text: MemAvailable plus SwapFree, in bytes; none without MemAvailable.
std::optional<std::uint64_t> memory_available_from_meminfo(std::string_view meminfo);

// The size of a regular file, for checks before reading it; nullopt for anything else that can be read
// ("-", a pipe, a FIFO, a device, a /proc file that reports 0). An Error if it is not there or is a
// directory. Asks without opening it, so a FIFO's writer is left for the read.
Result<std::optional<std::uint64_t>> regular_file_size(const std::string& path);

// Whether `path` is a regular file ("-" is not): one that can be read again, or beside another.
bool is_regular_file(const std::string& path);

// Writes `bytes` to `path`, according to what is there:
//   "-"                     standard output;
//   nothing, a regular file a new file beside it (a unique name), flushed to disk, then renamed over
//                           it; a file replaced keeps its permissions;
//   a symbolic link         the same for the file it points to: the link stays (a dangling one is
//                           refused, as cp refuses it);
//   a device or a FIFO      written through, as cp does: never replaced;
//   /dev/stdout, /dev/fd/N, standard output or descriptor N as it is open (after ">>", appended to);
//   /proc/self/fd/N, or a   like "-", written as it goes: what a failed write left there cannot be
//   link to one             taken back;
//   anything else           refused (a directory, a socket).
// The value is only a success marker.
Result<bool> write_output(const std::string& path, std::span<const std::byte> bytes);

// Flushes standard output. What went wrong, if the flush or an earlier write to it failed (a full disk,
// /dev/full, a closed descriptor): "cannot write to standard output: REASON", so that a tool never exits
// as a success with its output lost. `failed_with`: the errno of a write already known to have failed
// ({fmt}'s std::system_error), for the reason when the flush itself has nothing left to fail on.
std::optional<std::string> standard_output_problem(int failed_with = 0);

}  // namespace purgatory::host
