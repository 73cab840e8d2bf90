// SPDX-License-Identifier: MIT
// A user's host program: the x86_64 purgatory is compiled in (purgatory_embed), and the SDK's host
// library checks it and seals it for a load, as a loader would.
#include <cstdio>
#include <span>
#include <vector>

#include <purgatory/host/image.h>

#include "stamp_x86_64.h"

int main() {
  using namespace purgatory::host;
  const auto bytes = std::as_bytes(std::span(stamp_x86_64));
  const auto image = parse_image(bytes, ImageExpectations{purgatory::host::Arch::x86_64});
  if (!image) {
    std::printf("embedded image rejected: %s\n", image.error().message.c_str());
    return 1;
  }
  SealRequest request;
  request.load_address = 0x1000000;
  request.segments.push_back(Segment{0x2000000, std::vector<std::byte>(4096, std::byte{0x5a}), 0});
  request.entry = 0x2000000;
  request.registers["rsi"] = 0x3000000;
  const auto sealed = seal(*image, request);
  if (!sealed) {
    std::printf("seal failed: %s\n", sealed.error().message.c_str());
    return 1;
  }
  std::printf("embedded %s purgatory: %zu bytes (STAMP_X86_64_FILE_SIZE %llu), entry %#llx, sealed %zu bytes\n",
              image->header.arch_name().c_str(), bytes.size(), STAMP_X86_64_FILE_SIZE,
              static_cast<unsigned long long>(image->header.entry_offset), sealed->bytes.size());
  return bytes.size() == STAMP_X86_64_FILE_SIZE ? 0 : 1;
}
