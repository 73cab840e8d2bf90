#include <purgatory/host/image.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include <fmt/format.h>

#include <purgatory/host/sha256_engine.h>
#include <purgatory/sha256.h>

namespace purgatory::host {
namespace {

constexpr std::string_view image_magic = PURGATORY_IMAGE_MAGIC;
constexpr std::string_view info_magic = PURGATORY_INFO_MAGIC;

bool is_power_of_two(std::uint64_t value) { return value != 0 && (value & (value - 1)) == 0; }

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

std::uint64_t segment_memory_size(const Segment& segment) {
  return segment.memory_size != 0 ? segment.memory_size : segment.bytes.size();
}

// The segment as the purgatory will see it: its bytes, then zeros up to its memory size.
void hash_segment(Sha256& hasher, const Segment& segment) {
  hasher.update(segment.bytes.data(), segment.bytes.size());
  static constexpr std::byte zeros[4096] = {};
  for (std::uint64_t left = segment_memory_size(segment) - segment.bytes.size(); left != 0;) {
    const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, sizeof(zeros)));
    hasher.update(zeros, chunk);
    left -= chunk;
  }
}

bool overlap(std::uint64_t a_start, std::uint64_t a_size, std::uint64_t b_start, std::uint64_t b_size) {
  return a_start < b_start + b_size && b_start < a_start + a_size;
}

// Offsets of the registers in each arch's member of union purgatory_next_kernel.
std::optional<std::size_t> register_offset(const std::string& arch, const std::string& name) {
  static const std::map<std::string, std::size_t> x86_64 = {
      {"rax", offsetof(purgatory_x86_64_state, rax)}, {"rbx", offsetof(purgatory_x86_64_state, rbx)},
      {"rcx", offsetof(purgatory_x86_64_state, rcx)}, {"rdx", offsetof(purgatory_x86_64_state, rdx)},
      {"rsi", offsetof(purgatory_x86_64_state, rsi)}, {"rdi", offsetof(purgatory_x86_64_state, rdi)},
      {"rbp", offsetof(purgatory_x86_64_state, rbp)}, {"rsp", offsetof(purgatory_x86_64_state, rsp)},
      {"r8", offsetof(purgatory_x86_64_state, r8)},   {"r9", offsetof(purgatory_x86_64_state, r9)},
      {"r10", offsetof(purgatory_x86_64_state, r10)}, {"r11", offsetof(purgatory_x86_64_state, r11)},
      {"r12", offsetof(purgatory_x86_64_state, r12)}, {"r13", offsetof(purgatory_x86_64_state, r13)},
      {"r14", offsetof(purgatory_x86_64_state, r14)}, {"r15", offsetof(purgatory_x86_64_state, r15)},
  };
  static const std::map<std::string, std::size_t> arm64 = {
      {"x0", offsetof(purgatory_arm64_state, x) + 0}, {"x1", offsetof(purgatory_arm64_state, x) + 8},
      {"x2", offsetof(purgatory_arm64_state, x) + 16}, {"x3", offsetof(purgatory_arm64_state, x) + 24},
  };
  static const std::map<std::string, std::size_t> ppc64 = {
      {"r3", offsetof(purgatory_ppc64_state, r3)}, {"r4", offsetof(purgatory_ppc64_state, r4)},
      {"r5", offsetof(purgatory_ppc64_state, r5)}, {"r8", offsetof(purgatory_ppc64_state, r8)},
      {"r9", offsetof(purgatory_ppc64_state, r9)},
  };
  const auto* table = arch == "x86_64" ? &x86_64 : arch == "arm64" ? &arm64 : &ppc64;
  const auto found = table->find(name);
  if (found == table->end()) return std::nullopt;
  return found->second;
}

