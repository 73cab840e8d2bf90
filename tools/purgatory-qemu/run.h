/* SPDX-License-Identifier: MIT */
// Runs an emulator (any command) with its console on a pipe, for the boot and system test drivers, and
// talks to QEMU's monitor while it runs (to read or save the guest's memory).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace purgatory::test {

struct RunResult {
  std::string output;              // stdout and stderr, interleaved as they came
  std::optional<int> exit_status;  // empty if the command was stopped, timed out or died of a signal
  std::string stopped_by;          // the stop marker that ended the run, if one did
  bool timed_out = false;
  double seconds = 0;
};

struct RunOptions {
  // Text that ends the run once it appears (then the command is killed: a halted machine never exits
  // by itself). After a marker, the rest of its line is still collected, for half a second at most.
  std::vector<std::string> stop_markers;
  double timeout_seconds = 30;
  // Called about every 100 ms while the run goes on: true ends it as a marker would ("polled").
  std::function<bool()> poll;
  // Called once when a marker or poll ended the run, before the command is killed: the machine is
  // still there to be looked at (its memory saved, say).
  std::function<void()> before_kill;
  // Called with the output as it arrives (to show a console live).
  std::function<void(std::string_view)> on_output;
};

// Runs `command` (argv[0] looked up in PATH), collecting its output, until it exits, a stop marker
// appears, poll says so, or the time is up.
RunResult run(const std::vector<std::string>& command, const RunOptions& options);

inline RunResult run(const std::vector<std::string>& command, const std::vector<std::string>& stop_markers,
                     double timeout_seconds) {
  return run(command, RunOptions{stop_markers, timeout_seconds, {}, {}, {}});
}

// The command as one line a shell would accept, for failure reports.
std::string shell_command_line(const std::vector<std::string>& command);

// QEMU's human monitor on a Unix socket (the command line gives "-monitor unix:PATH,server=on,wait=off").
// The socket lives in a private directory under /tmp, not beside the test's files: a Unix socket's path
// is limited to 107 bytes, which a build tree in a deep checkout already exceeds.
class Monitor {
 public:
  Monitor();  // a new socket path; socket_path() is empty if no directory could be made
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;
  ~Monitor();

  const std::string& socket_path() const { return path_; }

  // Sends one command and returns what the monitor printed before its next prompt; empty on failure.
  std::optional<std::string> command(const std::string& line, double timeout_seconds = 5);

  // A 32-bit word of guest physical memory, as the guest reads it ("xp /1wx").
  std::optional<std::uint32_t> read_u32(std::uint64_t address);

  // Saves [address, address + size) of guest physical memory to `file`.
  bool save_memory(std::uint64_t address, std::uint64_t size, const std::string& file);

 private:
  bool connect(double timeout_seconds);
  std::optional<std::string> read_until_prompt(double timeout_seconds);

  std::string directory_;
  std::string path_;
  int fd_ = -1;
};

}  // namespace purgatory::test
