// SPDX-License-Identifier: MIT
// Sealing: a loader's request checked, laid out as the purgatory will check it, and written into
// purgatory_info in the image's byte order.
#include <algorithm>
#include <cstddef>
#include <cstring>

#include <fmt/format.h>

#include <purgatory/host/block.h>
#include <purgatory/host/image.h>
#include <purgatory/host/sha256_engine.h>
#include <purgatory/seal_rules.h>
#include <purgatory/sha256.h>

namespace purgatory::host {
namespace {

constexpr std::uint64_t low_memory_size = PURGATORY_PPC64_LOW_MEMORY_SIZE;

std::uint64_t memory_size_of(const Segment& segment) {
  return segment.memory_size != 0 ? segment.memory_size : segment.bytes.size();
}

// One range the purgatory checks: [offset, offset + size) of a request segment as loaded (its bytes,
// then zeros), or ppc64 low memory.
struct Piece {
  const Segment* segment = nullptr;  // null: low memory
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  CheckedSegment checked;
};

void hash_piece(Sha256& hasher, const Piece& piece, const SealRequest& request) {
  if (piece.segment == nullptr) {
    hasher.update(request.ppc64_low_memory->data(), low_memory_size);
    return;
  }
  const auto& bytes = piece.segment->bytes;
  const std::uint64_t end = piece.offset + piece.size;
  if (piece.offset < bytes.size()) {
    const std::uint64_t from_file = std::min<std::uint64_t>(end, bytes.size()) - piece.offset;
    hasher.update(bytes.data() + piece.offset, static_cast<std::size_t>(from_file));
  }
  static constexpr std::byte zeros[65536] = {};
  const std::uint64_t zero_start = std::max<std::uint64_t>(piece.offset, bytes.size());
  for (std::uint64_t left = end > zero_start ? end - zero_start : 0; left != 0;) {
    const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, sizeof(zeros)));
    hasher.update(zeros, chunk);
    left -= chunk;
  }
}

Sha256Digest digest_of(const Piece& piece, const SealRequest& request) {
  Sha256 hasher = host_sha256();
  hash_piece(hasher, piece, request);
  return hasher.finish();
}

// Which request segments become two halves for two lanes, and the order: the halves of the largest
// first, then the rest in the request's order (pair_for_two_lanes() describes the rule).
std::vector<Piece> two_lane_pieces(const std::vector<Segment>& segments, std::uint64_t split_from) {
  split_from = std::max<std::uint64_t>(split_from, 2 * sha256_block_size);  // halves of a block at least
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::uint64_t size = memory_size_of(segments[i]);
    if (size >= split_from && segments[i].bytes.size() <= size) candidates.push_back(i);
  }
  std::stable_sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
    return memory_size_of(segments[a]) > memory_size_of(segments[b]);
  });
  const std::size_t room = segments.size() < PURGATORY_MAX_SEGMENTS ? PURGATORY_MAX_SEGMENTS - segments.size() : 0;
  if (candidates.size() > room) candidates.resize(room);
  std::vector<bool> split(segments.size(), false);
  for (std::size_t i : candidates) split[i] = true;

  std::vector<Piece> paired, whole;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& segment = segments[i];
    const std::uint64_t size = memory_size_of(segment);
    if (!split[i]) {
      whole.push_back({&segment, 0, size, {segment.address, size, i, CheckedSegment::Part::whole}});
      continue;
    }
    const std::uint64_t first = size / 2 / sha256_block_size * sha256_block_size;
    paired.push_back({&segment, 0, first, {segment.address, first, i, CheckedSegment::Part::first_half}});
    paired.push_back({&segment, first, size - first,
                      {segment.address + first, size - first, i, CheckedSegment::Part::second_half}});
  }
  paired.insert(paired.end(), whole.begin(), whole.end());
  return paired;
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

