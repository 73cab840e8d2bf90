// SPDX-License-Identifier: MIT
// libFuzzer target: the text forms the command line accepts (numbers, console, reset and segment specs,
// NAME=VALUE).
#include <cstdint>
#include <string_view>

#include <purgatory/host/spec.h>

using namespace purgatory::host;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse_number(text);
  (void)parse_console_spec(text);
  (void)parse_reset_spec(text);
  (void)parse_segment_spec(text);
  (void)parse_assignment(text);
  return 0;
}