// A console the image does not advertise would be ignored by the purgatory: refuse it here instead.
std::optional<std::string> console_problem(const ImageHeader& header, std::uint32_t kind) {
  struct Kind {
    std::uint32_t kind, feature;
    const char* name;
  };
  static constexpr Kind kinds[] = {
      {PURGATORY_CONSOLE_8250_PIO, PURGATORY_FEATURE_CONSOLE_8250_PIO, "8250-pio"},
      {PURGATORY_CONSOLE_8250_MMIO, PURGATORY_FEATURE_CONSOLE_8250_MMIO, "8250-mmio"},
      {PURGATORY_CONSOLE_PL011, PURGATORY_FEATURE_CONSOLE_PL011, "pl011"},
      {PURGATORY_CONSOLE_HVC, PURGATORY_FEATURE_CONSOLE_HVC, "hvc"},
  };
  if (kind == PURGATORY_CONSOLE_NONE) return std::nullopt;
  for (const auto& known : kinds) {
    if (known.kind != kind) continue;
    if (header.features & known.feature) return std::nullopt;
    return fmt::format("this {} image has no {} console (features {:#x})", header.arch(), known.name, header.features);
  }
  return fmt::format("unknown console kind {}", kind);
}

std::optional<std::string> reset_problem(const std::string& arch, std::uint32_t method) {
  switch (method) {
    case PURGATORY_RESET_DEFAULT: return std::nullopt;
    case PURGATORY_RESET_PSCI_HVC:
    case PURGATORY_RESET_PSCI_SMC:
      if (arch == "arm64") return std::nullopt;
      return fmt::format("PSCI resets are for arm64, not {}", arch);
    case PURGATORY_RESET_RTAS_HCALL:
      if (arch.starts_with("ppc64")) return std::nullopt;
      return fmt::format("RTAS resets are for ppc64, not {}", arch);
    default: return fmt::format("unknown reset method {}", method);
  }
}

}  // namespace

std::string ImageHeader::arch() const {
  const bool little = byte_order == ByteOrder::little;
  switch (elf_machine) {
    case PURGATORY_MACHINE_X86_64: return little ? "x86_64" : "";
    case PURGATORY_MACHINE_AARCH64: return little ? "arm64" : "";
    case PURGATORY_MACHINE_PPC64: return little ? "ppc64le" : "ppc64";
    default: return "";
  }
}

