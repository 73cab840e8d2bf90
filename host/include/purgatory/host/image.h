// Reading and sealing purgatory images (the flat files whose layout <purgatory/abi.h> defines), for
// any arch and byte order from any host.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <purgatory/abi.h>
#include <purgatory/host/byte_reader.h>
#include <purgatory/host/result.h>

namespace purgatory::host {

// The image header, fields in host order.
struct ImageHeader {
  ByteOrder byte_order = ByteOrder::little;
  std::uint16_t elf_machine = 0;
  std::uint16_t abi_major = 0;
  std::uint16_t abi_minor = 0;
  std::uint32_t header_size = 0;
  std::uint32_t features = 0;
  std::uint64_t file_size = 0;
  std::uint64_t memory_size = 0;
  std::uint64_t load_alignment = 0;
  std::uint64_t entry_offset = 0;
  std::uint64_t info_offset = 0;
  std::uint64_t info_size = 0;

  // "x86_64", "arm64", "ppc64le" or "ppc64"
  std::string arch() const;
};

// What a caller may require of an image besides its own consistency.
struct ImageExpectations {
  std::optional<std::string> arch;  // e.g. "ppc64": refuse any other arch or byte order
};

// A validated image: the header says what it is, and every offset and size in it has been checked
// against the bytes.
struct Image {
  ImageHeader header;
  std::vector<std::byte> bytes;
};

// Checks magic, byte order, ABI version, sizes, offsets and alignment; the error names the first
// problem. Never reads outside `bytes`.
Result<Image> parse_image(std::span<const std::byte> bytes, const ImageExpectations& expectations = {});

// A segment the next kernel needs, as the loader will place it.
struct Segment {
  std::uint64_t address = 0;
  std::vector<std::byte> bytes;
  std::uint64_t memory_size = 0;  // >= bytes.size(): the rest is zero-filled (and hashed as zeros); 0 means bytes.size()
};

// Everything a loader decides.
struct SealRequest {
  std::uint64_t load_address = 0;
  std::vector<Segment> segments;
  std::uint64_t entry = 0;                            // the next kernel's entry point
  std::map<std::string, std::uint64_t> registers;    // arch register names, see register_names()
  purgatory_console console{};                        // fields in host order
  std::uint32_t flags = 0;                            // PURGATORY_FLAG_*
  purgatory_reset reset{};
  std::array<std::uint64_t, 4> user{};
  // ppc64 only
  std::optional<std::uint64_t> ppc64_secondary_entry;
  std::uint32_t ppc64_flags = 0;
  std::optional<std::array<std::uint8_t, PURGATORY_PPC64_LOW_MEMORY_SIZE>> ppc64_low_memory;
};

// The register names `SealRequest::registers` accepts for an arch: x86_64 rax..r15 (and rsp);
// arm64 x0..x3; ppc64/ppc64le r3, r4, r5, r8, r9.
std::vector<std::string> register_names(const std::string& arch);

// Fills purgatory_info in a copy of the image, in the image's byte order, with the digests computed by
// the same SHA-256 code the purgatory runs. Refuses a misaligned load address, more than
// PURGATORY_MAX_SEGMENTS segments, overlapping segments, a segment overlapping the purgatory's memory,
// address overflow and unknown register names.
Result<std::vector<std::byte>> seal(const Image& image, const SealRequest& request);

// Whether the image, sealed with `flags`, checks each segment by its own digest, two at a time:
// PURGATORY_FLAG_VERIFY_EACH_SEGMENT is set and the image advertises PURGATORY_FEATURE_VERIFY_EACH_SEGMENT
// (others ignore the flag). Only then does pair_for_two_lanes() pay.
bool checks_each_segment(const ImageHeader& header, std::uint32_t flags);

// The same bytes as segments an image with PURGATORY_FEATURE_VERIFY_EACH_SEGMENT verifies fastest under
// PURGATORY_FLAG_VERIFY_EACH_SEGMENT. It hashes segments 0 and 1, 2 and 3, ... side by side, as far as
// the shorter of each pair goes; so every segment of at least `split_from` bytes (memory size) becomes
// two halves, the first a whole number of 64-byte blocks, and these pairs come first, in the given
// order, followed by the unsplit segments in the given order. While that would exceed
// PURGATORY_MAX_SEGMENTS, the smallest candidates stay whole. Only the description changes: the same
// bytes at the same addresses are hashed (seal() computes the digests for the new list).
std::vector<Segment> pair_for_two_lanes(const std::vector<Segment>& segments, std::uint64_t split_from = 1 << 20);

// The same digest a kexec_file-style loader and the purgatory compute: all segments in order.
std::array<std::uint8_t, 32> segments_digest(const std::vector<Segment>& segments);

}  // namespace purgatory::host
