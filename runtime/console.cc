// SPDX-License-Identifier: MIT
#include <purgatory/console.h>

#include <cstdint>

#include <purgatory/arch.h>
#include <purgatory/arch_features.h>
#include <purgatory/uart_8250.h>

namespace purgatory {
namespace {

// 8250 registers in memory: register n at base + (n << shift), accessed 1 or 4 bytes wide (some SoCs
// only decode 32-bit accesses).
class MmioRegisters {
 public:
  explicit MmioRegisters(const purgatory_console& config)
      : base_(static_cast<std::uintptr_t>(config.base)), shift_(config.register_shift),
        width_(config.access_width == 4 ? 4 : 1) {}

  std::uint8_t read(unsigned reg) const {
    const std::uintptr_t address = base_ + (std::uintptr_t{reg} << shift_);
    if (width_ == 4) return static_cast<std::uint8_t>(*reinterpret_cast<volatile std::uint32_t*>(address));
    return *reinterpret_cast<volatile std::uint8_t*>(address);
  }
  void write(unsigned reg, std::uint8_t value) const {
    const std::uintptr_t address = base_ + (std::uintptr_t{reg} << shift_);
    if (width_ == 4) {
      *reinterpret_cast<volatile std::uint32_t*>(address) = value;
    } else {
      *reinterpret_cast<volatile std::uint8_t*>(address) = value;
    }
  }

 private:
  std::uintptr_t base_;
  unsigned shift_;
  unsigned width_;
};

// Arm PrimeCell UART (PL011 TRM): data register at 0x00, flag register at 0x18 with TXFF (transmit FIFO
// full) in bit 5. Left configured as the firmware or old kernel set it, as Linux's pl011 earlycon does.
[[maybe_unused]] void pl011_put(std::uintptr_t base, char c) {  // not every arch has a PL011
  constexpr std::uintptr_t data = 0x00, flags = 0x18;
  constexpr std::uint32_t transmit_fifo_full = 1u << 5;
  for (unsigned polls = 0; polls < Uart8250<MmioRegisters>::max_polls_per_byte; ++polls) {
    if ((*reinterpret_cast<volatile std::uint32_t*>(base + flags) & transmit_fifo_full) == 0) {
      *reinterpret_cast<volatile std::uint32_t*>(base + data) = static_cast<std::uint8_t>(c);
      return;
    }
  }
}

}  // namespace

// Only the consoles this image advertises (arch_has): the others are unsafe or meaningless on this arch
// (ppc64 real mode makes MMIO accesses cacheable, say), and their generic drivers are left out.
bool Console::image_supports(std::uint32_t kind) {
  std::uint32_t feature = 0;
  switch (kind) {
    case PURGATORY_CONSOLE_NONE: return true;
    case PURGATORY_CONSOLE_8250_PIO: feature = PURGATORY_FEATURE_CONSOLE_8250_PIO; break;
    case PURGATORY_CONSOLE_8250_MMIO: feature = PURGATORY_FEATURE_CONSOLE_8250_MMIO; break;
    case PURGATORY_CONSOLE_PL011: feature = PURGATORY_FEATURE_CONSOLE_PL011; break;
    case PURGATORY_CONSOLE_HVC: feature = PURGATORY_FEATURE_CONSOLE_HVC; break;
    default: return false;
  }
  return arch_has(feature);
}

void Console::use_device() {
  if (to_device_ || !image_supports(config_.kind)) return;
  to_device_ = true;
  switch (config_.kind) {
    case PURGATORY_CONSOLE_NONE:
    case PURGATORY_CONSOLE_PL011:
      break;
    case PURGATORY_CONSOLE_8250_MMIO:
      if constexpr (arch_has(PURGATORY_FEATURE_CONSOLE_8250_MMIO)) Uart8250(MmioRegisters(config_)).initialise(config_.divisor);
      break;
    default:
      arch::console_initialise(config_);
      break;
  }
}

void Console::write(std::string_view text) {
  for (char c : text) {
    log_.log[log_.log_length % PURGATORY_LOG_SIZE] = c;
    ++log_.log_length;
  }
  if (!to_device_) return;
  // Serial terminals want CR LF: the devices get each line's text, then "\r\n".
  while (!text.empty()) {
    const auto newline = text.find('\n');
    if (newline == std::string_view::npos) {
      write_to_device(text);
      break;
    }
    write_to_device(std::string_view(text.data(), newline));
    write_to_device("\r\n");
    text.remove_prefix(newline + 1);
  }
}

void Console::write_to_device(std::string_view text) {
  switch (config_.kind) {
    case PURGATORY_CONSOLE_NONE:
      return;
    case PURGATORY_CONSOLE_8250_MMIO:
      if constexpr (arch_has(PURGATORY_FEATURE_CONSOLE_8250_MMIO)) {
        Uart8250 uart{MmioRegisters(config_)};
        for (char c : text) uart.put(c);
      }
      return;
    case PURGATORY_CONSOLE_PL011:
      if constexpr (arch_has(PURGATORY_FEATURE_CONSOLE_PL011)) {
        for (char c : text) pl011_put(static_cast<std::uintptr_t>(config_.base), c);
      }
      return;
    default:
      arch::console_write(config_, text);
      return;
  }
}

}  // namespace purgatory
