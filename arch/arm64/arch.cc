// SPDX-License-Identifier: MIT
// arm64 half of the runtime: the arch interface of <purgatory/arch.h>.
#include <purgatory/arch.h>
#include <purgatory/fault.h>
#include <purgatory/sha256_engine.h>

#include "cache_window.h"

extern "C" {
[[noreturn]] void purgatory_arch_enter_next(const purgatory_arm64_state* state);
extern char purgatory_arch_fault_entry[];  // faults.S
[[noreturn]] void purgatory_arch_fault(std::uint64_t entry, std::uint64_t esr, std::uint64_t far, std::uint64_t elr);
}

namespace purgatory::arch {
namespace {

constexpr std::uint64_t psci_system_reset = 0x84000009;  // PSCI 0.2+ SYSTEM_RESET (SMC32 function id)

unsigned current_exception_level() {
  std::uint64_t current_el;
  asm volatile("mrs %0, CurrentEL" : "=r"(current_el));
  return static_cast<unsigned>((current_el >> 2) & 3);
}

// ID_AA64ISAR0_EL1.SHA2, bits [15:12]: 0b0001 SHA256H/H2/SU0/SU1, 0b0010 also the SHA-512 ones.
// ID_AA64PFR0_EL1.AdvSIMD, bits [23:20]: 0b1111 means no Advanced SIMD at all (which the SHA-256
// instructions need; an implementation with SHA2 has it, this is belt and braces).
bool cpu_has_sha256() {
  std::uint64_t isar0, pfr0;
  asm volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
  asm volatile("mrs %0, id_aa64pfr0_el1" : "=r"(pfr0));
  return ((isar0 >> 12) & 0xf) != 0 && ((pfr0 >> 20) & 0xf) != 0xf;
}

// FP/SIMD traps. kexec leaves them as the old kernel had them; the purgatory is built
// -mgeneral-regs-only, so only the SHA-256 engine needs them off. What was changed goes in the
// SavedState, bit by bit, and restore_fp_simd_traps() puts it back before the jump: the next kernel gets
// the machine as kexec left it.
//   EL1:            CPACR_EL1.FPEN [21:20] = 0b11 (no trap at EL1 or EL0).
//   EL2, E2H = 0:   CPTR_EL2.TFP [10] = 0 (no trap at EL2; CPACR_EL1 does not apply to EL2).
//   EL2, E2H = 1:   CPTR_EL2 has CPACR_EL1's layout (VHE), and FPEN [21:20] = 0b11 also covers EL2.
// (EL3 is not an entry state the purgatory supports: select_digest_engine() stays portable there.)
// A trap the purgatory does not control, from a higher level (CPTR_EL3.TFP, or a hypervisor's
// CPTR_EL2 seen from EL1), is that level's business: a hypervisor emulates or switches FP state on
// it; firmware that traps FP from EL2 leaves the purgatory without an exception vector, as it leaves
// the kernel it started.
constexpr std::uint64_t cpacr_fpen = 3ull << 20;
constexpr std::uint64_t cptr_el2_tfp = 1ull << 10;
constexpr std::uint64_t hcr_el2_e2h = 1ull << 34;


std::uint64_t read_cpacr_el1() {
  std::uint64_t value;
  asm volatile("mrs %0, cpacr_el1" : "=r"(value));
  return value;
}
std::uint64_t read_cptr_el2() {
  std::uint64_t value;
  asm volatile("mrs %0, cptr_el2" : "=r"(value));
  return value;
}
// The isb makes the new trap setting apply to the instructions after it (the SHA-256 code, or the
// next kernel's).
void write_cpacr_el1(std::uint64_t value) { asm volatile("msr cpacr_el1, %0\n\tisb" ::"r"(value) : "memory"); }
void write_cptr_el2(std::uint64_t value) { asm volatile("msr cptr_el2, %0\n\tisb" ::"r"(value) : "memory"); }

bool running_with_vhe() {
  std::uint64_t hcr;
  asm volatile("mrs %0, hcr_el2" : "=r"(hcr));
  return (hcr & hcr_el2_e2h) != 0;
}

// False at an exception level whose traps the purgatory does not manage (EL3, EL0).
bool enable_fp_simd(SavedState& saved) {
  switch (current_exception_level()) {
    case 1: {
      const std::uint64_t cpacr = read_cpacr_el1();
      saved.fp_bits_set = ~cpacr & cpacr_fpen;
      if (saved.fp_bits_set != 0) {
        saved.fp_control = FpControl::cpacr_el1;
        write_cpacr_el1(cpacr | cpacr_fpen);
      }
      return true;
    }
    case 2: {
      const std::uint64_t cptr = read_cptr_el2();
      if (running_with_vhe()) {
        saved.fp_bits_set = ~cptr & cpacr_fpen;
        if (saved.fp_bits_set != 0) {
          saved.fp_control = FpControl::cptr_el2_vhe;
          write_cptr_el2(cptr | cpacr_fpen);
        }
      } else {
        saved.fp_bits_cleared = cptr & cptr_el2_tfp;
        if (saved.fp_bits_cleared != 0) {
          saved.fp_control = FpControl::cptr_el2;
          write_cptr_el2(cptr & ~cptr_el2_tfp);
        }
      }
      return true;
    }
    default:
      return false;
  }
}

void restore_fp_simd_traps(const SavedState& saved) {
  switch (saved.fp_control) {
    case FpControl::none:
      return;
    case FpControl::cpacr_el1:
      write_cpacr_el1(read_cpacr_el1() & ~saved.fp_bits_set);
      break;
    case FpControl::cptr_el2_vhe:
      write_cptr_el2(read_cptr_el2() & ~saved.fp_bits_set);
      break;
    case FpControl::cptr_el2:
      write_cptr_el2(read_cptr_el2() | saved.fp_bits_cleared);
      break;
  }
}

}  // namespace

std::string_view name() { return "arm64"; }

// PL011 and MMIO 8250 are generic (runtime/console.cc); arm64 has no console of its own.
void console_initialise(const purgatory_console&) {}
void console_write(const purgatory_console&, std::string_view) {}

namespace {

// The exception vector table (Arm ARM D1.10.2): 16 entries of 0x80 bytes, 2 KiB aligned, built at run
// time in .bss, where it costs no file bytes. Each entry: "mov x0, #entry; b purgatory_arch_fault_entry".
alignas(2048) constinit std::uint32_t vector_table[16 * 32] = {};

void write_vbar(std::uint64_t value) {
  if (current_exception_level() == 2) {
    asm volatile("msr vbar_el2, %0\n\tisb" ::"r"(value) : "memory");
  } else {
    asm volatile("msr vbar_el1, %0\n\tisb" ::"r"(value) : "memory");
  }
}

}  // namespace

const char* install_fault_handlers(const purgatory_info&, SavedState& saved) {
  const unsigned level = current_exception_level();
  if (level != 1 && level != 2) return "the purgatory runs at an exception level it does not manage";
  const auto target = reinterpret_cast<std::uintptr_t>(purgatory_arch_fault_entry);
  for (std::uint32_t entry = 0; entry < 16; ++entry) {
    std::uint32_t* slot = &vector_table[entry * 32];
    const auto branch_from = reinterpret_cast<std::uintptr_t>(slot + 1);
    slot[0] = 0xd2800000 | entry << 5;                                                     // movz x0, #entry
    slot[1] = 0x14000000 | (static_cast<std::uint32_t>((target - branch_from) >> 2) & 0x3ffffff);  // b target
  }
  // The instructions were written as data: no stale copy of those lines may be fetched.
  asm volatile("dsb sy\n\tic iallu\n\tdsb sy\n\tisb" ::: "memory");
  if (level == 2) {
    asm volatile("mrs %0, vbar_el2" : "=r"(saved.entry_vector_base));
  } else {
    asm volatile("mrs %0, vbar_el1" : "=r"(saved.entry_vector_base));
  }
  write_vbar(reinterpret_cast<std::uintptr_t>(vector_table));
  saved.vectors_replaced = true;
  return nullptr;
}

// With the MMU off an address is physical: beyond the CPU's physical address size (ID_AA64MMFR0_EL1.
// PARange) nothing can be read. Inside it, a hole in RAM still faults, and the vectors report that.
std::uint32_t first_unreadable_segment(const purgatory_info& request) {
  std::uint64_t mmfr0;
  asm volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
  constexpr std::uint8_t physical_bits[] = {32, 36, 40, 42, 44, 48, 52};
  const unsigned range = static_cast<unsigned>(mmfr0 & 0xf);
  const unsigned bits = range < sizeof(physical_bits) ? physical_bits[range] : 52;
  for (std::uint32_t i = 0; i < request.segment_count; ++i) {
    const purgatory_segment& segment = request.segments[i];
    if ((segment.start + (segment.size - 1)) >> bits != 0) return i;
  }
  return PURGATORY_NO_SEGMENT;
}

void before_verification(const purgatory_info&, SavedState&) {}

// No two-lane form: the image has no room for one.
DigestEngine select_digest_engine(bool allow_hardware, const purgatory_info& request, SavedState& saved) {
  const bool armv8 = allow_hardware && cpu_has_sha256() && enable_fp_simd(saved);
  DigestEngine engine;  // the portable core
  if (armv8) engine = {.id = PURGATORY_DIGEST_ENGINE_ARM64_SHA2, .blocks = sha256_engine::blocks};
  // Whichever engine hashes, it does so with the MMU and caches on where the identity map can be built
  // (at EL1 or EL2); if not, uncached, as entered.
  const unsigned level = current_exception_level();
  if ((level == 1 || level == 2) &&
      prepare_cache_window(request, level, level == 2 && running_with_vhe(),
                           armv8 ? sha256_engine::blocks : sha256_portable_blocks, saved.window)) {
    engine.flags = PURGATORY_DIGEST_CACHES_ON;
    engine.blocks = sha256_blocks_in_cache_window;
    engine.context = &saved.window;
  }
  return engine;
}

void enter_next_kernel(const purgatory_info& request, const SavedState& saved) {
  restore_fp_simd_traps(saved);
  if (saved.vectors_replaced) write_vbar(saved.entry_vector_base);
  purgatory_arch_enter_next(&request.next.arm64);
}

void reset(const purgatory_reset& reset) {
  // The conduit is the firmware's choice (the device tree's /psci "method"); by default use hvc from
  // EL1, where a hypervisor (or QEMU's built-in PSCI) listens, and smc from EL2.
  bool use_smc = current_exception_level() >= 2;
  if (reset.method == PURGATORY_RESET_PSCI_SMC) use_smc = true;
  if (reset.method == PURGATORY_RESET_PSCI_HVC) use_smc = false;
  register std::uint64_t x0 asm("x0") = psci_system_reset;
  if (use_smc) {
    asm volatile("smc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
  } else {
    asm volatile("hvc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
  }
  // PSCI returned: no reset is possible from here.
}

void halt() {
  // Exceptions masked: wfe still returns on an event, so loop.
  for (;;) asm volatile("msr daifset, #0xf\n\twfe" ::: "memory");
}

}  // namespace purgatory::arch

// ESR_ELx.EC (bits 31:26) names the exception; FAR_ELx holds the address for instruction and data
// aborts (EC 0x20, 0x21, 0x24, 0x25) unless ESR.FnV (bit 10) says it is not valid.
void purgatory_arch_fault(std::uint64_t entry, std::uint64_t esr, std::uint64_t far, std::uint64_t elr) {
  const std::uint64_t exception_class = (esr >> 26) & 0x3f;
  const bool abort = exception_class == 0x20 || exception_class == 0x21 || exception_class == 0x24 ||
                     exception_class == 0x25;
  purgatory::handle_fault({.kind = entry % 4 == 0 ? "arm64 exception class" : "arm64 asynchronous exception, class",
                           .number = exception_class,
                           .detail_name = "ESR",
                           .detail = esr,
                           .pc = elr,
                           .address = far,
                           .address_known = entry % 4 == 0 && abort && (esr & (1u << 10)) == 0});
}
