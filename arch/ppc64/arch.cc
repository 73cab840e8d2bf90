// SPDX-License-Identifier: MIT
// ppc64 half of the runtime (both byte orders): the arch interface of <purgatory/arch.h>.
#include <purgatory/arch.h>
#include <purgatory/fault.h>
#include <purgatory/seal_rules.h>
#include <purgatory/sha256_engine.h>

#include <bit>
#include <cstddef>

extern "C" {
extern char __purgatory_image_start[];
[[noreturn]] void purgatory_arch_enter_next(const purgatory_ppc64_state* state);
extern char purgatory_entry[];            // the low stub's original, in this image
extern char purgatory_secondary_hold[];   // where held secondaries wait (entry.S)
extern std::uint64_t purgatory_secondary_release;
extern std::uint64_t purgatory_boot_cpu_id;
extern char purgatory_arch_vector_template[], purgatory_arch_vector_template_end[];  // faults.S
extern char purgatory_arch_fault_common[];
[[noreturn]] void purgatory_arch_fault(std::uint64_t vector, std::uint64_t srr0, std::uint64_t srr1, std::uint64_t dar,
                                       std::uint64_t dsisr);
}

namespace purgatory::arch {
namespace {

constexpr std::uint64_t low_stub_size = 0x100;
constexpr std::uint64_t low_stub_hold_slot = 0xf0;  // entry.S: LOW_STUB_HOLD_SLOT

// Physical low memory starts at address 0, which C++ may not dereference: reach it with explicit
// loads and stores.
std::uint64_t load_physical(std::uint64_t address) {
  std::uint64_t value;
  asm volatile("ld %0, 0(%1)" : "=r"(value) : "b"(address) : "memory");
  return value;
}
void store_physical(std::uint64_t address, std::uint64_t value) {
  asm volatile("std %0, 0(%1)" ::"r"(value), "b"(address) : "memory");
}
void store_physical_byte(std::uint64_t address, std::uint8_t value) {
  asm volatile("stb %0, 0(%1)" ::"r"(value), "b"(address) : "memory");
}

std::uint64_t address_of(const void* pointer) { return reinterpret_cast<std::uintptr_t>(pointer); }

// True if physical 0..0xff holds the copy of our low stub that kexec_sequence makes: we were started by
// Linux, and secondary CPUs may be spinning in that copy.
bool low_memory_holds_our_stub() {
  const std::uint64_t stub = address_of(purgatory_entry);
  if (stub == 0) return false;  // we *are* at 0: no separate copy
  for (std::uint64_t offset = 0; offset < low_stub_size; offset += 8) {
    if (load_physical(offset) != load_physical(stub + offset)) return false;
  }
  return true;
}

// The timebase ticks at 512 MHz on POWER8, 9 and 10 (and in QEMU's pseries).
void delay_microseconds(std::uint64_t microseconds) {
  std::uint64_t start;
  asm volatile("mftb %0" : "=r"(start));
  for (;;) {
    std::uint64_t now;
    asm volatile("mftb %0" : "=r"(now));
    if (now - start >= microseconds * 512) return;
  }
}

// Make stores to [address, address + size) visible to instruction fetch (Power ISA Book II 1.8,
// "instruction storage"): write back the data cache blocks, then discard the instruction cache's.
void synchronise_caches(std::uint64_t address, std::uint64_t size) {
  constexpr std::uint64_t block = 32;  // smallest cache block size of any 64-bit Power
  for (std::uint64_t at = address & ~(block - 1); at < address + size; at += block) {
    asm volatile("dcbst 0, %0" ::"r"(at) : "memory");
  }
  asm volatile("sync" ::: "memory");
  for (std::uint64_t at = address & ~(block - 1); at < address + size; at += block) {
    asm volatile("icbi 0, %0" ::"r"(at) : "memory");
  }
  asm volatile("sync\n\tisync" ::: "memory");
}

// Between big-endian and native order (the same swap both ways).
std::uint32_t swap_big_endian(std::uint32_t value) {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap32(value);
  return value;
}

// hcall (PAPR): number in r3, arguments from r4; status back in r3. Clobbers the volatile registers.
long hypervisor_call(std::uint64_t number, std::uint64_t a4, std::uint64_t a5, std::uint64_t a6,
                     std::uint64_t a7) {
  register std::uint64_t r3 asm("r3") = number;
  register std::uint64_t r4 asm("r4") = a4;
  register std::uint64_t r5 asm("r5") = a5;
  register std::uint64_t r6 asm("r6") = a6;
  register std::uint64_t r7 asm("r7") = a7;
  asm volatile("sc 1"
               : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)
               :
               : "r0", "r8", "r9", "r10", "r11", "r12", "ctr", "xer", "cr0", "cr1", "cr5", "cr6", "cr7",
                 "memory");
  return static_cast<long>(r3);
}

// The SHA-256 engine needs the vector units, which are normally off when the old kernel hands over
// (Linux turns MSR[VEC] and MSR[VSX] on only around its own vector code and for user threads). The MSR
// bits this purgatory turns on go in the SavedState, so that enter_next_kernel can turn exactly those
// off again: the next kernel gets the MSR as kexec left it. Power ISA Book III: MSR bits 38 (VEC) and
// 40 (VSX), counted from the most significant of 64.
constexpr std::uint64_t msr_vec = std::uint64_t{1} << 25;
constexpr std::uint64_t msr_vsx = std::uint64_t{1} << 23;

std::uint64_t read_msr() {
  std::uint64_t value;
  asm volatile("mfmsr %0" : "=r"(value));
  return value;
}
// mtmsrd with L = 0 writes every bit it may (not HV, ME or LE); the value keeps the others as they are.
// isync: the following vector instructions must see the new MSR.
void write_msr(std::uint64_t value) { asm volatile("mtmsrd %0\n\tisync" ::"r"(value) : "memory"); }

void enable_vector_units(SavedState& saved) {
  const std::uint64_t msr = read_msr();
  saved.msr_bits_set = ~msr & (msr_vec | msr_vsx);
  if (saved.msr_bits_set != 0) write_msr(msr | saved.msr_bits_set);
}

void restore_vector_units(const SavedState& saved) {
  if (saved.msr_bits_set != 0) write_msr(read_msr() & ~saved.msr_bits_set);
}

// POWER8 (ISA 2.07) brought the vector crypto facility: vshasigmaw, which the engine uses, and VSX's
// lxvw4x. The PVR's version field (bits 0..15) names the processor; a list, because PVR values are not
// ordered by generation. A CPU not listed gets the portable engine.
bool cpu_has_vector_crypto() {
  std::uint64_t pvr;
  asm volatile("mfpvr %0" : "=r"(pvr));
  switch ((pvr >> 16) & 0xffff) {
    case 0x004b:  // POWER8E
    case 0x004c:  // POWER8NVL
    case 0x004d:  // POWER8
    case 0x004e:  // POWER9
    case 0x0080:  // POWER10
      return true;
    default:
      return false;
  }
}

constexpr std::uint64_t h_put_term_char = 0x58;
constexpr long h_busy = 1;
constexpr std::uint64_t kvmppc_h_rtas = 0xf000;  // QEMU/KVM's private RTAS hypercall

}  // namespace

