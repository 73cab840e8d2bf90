// SPDX-License-Identifier: MIT
// A purgatory with a step of its own, built from the SDK's parts the way a user's would be: after the
// digests are checked and before the jump, it wipes a memory range its loader names in
// purgatory_info.user[0] (address) and user[1] (length), say a secret the old kernel must not hand on.
#include <cstdint>
#include <string.h>

#include <purgatory/arch.h>
#include <purgatory/boot.h>
#include <purgatory/info.h>
#include <purgatory/text.h>

namespace {

// Reads the loader's request as the session copied it: what the loader wrote is never read again once
// the purgatory has started.
void wipe_loader_named_range(purgatory::Session& session) {
  const std::uint64_t address = session.request().user[0], length = session.request().user[1];
  if (length == 0) return;
  memset(reinterpret_cast<void*>(static_cast<std::uintptr_t>(address)), 0, length);
  purgatory::Text line;
  line << "custom: wiped " << purgatory::Decimal{length} << " bytes at " << purgatory::Hex{address};
  session.console().write_line(line);
}

}  // namespace

extern "C" void purgatory_main() {
  purgatory::Session session(purgatory::loader_info());
  purgatory::announce(session);
  if (!purgatory::verify_and_report(session)) purgatory::stop_after_failure(session);
  wipe_loader_named_range(session);
  purgatory::boot_next_kernel(session);
}
