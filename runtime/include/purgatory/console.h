// The purgatory's console: every line goes to the memory log in purgatory_info.result and to the device
// purgatory_info.console names, if the loader sealed the block, did not ask for quiet, and chose a kind
// of console this image supports (its header's features). Nothing is written to a device described by
// an unsealed, possibly garbage, block.
#pragma once

#include <string_view>

#include <purgatory/abi.h>
#include <purgatory/text.h>

namespace purgatory {

class Console {
 public:
  // Initialises the device (once per Console). Keeps references: `info` outlives every Console.
  explicit Console(purgatory_info& info);

  void write(std::string_view text);
  template <std::size_t N>  // string literals, without a strlen call (see Text's operator<<)
  [[gnu::always_inline]] void write(const char (&literal)[N]) {
    write(std::string_view(literal, N - 1));
  }
  void write_line(const Text& line) {
    write(line.view());
    write("\n");
  }

 private:
  void write_to_device(std::string_view text);

  const purgatory_console& config_;
  purgatory_result& result_;
  bool to_device_;
};

}  // namespace purgatory
