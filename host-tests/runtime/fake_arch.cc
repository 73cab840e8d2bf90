// SPDX-License-Identifier: MIT
#include "fake_arch.h"

#include <purgatory/arch.h>

// The purgatory's memory, as the linker script names it: 16 KiB of host memory.
extern "C" {
alignas(16) char fake_purgatory_memory[0x4000] asm("__purgatory_image_start");
}
asm(".globl __purgatory_memory_end\n.set __purgatory_memory_end, __purgatory_image_start + 0x4000");

namespace fake_arch {

Record& record() {
  static Record instance;
  return instance;
}

Behaviour& behaviour() {
  static Behaviour instance;
  return instance;
}

void clear() {
  record() = {};
  behaviour() = {};
}

char* memory() { return fake_purgatory_memory; }
std::uint64_t memory_size() { return sizeof(fake_purgatory_memory); }

}  // namespace fake_arch

namespace purgatory::arch {

std::string_view name() { return "fake"; }

void console_initialise(const purgatory_console& config) {
  if (config.kind == PURGATORY_CONSOLE_8250_PIO) ++fake_arch::record().console_initialisations;
}

void console_write(const purgatory_console& config, std::string_view text) {
  if (config.kind == PURGATORY_CONSOLE_8250_PIO) fake_arch::record().console.append(text);
}

const char* install_fault_handlers(const purgatory_info&, SavedState& saved) {
  fake_arch::record().calls.push_back("install_fault_handlers");
  if (fake_arch::behaviour().fault_handlers_problem != nullptr) return fake_arch::behaviour().fault_handlers_problem;
  saved.vectors_installed = true;
  return nullptr;
}

std::uint32_t first_unreadable_segment(const purgatory_info&) {
  fake_arch::record().calls.push_back("first_unreadable_segment");
  return fake_arch::behaviour().unreadable_segment;
}

void before_verification(const purgatory_info&, SavedState&) {
  fake_arch::record().calls.push_back("before_verification");
}

DigestEngine select_digest_engine(bool allow_hardware, const purgatory_info&, SavedState& saved) {
  fake_arch::record().calls.push_back(allow_hardware ? "select_digest_engine" : "select_digest_engine portable");
  saved.engine_enabled = allow_hardware;
  return {};
}

void enter_next_kernel(const purgatory_info& request, const SavedState& saved) {
  fake_arch::record().calls.push_back("enter_next_kernel");
  fake_arch::record().vectors_restored = saved.vectors_installed;
  fake_arch::record().engine_restored = saved.engine_enabled;
  throw fake_arch::Stopped{"next kernel", request.next.x86_64.rip};
}

void reset(const purgatory_reset&) {
  fake_arch::record().calls.push_back("reset");
  if (fake_arch::behaviour().reset_works) throw fake_arch::Stopped{"reset"};
}

void halt() { throw fake_arch::Stopped{"halt"}; }

}  // namespace purgatory::arch