Result<Image> parse_image(std::span<const std::byte> bytes, const ImageExpectations& expectations) {
  if (bytes.size() < image_magic.size() ||
      std::memcmp(bytes.data(), image_magic.data(), image_magic.size()) != 0) {
    return Error{"not a purgatory image (no \"PURGATRY\" magic at offset 0)"};
  }
  if (bytes.size() < PURGATORY_HEADER_SIZE) {
    return Error{fmt::format("truncated image: {} bytes, smaller than the {}-byte header", bytes.size(),
                             PURGATORY_HEADER_SIZE)};
  }
  const auto order_byte = std::to_integer<unsigned>(bytes[offsetof(purgatory_image_header, byte_order)]);
  if (order_byte != PURGATORY_BYTE_ORDER_LITTLE && order_byte != PURGATORY_BYTE_ORDER_BIG) {
    return Error{fmt::format("unknown byte order {} in the image header (offset 8)", order_byte)};
  }
  Image image;
  ImageHeader& header = image.header;
  header.byte_order = order_byte == PURGATORY_BYTE_ORDER_BIG ? ByteOrder::big : ByteOrder::little;
  const ByteReader read(bytes, header.byte_order);
  auto field = [&](std::size_t offset, unsigned width) { return *read.unsigned_int(offset, width); };
  header.elf_machine = static_cast<std::uint16_t>(field(offsetof(purgatory_image_header, elf_machine), 2));
  header.abi_major = static_cast<std::uint16_t>(field(offsetof(purgatory_image_header, abi_major), 2));
  header.abi_minor = static_cast<std::uint16_t>(field(offsetof(purgatory_image_header, abi_minor), 2));
  header.header_size = static_cast<std::uint32_t>(field(offsetof(purgatory_image_header, header_size), 4));
  header.features = static_cast<std::uint32_t>(field(offsetof(purgatory_image_header, features), 4));
  header.file_size = field(offsetof(purgatory_image_header, file_size), 8);
  header.memory_size = field(offsetof(purgatory_image_header, memory_size), 8);
  header.load_alignment = field(offsetof(purgatory_image_header, load_alignment), 8);
  header.entry_offset = field(offsetof(purgatory_image_header, entry_offset), 8);
  header.info_offset = field(offsetof(purgatory_image_header, info_offset), 8);
  header.info_size = field(offsetof(purgatory_image_header, info_size), 8);

  if (header.abi_major != PURGATORY_ABI_MAJOR) {
    return Error{fmt::format("ABI version {}.{} is not supported (this tool reads major version {})",
                             header.abi_major, header.abi_minor, PURGATORY_ABI_MAJOR)};
  }
  if (header.arch().empty()) {
    return Error{fmt::format("unknown arch: ELF machine {} with {}-endian byte order", header.elf_machine,
                             header.byte_order == ByteOrder::big ? "big" : "little")};
  }
  if (expectations.arch && *expectations.arch != header.arch()) {
    return Error{fmt::format("image is for {}, not {}", header.arch(), *expectations.arch)};
  }
  if (header.header_size < PURGATORY_HEADER_SIZE || header.header_size > bytes.size()) {
    return Error{fmt::format("header size {} is out of range (at least {}, at most the file's {} bytes)",
                             header.header_size, PURGATORY_HEADER_SIZE, bytes.size())};
  }
  if (header.file_size != bytes.size()) {
    return Error{fmt::format("the header says the image is {} bytes, but the file has {}", header.file_size,
                             bytes.size())};
  }
  if (header.memory_size < header.file_size) {
    return Error{fmt::format("memory size {:#x} is smaller than the file size {:#x}", header.memory_size,
                             header.file_size)};
  }
  if (!is_power_of_two(header.load_alignment)) {
    return Error{fmt::format("load alignment {:#x} is not a power of two", header.load_alignment)};
  }
  if (header.info_offset < header.header_size) {
    return Error{fmt::format("purgatory_info at offset {:#x} overlaps the {}-byte header", header.info_offset,
                             header.header_size)};
  }
  if (header.entry_offset < header.header_size || header.entry_offset >= header.file_size ||
      header.entry_offset % 4 != 0) {
    return Error{fmt::format("entry offset {:#x} is inside the header, outside the image or not 4-byte aligned",
                             header.entry_offset)};
  }
  if (header.info_offset % 8 != 0 || header.info_size < sizeof(purgatory_info) ||
      header.info_offset > header.file_size || header.info_size > header.file_size - header.info_offset) {
    return Error{fmt::format("purgatory_info ({:#x} bytes at offset {:#x}) is misaligned, too small for ABI {}.0, "
                             "or outside the image",
                             header.info_size, header.info_offset, PURGATORY_ABI_MAJOR)};
  }
  if (std::memcmp(bytes.data() + header.info_offset, info_magic.data(), info_magic.size()) != 0) {
    return Error{fmt::format("no \"PURGINFO\" magic at the info offset {:#x}", header.info_offset)};
  }
  const auto info_size_field = field(header.info_offset + offsetof(purgatory_info, info_size), 4);
  if (info_size_field != header.info_size) {
    return Error{fmt::format("purgatory_info says it is {} bytes, the header says {}", info_size_field,
                             header.info_size)};
  }
  image.bytes.assign(bytes.begin(), bytes.end());
  return image;
}

