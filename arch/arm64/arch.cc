// arm64 half of the runtime: the arch interface of <purgatory/arch.h>.
#include <purgatory/arch.h>

extern "C" [[noreturn]] void purgatory_arch_enter_next(const purgatory_arm64_state* state);

namespace purgatory::arch {
namespace {

constexpr std::uint64_t psci_system_reset = 0x84000009;  // PSCI 0.2+ SYSTEM_RESET (SMC32 function id)

unsigned current_exception_level() {
  std::uint64_t current_el;
  asm volatile("mrs %0, CurrentEL" : "=r"(current_el));
  return static_cast<unsigned>((current_el >> 2) & 3);
}

}  // namespace

std::string_view name() { return "arm64"; }

// PL011 and MMIO 8250 are generic (runtime/console.cc); arm64 has no console of its own.
void console_initialise(const purgatory_console&) {}
void console_write(const purgatory_console&, std::string_view) {}

void before_verification(purgatory_info&) {}

std::uint32_t select_digest_engine(bool) { return PURGATORY_DIGEST_ENGINE_PORTABLE; }
Sha256BlockFunction hardware_digest_blocks() { return nullptr; }

std::uint64_t next_kernel_entry(const purgatory_next_kernel& next) { return next.arm64.entry; }

void boot_next_kernel(const purgatory_info& info) { purgatory_arch_enter_next(&info.next.arm64); }

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
  halt();  // PSCI returned: no reset is possible from here
}

void halt() {
  // Exceptions masked: wfe still returns on an event, so loop.
  for (;;) asm volatile("msr daifset, #0xf\n\twfe" ::: "memory");
}

}  // namespace purgatory::arch
