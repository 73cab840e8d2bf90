// arm64 half of the runtime: the arch interface of <purgatory/arch.h>.
#include <purgatory/arch.h>

namespace purgatory::arch {

void halt() {
  // Exceptions masked: wfi/wfe still return on a pending event, so loop.
  for (;;) asm volatile("msr daifset, #0xf\n\twfe" ::: "memory");
}

}  // namespace purgatory::arch
