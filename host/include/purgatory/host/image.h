/* SPDX-License-Identifier: MIT */
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
#include <purgatory/host/arch.h>
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

  // The arch its machine and byte order make; nothing for a combination the SDK does not build (a
  // parsed image always has one).
  std::optional<Arch> arch() const;
  // Its name ("x86_64", "arm64", "ppc64le", "ppc64"), or empty.
  std::string arch_name() const;
};

// What a caller may require of an image besides its own consistency.
struct ImageExpectations {
  std::optional<Arch> arch;  // e.g. Arch::ppc64: refuse any other arch or byte order
  // The bytes may be a copy of the purgatory's memory (up to memory_size): what a debugger, firmware or
  // a later boot stage dumps to read its result. Only for reading; never sealed.
  bool memory_dump = false;
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

// The image in a file: the flat image itself, or an ELF purgatory's one PT_LOAD. The one validation
// every tool applies (purgatory-tool check, seal, digest, embed and inspect, kexec-loader), so they
// accept exactly the same files: an ELF must pass purgatory_elf_problems() and agree with the header
// it holds (machine, byte order, entry, memory size); every image must check digests
// (PURGATORY_FEATURE_VERIFY_SHA256). The error names the first problem.
Result<Image> load_image(std::span<const std::byte> file, const ImageExpectations& expectations = {});

// Where a segment's contents are when they are not in memory: `size` bytes of a file from `offset`,
// read in chunks while sealing, so that a segment of any size is sealed in constant memory (what
// purgatory-tool seal does; a loader has the bytes in memory anyway).
struct SegmentFile {
  std::string path;  // empty: the segment's bytes are in Segment::bytes
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

// A segment the next kernel needs, as the loader will place it.
struct Segment {
  std::uint64_t address = 0;
  std::vector<std::byte> bytes;   // empty when `file` names the contents
  std::uint64_t memory_size = 0;  // >= its contents: the rest is zero-filled (and hashed as zeros); 0: the contents' size
  SegmentFile file{};
};

// How many bytes the segment's contents are: its bytes, or its file's.
inline std::uint64_t contents_size(const Segment& segment) {
  return segment.file.path.empty() ? segment.bytes.size() : segment.file.size;
}

// How far past its file bytes a segment may run (the zeros kexec fills in and the purgatory hashes): real
// kernels need tens of MiB; more is a mistake that would keep the hashing going for hours.
inline constexpr std::uint64_t max_zero_tail = std::uint64_t{1} << 30;

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
  // Made by the purgatory after verification (ABI 1.4, PURGATORY_FEATURE_COPY_AFTER_VERIFY): kdump's
  // backups. At most PURGATORY_MAX_COPIES, none empty; the rules of <purgatory/seal_rules.h> apply.
  std::vector<purgatory_copy> copies;
  // ppc64 only
  std::optional<std::uint64_t> ppc64_secondary_entry;
  std::uint32_t ppc64_flags = 0;
  std::optional<std::array<std::uint8_t, PURGATORY_PPC64_LOW_MEMORY_SIZE>> ppc64_low_memory;
  // With PURGATORY_FLAG_VERIFY_EACH_SEGMENT on an image that honours it, segments of at least this many
  // bytes are sealed as two halves the purgatory hashes side by side (pair_for_two_lanes).
  std::uint64_t two_lane_split_from = std::uint64_t{1} << 20;
};

// One segment as the purgatory checks it, and whose it is.
struct CheckedSegment {
  enum class Part : std::uint8_t { whole, first_half, second_half, low_memory };
  std::uint64_t start = 0;
  std::uint64_t size = 0;
  std::size_t loader_index = 0;  // the request's segment this is (part of); unused for low_memory
  Part part = Part::whole;
};

// What seal() wrote: the bytes to place, and the segments in the purgatory's numbering (a failure
// report's "segment N" is segments[N]).
struct SealedImage {
  std::vector<std::byte> bytes;
  std::vector<CheckedSegment> segments;
};

// "segment 3", "segment 1 (first half)", "ppc64 low memory": a CheckedSegment in the request's words.
std::string describe(const CheckedSegment& segment);

// The register names `SealRequest::registers` accepts for an arch: x86_64 rax..r15 (and rsp);
// arm64 x0..x3; ppc64/ppc64le r3, r4, r5, r8, r9.
std::vector<std::string> register_names(Arch arch);

// Fills purgatory_info in a copy of the image, in the image's byte order, with the digests computed by
// the same SHA-256 code the purgatory runs; file segments are read here, and a read error, or a file
// that no longer has the bytes it had, is an Error naming it. Refuses, naming the request's own segment numbers: what
// the image cannot carry out (a misaligned load address, unknown registers, a console or reset it does
// not have, settings for another arch, a zero-filled tail beyond max_zero_tail), and every request the
// purgatory itself would refuse (<purgatory/seal_rules.h>: the same code). Lays out halves for two lanes
// where they pay, and on ppc64 adds low memory as a segment so that it is verified like the others.
Result<SealedImage> seal(const Image& image, const SealRequest& request);

// The first rule a sealed block (read_block(), host order) breaks, as the purgatory would refuse it, or
// nothing; for inspect and check, which read blocks sealed by any loader. A sealed image does not say
// where it is loaded, so the one rule that needs that (no segment overlaps the purgatory's memory) is
// not checked. (A console that breaks its rule is not a refusal: the purgatory leaves it unused.)
std::optional<std::string> sealed_block_problem(const ImageHeader& header, const purgatory_info& info);

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
// bytes at the same addresses are hashed (seal() computes the digests for the new list). A file
// segment's halves name the same file at their offsets.
std::vector<Segment> pair_for_two_lanes(const std::vector<Segment>& segments, std::uint64_t split_from = 1 << 20);

// The same digest a kexec_file-style loader and the purgatory compute: all segments in order. For
// segments in memory: a file segment that cannot be read gives an all-zero digest, which matches nothing
// (seal() reports such errors).
std::array<std::uint8_t, 32> segments_digest(const std::vector<Segment>& segments);

}  // namespace purgatory::host
