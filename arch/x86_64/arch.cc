// x86_64 half of the runtime: the arch interface of <purgatory/arch.h>.
#include <purgatory/arch.h>
#include <purgatory/arch/sha256_sha_ni.h>
#include <purgatory/uart_8250.h>

extern "C" [[noreturn]] void purgatory_arch_enter_next(const purgatory_x86_64_state* state);

namespace purgatory::arch {
namespace {

void out8(std::uint16_t port, std::uint8_t value) { asm volatile("outb %0, %1" ::"a"(value), "Nd"(port)); }
std::uint8_t in8(std::uint16_t port) {
  std::uint8_t value;
  asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

// SSE is off when the old kernel's relocate_kernel hands over (CR4.OSFXSR clear); SHA-NI needs it.
// These are the control register bits this purgatory turned on (or off), so that boot_next_kernel can
// put them back before the jump: the next kernel gets the machine as kexec left it.
constexpr std::uint64_t cr0_emulate_fpu = 1u << 2, cr0_monitor_fpu = 1u << 1;
constexpr std::uint64_t cr4_osfxsr = 1u << 9, cr4_osxmmexcpt = 1u << 10;
std::uint64_t cr4_bits_set = 0;
std::uint64_t cr0_bits_set = 0, cr0_bits_cleared = 0;

std::uint64_t read_cr0() {
  std::uint64_t value;
  asm volatile("mov %%cr0, %0" : "=r"(value));
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
void enable_sse() {
  const std::uint64_t cr0 = read_cr0(), cr4 = read_cr4();
  cr0_bits_cleared = cr0 & cr0_emulate_fpu;
  cr0_bits_set = ~cr0 & cr0_monitor_fpu;
  cr4_bits_set = ~cr4 & (cr4_osfxsr | cr4_osxmmexcpt);
  write_cr0((cr0 & ~cr0_emulate_fpu) | cr0_monitor_fpu);
  write_cr4(cr4 | cr4_osfxsr | cr4_osxmmexcpt);
}

void restore_fpu_state() {
  if (cr4_bits_set != 0) write_cr4(read_cr4() & ~cr4_bits_set);
  if (cr0_bits_set != 0 || cr0_bits_cleared != 0) write_cr0((read_cr0() & ~cr0_bits_set) | cr0_bits_cleared);
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

void before_verification(purgatory_info&) {}

DigestEngine select_digest_engine(bool allow_hardware) {
  if (!allow_hardware || !cpu_has_sha_ni()) return {};
  enable_sse();
  return {.id = PURGATORY_DIGEST_ENGINE_X86_SHA_NI, .blocks = sha256_blocks_sha_ni, .two_lanes = sha256_two_lanes_sha_ni};
}

std::uint64_t next_kernel_entry(const purgatory_next_kernel& next) { return next.x86_64.rip; }

void boot_next_kernel(const purgatory_info& info) {
  restore_fpu_state();
  purgatory_arch_enter_next(&info.next.x86_64);
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
  halt();
}

void halt() {
  // hlt waits for an interrupt; with IF clear only an NMI or SMI wakes it, so loop.
  for (;;) asm volatile("cli; hlt" ::: "memory");
}

}  // namespace purgatory::arch
