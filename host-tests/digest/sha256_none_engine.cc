// SPDX-License-Identifier: MIT
// sha256/none, the engine header a host of a CPU without an engine of ours gets: built here (no host
// of ours is such a CPU) so that it keeps compiling, and it names the portable core it leaves the work to.
#include <purgatory/sha256_engine.h>

#include <cstdio>

static_assert(purgatory::sha256_engine::name() == "portable");
// "abc" (FIPS 180-2, appendix B.1), through the header the engine includes, at compile time.
static_assert(purgatory::sha256("abc", 3)[0] == 0xba && purgatory::sha256("abc", 3)[31] == 0xad);

int main() {
  std::puts("sha256/none: portable");
  return 0;
}
