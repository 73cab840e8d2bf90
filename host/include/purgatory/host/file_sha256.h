/* SPDX-License-Identifier: MIT */
// SHA-256 of files of any size in constant memory: read in chunks (ChunkReader), hashed by the host's
// engine, two files side by side where the engine has two lanes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include <purgatory/host/result.h>
#include <purgatory/host/sha256_engine.h>
#include <purgatory/sha256.h>

namespace purgatory::host {

// Called after each chunk with the bytes hashed so far over every file of the call.
using HashProgress = std::function<void(std::uint64_t hashed_bytes)>;

// Called once per file, in the order the files were given, as soon as that file and every one before
// it are done: a digest, or an Error naming the file (cannot open, a directory, a read error).
using FileDigestReport = std::function<void(std::size_t index, const Result<Sha256Digest>& digest)>;

// The digest of one file ("-": standard input).
Result<Sha256Digest> sha256_file(const std::string& path, const HashProgress& progress = {});

// The digests of `paths`, two files at a time through `two_lanes` (null: one at a time). When one
// file of a pair ends, the next file takes its lane, so lanes stay busy over files of mixed sizes.
// Only regular files go side by side: standard input, pipes, FIFOs and devices are opened and read
// with no other file in progress (so "-" named twice reads on where the first left off, as sha256sum does).
// Memory: two chunks, whatever the files' sizes.
void sha256_files(std::span<const std::string> paths, const FileDigestReport& report,
                  Sha256TwoLaneFunction two_lanes = host_sha256_two_lanes(), const HashProgress& progress = {});

}  // namespace purgatory::host
