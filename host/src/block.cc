// SPDX-License-Identifier: MIT
#include <purgatory/host/block.h>

#include <algorithm>
#include <cstring>

#include <purgatory/host/byte_reader.h>

namespace purgatory::host {
namespace {

// Writes integers into a byte buffer in the image's byte order. Offsets come from <purgatory/abi.h>
// (offsetof), whose layout checks make them the same on the host as on the target.
class ByteWriter {
 public:
  ByteWriter(std::span<std::byte> bytes, ByteOrder order) : bytes_(bytes), order_(order) {}

  void put(std::size_t offset, std::uint64_t value, unsigned width) {
    for (unsigned i = 0; i < width; ++i) {
      const unsigned shift = 8 * (order_ == ByteOrder::big ? width - 1 - i : i);
      bytes_[offset + i] = static_cast<std::byte>(value >> shift);
    }
  }
  void put_bytes(std::size_t offset, std::span<const std::uint8_t> data) {
    std::memcpy(bytes_.data() + offset, data.data(), data.size());
  }
  void zero(std::size_t offset, std::size_t size) { std::memset(bytes_.data() + offset, 0, size); }

 private:
  std::span<std::byte> bytes_;
  ByteOrder order_;
};

// Reads integers of a block in the image's byte order; what lies beyond the bytes reads as zero.
class ByteFields {
 public:
  ByteFields(std::span<const std::byte> bytes, ByteOrder order) : reader_(bytes, order), bytes_(bytes) {}
  std::uint64_t get(std::size_t offset, unsigned width) const { return reader_.unsigned_int(offset, width).value_or(0); }
  void get_bytes(std::size_t offset, std::span<std::uint8_t> out) const {
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = offset + i < bytes_.size() ? std::to_integer<std::uint8_t>(bytes_[offset + i]) : 0;
    }
  }

 private:
  ByteReader reader_;
  std::span<const std::byte> bytes_;
};

}  // namespace

void write_block(std::span<std::byte> block, const ImageHeader& header, const purgatory_info& info) {
  const ByteOrder order = header.byte_order;
  const std::uint16_t elf_machine = header.elf_machine;
  const std::uint64_t info_size = header.info_size;
  ByteWriter write(block, order);
  write.put(offsetof(purgatory_info, sealed), info.sealed, 4);
  write.put(offsetof(purgatory_info, flags), info.flags, 4);
  write.put(offsetof(purgatory_info, segment_count), info.segment_count, 4);
  write.put_bytes(offsetof(purgatory_info, sha256), info.sha256);
  write.zero(offsetof(purgatory_info, segments), sizeof(purgatory_info::segments));
  for (std::size_t i = 0; i < info.segment_count; ++i) {
    const std::size_t at = offsetof(purgatory_info, segments) + i * sizeof(purgatory_segment);
    write.put(at + offsetof(purgatory_segment, start), info.segments[i].start, 8);
    write.put(at + offsetof(purgatory_segment, size), info.segments[i].size, 8);
    write.put_bytes(at + offsetof(purgatory_segment, sha256), info.segments[i].sha256);
  }
  // The union as 64-bit words; then, for ppc64, the narrower fields of its member over them (its flags,
  // which share a word with a reserved field, and low_memory, which is bytes).
  const std::size_t next = offsetof(purgatory_info, next);
  for (std::size_t i = 0; i < std::size(info.next.words); ++i) write.put(next + 8 * i, info.next.words[i], 8);
  if (elf_machine == PURGATORY_MACHINE_PPC64) {
    write.put(next + offsetof(purgatory_ppc64_state, flags), info.next.ppc64.flags, 4);
    write.put(next + offsetof(purgatory_ppc64_state, reserved), 0, 4);
    write.put_bytes(next + offsetof(purgatory_ppc64_state, low_memory), info.next.ppc64.low_memory);
  }
  const std::size_t console = offsetof(purgatory_info, console);
  write.zero(console, sizeof(purgatory_console));
  write.put(console + offsetof(purgatory_console, kind), info.console.kind, 4);
  write.put(console + offsetof(purgatory_console, register_shift), info.console.register_shift, 1);
  write.put(console + offsetof(purgatory_console, access_width), info.console.access_width, 1);
  write.put(console + offsetof(purgatory_console, base), info.console.base, 8);
  write.put(console + offsetof(purgatory_console, divisor), info.console.divisor, 4);
  const std::size_t reset = offsetof(purgatory_info, reset);
  write.zero(reset, sizeof(purgatory_reset));
  write.put(reset + offsetof(purgatory_reset, method), info.reset.method, 4);
  write.put(reset + offsetof(purgatory_reset, token), info.reset.token, 4);
  for (std::size_t i = 0; i < std::size(info.user); ++i) write.put(offsetof(purgatory_info, user) + 8 * i, info.user[i], 8);
  write.zero(offsetof(purgatory_info, result), sizeof(purgatory_result));
  if (info_size >= offsetof(purgatory_info, segment_origin) + sizeof(info.segment_origin)) {
    write.put_bytes(offsetof(purgatory_info, segment_origin), info.segment_origin);
  }
  if (info_size >= offsetof(purgatory_info, copies) + sizeof(info.copies)) {
    for (std::size_t i = 0; i < PURGATORY_MAX_COPIES; ++i) {
      const std::size_t at = offsetof(purgatory_info, copies) + i * sizeof(purgatory_copy);
      write.put(at + offsetof(purgatory_copy, source), info.copies[i].source, 8);
      write.put(at + offsetof(purgatory_copy, destination), info.copies[i].destination, 8);
      write.put(at + offsetof(purgatory_copy, size), info.copies[i].size, 8);
    }
  }
}


