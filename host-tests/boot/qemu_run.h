// Runs an emulator (any command) with its console on a pipe, for the boot and system test drivers.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace purgatory::test {

struct RunResult {
  std::string output;              // stdout and stderr, interleaved as they came
  std::optional<int> exit_status;  // empty if the command was stopped, timed out or died of a signal
  std::string stopped_by;          // the stop marker that ended the run, if one did
  bool timed_out = false;
  double seconds = 0;
};

// Runs `command` (argv[0] looked up in PATH), collecting its output, until it exits, one of
// `stop_markers` appears (then it is killed: a halted machine never exits by itself), or
// `timeout_seconds` pass. After a marker, the rest of its line is still collected, for half a second
// at most, so a message such as a panic's reason is reported whole.
RunResult run(const std::vector<std::string>& command, const std::vector<std::string>& stop_markers,
              double timeout_seconds);

// The command as one line a shell would accept, for failure reports.
std::string shell_command_line(const std::vector<std::string>& command);

}  // namespace purgatory::test
