// The smallest purgatory: proves that an image built from the SDK's parts enters C++ on every arch,
// runs the digest core there, and stops.
#include <purgatory/arch.h>
#include <purgatory/sha256.h>

namespace {
// Kept in .data so the computation below cannot be folded away at compile time.
unsigned char message[] = "purgatory";
purgatory::Sha256Digest digest;
}  // namespace

extern "C" void purgatory_main() {
  digest = purgatory::sha256(message, sizeof(message) - 1);
  purgatory::arch::halt();
}
