// SPDX-License-Identifier: MIT
#include "progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace purgatory_tool {
namespace {

constexpr auto quiet_for = std::chrono::seconds(1);
constexpr auto redraw_every = std::chrono::milliseconds(200);  // fast enough to look alive, rare enough to cost nothing

double mib(std::uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

}  // namespace

ProgressLine::ProgressLine(std::optional<std::uint64_t> total)
    : enabled_(::isatty(STDERR_FILENO) == 1), total_(total), start_(Clock::now()), next_draw_(start_ + quiet_for) {}

void ProgressLine::update(std::uint64_t done) {
  if (!enabled_) return;
  const auto now = Clock::now();
  if (now < next_draw_) return;
  next_draw_ = now + redraw_every;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = mib(done) / seconds;
  // \r and "erase to the end of the line" (ECMA-48 EL): the line is redrawn in place.
  if (total_ && *total_ != 0) {
    fmt::print(stderr, "\r\033[Ksha256: {:.0f} of {:.0f} MiB ({:.0f} %), {:.0f} MiB/s", mib(done), mib(*total_),
               100.0 * static_cast<double>(done) / static_cast<double>(*total_), rate);
  } else {
    fmt::print(stderr, "\r\033[Ksha256: {:.0f} MiB, {:.0f} MiB/s", mib(done), rate);
  }
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressLine::clear() {
  if (!drawn_) return;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace purgatory_tool
