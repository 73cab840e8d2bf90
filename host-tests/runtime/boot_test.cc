// SPDX-License-Identifier: MIT
// runtime/boot.cc and runtime/console.cc on the host, over the fake arch (fake_arch.cc): the session's
// private copy, the console decision, the verdict lines, the failure policy, fault reports and the log
// ring. The block lives in the fake purgatory's memory, as it does in an image.
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <purgatory/boot.h>
#include <purgatory/fault.h>
#include <purgatory/sha256.h>

#include "fake_arch.h"

#include "test_pattern.h"

using Catch::Contains;

namespace {

std::uint64_t address_of(const void* pointer) { return reinterpret_cast<std::uintptr_t>(pointer); }

// A sealed block over two segments of host memory, placed where an image has it: in the purgatory's
// own memory. The next kernel's entry is segment 0's first byte; the console is the arch's 8250.
struct Fixture {
  std::vector<Buffer> segments{pattern(1000, 1), pattern(4096 + 17, 2)};
  purgatory_info* block;

  Fixture() {
    fake_arch::clear();
    std::memset(fake_arch::memory(), 0, fake_arch::memory_size());
    block = new (fake_arch::memory() + 0x100) purgatory_info{};
    std::memcpy(block->magic, PURGATORY_INFO_MAGIC, 8);
    block->info_size = sizeof(purgatory_info);
    block->sealed = PURGATORY_INFO_SEALED;
    block->segment_count = 2;
    Buffer all;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      block->segments[i].start = address_of(segments[i].data());
      block->segments[i].size = segments[i].size();
      const auto digest = purgatory::sha256(segments[i].data(), segments[i].size());
      std::memcpy(block->segments[i].sha256, digest.data(), digest.size());
      all.insert(all.end(), segments[i].begin(), segments[i].end());
    }
    const auto digest = purgatory::sha256(all.data(), all.size());
    std::memcpy(block->sha256, digest.data(), digest.size());
    block->next.x86_64.rip = address_of(segments[0].data());
    block->console.kind = PURGATORY_CONSOLE_8250_PIO;
    block->console.base = 0x3f8;
  }

  // The whole default run; what stopped it.
  fake_arch::Stopped run() {
    try {
      purgatory::run(*block);
    } catch (const fake_arch::Stopped& stopped) {
      return stopped;
    }
    FAIL("purgatory::run returned");
    return {};
  }

  std::string log() const { return std::string(block->result.log, std::min<std::uint32_t>(block->result.log_length, PURGATORY_LOG_SIZE)); }
  const std::string& console() const { return fake_arch::record().console; }
};

}  // namespace

TEST_CASE("A sound block: banner, verdict, the jump, and the machine put back", "[boot]") {
  Fixture fixture;
  const auto stopped = fixture.run();
  CHECK(stopped.how == "next kernel");
  CHECK(stopped.entry == address_of(fixture.segments[0].data()));
  CHECK_THAT(fixture.console(), Contains("purgatory-sdk " PURGATORY_SDK_VERSION " (fake): 2 segments to verify\r\n"));
  CHECK_THAT(fixture.console(), Contains("purgatory: SHA-256 ok: 2 segments, 5113 bytes (portable)\r\n"));
  CHECK_THAT(fixture.console(), Contains("purgatory: booting next kernel at 0x"));
  // The log holds the same text, with plain line ends.
  CHECK_THAT(fixture.log(), Contains("2 segments to verify\npurgatory: SHA-256 ok"));
  CHECK(fixture.block->result.status == PURGATORY_STATUS_VERIFIED);
  CHECK(fake_arch::record().calls == std::vector<std::string>{"install_fault_handlers", "first_unreadable_segment",
                                                              "before_verification", "select_digest_engine",
                                                              "enter_next_kernel"});
  // What the arch changed came back to it through the session, not through a global.
  CHECK(fake_arch::record().vectors_restored);
  CHECK(fake_arch::record().engine_restored);
  CHECK(fake_arch::record().console_initialisations == 1);
}

TEST_CASE("Decisions read the copy taken at the start, whatever is written to the block after", "[boot]") {
  Fixture fixture;
  fixture.segments[1][100] ^= 1;  // the loaded bytes differ from what was sealed
  purgatory::Session session(*fixture.block);
  // A stray write after the start (the finding: a console set-up writing into the block's flags).
  fixture.block->flags = PURGATORY_FLAG_SKIP_VERIFICATION;
  fixture.block->segment_count = 0;
  purgatory::announce(session);
  CHECK_FALSE(purgatory::verify_and_report(session));
  CHECK(fixture.block->result.status == PURGATORY_STATUS_MISMATCH);
  CHECK(fixture.block->result.failed_segment == 1);
  CHECK_THAT(fixture.console(), Contains("purgatory: SHA-256 MISMATCH in segment 1 ("));
}