std::string size_in_words(std::uint64_t bytes) {
  if (bytes >= (std::uint64_t{1} << 30)) return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1 << 30));
  if (bytes >= (std::uint64_t{1} << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
  return fmt::format("{} bytes", bytes);
}

// What the image cannot carry out, whatever the purgatory's rules say.
std::optional<std::string> request_problem(const Image& image, const SealRequest& request) {
  const ImageHeader& header = image.header;
  const std::string arch = header.arch();
  if (request.load_address % header.load_alignment != 0) {
    return fmt::format("load address {:#x} is not a multiple of the image's load alignment {:#x}",
                       request.load_address, header.load_alignment);
  }
  if (request.load_address > UINT64_MAX - header.memory_size) {
    return fmt::format("the purgatory at {:#x} would run past the end of the address space", request.load_address);
  }
  if (request.segments.size() > PURGATORY_MAX_SEGMENTS) {
    return fmt::format("{} segments: at most {} fit in purgatory_info", request.segments.size(), PURGATORY_MAX_SEGMENTS);
  }
  for (std::size_t i = 0; i < request.segments.size(); ++i) {
    const Segment& segment = request.segments[i];
    const std::uint64_t size = memory_size_of(segment);
    if (size == 0) return fmt::format("segment {} at {:#x} is empty", i, segment.address);
    if (segment.memory_size != 0 && segment.memory_size < segment.bytes.size()) {
      return fmt::format("segment {}: memory size {:#x} is smaller than its {} bytes", i, segment.memory_size,
                         segment.bytes.size());
    }
    if (size - segment.bytes.size() > max_zero_tail) {
      return fmt::format("segment {}: {} of zeros past its {} bytes; at most {} (kexec zero-fills them and the "
                         "purgatory hashes them, which would take hours)",
                         i, size_in_words(size - segment.bytes.size()), segment.bytes.size(), size_in_words(max_zero_tail));
    }
  }
  for (const auto& [name, value] : request.registers) {
    if (!register_offset(arch, name)) {
      return fmt::format("unknown register \"{}\" for {} (known: {})", name, arch, fmt::join(register_names(arch), ", "));
    }
  }
  if (header.elf_machine != PURGATORY_MACHINE_PPC64 &&
      (request.ppc64_secondary_entry || request.ppc64_flags != 0 || request.ppc64_low_memory)) {
    return fmt::format("ppc64 settings given for an {} image", arch);
  }
  if (const auto problem = console_problem(header, request.console.kind)) return problem;
  if (const auto problem = reset_problem(arch, request.reset.method)) return problem;
  return std::nullopt;
}

// ppc64 low memory: verified as a segment of its own, unless a request segment holds [0, 0x100) whole,
// in which case its bytes there must be the same (the purgatory restores, then hashes that segment).
Result<bool> add_low_memory(std::vector<Piece>& pieces, const SealRequest& request) {
  if (!request.ppc64_low_memory) return true;
  for (std::size_t i = 0; i < request.segments.size(); ++i) {
    const Segment& segment = request.segments[i];
    const std::uint64_t size = memory_size_of(segment);
    if (segment.address >= low_memory_size) continue;
    if (segment.address != 0 || size < low_memory_size) {
      return Error{fmt::format("segment {} at {:#x} holds part of ppc64 low memory [0, 0x100), not all of it", i,
                               segment.address)};
    }
    for (std::uint64_t at = 0; at < low_memory_size; ++at) {
      const std::uint8_t loaded = at < segment.bytes.size() ? std::to_integer<std::uint8_t>(segment.bytes[at]) : 0;
      if (loaded != (*request.ppc64_low_memory)[at]) {
        return Error{fmt::format("the ppc64 low memory bytes differ from segment {}'s at {:#x}: the purgatory would "
                                 "restore one and find the other",
                                 i, at)};
      }
    }
    return true;
  }
  pieces.push_back({nullptr, 0, low_memory_size, {0, low_memory_size, 0, CheckedSegment::Part::low_memory}});
  return true;
}

// The block the purgatory will read, in host byte order, for `pieces` (digests left out unless asked).
purgatory_info block_of(const Image& image, const SealRequest& request, const std::vector<Piece>& pieces,
                        bool with_digests) {
  const std::string arch = image.header.arch();
  purgatory_info info{};
  std::memcpy(info.magic, PURGATORY_INFO_MAGIC, sizeof(info.magic));
  info.info_size = sizeof(purgatory_info);
  info.sealed = PURGATORY_INFO_SEALED;
  info.flags = request.flags;
  info.segment_count = static_cast<std::uint32_t>(pieces.size());
  Sha256 all = host_sha256();
  for (std::size_t i = 0; i < pieces.size() && i < PURGATORY_MAX_SEGMENTS; ++i) {
    info.segments[i].start = pieces[i].checked.start;
    info.segments[i].size = pieces[i].checked.size;
    info.segment_origin[i] = pieces[i].segment == nullptr
                                 ? PURGATORY_ORIGIN_PPC64_LOW_MEMORY
                                 : static_cast<std::uint8_t>(pieces[i].checked.loader_index + 1);
    if (with_digests) {
      const Sha256Digest digest = digest_of(pieces[i], request);
      std::copy(digest.begin(), digest.end(), info.segments[i].sha256);
      hash_piece(all, pieces[i], request);
    }
  }
  if (with_digests) {
    const Sha256Digest digest = all.finish();
    std::copy(digest.begin(), digest.end(), info.sha256);
  }
  if (arch == "x86_64") {
    info.next.x86_64.rip = request.entry;
  } else if (arch == "arm64") {
    info.next.arm64.entry = request.entry;
  } else {
    purgatory_ppc64_state& state = info.next.ppc64;
    state.entry = request.entry;
    state.secondary_entry = request.ppc64_secondary_entry.value_or(0);
    state.flags = request.ppc64_flags;
    if (request.ppc64_low_memory) {
      state.flags |= PURGATORY_PPC64_RESTORE_LOW_MEMORY;
      std::copy(request.ppc64_low_memory->begin(), request.ppc64_low_memory->end(), state.low_memory);
    }
  }
  for (const auto& [name, value] : request.registers) {
    const std::size_t offset = *register_offset(arch, name);
    std::memcpy(reinterpret_cast<std::byte*>(&info.next) + offset, &value, sizeof(value));
  }
  info.console.kind = request.console.kind;
  info.console.register_shift = request.console.register_shift;
  info.console.access_width = request.console.access_width;
  info.console.base = request.console.base;
  info.console.divisor = request.console.divisor;
  info.reset.method = request.reset.method;
  info.reset.token = request.reset.token;
  std::copy(request.user.begin(), request.user.end(), info.user);
  return info;
}

ImagePlacement placement_of(const Image& image, const SealRequest& request) {
  return {.elf_machine = image.header.elf_machine, .load_address = request.load_address,
          .memory_size = image.header.memory_size};
}

// A rule the request breaks, in its own words: its segment numbers, ppc64 low memory by name.
std::string violation_text(const RuleViolation& violation, const std::vector<Piece>& pieces,
                           const ImagePlacement& placement) {
  const auto name = [&](std::uint32_t index) { return describe(pieces.at(index).checked); };
  if (violation.other_segment != PURGATORY_NO_SEGMENT) {
    const CheckedSegment &first = pieces.at(violation.other_segment).checked, &second = pieces.at(violation.segment).checked;
    if (first.part == CheckedSegment::Part::whole && second.part == CheckedSegment::Part::whole) {
      return fmt::format("segments {} and {} overlap (at {:#x} and {:#x})", first.loader_index, second.loader_index,
                         first.start, second.start);
    }
    return fmt::format("{} and {} overlap (at {:#x} and {:#x})", name(violation.other_segment), name(violation.segment),
                       first.start, second.start);
  }
  if (violation.segment == PURGATORY_NO_SEGMENT) return violation.what;
  const CheckedSegment& segment = pieces.at(violation.segment).checked;
  std::string text = fmt::format("{} at {:#x} ({} bytes): {}", name(violation.segment), segment.start, segment.size,
                                 violation.what);
  if (std::string_view(violation.what).find("purgatory's own memory") != std::string_view::npos) {
    text += fmt::format(" [{:#x}, {:#x})", placement.load_address, placement.load_address + placement.memory_size);
  }
  return text;
}

}  // namespace