std::string_view name() {
  return std::endian::native == std::endian::little ? "ppc64le" : "ppc64";
}

void console_initialise(const purgatory_console&) {}

// H_PUT_TERM_CHAR takes up to 16 bytes in r6 and r7, first byte most significant.
void console_write(const purgatory_console& config, std::string_view text) {
  if (config.kind != PURGATORY_CONSOLE_HVC) return;
  while (!text.empty()) {
    const std::size_t length = text.size() < 16 ? text.size() : 16;
    std::uint64_t words[2] = {0, 0};
    for (std::size_t i = 0; i < length; ++i) {
      words[i / 8] |= std::uint64_t{static_cast<std::uint8_t>(text[i])} << (56 - 8 * (i % 8));
    }
    for (unsigned attempts = 0; attempts < 100000; ++attempts) {
      if (hypervisor_call(h_put_term_char, config.base, length, words[0], words[1]) != h_busy) break;
    }
    text.remove_prefix(length);
  }
}

// The real-mode interrupt vectors installed (Power ISA Book III, 7.5): machine check, data and
// instruction storage and segment, alignment, program, floating-point unavailable. They and the slot
// holding the handler's address lie in [0x200, 0x900), which no segment may hold.
constexpr std::uint16_t fault_vectors[] = {0x200, 0x300, 0x380, 0x400, 0x480, 0x600, 0x700, 0x800};
constexpr std::uint64_t vector_area_start = 0x200, vector_area_end = 0x900;
constexpr std::uint64_t vector_handler_slot = 0x2f8;  // faults.S: VECTOR_HANDLER_SLOT
constexpr std::uint64_t vector_number_offset = 0x54;   // faults.S: the template's "li r3, 0"

const char* install_fault_handlers(const purgatory_info& request, SavedState&) {
  const std::uint64_t image = address_of(__purgatory_image_start);
  if (image < vector_area_end) return "the purgatory itself lies where the interrupt vectors go";
  const std::uint32_t count = request.segment_count < PURGATORY_MAX_SEGMENTS ? request.segment_count : PURGATORY_MAX_SEGMENTS;
  for (std::uint32_t i = 0; i < count; ++i) {
    const purgatory_segment& segment = request.segments[i];
    if (segment.size != 0 &&
        rules_detail::overlap(segment.start, segment.size, vector_area_start, vector_area_end - vector_area_start)) {
      return "a segment lies where the interrupt vectors go, [0x200, 0x900)";
    }
  }
  // kdump's backup of low memory must hold the dying kernel's bytes, not our vectors.
  for (const purgatory_copy& copy : request.copies) {
    if (copy.size != 0 &&
        rules_detail::overlap(copy.source, copy.size, vector_area_start, vector_area_end - vector_area_start)) {
      return "a copy (kdump's backup) reads where the interrupt vectors go, [0x200, 0x900)";
    }
  }
  const std::uint64_t size = address_of(purgatory_arch_vector_template_end) - address_of(purgatory_arch_vector_template);
  for (std::uint16_t vector : fault_vectors) {
    auto* to = reinterpret_cast<volatile std::uint8_t*>(std::uintptr_t{vector});
    for (std::uint64_t i = 0; i < size; ++i) to[i] = static_cast<std::uint8_t>(purgatory_arch_vector_template[i]);
    *reinterpret_cast<volatile std::uint32_t*>(std::uintptr_t{vector} + vector_number_offset) = 0x38600000u | vector;  // li r3, vector
  }
  store_physical(vector_handler_slot, address_of(purgatory_arch_fault_common));
  synchronise_caches(vector_area_start, vector_area_end - vector_area_start);
  return nullptr;
}

