/* SPDX-License-Identifier: MIT */
// A 16550-compatible UART, generic over how its registers are reached: the arch supplies port I/O
// (x86_64), the runtime memory-mapped access with a register stride and width. Register numbers and
// bits are the 16550's (TI PC16550D data sheet).
#pragma once

#include <cstdint>

namespace purgatory {

template <class Registers>
class Uart8250 {
 public:
  // Polls for transmitter room at most this often per byte, then drops the byte: a console must never
  // keep the purgatory from booting the next kernel.
  static constexpr unsigned max_polls_per_byte = 100000;

  explicit Uart8250(Registers registers) : registers_(registers) {}

  // 8 data bits, no parity, 1 stop bit at the given divisor latch value; FIFOs on and cleared;
  // interrupts off. A divisor of 0 leaves the line settings as the firmware or old kernel left them.
  void initialise(std::uint32_t divisor) {
    registers_.write(interrupt_enable, 0);
    if (divisor != 0) {
      registers_.write(line_control, line_control_divisor_latch);
      registers_.write(divisor_low, static_cast<std::uint8_t>(divisor));
      registers_.write(divisor_high, static_cast<std::uint8_t>(divisor >> 8));
      registers_.write(line_control, line_control_8n1);
      registers_.write(fifo_control, fifo_enable_and_clear);
      registers_.write(modem_control, modem_control_dtr_rts);
    }
  }

  void put(char c) {
    for (unsigned polls = 0; polls < max_polls_per_byte; ++polls) {
      if (registers_.read(line_status) & line_status_transmit_empty) {
        registers_.write(transmit, static_cast<std::uint8_t>(c));
        return;
      }
    }
  }

  // Register numbers, as offsets in register units.
  static constexpr unsigned transmit = 0, divisor_low = 0, interrupt_enable = 1, divisor_high = 1;
  static constexpr unsigned fifo_control = 2, line_control = 3, modem_control = 4, line_status = 5;

  static constexpr std::uint8_t line_control_divisor_latch = 0x80;
  static constexpr std::uint8_t line_control_8n1 = 0x03;
  static constexpr std::uint8_t fifo_enable_and_clear = 0x07;
  static constexpr std::uint8_t modem_control_dtr_rts = 0x03;
  static constexpr std::uint8_t line_status_transmit_empty = 0x20;  // THRE: room in the FIFO

 private:
  Registers registers_;
};

}  // namespace purgatory