std::string describe(const CheckedSegment& segment) {
  switch (segment.part) {
    case CheckedSegment::Part::whole: return fmt::format("segment {}", segment.loader_index);
    case CheckedSegment::Part::first_half: return fmt::format("segment {} (first half)", segment.loader_index);
    case CheckedSegment::Part::second_half: return fmt::format("segment {} (second half)", segment.loader_index);
    case CheckedSegment::Part::low_memory: return "ppc64 low memory";
  }
  return "segment";
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
  std::vector<Segment> laid_out;
  for (const Piece& piece : two_lane_pieces(segments, split_from)) {
    const auto& bytes = piece.segment->bytes;
    const std::size_t from = static_cast<std::size_t>(std::min<std::uint64_t>(piece.offset, bytes.size()));
    const std::size_t to = static_cast<std::size_t>(std::min<std::uint64_t>(piece.offset + piece.size, bytes.size()));
    laid_out.push_back({piece.checked.start, {bytes.begin() + static_cast<std::ptrdiff_t>(from),
                                              bytes.begin() + static_cast<std::ptrdiff_t>(to)},
                        piece.checked.size});
  }
  return laid_out;
}

std::array<std::uint8_t, 32> segments_digest(const std::vector<Segment>& segments) {
  Sha256 hasher = host_sha256();
  const SealRequest none;
  for (const auto& segment : segments) hash_piece(hasher, {&segment, 0, memory_size_of(segment), {}}, none);
  return hasher.finish();
}

