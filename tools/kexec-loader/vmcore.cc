// SPDX-License-Identifier: MIT
#include "vmcore.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include <fmt/format.h>

#include <purgatory/host/byte_reader.h>
#include <purgatory/host/elf.h>

namespace kexec_loader {
namespace {

using purgatory::host::ByteOrder;
using purgatory::host::ByteReader;
using purgatory::host::Error;

namespace elf = purgatory::host::elf;
constexpr std::size_t chunk_size = 8 << 20;
constexpr std::uint64_t note_limit = 64 << 20;  // far more than any machine's notes

class File {
 public:
  explicit File(const std::string& path) : fd_(open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~File() {
    if (fd_ >= 0) close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  bool is_open() const { return fd_ >= 0; }

  // Exactly `size` bytes at `offset`, or an error naming what failed.
  purgatory::host::Result<std::vector<std::byte>> read_at(std::uint64_t offset, std::size_t size) const {
    std::vector<std::byte> bytes(size);
    auto filled = read_into(offset, bytes);
    if (!filled) return filled.error();
    return bytes;
  }

  // Fills `bytes` exactly from `offset`, or an error naming what failed.
  purgatory::host::Result<bool> read_into(std::uint64_t offset, std::span<std::byte> bytes) const {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = pread(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error{fmt::format("read error at {:#x}: {}", offset + done, std::strerror(errno))};
      if (n == 0) return Error{fmt::format("ends at {:#x}, before {:#x}", offset + done, offset + bytes.size())};
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

 private:
  int fd_;
};

// Counts the notes of one PT_NOTE segment: NT_PRSTATUS of "CORE", and the "VMCOREINFO" note's size
// (its text into `vmcoreinfo`).
void count_notes(const std::vector<std::byte>& bytes, ByteOrder order, VmcoreSummary& summary, std::string& vmcoreinfo) {
  ByteReader reader(bytes, order);
  std::size_t at = 0;
  const auto align4 = [](std::uint64_t value) { return (value + 3) & ~std::uint64_t{3}; };
  while (at + 12 <= bytes.size()) {
    const std::uint64_t name_size = *reader.u32(at), description_size = *reader.u32(at + 4);
    const std::uint32_t type = *reader.u32(at + 8);
    const std::uint64_t name_end = at + 12 + align4(name_size);
    if (name_size == 0 && description_size == 0) break;  // the zero padding after the last note
    if (name_end > bytes.size() || align4(description_size) > bytes.size() - name_end) break;
    std::string name(reinterpret_cast<const char*>(bytes.data() + at + 12), name_size);
    while (!name.empty() && name.back() == '\0') name.pop_back();
    if (name == "CORE" && type == elf::note_prstatus) ++summary.prstatus_notes;
    if (name == "VMCOREINFO") {
      summary.vmcoreinfo_size = description_size;
      vmcoreinfo.assign(reinterpret_cast<const char*>(bytes.data() + name_end), description_size);
    }
    at = name_end + align4(description_size);
  }
}

// The value of VMCOREINFO's line KEY=VALUE, read in `base` (0: as C does, 0x for hex), if there is one.
std::optional<std::uint64_t> vmcoreinfo_value(const std::string& vmcoreinfo, const std::string& key, int base) {
  const std::string wanted = key + "=";
  for (std::size_t at = 0; at < vmcoreinfo.size();) {
    const std::size_t end = std::min(vmcoreinfo.find('\n', at), vmcoreinfo.size());
    if (vmcoreinfo.compare(at, wanted.size(), wanted) == 0) {
      const std::string value = vmcoreinfo.substr(at + wanted.size(), end - at - wanted.size());
      errno = 0;
      char* rest = nullptr;
      const unsigned long long number = std::strtoull(value.c_str(), &rest, base);
      if (value.empty() || errno != 0 || *rest != '\0') return std::nullopt;
      return number;
    }
    at = end + 1;
  }
  return std::nullopt;
}

}  // namespace

namespace {

// How the dying kernel's image addresses map to physical ones where no PT_LOAD maps them: VMCOREINFO's
// numbers, read once (arm64: kimage_voffset; x86_64: phys_base, the image mapped from
// __START_KERNEL_map).
struct ImageMapping {
  std::optional<std::uint64_t> kimage_voffset, phys_base;

  std::optional<std::uint64_t> physical(std::uint64_t address) const {
    constexpr std::uint64_t x86_64_start_kernel_map = 0xffffffff80000000;
    if (kimage_voffset) return address - *kimage_voffset;
    if (phys_base && address >= x86_64_start_kernel_map) return address - x86_64_start_kernel_map + *phys_base;
    return std::nullopt;
  }
};

// Where `size` bytes at `address` start in a range that begins at `start` and holds `length` bytes.
std::optional<std::uint64_t> offset_within(std::uint64_t start, std::uint64_t length, std::uint64_t address,
                                           std::size_t size) {
  if (address < start || address - start > length || size > length - (address - start)) return std::nullopt;
  return address - start;
}

// `size` bytes of the dying kernel's memory at its virtual `address`: in the PT_LOAD mapped there, or
// for kernel image addresses no PT_LOAD maps, at the physical address `image` gives.
purgatory::host::Result<std::vector<std::byte>> read_virtual(const File& file, const std::vector<CoreProgram>& loads,
                                                             const ImageMapping& image, std::uint64_t address,
                                                             std::size_t size) {
  for (const CoreProgram& load : loads) {
    const auto offset = offset_within(load.virtual_address, load.size, address, size);
    if (load.virtual_address != 0 && offset) return file.read_at(load.offset + *offset, size);
  }
  if (const auto physical = image.physical(address)) {
    for (const CoreProgram& load : loads) {
      if (const auto offset = offset_within(load.physical, load.size, *physical, size)) {
        return file.read_at(load.offset + *offset, size);
      }
    }
  }
  return Error{fmt::format("{} bytes at {:#x} are in no dumped range", size, address)};
}

// The printk ring's text data (Linux 5.10 and later: struct printk_ringbuffer), through VMCOREINFO.
purgatory::host::Result<std::vector<std::byte>> read_kernel_log(const File& file, const std::vector<CoreProgram>& loads,
                                                                const std::string& vmcoreinfo, ByteOrder order) {
  const auto prb = vmcoreinfo_value(vmcoreinfo, "SYMBOL(prb)", 16);
  const auto text_ring = vmcoreinfo_value(vmcoreinfo, "OFFSET(printk_ringbuffer.text_data_ring)", 10);
  const auto size_bits_at = vmcoreinfo_value(vmcoreinfo, "OFFSET(prb_data_ring.size_bits)", 10);
  const auto data_at = vmcoreinfo_value(vmcoreinfo, "OFFSET(prb_data_ring.data)", 10);
  if (!prb || !text_ring || !size_bits_at || !data_at) {
    return Error{"VMCOREINFO does not locate the printk ring (SYMBOL(prb) and the offsets of its text data ring)"};
  }
  const ImageMapping image{vmcoreinfo_value(vmcoreinfo, "NUMBER(kimage_voffset)", 0),
                           vmcoreinfo_value(vmcoreinfo, "NUMBER(phys_base)", 0)};
  const auto pointer = read_virtual(file, loads, image, *prb, 8);
  if (!pointer) return Error{"the printk ring's pointer: " + pointer.error().message};
  const std::uint64_t ring = *ByteReader(*pointer, order).u64(0) + *text_ring;
  const auto size_bits = read_virtual(file, loads, image, ring + *size_bits_at, 4);
  const auto data = read_virtual(file, loads, image, ring + *data_at, 8);
  if (!size_bits || !data) return Error{"the printk ring: " + (!size_bits ? size_bits : data).error().message};
  const std::uint64_t bits = *ByteReader(*size_bits, order).u32(0);
  if (bits > 30) return Error{fmt::format("the printk ring's text data claims 2^{} bytes", bits)};
  const auto text = read_virtual(file, loads, image, *ByteReader(*data, order).u64(0), std::size_t{1} << bits);
  if (!text) return Error{"the printk ring's text data: " + text.error().message};
  return text;
}

// The ELF header and program headers of an open core file.
purgatory::host::Result<CoreFile> read_programs(const File& file, const std::string& path) {
  const auto header = file.read_at(0, 64);
  if (!header) return Error{fmt::format("{}: {}", path, header.error().message)};
  const auto ident = [&](std::size_t i) { return std::to_integer<std::uint8_t>((*header)[i]); };
  if (ident(0) != 0x7f || ident(1) != 'E' || ident(2) != 'L' || ident(3) != 'F') return Error{path + ": not an ELF file"};
  if (ident(4) != 2) return Error{path + ": not ELFCLASS64"};
  if (ident(5) != 1 && ident(5) != 2) return Error{path + ": unknown ELF data encoding"};
  CoreFile core;
  core.order = ident(5) == 2 ? ByteOrder::big : ByteOrder::little;
  ByteReader elf(*header, core.order);
  core.elf_type = static_cast<std::uint16_t>(*elf.u16(16));
  core.arch = purgatory::host::arch_of(static_cast<std::uint16_t>(*elf.u16(18)), core.order);
  const std::uint64_t phoff = *elf.u64(32);
  const std::uint64_t phentsize = *elf.u16(54), phnum = *elf.u16(56);
  if (phentsize != 56 || phnum == 0) return Error{fmt::format("{}: no usable program headers", path)};
  const auto table = file.read_at(phoff, phnum * phentsize);
  if (!table) return Error{fmt::format("{}: program headers: {}", path, table.error().message)};
  ByteReader programs(*table, core.order);
  for (std::uint64_t i = 0; i < phnum; ++i) {
    const std::size_t at = i * phentsize;
    core.programs.push_back({static_cast<std::uint32_t>(*programs.u32(at)), *programs.u64(at + 8),
                             *programs.u64(at + 16), *programs.u64(at + 24), *programs.u64(at + 32)});
  }
  return core;
}

}  // namespace

purgatory::host::Result<CoreFile> read_core_programs(const std::string& path) {
  File file(path);
  if (!file.is_open()) return Error{fmt::format("{}: cannot open: {}", path, std::strerror(errno))};
  return read_programs(file, path);
}

purgatory::host::Result<VmcoreSummary> describe_vmcore(const std::string& path, const std::vector<std::string>& strings,
                                                       const std::vector<std::string>& log_strings) {
  File file(path);
  if (!file.is_open()) return Error{fmt::format("{}: cannot open: {}", path, std::strerror(errno))};
  const auto core = read_programs(file, path);
  if (!core) return core.error();
  VmcoreSummary summary;
  std::string vmcoreinfo;
  summary.elf_type = core->elf_type;
  summary.arch = core->arch;
  std::vector<CoreProgram> loads;
  for (const CoreProgram& segment : core->programs) {
    if (segment.type == elf::segment_note) {
      if (segment.size > note_limit) return Error{fmt::format("{}: a PT_NOTE of {} bytes", path, segment.size)};
      const auto notes = file.read_at(segment.offset, segment.size);
      if (!notes) return Error{fmt::format("{}: notes: {}", path, notes.error().message)};
      count_notes(*notes, core->order, summary, vmcoreinfo);
    } else if (segment.type == elf::segment_load && segment.size > 0) {
      loads.push_back(segment);
      ++summary.memory_ranges;
      summary.memory_bytes += segment.size;
      if (segment.virtual_address != 0) ++summary.mapped_ranges;
    }
  }

  summary.found_in_log.assign(log_strings.size(), false);
  if (!log_strings.empty()) {
    const auto log = read_kernel_log(file, loads, vmcoreinfo, core->order);
    if (log) {
      summary.log_bytes = log->size();
      const char* begin = reinterpret_cast<const char*>(log->data());
      const char* end = begin + log->size();
      for (std::size_t i = 0; i < log_strings.size(); ++i) {
        summary.found_in_log[i] = !log_strings[i].empty() &&
                                  std::search(begin, end, log_strings[i].begin(), log_strings[i].end()) != end;
      }
    } else {
      summary.log_problem = log.error().message;
    }
  }

  // Each range in pieces, the last (longest string - 1) bytes carried over so no match is split.
  summary.found.assign(strings.size(), false);
  std::size_t longest = 0;
  for (const auto& text : strings) longest = std::max(longest, text.size());
  if (longest == 0) return summary;
  using Searcher = std::boyer_moore_horspool_searcher<std::string::const_iterator>;
  std::vector<Searcher> searchers;
  for (const auto& text : strings) searchers.emplace_back(text.begin(), text.end());
  const std::size_t carried = longest - 1;
  std::vector<std::byte> window(carried + chunk_size);
  for (const auto& load : loads) {
    std::size_t kept = 0;  // bytes carried over from the previous piece, at the window's start
    for (std::uint64_t done = 0; done < load.size;) {
      const std::size_t piece = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_size, load.size - done));
      const auto read = file.read_into(load.offset + done, std::span(window).subspan(kept, piece));
      if (!read) return Error{fmt::format("{}: memory: {}", path, read.error().message)};
      const char* begin = reinterpret_cast<const char*>(window.data());
      const char* end = begin + kept + piece;
      for (std::size_t i = 0; i < strings.size(); ++i) {
        if (!summary.found[i] && !strings[i].empty()) summary.found[i] = std::search(begin, end, searchers[i]) != end;
      }
      const std::size_t next_kept = std::min<std::size_t>(kept + piece, carried);
      std::memmove(window.data(), end - next_kept, next_kept);
      kept = next_kept;
      done += piece;
    }
  }
  return summary;
}

}  // namespace kexec_loader