// Real mode reaches what the hypervisor gives it (an LPAR: its real mode area); nothing here says how
// far that is, so a segment beyond it is reported by the vectors when it is read.
std::uint32_t first_unreadable_segment(const purgatory_info&) { return PURGATORY_NO_SEGMENT; }

void before_verification(const purgatory_info& request, SavedState& saved) {
  const purgatory_ppc64_state& state = request.next.ppc64;
  if (low_memory_holds_our_stub()) {
    // Call the secondaries up into this image, and give them time to leave low memory: they were
    // released from the old kernel before we started, and need only a few instructions.
    store_physical(low_stub_hold_slot, address_of(purgatory_secondary_hold));
    asm volatile("sync" ::: "memory");
    saved.secondaries_held = true;  // the restore below may overwrite the slot itself
    delay_microseconds(10000);
  }
  if (state.flags & PURGATORY_PPC64_RESTORE_LOW_MEMORY) {
    for (std::uint64_t offset = 0; offset < PURGATORY_PPC64_LOW_MEMORY_SIZE; ++offset) {
      store_physical_byte(offset, state.low_memory[offset]);
    }
    synchronise_caches(0, PURGATORY_PPC64_LOW_MEMORY_SIZE);
  }
}

// Real mode (MSR[IR|DR] off) accesses memory cacheable already: nothing to switch on for hashing.
// No two-lane form: the image has no room for one.
DigestEngine select_digest_engine(bool allow_hardware, const purgatory_info&, SavedState& saved) {
  if (!allow_hardware || !cpu_has_vector_crypto()) return {};
  enable_vector_units(saved);
  return {.id = PURGATORY_DIGEST_ENGINE_PPC64_VECTOR, .blocks = sha256_engine::blocks};
}

// The vectors stay: the next kernel puts its own there when it moves itself to 0.
void enter_next_kernel(const purgatory_info& request, const SavedState& saved) {
  const purgatory_ppc64_state& state = request.next.ppc64;
  restore_vector_units(saved);

  // Linux finds its boot CPU through the device tree header's boot_cpuid_phys (offset 28, big-endian,
  // from FDT version 2): only now do we know which CPU that is.
  if ((state.flags & PURGATORY_PPC64_SET_FDT_BOOT_CPU) && state.r3 != 0) {
    auto* fdt = reinterpret_cast<volatile std::uint32_t*>(static_cast<std::uintptr_t>(state.r3));
    constexpr std::uint32_t fdt_magic = 0xd00dfeed;
    if (fdt[0] == swap_big_endian(fdt_magic) && swap_big_endian(fdt[5]) >= 2) {
      fdt[7] = swap_big_endian(static_cast<std::uint32_t>(purgatory_boot_cpu_id));
    }
  }

  if (state.secondary_entry != 0 && saved.secondaries_held) {
    __atomic_store_n(&purgatory_secondary_release, state.secondary_entry, __ATOMIC_RELEASE);
    asm volatile("sync" ::: "memory");
  }
  purgatory_arch_enter_next(&state);
}

// RTAS (PAPR): arguments as big-endian words {token, number of inputs, number of outputs, outputs}.
void reset(const purgatory_reset& reset) {
  if (reset.method == PURGATORY_RESET_RTAS_HCALL || (reset.method == PURGATORY_RESET_DEFAULT && reset.token != 0)) {
    alignas(8) std::uint32_t rtas_arguments[4] = {swap_big_endian(reset.token), 0, swap_big_endian(1), 0};
    hypervisor_call(kvmppc_h_rtas, address_of(rtas_arguments), 0, 0, 0);
  }
}

void halt() {
  // MSR[EE] is clear; drop the thread's priority ("or 31,31,31") so an SMT sibling keeps the core.
  for (;;) asm volatile("or 31, 31, 31" ::: "memory");
}

}  // namespace purgatory::arch

// DAR holds the address for data storage (0x300) and alignment (0x600) interrupts.
void purgatory_arch_fault(std::uint64_t vector, std::uint64_t srr0, std::uint64_t srr1, std::uint64_t dar,
                          std::uint64_t) {
  purgatory::handle_fault({.kind = "ppc64 interrupt",
                           .number = vector,
                           .detail_name = "SRR1",
                           .detail = srr1,
                           .pc = srr0,
                           .address = dar,
                           .address_known = vector == 0x300 || vector == 0x600});
}
