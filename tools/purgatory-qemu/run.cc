// SPDX-License-Identifier: MIT
#include "run.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace purgatory::test {

RunResult run(const std::vector<std::string>& command, const RunOptions& options) {
  const std::vector<std::string>& stop_markers = options.stop_markers;
  const double timeout_seconds = options.timeout_seconds;
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
  constexpr double poll_interval_seconds = 0.1;
  auto last_poll = start;
  for (;;) {
    if (marker_seen) {
      if (result.output.find('\n', marker_end) != std::string::npos) break;
      if (seconds_since(*marker_seen) > rest_of_line_seconds) break;
    } else if (seconds_since(start) > timeout_seconds) {
      result.timed_out = true;
      break;
    }
    // Every 100 ms whether or not output comes: a console that never pauses must not keep it from us.
    if (!marker_seen && options.poll && seconds_since(last_poll) >= poll_interval_seconds) {
      last_poll = clock::now();
      if (options.poll()) {
        result.stopped_by = "poll";
        marker_end = result.output.size();
        marker_seen = clock::now();
        result.output += '\n';
        continue;
      }
    }
    pollfd poll_fd{pipe_fds[0], POLLIN, 0};
    if (poll(&poll_fd, 1, 100) <= 0) continue;
    char buffer[4096];
    const ssize_t got = read(pipe_fds[0], buffer, sizeof(buffer));
    if (got <= 0) break;  // the child closed its output: it is exiting
    // A marker may straddle two reads: search from a little before the new bytes.
    const std::size_t old_size = result.output.size();
    result.output.append(buffer, static_cast<std::size_t>(got));
    if (options.on_output) options.on_output(std::string_view(buffer, static_cast<std::size_t>(got)));
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
  if (stopped && options.before_kill) options.before_kill();
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

Monitor::Monitor() {
  std::string directory = "/tmp/purgatory-qemu-XXXXXX";
  if (mkdtemp(directory.data()) == nullptr) return;
  directory_ = directory;
  path_ = directory_ + "/monitor";
}

Monitor::~Monitor() {
  if (fd_ >= 0) close(fd_);
  if (!directory_.empty()) {
    unlink(path_.c_str());
    rmdir(directory_.c_str());
  }
}

bool Monitor::connect(double timeout_seconds) {
  if (fd_ >= 0) return true;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path_.empty() || path_.size() >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
  // The socket appears once QEMU has started: try until it does.
  while (std::chrono::steady_clock::now() < deadline) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0) {
      return read_until_prompt(timeout_seconds).has_value();  // the greeting
    }
    close(fd_);
    fd_ = -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::optional<std::string> Monitor::read_until_prompt(double timeout_seconds) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration<double>(timeout_seconds);
  std::string text;
  while (clock::now() < deadline) {
    pollfd poll_fd{fd_, POLLIN, 0};
    if (poll(&poll_fd, 1, 50) <= 0) continue;
    char buffer[4096];
    const ssize_t got = read(fd_, buffer, sizeof(buffer));
    if (got <= 0) return std::nullopt;
    text.append(buffer, static_cast<std::size_t>(got));
    const auto prompt = text.rfind("(qemu) ");
    if (prompt != std::string::npos && prompt + 7 == text.size()) return text.substr(0, prompt);
  }
  return std::nullopt;
}

std::optional<std::string> Monitor::command(const std::string& line, double timeout_seconds) {
  if (!connect(timeout_seconds)) return std::nullopt;
  const std::string sent = line + "\n";
  if (write(fd_, sent.data(), sent.size()) != static_cast<ssize_t>(sent.size())) return std::nullopt;
  return read_until_prompt(timeout_seconds);
}

std::optional<std::uint32_t> Monitor::read_u32(std::uint64_t address) {
  char line[64];
  std::snprintf(line, sizeof(line), "xp /1wx 0x%" PRIx64, address);
  const auto reply = command(line);
  if (!reply) return std::nullopt;
  // "00000000123456f8: 0x00000002", after the echoed command.
  const auto colon = reply->rfind(": 0x");
  if (colon == std::string::npos) return std::nullopt;
  return static_cast<std::uint32_t>(std::strtoul(reply->c_str() + colon + 4, nullptr, 16));
}

bool Monitor::save_memory(std::uint64_t address, std::uint64_t size, const std::string& file) {
  char line[4200];
  std::snprintf(line, sizeof(line), "pmemsave 0x%" PRIx64 " 0x%" PRIx64 " \"%s\"", address, size, file.c_str());
  const auto reply = command(line, 30);
  return reply.has_value() && reply->find("rror") == std::string::npos;
}

}  // namespace purgatory::test