purgatory_info read_block(const Image& image) {
  const ImageHeader& header = image.header;
  std::span<const std::byte> all(image.bytes);
  const std::size_t offset = static_cast<std::size_t>(std::min<std::uint64_t>(header.info_offset, all.size()));
  const std::size_t size = static_cast<std::size_t>(
      std::min<std::uint64_t>({header.info_size, std::uint64_t{sizeof(purgatory_info)}, std::uint64_t{all.size() - offset}}));
  const ByteFields read(all.subspan(offset, size), header.byte_order);
  purgatory_info info{};
  read.get_bytes(offsetof(purgatory_info, magic), info.magic);
  info.info_size = static_cast<std::uint32_t>(read.get(offsetof(purgatory_info, info_size), 4));
  info.sealed = static_cast<std::uint32_t>(read.get(offsetof(purgatory_info, sealed), 4));
  info.flags = static_cast<std::uint32_t>(read.get(offsetof(purgatory_info, flags), 4));
  info.segment_count = static_cast<std::uint32_t>(read.get(offsetof(purgatory_info, segment_count), 4));
  read.get_bytes(offsetof(purgatory_info, sha256), info.sha256);
  for (std::size_t i = 0; i < PURGATORY_MAX_SEGMENTS; ++i) {
    const std::size_t at = offsetof(purgatory_info, segments) + i * sizeof(purgatory_segment);
    info.segments[i].start = read.get(at + offsetof(purgatory_segment, start), 8);
    info.segments[i].size = read.get(at + offsetof(purgatory_segment, size), 8);
    read.get_bytes(at + offsetof(purgatory_segment, sha256), info.segments[i].sha256);
  }
  const std::size_t next = offsetof(purgatory_info, next);
  for (std::size_t i = 0; i < std::size(info.next.words); ++i) info.next.words[i] = read.get(next + 8 * i, 8);
  if (header.elf_machine == PURGATORY_MACHINE_PPC64) {
    info.next.ppc64.flags = static_cast<std::uint32_t>(read.get(next + offsetof(purgatory_ppc64_state, flags), 4));
    info.next.ppc64.reserved = static_cast<std::uint32_t>(read.get(next + offsetof(purgatory_ppc64_state, reserved), 4));
    read.get_bytes(next + offsetof(purgatory_ppc64_state, low_memory), info.next.ppc64.low_memory);
  }
  const std::size_t console = offsetof(purgatory_info, console);
  info.console.kind = static_cast<std::uint32_t>(read.get(console + offsetof(purgatory_console, kind), 4));
  info.console.register_shift = static_cast<std::uint8_t>(read.get(console + offsetof(purgatory_console, register_shift), 1));
  info.console.access_width = static_cast<std::uint8_t>(read.get(console + offsetof(purgatory_console, access_width), 1));
  info.console.base = read.get(console + offsetof(purgatory_console, base), 8);
  info.console.divisor = static_cast<std::uint32_t>(read.get(console + offsetof(purgatory_console, divisor), 4));
  const std::size_t reset = offsetof(purgatory_info, reset);
  info.reset.method = static_cast<std::uint32_t>(read.get(reset + offsetof(purgatory_reset, method), 4));
  info.reset.token = static_cast<std::uint32_t>(read.get(reset + offsetof(purgatory_reset, token), 4));
  for (std::size_t i = 0; i < std::size(info.user); ++i) info.user[i] = read.get(offsetof(purgatory_info, user) + 8 * i, 8);
  const std::size_t result = offsetof(purgatory_info, result);
  info.result.status = static_cast<std::uint32_t>(read.get(result + offsetof(purgatory_result, status), 4));
  info.result.failed_segment = static_cast<std::uint32_t>(read.get(result + offsetof(purgatory_result, failed_segment), 4));
  read.get_bytes(result + offsetof(purgatory_result, computed_sha256), info.result.computed_sha256);
  info.result.bytes_verified = read.get(result + offsetof(purgatory_result, bytes_verified), 8);
  info.result.log_length = static_cast<std::uint32_t>(read.get(result + offsetof(purgatory_result, log_length), 4));
  info.result.digest_engine = static_cast<std::uint16_t>(read.get(result + offsetof(purgatory_result, digest_engine), 2));
  info.result.digest_flags = static_cast<std::uint16_t>(read.get(result + offsetof(purgatory_result, digest_flags), 2));
  std::uint8_t log[PURGATORY_LOG_SIZE];
  read.get_bytes(result + offsetof(purgatory_result, log), log);
  std::memcpy(info.result.log, log, sizeof(log));
  read.get_bytes(offsetof(purgatory_info, segment_origin), info.segment_origin);
  for (std::size_t i = 0; i < PURGATORY_MAX_COPIES; ++i) {
    const std::size_t at = offsetof(purgatory_info, copies) + i * sizeof(purgatory_copy);
    info.copies[i] = {read.get(at + offsetof(purgatory_copy, source), 8),
                      read.get(at + offsetof(purgatory_copy, destination), 8),
                      read.get(at + offsetof(purgatory_copy, size), 8)};
  }
  return info;
}

}  // namespace purgatory::host