std::vector<std::string> register_names(const std::string& arch) {
  if (arch == "x86_64") {
    return {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
            "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
  }
  if (arch == "arm64") return {"x0", "x1", "x2", "x3"};
  return {"r3", "r4", "r5", "r8", "r9"};
}

bool checks_each_segment(const ImageHeader& header, std::uint32_t flags) {
  return (flags & PURGATORY_FLAG_VERIFY_EACH_SEGMENT) != 0 && (header.features & PURGATORY_FEATURE_VERIFY_EACH_SEGMENT) != 0;
}

std::vector<Segment> pair_for_two_lanes(const std::vector<Segment>& segments, std::uint64_t split_from) {
  split_from = std::max<std::uint64_t>(split_from, 2 * sha256_block_size);  // halves of a block at least
  // Which to split: the large ones, largest first, while the list still fits (each split adds one).
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    // One whose file is larger than its memory is left whole, for seal() to refuse under its own index.
    const std::uint64_t size = segment_memory_size(segments[i]);
    if (size >= split_from && segments[i].bytes.size() <= size) candidates.push_back(i);
  }
  std::stable_sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
    return segment_memory_size(segments[a]) > segment_memory_size(segments[b]);
  });
  const std::size_t room = segments.size() < PURGATORY_MAX_SEGMENTS ? PURGATORY_MAX_SEGMENTS - segments.size() : 0;
  if (candidates.size() > room) candidates.resize(room);
  std::vector<bool> split(segments.size(), false);
  for (std::size_t i : candidates) split[i] = true;

  std::vector<Segment> paired, whole;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& segment = segments[i];
    if (!split[i]) {
      whole.push_back(segment);
      continue;
    }
    const std::uint64_t size = segment_memory_size(segment);
    const std::uint64_t first_size = size / 2 / sha256_block_size * sha256_block_size;
    const std::size_t file_split = static_cast<std::size_t>(std::min<std::uint64_t>(first_size, segment.bytes.size()));
    const auto middle = segment.bytes.begin() + static_cast<std::ptrdiff_t>(file_split);
    paired.push_back({segment.address, {segment.bytes.begin(), middle}, first_size});
    paired.push_back({segment.address + first_size, {middle, segment.bytes.end()}, size - first_size});
  }
  paired.insert(paired.end(), whole.begin(), whole.end());
  return paired;
}

std::array<std::uint8_t, 32> segments_digest(const std::vector<Segment>& segments) {
  Sha256 hasher = host_sha256();
  for (const auto& segment : segments) hash_segment(hasher, segment);
  return hasher.finish();
}

