// SPDX-License-Identifier: MIT
#include <purgatory/host/loadable_elf.h>

#include <cstring>

namespace purgatory::host {
namespace {

constexpr std::size_t elf_header_size = 64;
constexpr std::size_t program_header_size = 56;
constexpr std::size_t image_offset = elf_header_size + program_header_size;  // 0x78: 8-byte aligned

class Writer {
 public:
  Writer(std::vector<std::byte>& bytes, ByteOrder order) : bytes_(bytes), order_(order) {}
  void put(std::size_t offset, std::uint64_t value, unsigned width) {
    for (unsigned i = 0; i < width; ++i) {
      const unsigned shift = 8 * (order_ == ByteOrder::big ? width - 1 - i : i);
      bytes_[offset + i] = static_cast<std::byte>(value >> shift);
    }
  }

 private:
  std::vector<std::byte>& bytes_;
  ByteOrder order_;
};

}  // namespace

std::vector<std::byte> loadable_elf(const ImageHeader& header, std::span<const std::byte> image_bytes) {
  std::vector<std::byte> elf(image_offset + image_bytes.size());
  Writer put(elf, header.byte_order);
  // e_ident: magic, ELFCLASS64, byte order, EV_CURRENT, System V ABI.
  const unsigned char ident[] = {0x7f, 'E', 'L', 'F', 2,
                                 static_cast<unsigned char>(header.byte_order == ByteOrder::big ? 2 : 1), 1, 0};
  std::memcpy(elf.data(), ident, sizeof(ident));
  put.put(16, 2, 2);  // ET_EXEC: placed where its program header says
  put.put(18, header.elf_machine, 2);
  put.put(20, 1, 4);  // EV_CURRENT
  put.put(24, header.entry_offset, 8);
  put.put(32, elf_header_size, 8);  // e_phoff
  put.put(40, 0, 8);                // e_shoff: no sections
  // e_flags: ppc64 images are ELFv2 in both byte orders.
  put.put(48, header.elf_machine == PURGATORY_MACHINE_PPC64 ? 2 : 0, 4);
  put.put(52, elf_header_size, 2);
  put.put(54, program_header_size, 2);
  put.put(56, 1, 2);  // one program header
  put.put(58, 64, 2);
  put.put(60, 0, 2);
  put.put(62, 0, 2);

  const std::size_t ph = elf_header_size;
  put.put(ph + 0, 1, 4);  // PT_LOAD
  put.put(ph + 4, 7, 4);  // RWX
  put.put(ph + 8, image_offset, 8);
  put.put(ph + 16, 0, 8);  // p_vaddr
  put.put(ph + 24, 0, 8);  // p_paddr
  put.put(ph + 32, image_bytes.size(), 8);
  put.put(ph + 40, header.memory_size, 8);
  put.put(ph + 48, 8, 8);  // p_align

  std::memcpy(elf.data() + image_offset, image_bytes.data(), image_bytes.size());
  return elf;
}

}  // namespace purgatory::host
