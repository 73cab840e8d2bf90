// SPDX-License-Identifier: MIT
// A purgatory that faults on purpose once it has verified, for the boot tests of the exception vectors:
// it reads 8 bytes at the address its loader names in user[0], or with user[1] = 1 executes the
// compiler's trap instruction. If neither faults, it boots the next kernel, and the test fails.
#include <cstdint>

#include <purgatory/boot.h>
#include <purgatory/info.h>

extern "C" void purgatory_main() {
  purgatory::Session session(purgatory::loader_info());
  purgatory::announce(session);
  if (!purgatory::verify_and_report(session)) purgatory::stop_after_failure(session);
  const purgatory_info& request = session.request();
  if (request.user[1] == 1) __builtin_trap();
  const auto address = static_cast<std::uintptr_t>(request.user[0]);
  [[maybe_unused]] const std::uint64_t value = *reinterpret_cast<const volatile std::uint64_t*>(address);
  purgatory::boot_next_kernel(session);
}
