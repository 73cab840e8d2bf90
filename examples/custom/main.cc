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

void wipe_loader_named_range(const purgatory_info& info, purgatory::Console& console) {
  const std::uint64_t address = info.user[0], length = info.user[1];
  if (length == 0) return;
  memset(reinterpret_cast<void*>(static_cast<std::uintptr_t>(address)), 0, length);
  purgatory::Text line;
  line << "custom: wiped " << purgatory::Decimal{length} << " bytes at " << purgatory::Hex{address};
  console.write_line(line);
}

}  // namespace

extern "C" void purgatory_main() {
  purgatory_info& info = purgatory::loader_info();
  purgatory::Console console(info);
  purgatory::announce(info, console);
  if (!purgatory::verify_and_report(info, console)) purgatory::stop_after_failure(info, console);
  wipe_loader_named_range(info, console);
  purgatory::boot_next_kernel(info, console);
}
