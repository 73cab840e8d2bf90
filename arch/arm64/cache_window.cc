// SPDX-License-Identifier: MIT
// arm64: the identity map for hashing with the MMU and caches on. The switching itself, and the rules
// about the caches it follows, are in cache_window.S.
//
// What is mapped: the purgatory's memory (executable: the engine runs there) and every segment
// (execute-never), each rounded out to whole 4 KiB pages, as Normal write-back memory; nothing else.
// In particular no device: the console is never used inside the window, and memory next to a segment
// that is not RAM (a secure carve-out, say) is not mapped either, so speculation cannot reach it. A
// 2 MiB region wholly inside one range is one block descriptor; the ends of a range get 4 KiB pages.
//
// Translation: 4 KiB granule, 48-bit addresses (T0SZ 16), walks from level 0. The tables come from a
// pool in .bss, a page each: one level-0 table and pool_tables for the levels below. A typical kexec
// (kernel, initrd, device tree and the purgatory within one GiB) needs four of them; the boot tests'
// purgatory above 4 GiB needs five. When the pool runs out the window is not used.
#include "cache_window.h"

#include <cstddef>


extern "C" char __purgatory_image_start[], __purgatory_memory_end[];

namespace purgatory::arch {
namespace {

static_assert(offsetof(CacheWindow, ttbr0) == 0 && offsetof(CacheWindow, el2) == 48 &&
              offsetof(CacheWindow, engine) == 56);  // cache_window.S reads these offsets

extern "C" void purgatory_arch_hash_in_cache_window(std::uint32_t* state, const std::uint8_t* data,
                                                    std::size_t blocks, const CacheWindow* window);

constexpr std::uint64_t page_size = 4096, block_size = 2ull << 20;
constexpr unsigned pool_tables = 6;
constexpr std::uint64_t table_address_mask = 0x0000fffffffff000;

// Descriptor bits (Arm ARM, VMSAv8-64 translation table format, 4 KiB granule).
constexpr std::uint64_t descriptor_table = 3, descriptor_page = 3, descriptor_block = 1;
constexpr std::uint64_t access_flag = 1 << 10, inner_shareable = 3 << 8;  // AttrIndx 0: MAIR byte 0
constexpr std::uint64_t ap1 = 1 << 6;                                     // AP[1]: RES1 at EL2 without VHE
constexpr std::uint64_t pxn = 1ull << 53, uxn_or_xn = 1ull << 54;

// SCTLR_ELx: M (MMU), C (data cache), I (instruction cache), WXN (writable implies execute-never: the
// purgatory's one region is both).
constexpr std::uint64_t sctlr_m = 1 << 0, sctlr_c = 1 << 2, sctlr_i = 1 << 12, sctlr_wxn = 1 << 19;

// The translation tables: memory the MMU reads, page-aligned in .bss.
alignas(page_size) constinit std::uint64_t level0[512] = {};
alignas(page_size) constinit std::uint64_t pool[pool_tables][512] = {};

// Fills the tables: level 0, and the pool's tables handed out as the ranges need them.
class TableBuilder {
 public:
  TableBuilder(std::uint64_t leaf_attributes, std::uint64_t never_execute)
      : leaf_attributes_(leaf_attributes), never_execute_(never_execute) {
    __builtin_memset(level0, 0, sizeof(level0));
    __builtin_memset(pool, 0, sizeof(pool));
  }

  bool map_range(std::uint64_t start, std::uint64_t size, bool executable) {
    const std::uint64_t end = start + size;
    if (end < start || end > (1ull << 48)) return false;
    return map(start & ~(page_size - 1), (end + page_size - 1) & ~(page_size - 1), executable);
  }

 private:
  // The table an entry of level 0, 1 or 2 points to, made from the pool if the entry is empty.
  std::uint64_t* table_of(std::uint64_t& entry) {
    if (entry == 0) {
      if (pool_used_ == pool_tables) return nullptr;
      entry = reinterpret_cast<std::uintptr_t>(pool[pool_used_++]) | descriptor_table;
    }
    return reinterpret_cast<std::uint64_t*>(entry & table_address_mask);
  }

  // Maps [start, end) (page-aligned) to itself. A page or block already mapped stays so, made executable
  // if this range is.
  bool map(std::uint64_t start, std::uint64_t end, bool executable) {
    const std::uint64_t attributes = leaf_attributes_ | (executable ? 0 : never_execute_);
    const std::uint64_t keep = attributes | ~never_execute_;  // existing & keep: the union of permissions
    for (std::uint64_t address = start; address < end;) {
      if (address >> 48 != 0) return false;
      std::uint64_t* level1 = table_of(level0[(address >> 39) & 511]);
      if (level1 == nullptr) return false;
      std::uint64_t* level2 = table_of(level1[(address >> 30) & 511]);
      if (level2 == nullptr) return false;
      std::uint64_t& region = level2[(address >> 21) & 511];
      const std::uint64_t region_end = (address | (block_size - 1)) + 1;
      if (region == 0 && address % block_size == 0 && end >= region_end) {
        region = address | attributes | descriptor_block;
        address = region_end;
      } else if ((region & 3) == descriptor_block) {
        region &= keep;
        address = region_end;
      } else {
        std::uint64_t* level3 = table_of(region);
        if (level3 == nullptr) return false;
        for (; address < end && address < region_end; address += page_size) {
          std::uint64_t& page = level3[(address >> 12) & 511];
          page = page != 0 ? page & keep : address | attributes | descriptor_page;
        }
      }
    }
    return true;
  }

