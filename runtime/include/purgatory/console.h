/* SPDX-License-Identifier: MIT */
// The purgatory's console: every line goes to the memory log in purgatory_info.result, and to the
// device the loader chose if the session decided it may be used (see Session in <purgatory/boot.h>:
// sealed, not quiet, a kind this image supports, registers clear of the purgatory and the segments).
// Nothing is ever written to a device described by an unsealed, possibly garbage, block.
#pragma once

#include <string_view>

#include <purgatory/abi.h>
#include <purgatory/text.h>

namespace purgatory {

class Console {
 public:
  // Writes to the log only, until use_device(). Keeps references: both outlive it.
  Console(const purgatory_console& config, purgatory_result& log) : config_(config), log_(log) {}

  // From now on the device too: initialises it (once).
  void use_device();

  void write(std::string_view text);
  template <std::size_t N>  // string literals, without a strlen call (see Text's operator<<)
  [[gnu::always_inline]] void write(const char (&literal)[N]) {
    write(std::string_view(literal, N - 1));
  }
  void write_line(const Text& line) {
    write(line.view());
    write("\n");
  }

  // Whether this image can drive a console of this kind at all (its header's features).
  static bool image_supports(std::uint32_t kind);

 private:
  void write_to_device(std::string_view text);

  const purgatory_console& config_;
  purgatory_result& log_;
  bool to_device_ = false;
};

}  // namespace purgatory
