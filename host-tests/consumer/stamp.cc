// A user's purgatory: the SDK's steps, plus a line of its own before the jump.
#include <purgatory/arch.h>
#include <purgatory/boot.h>
#include <purgatory/info.h>

extern "C" void purgatory_main() {
  purgatory_info& info = purgatory::loader_info();
  purgatory::Console console(info);
  purgatory::announce(info, console);
  if (!purgatory::verify_and_report(info, console)) purgatory::stop_after_failure(info, console);
  console.write("stamp: verified, handing over\n");
  purgatory::boot_next_kernel(info, console);
}
