// SPDX-License-Identifier: MIT
// libFuzzer target: image parsing and sealing. Whatever the bytes, parse_image and seal return a value
// or an error; and whenever sealing succeeds, the sealed image parses again, has the same unsealed
// digest, and differs from the input only inside purgatory_info.
#include <cstdint>
#include <cstring>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include <purgatory/host/embed.h>
#include <purgatory/host/image.h>

using namespace purgatory::host;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const auto image_size = input.ConsumeIntegralInRange<std::size_t>(0, input.remaining_bytes());
  const auto image_bytes = input.ConsumeBytes<std::byte>(image_size);
  const auto image = parse_image(image_bytes);
  if (!image) return 0;

  SealRequest request;
  request.load_address = input.ConsumeIntegral<std::uint64_t>();
  const auto segments = input.ConsumeIntegralInRange<unsigned>(0, 18);
  for (unsigned i = 0; i < segments; ++i) {
    Segment segment;
    segment.address = input.ConsumeIntegral<std::uint64_t>();
    segment.bytes = input.ConsumeBytes<std::byte>(input.ConsumeIntegralInRange<std::size_t>(0, 64));
    segment.memory_size = input.ConsumeIntegralInRange<std::uint64_t>(0, 4096);
    request.segments.push_back(std::move(segment));
  }
  request.entry = input.ConsumeIntegral<std::uint64_t>();
  for (const auto& name : register_names(*image->header.arch())) {
    if (input.ConsumeBool()) request.registers[name] = input.ConsumeIntegral<std::uint64_t>();
  }
  if (input.ConsumeBool()) request.registers[input.ConsumeRandomLengthString(8)] = 1;
  request.console.kind = input.ConsumeIntegral<std::uint32_t>();
  request.console.base = input.ConsumeIntegral<std::uint64_t>();
  request.flags = input.ConsumeIntegral<std::uint32_t>();
  if (input.ConsumeBool()) request.ppc64_secondary_entry = input.ConsumeIntegral<std::uint64_t>();

  const auto sealed = seal(*image, request);
  if (!sealed) return 0;
  const auto reparsed = parse_image(sealed->bytes);
  if (!reparsed) __builtin_trap();
  if (unsealed_digest(*reparsed) != unsealed_digest(*image)) __builtin_trap();
  const std::size_t info_begin = static_cast<std::size_t>(image->header.info_offset);
  const std::size_t info_end = info_begin + static_cast<std::size_t>(image->header.info_size);
  for (std::size_t i = 0; i < sealed->bytes.size(); ++i) {
    if ((i < info_begin || i >= info_end) && sealed->bytes[i] != image->bytes[i]) __builtin_trap();
  }
  (void)embed_as_c_header(*image, "fuzz", "fuzz.bin");
  return 0;
}