  std::uint64_t leaf_attributes_, never_execute_;
  unsigned pool_used_ = 0;
};

bool inside(std::uint64_t begin, std::uint64_t size, std::uint64_t start, std::uint64_t length) {
  return begin >= start && begin - start <= length && size <= length - (begin - start);
}

std::uint64_t read_sctlr(bool el2) {
  std::uint64_t value;
  if (el2) {
    asm volatile("mrs %0, sctlr_el2" : "=r"(value));
  } else {
    asm volatile("mrs %0, sctlr_el1" : "=r"(value));
  }
  return value;
}

}  // namespace

bool prepare_cache_window(const purgatory_info& request, unsigned exception_level, bool vhe,
                          Sha256BlockFunction engine, CacheWindow& window) {
  const bool el2 = exception_level == 2;
  std::uint64_t mmfr0;
  asm volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
  const std::uint64_t sctlr = read_sctlr(el2);
  // ID_AA64MMFR0_EL1.TGran4 [31:28] 0b1111: no 4 KiB granule. The MMU must be off, as kexec leaves it.
  if (((mmfr0 >> 28) & 0xf) == 0xf || (sctlr & sctlr_m) != 0) return false;
  // PARange [3:0] as the output size (IPS/PS), at most 48 bits: 52 would need FEAT_LPA2's formats.
  const std::uint64_t pa_size = (mmfr0 & 0xf) < 5 ? mmfr0 & 0xf : 5;

  // EL1, and EL2 with VHE, have two privilege levels and ranges: AP 0b00 (read/write, not EL0), UXN on
  // everything, PXN for execute-never. EL2 without VHE has one: AP[1] RES1, XN at bit 54.
  const bool two_ranges = !el2 || vhe;
  TableBuilder tables(access_flag | inner_shareable | (two_ranges ? uxn_or_xn : ap1), two_ranges ? pxn : uxn_or_xn);

  const auto memory_start = reinterpret_cast<std::uintptr_t>(__purgatory_image_start);
  const auto memory_end = reinterpret_cast<std::uintptr_t>(__purgatory_memory_end);
  if (!tables.map_range(memory_start, memory_end - memory_start, true)) return false;
  for (std::uint32_t i = 0; i < request.segment_count; ++i) {
    if (request.segments[i].size != 0 && !tables.map_range(request.segments[i].start, request.segments[i].size, false)) {
      return false;
    }
  }

  // TCR: T0SZ 16 (48 bits), walks Normal inner/outer write-back cacheable (IRGN0, ORGN0 0b01), inner
  // shareable (SH0 0b11), TG0 4 KiB. With two ranges, TTBR1 is not walked (EPD1) and TG1/T1SZ get valid
  // values anyway; IPS at [34:32]. Without VHE TCR_EL2 has PS at [18:16] and RES1 bits 31 and 23.
  constexpr std::uint64_t tcr_common = 16 | 1 << 8 | 1 << 10 | 3 << 12;
  window.tcr = two_ranges ? tcr_common | 16ull << 16 | 1ull << 23 | 2ull << 30 | pa_size << 32
                          : tcr_common | pa_size << 16 | 1ull << 23 | 1ull << 31;
  window.ttbr0 = reinterpret_cast<std::uintptr_t>(level0);
  window.mair = 0xff;  // attribute 0: Normal, inner and outer write-back non-transient, read/write-allocate
  window.sctlr = (sctlr | sctlr_m | sctlr_c | sctlr_i) & ~sctlr_wxn;
  window.memory_start = memory_start;
  window.memory_end = memory_end;
  window.el2 = el2;
  window.engine = engine;
  window.request = &request;
  return true;
}

void sha256_blocks_in_cache_window(const void* context, std::uint32_t* state, const std::uint8_t* data,
                                   std::size_t blocks) {
  const CacheWindow& window = *static_cast<const CacheWindow*>(context);
  const purgatory_info& request = *window.request;
  const auto state_address = reinterpret_cast<std::uintptr_t>(state);
  const auto data_address = reinterpret_cast<std::uintptr_t>(data);
  const std::uint64_t data_size = blocks * 64;
  const std::uint64_t memory_size = window.memory_end - window.memory_start;
  bool mapped = inside(data_address, data_size, window.memory_start, memory_size);
  for (std::uint32_t i = 0; !mapped && i < request.segment_count; ++i) {
    mapped = inside(data_address, data_size, request.segments[i].start, request.segments[i].size);
  }
  if (mapped && inside(state_address, 32, window.memory_start, memory_size)) {
    purgatory_arch_hash_in_cache_window(state, data, blocks, &window);
  } else {
    window.engine(nullptr, state, data, blocks);
  }
}

}  // namespace purgatory::arch
