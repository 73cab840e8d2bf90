#include "qemu_run.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace purgatory::test {

RunResult run(const std::vector<std::string>& command, const std::vector<std::string>& stop_markers,
              double timeout_seconds) {
  using clock = std::chrono::steady_clock;
  const auto seconds_since = [](clock::time_point start) {
    return std::chrono::duration<double>(clock::now() - start).count();
  };
  constexpr double rest_of_line_seconds = 0.5;

  RunResult result;
  const auto start = clock::now();
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t child = fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    std::vector<char*> argv;
    for (const auto& argument : command) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "cannot run %s\n", argv[0]);
    _exit(127);
  }
  close(pipe_fds[1]);

  std::size_t marker_end = std::string::npos;  // where the stop marker found ends, once found
  std::optional<clock::time_point> marker_seen;
  for (;;) {
    if (marker_seen) {
      if (result.output.find('\n', marker_end) != std::string::npos) break;
      if (seconds_since(*marker_seen) > rest_of_line_seconds) break;
    } else if (seconds_since(start) > timeout_seconds) {
      result.timed_out = true;
      break;
    }
    pollfd poll_fd{pipe_fds[0], POLLIN, 0};
    if (poll(&poll_fd, 1, 100) <= 0) continue;
    char buffer[4096];
    const ssize_t got = read(pipe_fds[0], buffer, sizeof(buffer));
    if (got <= 0) break;  // the child closed its output: it is exiting
    // A marker may straddle two reads: search from a little before the new bytes.
    const std::size_t old_size = result.output.size();
    result.output.append(buffer, static_cast<std::size_t>(got));
    for (const auto& marker : marker_seen ? std::vector<std::string>{} : stop_markers) {
      const std::size_t from = old_size >= marker.size() ? old_size - marker.size() : 0;
      const std::size_t at = result.output.find(marker, from);
      if (!marker.empty() && at != std::string::npos) {
        result.stopped_by = marker;
        marker_end = at + marker.size();
        marker_seen = clock::now();
        break;
      }
    }
  }
  const bool stopped = marker_seen.has_value();
  if (stopped || result.timed_out) kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(pipe_fds[0]);
  if (!stopped && !result.timed_out && WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
  result.seconds = seconds_since(start);
  return result;
}

std::string shell_command_line(const std::vector<std::string>& command) {
  std::string line;
  for (const auto& argument : command) {
    if (!line.empty()) line += ' ';
    if (!argument.empty() && argument.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                        "0123456789-_./=:,+@%") == std::string::npos) {
      line += argument;
      continue;
    }
    line += '\'';
    for (char c : argument) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

}  // namespace purgatory::test
