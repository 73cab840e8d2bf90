// SPDX-License-Identifier: MIT
// x86_64 half of the runtime: the arch interface of <purgatory/arch.h>.
#include <purgatory/arch.h>
#include <purgatory/fault.h>
#include <purgatory/sha256_engine.h>
#include <purgatory/sha256_vector_schedule.h>
#include <purgatory/uart_8250.h>

extern "C" {
[[noreturn]] void purgatory_arch_enter_next(const purgatory_x86_64_state* state);
extern char purgatory_arch_fault_stubs[];  // faults.S: 32 stubs, 8 bytes apart
[[noreturn]] void purgatory_arch_fault(std::uint64_t vector, std::uint64_t error_code, std::uint64_t rip,
                                       std::uint64_t cr2);
}

namespace purgatory::arch {
namespace {

void out8(std::uint16_t port, std::uint8_t value) { asm volatile("outb %0, %1" ::"a"(value), "Nd"(port)); }
std::uint8_t in8(std::uint16_t port) {
  std::uint8_t value;
  asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

// SSE is off when the old kernel's relocate_kernel hands over (CR4.OSFXSR clear); SHA-NI needs it.
// The bits this purgatory turns on (or off) go in the SavedState, so that enter_next_kernel can put them
// back before the jump: the next kernel gets the machine as kexec left it.
constexpr std::uint64_t cr0_emulate_fpu = 1u << 2, cr0_monitor_fpu = 1u << 1;
constexpr std::uint64_t cr4_osfxsr = 1u << 9, cr4_osxmmexcpt = 1u << 10;

std::uint64_t read_cr0() {
  std::uint64_t value;
  asm volatile("mov %%cr0, %0" : "=r"(value));
  return value;
}
std::uint64_t read_cr3() {
  std::uint64_t value;
  asm volatile("mov %%cr3, %0" : "=r"(value));
  return value;
}
std::uint64_t read_cr4() {
  std::uint64_t value;
  asm volatile("mov %%cr4, %0" : "=r"(value));
  return value;
}
void write_cr0(std::uint64_t value) { asm volatile("mov %0, %%cr0" ::"r"(value) : "memory"); }
void write_cr4(std::uint64_t value) { asm volatile("mov %0, %%cr4" ::"r"(value) : "memory"); }

// Intel SDM vol. 3, 13.1.3 "Initialization of the SSE extensions": CR0.EM = 0, CR0.MP = 1,
// CR4.OSFXSR = 1, CR4.OSXMMEXCPT = 1.
void enable_sse(SavedState& saved) {
  const std::uint64_t cr0 = read_cr0(), cr4 = read_cr4();
  saved.cr0_bits_cleared = cr0 & cr0_emulate_fpu;
  saved.cr0_bits_set = ~cr0 & cr0_monitor_fpu;
  saved.cr4_bits_set = ~cr4 & (cr4_osfxsr | cr4_osxmmexcpt);
  write_cr0((cr0 & ~cr0_emulate_fpu) | cr0_monitor_fpu);
  write_cr4(cr4 | cr4_osfxsr | cr4_osxmmexcpt);
}

void restore_fpu_state(const SavedState& saved) {
  if (saved.cr4_bits_set != 0) write_cr4(read_cr4() & ~saved.cr4_bits_set);
  if (saved.cr0_bits_set != 0 || saved.cr0_bits_cleared != 0) {
    write_cr0((read_cr0() & ~saved.cr0_bits_set) | saved.cr0_bits_cleared);
  }
}

// 8250 registers in I/O port space: register n at base + n.
class PortRegisters {
 public:
  explicit PortRegisters(std::uint64_t base) : base_(static_cast<std::uint16_t>(base)) {}
  std::uint8_t read(unsigned reg) const { return in8(static_cast<std::uint16_t>(base_ + reg)); }
  void write(unsigned reg, std::uint8_t value) const { out8(static_cast<std::uint16_t>(base_ + reg), value); }

 private:
  std::uint16_t base_;
};

}  // namespace

std::string_view name() { return "x86_64"; }

void console_initialise(const purgatory_console& config) {
  if (config.kind == PURGATORY_CONSOLE_8250_PIO) Uart8250(PortRegisters(config.base)).initialise(config.divisor);
}

void console_write(const purgatory_console& config, std::string_view text) {
  if (config.kind != PURGATORY_CONSOLE_8250_PIO) return;
  Uart8250 uart{PortRegisters(config.base)};
  for (char c : text) uart.put(c);
}

// A 64-bit interrupt gate (Intel SDM vol. 3, 6.14.1).
struct InterruptGate {
  std::uint16_t offset_low, selector;
  std::uint8_t stack_table, type;
  std::uint16_t offset_middle;
  std::uint32_t offset_high, reserved;
};
static_assert(sizeof(InterruptGate) == 16);

namespace {
constexpr std::uint16_t code_selector = 0x10;  // entry.S's GDT
constexpr std::uint8_t interrupt_gate_present = 0x8e;
// The IDT itself: memory the CPU reads, filled at run time (a table of addresses in the image would
// need relocating).
alignas(16) constinit InterruptGate fault_gates[32] = {};
}  // namespace

const char* install_fault_handlers(const purgatory_info&, SavedState& saved) {
  for (unsigned vector = 0; vector < 32; ++vector) {
    const auto stub = reinterpret_cast<std::uintptr_t>(purgatory_arch_fault_stubs) + 8 * vector;
    fault_gates[vector] = {static_cast<std::uint16_t>(stub), code_selector, 0, interrupt_gate_present,
                           static_cast<std::uint16_t>(stub >> 16), static_cast<std::uint32_t>(stub >> 32), 0};
  }
  // Taken at run time (the empty asm hides where the value comes from): as a constant, the descriptor
  // would be a table holding an address, which needs relocating.
  auto base = reinterpret_cast<std::uintptr_t>(fault_gates);
  asm("" : "+r"(base));
  const DescriptorTable ours{sizeof(fault_gates) - 1, base};
  asm volatile("sidt %0" : "=m"(saved.entry_idt));
  asm volatile("lidt %0" ::"m"(ours) : "memory");
  saved.idt_replaced = true;
  return nullptr;
}

// Walks the page tables the purgatory was entered with (CR3; 4 or, with CR4.LA57, 5 levels; Intel SDM
// vol. 3, 4.5): every page of every segment must be present. kexec's identity map covers RAM and the
// segments; a segment beyond it would otherwise end in a page fault in the middle of hashing.
std::uint32_t first_unreadable_segment(const purgatory_info& request) {
  constexpr std::uint64_t present = 1, large_page = 1 << 7, address_mask = 0x000ffffffffff000;
  const unsigned levels = (read_cr4() >> 12) & 1 ? 5 : 4;
  const unsigned address_bits = 12 + 9 * levels;
  const std::uint64_t root = read_cr3() & address_mask;
  for (std::uint32_t i = 0; i < request.segment_count; ++i) {
    const purgatory_segment& segment = request.segments[i];
    const std::uint64_t last = segment.start + (segment.size - 1);
    if (last >> (address_bits - 1) != 0) return i;  // not canonical, or in the upper half
    for (std::uint64_t address = segment.start;;) {
      std::uint64_t table = root, page_size = 0;
      for (unsigned level = levels; level > 0; --level) {
        const unsigned shift = 12 + 9 * (level - 1);
        const std::uint64_t entry =
            reinterpret_cast<const volatile std::uint64_t*>(static_cast<std::uintptr_t>(table))[(address >> shift) & 511];
        if ((entry & present) == 0) return i;
        if (level == 1 || ((entry & large_page) && level <= 3)) {
          page_size = std::uint64_t{1} << shift;
          break;
        }
        table = entry & address_mask;
      }
      const std::uint64_t next = (address | (page_size - 1)) + 1;
      if (next == 0 || next > last) break;
      address = next;
    }
  }
  return PURGATORY_NO_SEGMENT;
}

void before_verification(const purgatory_info&, SavedState&) {}

// SHA-NI where the CPU has it; else the SSSE3 schedule with BMI2 rounds (about twice the portable core,
// docs/performance.md), which Intel CPUs from Haswell to Cascade Lake have; else the portable core.
DigestEngine select_digest_engine(bool allow_hardware, const purgatory_info&, SavedState& saved) {
  if (!allow_hardware) return {};
  if (sha256_engine::cpu_has_it()) {
    enable_sse(saved);
    return {.id = PURGATORY_DIGEST_ENGINE_X86_SHA_NI, .blocks = sha256_engine::blocks, .two_lanes = sha256_engine::two_lanes};
  }
  if (sha256_vector_schedule::cpu_has_it()) {
    enable_sse(saved);
    return {.id = PURGATORY_DIGEST_ENGINE_X86_SSSE3, .blocks = sha256_vector_schedule::blocks};
  }
  return {};
}

void enter_next_kernel(const purgatory_info& request, const SavedState& saved) {
  restore_fpu_state(saved);
  if (saved.idt_replaced) asm volatile("lidt %0" ::"m"(saved.entry_idt) : "memory");
  purgatory_arch_enter_next(&request.next.x86_64);
}

void reset(const purgatory_reset&) {
  // The chipset's reset control register (port 0xcf9): system reset, then full reset.
  out8(0xcf9, 0x02);
  out8(0xcf9, 0x06);
  // The 8042 keyboard controller's reset line, once its input buffer is empty.
  for (unsigned polls = 0; polls < 100000 && (in8(0x64) & 0x02) != 0; ++polls) {
  }
  out8(0x64, 0xfe);
  // A triple fault resets every x86: an empty IDT turns the breakpoint into one.
  struct [[gnu::packed]] {
    std::uint16_t limit;
    std::uint64_t base;
  } empty_idt{0, 0};
  asm volatile("lidt %0\n\tint3" ::"m"(empty_idt));
}

void halt() {
  // hlt waits for an interrupt; with IF clear only an NMI or SMI wakes it, so loop.
  for (;;) asm volatile("cli; hlt" ::: "memory");
}

}  // namespace purgatory::arch

void purgatory_arch_fault(std::uint64_t vector, std::uint64_t error_code, std::uint64_t rip, std::uint64_t cr2) {
  purgatory::handle_fault({.kind = "x86 exception",
                           .number = vector,
                           .detail_name = "error code",
                           .detail = error_code,
                           .pc = rip,
                           .address = cr2,
                           .address_known = vector == 14});  // #PF: CR2 holds the address
}