Result<std::vector<std::byte>> seal(const Image& image, const SealRequest& request) {
  const ImageHeader& header = image.header;
  const std::string arch = header.arch();
  const bool ppc64 = header.elf_machine == PURGATORY_MACHINE_PPC64;

  if (request.load_address % header.load_alignment != 0) {
    return Error{fmt::format("load address {:#x} is not a multiple of the image's load alignment {:#x}",
                             request.load_address, header.load_alignment)};
  }
  if (request.load_address > UINT64_MAX - header.memory_size) {
    return Error{fmt::format("the purgatory at {:#x} would run past the end of the address space",
                             request.load_address)};
  }
  if (request.segments.size() > PURGATORY_MAX_SEGMENTS) {
    return Error{fmt::format("{} segments: at most {} fit in purgatory_info", request.segments.size(),
                             PURGATORY_MAX_SEGMENTS)};
  }
  for (std::size_t i = 0; i < request.segments.size(); ++i) {
    const Segment& segment = request.segments[i];
    const std::uint64_t size = segment_memory_size(segment);
    if (size == 0) return Error{fmt::format("segment {} at {:#x} is empty", i, segment.address)};
    if (segment.memory_size != 0 && segment.memory_size < segment.bytes.size()) {
      return Error{fmt::format("segment {}: memory size {:#x} is smaller than its {} bytes", i,
                               segment.memory_size, segment.bytes.size())};
    }
    if (segment.address > UINT64_MAX - size) {
      return Error{fmt::format("segment {} at {:#x} runs past the end of the address space", i, segment.address)};
    }
    if (overlap(segment.address, size, request.load_address, header.memory_size)) {
      return Error{fmt::format("segment {} [{:#x}, {:#x}) overlaps the purgatory's memory [{:#x}, {:#x})", i,
                               segment.address, segment.address + size, request.load_address,
                               request.load_address + header.memory_size)};
    }
    for (std::size_t j = 0; j < i; ++j) {
      const Segment& other = request.segments[j];
      if (overlap(segment.address, size, other.address, segment_memory_size(other))) {
        return Error{fmt::format("segments {} and {} overlap (at {:#x} and {:#x})", j, i, other.address,
                                 segment.address)};
      }
    }
  }
  for (const auto& [name, value] : request.registers) {
    if (!register_offset(arch, name)) {
      const auto names = register_names(arch);
      return Error{fmt::format("unknown register \"{}\" for {} (known: {})", name, arch,
                               fmt::join(names, ", "))};
    }
  }
  if (!ppc64 && (request.ppc64_secondary_entry || request.ppc64_flags != 0 || request.ppc64_low_memory)) {
    return Error{fmt::format("ppc64 settings given for an {} image", arch)};
  }
  if (const auto problem = console_problem(header, request.console.kind)) return Error{*problem};
  if (const auto problem = reset_problem(arch, request.reset.method)) return Error{*problem};

  std::vector<std::byte> sealed = image.bytes;
  const std::size_t info = static_cast<std::size_t>(header.info_offset);
  ByteWriter write(std::span<std::byte>(sealed).subspan(info, sizeof(purgatory_info)), header.byte_order);

  write.put(offsetof(purgatory_info, sealed), PURGATORY_INFO_SEALED, 4);
  write.put(offsetof(purgatory_info, flags), request.flags, 4);
  write.put(offsetof(purgatory_info, segment_count), request.segments.size(), 4);
  write.put_bytes(offsetof(purgatory_info, sha256), segments_digest(request.segments));
  write.zero(offsetof(purgatory_info, segments), sizeof(purgatory_info::segments));
  for (std::size_t i = 0; i < request.segments.size(); ++i) {
    const std::size_t at = offsetof(purgatory_info, segments) + i * sizeof(purgatory_segment);
    Sha256 hasher = host_sha256();
    hash_segment(hasher, request.segments[i]);
    write.put(at + offsetof(purgatory_segment, start), request.segments[i].address, 8);
    write.put(at + offsetof(purgatory_segment, size), segment_memory_size(request.segments[i]), 8);
    write.put_bytes(at + offsetof(purgatory_segment, sha256), hasher.finish());
  }

  const std::size_t next = offsetof(purgatory_info, next);
  write.zero(next, sizeof(purgatory_next_kernel));
  if (arch == "x86_64") {
    write.put(next + offsetof(purgatory_x86_64_state, rip), request.entry, 8);
  } else if (arch == "arm64") {
    write.put(next + offsetof(purgatory_arm64_state, entry), request.entry, 8);
  } else {
    write.put(next + offsetof(purgatory_ppc64_state, entry), request.entry, 8);
    write.put(next + offsetof(purgatory_ppc64_state, secondary_entry), request.ppc64_secondary_entry.value_or(0), 8);
    std::uint32_t ppc64_flags = request.ppc64_flags;
    if (request.ppc64_low_memory) {
      ppc64_flags |= PURGATORY_PPC64_RESTORE_LOW_MEMORY;
      write.put_bytes(next + offsetof(purgatory_ppc64_state, low_memory), *request.ppc64_low_memory);
    }
    write.put(next + offsetof(purgatory_ppc64_state, flags), ppc64_flags, 4);
  }
  for (const auto& [name, value] : request.registers) write.put(next + *register_offset(arch, name), value, 8);

  const std::size_t console = offsetof(purgatory_info, console);
  write.zero(console, sizeof(purgatory_console));
  write.put(console + offsetof(purgatory_console, kind), request.console.kind, 4);
  write.put(console + offsetof(purgatory_console, register_shift), request.console.register_shift, 1);
  write.put(console + offsetof(purgatory_console, access_width), request.console.access_width, 1);
  write.put(console + offsetof(purgatory_console, base), request.console.base, 8);
  write.put(console + offsetof(purgatory_console, divisor), request.console.divisor, 4);

  const std::size_t reset = offsetof(purgatory_info, reset);
  write.zero(reset, sizeof(purgatory_reset));
  write.put(reset + offsetof(purgatory_reset, method), request.reset.method, 4);
  write.put(reset + offsetof(purgatory_reset, token), request.reset.token, 4);

  for (std::size_t i = 0; i < request.user.size(); ++i) {
    write.put(offsetof(purgatory_info, user) + 8 * i, request.user[i], 8);
  }
  write.zero(offsetof(purgatory_info, result), sizeof(purgatory_result));
  return sealed;
}

}  // namespace purgatory::host
