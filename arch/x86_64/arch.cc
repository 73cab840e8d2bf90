// x86_64 half of the runtime: the arch interface of <purgatory/arch.h>.
#include <purgatory/arch.h>

namespace purgatory::arch {

void halt() {
  // hlt waits for an interrupt; with IF clear only an NMI or SMI wakes it, so loop.
  for (;;) asm volatile("cli; hlt" ::: "memory");
}

}  // namespace purgatory::arch