TEST_CASE("A console whose registers are the block's own is never used, and the log says why", "[boot]") {
  Fixture fixture;
  fixture.block->console = {PURGATORY_CONSOLE_8250_MMIO, 0, 1, 0, address_of(&fixture.block->flags), 1, 0, 0};
  const std::uint32_t flags = fixture.block->flags, count = fixture.block->segment_count;
  const auto stopped = fixture.run();
  CHECK(stopped.how == "next kernel");  // verified as sealed
  CHECK(fixture.block->flags == flags);
  CHECK(fixture.block->segment_count == count);
  CHECK_THAT(fixture.log(), Contains("purgatory: console not used: the console's registers overlap the purgatory's own memory\n"));
  CHECK(fixture.block->result.status == PURGATORY_STATUS_VERIFIED);
}

TEST_CASE("A block that breaks a rule is refused, named, and nothing of it acted on", "[boot]") {
  Fixture fixture;
  SECTION("the entry outside every segment") {
    fixture.block->next.x86_64.rip = address_of(fake_arch::memory());
    CHECK(fixture.run().how == "halt");
    CHECK_THAT(fixture.console(),
               Contains("purgatory: cannot verify: the next kernel's entry is outside every verified segment\r\n"));
  }
  SECTION("no segments") {
    fixture.block->segment_count = 0;
    CHECK(fixture.run().how == "halt");
    CHECK_THAT(fixture.console(), Contains(" (fake): 0 segments to verify"));
    CHECK_THAT(fixture.console(), Contains("purgatory: cannot verify: no segments to verify"));
  }
  SECTION("a segment the machine cannot read") {
    fake_arch::behaviour().unreadable_segment = 1;
    CHECK(fixture.run().how == "halt");
    CHECK_THAT(fixture.console(),
               Contains("purgatory: cannot verify: the segment is outside the memory this purgatory can read: segment 1\r\n"));
    CHECK(fixture.block->result.failed_segment == 1);
  }
  SECTION("not sealed: the device is not touched either") {
    fixture.block->sealed = 0;
    CHECK(fixture.run().how == "halt");
    CHECK(fixture.console().empty());
    CHECK(fake_arch::record().console_initialisations == 0);
    CHECK_THAT(fixture.log(), Contains("purgatory: cannot verify: purgatory_info was not sealed by a loader\n"));
  }
  CHECK(fixture.block->result.status == PURGATORY_STATUS_BAD_INFO);
  // Nothing the request says was acted on: no preparation, no engine.
  for (const auto& call : fake_arch::record().calls) {
    CHECK(call != "before_verification");
    CHECK(call != "enter_next_kernel");
  }
}

TEST_CASE("A mismatch names the segment in the loader's words too", "[boot]") {
  Fixture fixture;
  fixture.segments[1][7] ^= 0x80;
  SECTION("the loader's own numbering, said") {
    fixture.block->segment_origin[0] = 1;
    fixture.block->segment_origin[1] = 2;
    fixture.run();
    CHECK_THAT(fixture.console(), Contains("MISMATCH in segment 1 (0x"));
  }
  SECTION("another loader segment") {
    fixture.block->segment_origin[0] = 1;
    fixture.block->segment_origin[1] = 5;
    fixture.run();
    CHECK_THAT(fixture.console(), Contains("MISMATCH in segment 1, the loader's segment 4 (0x"));
  }
  SECTION("half of one") {
    fixture.block->segment_origin[0] = 3;
    fixture.block->segment_origin[1] = 3;
    fixture.run();
    CHECK_THAT(fixture.console(), Contains("MISMATCH in segment 1, part of the loader's segment 2 (0x"));
  }
  SECTION("ppc64 low memory") {
    fixture.block->segment_origin[1] = PURGATORY_ORIGIN_PPC64_LOW_MEMORY;
    fixture.run();
    CHECK_THAT(fixture.console(), Contains("MISMATCH in segment 1, ppc64 low memory (0x"));
  }
  CHECK_THAT(fixture.console(), Contains("  expected "));
  CHECK_THAT(fixture.console(), Contains("  computed "));
  CHECK_THAT(fixture.console(), Contains("purgatory: not booting the next kernel; halted\r\n"));
}

