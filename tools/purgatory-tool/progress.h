/* SPDX-License-Identifier: MIT */
// A progress line on standard error for hashing that takes a while: only on a terminal (a log or a
// pipe gets nothing), and only once the work has run for a second, so quick runs print nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace purgatory_tool {

class ProgressLine {
 public:
  // `total`: the bytes the work will take, when known (regular files), for a percentage.
  explicit ProgressLine(std::optional<std::uint64_t> total);
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  ~ProgressLine() { clear(); }

  // `done` bytes so far. Cheap when nothing is drawn: call it as often as convenient.
  void update(std::uint64_t done);

  // Erases the line, if drawn, so that other output starts at the left margin.
  void clear();

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  std::optional<std::uint64_t> total_;
  Clock::time_point start_, next_draw_;
  bool drawn_ = false;
};

}  // namespace purgatory_tool
