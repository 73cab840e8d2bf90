// SPDX-License-Identifier: MIT
// The 16550 driver over a fake register file that records every access and plays the line status
// register: the programming sequence, and how put() waits for (and gives up on) transmitter room.
#include <cstdint>
#include <functional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <purgatory/uart_8250.h>

namespace {

constexpr unsigned thr = 0, dll = 0, ier = 1, dlm = 1, fcr = 2, lcr = 3, mcr = 4, lsr = 5;

struct Access {
  bool write;
  unsigned reg;
  std::uint8_t value;
  bool operator==(const Access&) const = default;
};

Access written(unsigned reg, std::uint8_t value) { return {true, reg, value}; }
Access read_of(unsigned reg, std::uint8_t value) { return {false, reg, value}; }

std::ostream& operator<<(std::ostream& out, const Access& access) {
  return out << (access.write ? "write " : "read ") << access.reg << " = 0x" << std::hex
             << unsigned{access.value} << std::dec;
}

// The UART's side: what was accessed, and what LSR reads as (given how often it was read before).
struct FakeUart {
  std::vector<Access> accesses;
  std::function<std::uint8_t(unsigned)> line_status = [](unsigned) { return std::uint8_t{0x60}; };
  unsigned line_status_reads = 0;

  std::vector<Access> writes() const {
    std::vector<Access> out;
    for (const auto& access : accesses) {
      if (access.write) out.push_back(access);
    }
    return out;
  }
};

// The Registers policy: copied into the driver, so it only points at the fake.
class FakeRegisters {
 public:
  explicit FakeRegisters(FakeUart& uart) : uart_(&uart) {}

  std::uint8_t read(unsigned reg) const {
    std::uint8_t value = 0;
    if (reg == lsr) value = uart_->line_status(uart_->line_status_reads++);
    uart_->accesses.push_back(read_of(reg, value));
    return value;
  }
  void write(unsigned reg, std::uint8_t value) const { uart_->accesses.push_back(written(reg, value)); }

 private:
  FakeUart* uart_;
};

using Uart = purgatory::Uart8250<FakeRegisters>;

}  // namespace

namespace Catch {
template <>
struct StringMaker<Access> {
  static std::string convert(const Access& access) {
    std::ostringstream out;
    out << access;
    return out.str();
  }
};
}  // namespace Catch

TEST_CASE("initialise with a divisor programs 8N1, FIFOs and DTR/RTS in the 16550 order", "[uart]") {
  FakeUart fake;
  Uart uart{FakeRegisters(fake)};
  SECTION("a two-byte divisor") {
    uart.initialise(0x0201);
    CHECK(fake.accesses == std::vector<Access>{written(ier, 0), written(lcr, 0x80), written(dll, 0x01),
                                               written(dlm, 0x02), written(lcr, 0x03), written(fcr, 0x07),
                                               written(mcr, 0x03)});
  }
  SECTION("115200 baud from a 1.8432 MHz clock") {
    uart.initialise(1);
    CHECK(fake.accesses == std::vector<Access>{written(ier, 0), written(lcr, 0x80), written(dll, 0x01),
                                               written(dlm, 0x00), written(lcr, 0x03), written(fcr, 0x07),
                                               written(mcr, 0x03)});
  }
}

TEST_CASE("initialise with divisor 0 only turns interrupts off", "[uart]") {
  FakeUart fake;
  Uart uart{FakeRegisters(fake)};
  uart.initialise(0);
  CHECK(fake.accesses == std::vector<Access>{written(ier, 0)});
}

TEST_CASE("put writes the byte to THR at once when LSR has THRE", "[uart]") {
  FakeUart fake;
  const std::uint8_t status = GENERATE(std::uint8_t{0x20}, std::uint8_t{0x60}, std::uint8_t{0xff});
  fake.line_status = [status](unsigned) { return status; };
  Uart uart{FakeRegisters(fake)};
  uart.put('A');
  uart.put('\xff');
  CHECK(fake.accesses == std::vector<Access>{read_of(lsr, status), written(thr, 'A'), read_of(lsr, status),
                                             written(thr, 0xff)});
}

TEST_CASE("put polls LSR until THRE sets, then writes once", "[uart]") {
  FakeUart fake;
  // Busy (every bit but THRE) for three reads, then room.
  fake.line_status = [](unsigned reads) { return std::uint8_t{reads < 3 ? std::uint8_t{0xdf} : std::uint8_t{0x20}}; };
  Uart uart{FakeRegisters(fake)};
  uart.put('x');
  CHECK(fake.line_status_reads == 4);
  CHECK(fake.writes() == std::vector<Access>{written(thr, 'x')});
  CHECK(fake.accesses.back() == written(thr, 'x'));
}

TEST_CASE("put gives up after max_polls_per_byte polls when THRE never sets", "[uart]") {
  FakeUart fake;
  const std::uint8_t status = GENERATE(std::uint8_t{0x00}, std::uint8_t{0xdf});
  fake.line_status = [status](unsigned) { return status; };
  Uart uart{FakeRegisters(fake)};
  uart.put('x');
  CHECK(fake.line_status_reads == Uart::max_polls_per_byte);
  CHECK(fake.writes().empty());
  // The next byte gets its own budget, and still nothing is written.
  uart.put('y');
  CHECK(fake.line_status_reads == 2 * Uart::max_polls_per_byte);
  CHECK(fake.writes().empty());
}

TEST_CASE("put writes if THRE sets on the last allowed poll, not after", "[uart]") {
  FakeUart fake;
  const unsigned last = Uart::max_polls_per_byte - 1;  // index of the last read put() makes
  // (prvalues: Catch2 v2 would keep a reference to an lvalue first argument past its lifetime)
  const unsigned ready_at = GENERATE(Uart::max_polls_per_byte - 1, Uart::max_polls_per_byte);
  fake.line_status = [ready_at](unsigned reads) { return std::uint8_t{reads >= ready_at ? std::uint8_t{0x20} : std::uint8_t{0}}; };
  Uart uart{FakeRegisters(fake)};
  uart.put('z');
  CHECK(fake.line_status_reads == Uart::max_polls_per_byte);
  if (ready_at == last) {
    CHECK(fake.writes() == std::vector<Access>{written(thr, 'z')});
  } else {
    CHECK(fake.writes().empty());
  }
}