TEST_CASE("Copies are made after verification, just before the jump, and never on a mismatch", "[boot][copies]") {
  Fixture fixture;
  Buffer source = pattern(512, 9);
  fixture.block->copies[0] = {address_of(source.data()), address_of(fixture.segments[1].data()) + 16, 512};
  SECTION("verified: copied and reported") {
    CHECK(fixture.run().how == "next kernel");
    CHECK(std::memcmp(fixture.segments[1].data() + 16, source.data(), 512) == 0);
    CHECK_THAT(fixture.console(), Contains("purgatory: SHA-256 ok: 2 segments"));
    CHECK_THAT(fixture.console(), Contains("\r\npurgatory: copied 512 bytes from 0x"));
    CHECK(fixture.console().find("purgatory: copied") > fixture.console().find("SHA-256 ok"));
  }
  SECTION("a mismatch: nothing copied") {
    fixture.segments[0][3] ^= 1;
    const Buffer before = fixture.segments[1];
    CHECK(fixture.run().how == "halt");
    CHECK(fixture.segments[1] == before);
    CHECK(fixture.console().find("purgatory: copied") == std::string::npos);
  }
  SECTION("a copy breaking a rule: refused before anything is hashed") {
    fixture.block->copies[0].destination = address_of(fixture.segments[0].data());  // the entry's segment
    CHECK(fixture.run().how == "halt");
    CHECK_THAT(fixture.console(), Contains("purgatory: cannot verify: a copy's destination segment holds the next kernel's entry"));
  }
}

TEST_CASE("Reset on failure: the reset, or if it returns, the word and a halt", "[boot]") {
  Fixture fixture;
  fixture.segments[0][0] ^= 1;
  fixture.block->flags = PURGATORY_FLAG_RESET_ON_FAILURE;
  SECTION("it works") {
    fake_arch::behaviour().reset_works = true;
    CHECK(fixture.run().how == "reset");
    CHECK_THAT(fixture.console(), Contains("purgatory: not booting the next kernel; resetting\r\n"));
  }
  SECTION("it returns") {
    CHECK(fixture.run().how == "halt");
    CHECK_THAT(fixture.console(), Contains("; resetting\r\npurgatory: the reset did not happen; halted\r\n"));
  }
}

TEST_CASE("A fault is reported with its address and segment, recorded, and the policy followed", "[boot][fault]") {
  Fixture fixture;
  purgatory::Session session(*fixture.block);
  purgatory::announce(session);
  const std::uint64_t address = address_of(fixture.segments[1].data()) + 64;
  bool halted = false;
  try {
    purgatory::handle_fault({.kind = "test exception", .number = 3, .detail_name = "detail", .detail = 4, .pc = 5,
                             .address = address, .address_known = true});
  } catch (const fake_arch::Stopped& stopped) {
    halted = stopped.how == "halt";
  }
  CHECK(halted);
  CHECK_THAT(fixture.console(), Contains("purgatory: FAULT: test exception 0x3 (detail 0x4) at pc 0x5\r\n"));
  CHECK_THAT(fixture.console(), Contains("purgatory: the address was 0x"));
  CHECK_THAT(fixture.console(), Contains(", in segment 1 (0x"));
  CHECK(fixture.block->result.status == PURGATORY_STATUS_FAULT);
  CHECK(fixture.block->result.failed_segment == 1);
}

TEST_CASE("Faults go unreported only where the arch could not install its vectors, and it says so", "[boot][fault]") {
  Fixture fixture;
  fake_arch::behaviour().fault_handlers_problem = "the vectors' place is taken";
  fixture.run();
  CHECK_THAT(fixture.console(), Contains("purgatory: faults go unreported: the vectors' place is taken\r\n"));
}

TEST_CASE("Quiet: the device untouched, the log still written", "[boot][console]") {
  Fixture fixture;
  fixture.block->flags = PURGATORY_FLAG_QUIET;
  fixture.run();
  CHECK(fixture.console().empty());
  CHECK(fake_arch::record().console_initialisations == 0);
  CHECK_THAT(fixture.log(), Contains("SHA-256 ok"));
}

TEST_CASE("One segment is one segment", "[boot]") {
  Fixture fixture;
  fixture.block->segment_count = 1;
  std::memcpy(fixture.block->sha256, fixture.block->segments[0].sha256, 32);
  fixture.run();
  CHECK_THAT(fixture.console(), Contains("(fake): 1 segment to verify\r\n"));
  CHECK_THAT(fixture.console(), Contains("SHA-256 ok: 1 segment, 1000 bytes"));
}

TEST_CASE("The log ring keeps the last 1024 bytes and counts them all", "[console]") {
  purgatory_result result{};
  const purgatory_console none{};
  purgatory::Console console(none, result);
  std::string written;
  for (int line = 0; line < 100; ++line) {
    const std::string text = "line " + std::to_string(line) + " of the log\n";
    console.write(text);
    written += text;
  }
  REQUIRE(result.log_length == written.size());
  REQUIRE(written.size() > PURGATORY_LOG_SIZE);
  // Byte n at log[n % 1024]: the last 1024 bytes, in order, from the oldest surviving one.
  std::string ring;
  for (std::size_t n = written.size() - PURGATORY_LOG_SIZE; n < written.size(); ++n) ring += result.log[n % PURGATORY_LOG_SIZE];
  CHECK(ring == written.substr(written.size() - PURGATORY_LOG_SIZE));
}
