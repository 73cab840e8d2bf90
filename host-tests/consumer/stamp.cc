// SPDX-License-Identifier: MIT
// A user's purgatory: the SDK's steps, plus a line of its own before the jump.
#include <purgatory/arch.h>
#include <purgatory/boot.h>
#include <purgatory/info.h>

extern "C" void purgatory_main() {
  purgatory::Session session(purgatory::loader_info());
  purgatory::announce(session);
  if (!purgatory::verify_and_report(session)) purgatory::stop_after_failure(session);
  session.console().write("stamp: verified, handing over\n");
  purgatory::boot_next_kernel(session);
}
