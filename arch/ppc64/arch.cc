// ppc64 half of the runtime (both byte orders): the arch interface of <purgatory/arch.h>.
#include <purgatory/arch.h>

namespace purgatory::arch {

void halt() {
  // MSR[EE] is clear; drop the thread's priority ("or 31,31,31") so an SMT sibling keeps the core.
  for (;;) asm volatile("or 31, 31, 31" ::: "memory");
}

}  // namespace purgatory::arch