Result<SealedImage> seal(const Image& image, const SealRequest& request) {
  if (const auto problem = request_problem(image, request)) return Error{*problem};
  const ImagePlacement placement = placement_of(image, request);

  // The rules, first over the request's own list, so that what breaks one is named in its numbering.
  std::vector<Piece> pieces;
  for (std::size_t i = 0; i < request.segments.size(); ++i) {
    const Segment& segment = request.segments[i];
    pieces.push_back({&segment, 0, memory_size_of(segment),
                      {segment.address, memory_size_of(segment), i, CheckedSegment::Part::whole}});
  }
  const auto low_memory = add_low_memory(pieces, request);
  if (!low_memory) return low_memory.error();
  if (pieces.size() > PURGATORY_MAX_SEGMENTS) {
    return Error{fmt::format("{} segments with ppc64 low memory: at most {} fit in purgatory_info", pieces.size(),
                             PURGATORY_MAX_SEGMENTS)};
  }
  purgatory_info block = block_of(image, request, pieces, false);
  if (const RuleViolation violation = first_violation(block, placement)) {
    return Error{violation_text(violation, pieces, placement)};
  }
  if (const RuleViolation violation = console_violation(block, placement)) {
    return Error{fmt::format("the console at {:#x}: {}", request.console.base, violation_text(violation, pieces, placement))};
  }

  // Then laid out as the purgatory will check it: halves for two lanes where they pay.
  if (checks_each_segment(image.header, request.flags)) {
    pieces = two_lane_pieces(request.segments, request.two_lane_split_from);
    if (const auto added = add_low_memory(pieces, request); !added) return added.error();
  }
  block = block_of(image, request, pieces, true);
  if (const RuleViolation violation = first_violation(block, placement)) {
    return Error{"the two-lane layout broke a rule (a bug): " + violation_text(violation, pieces, placement)};
  }

  SealedImage sealed;
  sealed.bytes = image.bytes;
  const std::size_t info = static_cast<std::size_t>(image.header.info_offset);
  write_block(std::span<std::byte>(sealed.bytes).subspan(info, static_cast<std::size_t>(image.header.info_size)),
              image.header, block);
  for (const Piece& piece : pieces) sealed.segments.push_back(piece.checked);
  return sealed;
}

}  // namespace purgatory::host
