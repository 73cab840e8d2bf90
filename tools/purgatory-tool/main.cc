// SPDX-License-Identifier: MIT
// purgatory-tool: inspect, check, seal and embed purgatory images from the host.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <purgatory/host/file.h>

#include "commands.h"

using namespace purgatory_tool;

namespace {

// Output that did not reach its file is an error (exit 2: a file that cannot be written), never a
// success with the results lost.
int standard_output_failed(const std::string& problem) {
  fmt::print(stderr, "purgatory-tool: {}\n", problem);
  return exit_usage;
}

// An option CLI11 did not know, left over in a command that then also missed a required argument:
// CLI11 reports the missing argument, though the unknown option is the mistake.
std::optional<std::string> unknown_option_in(const CLI::App& app) {
  if (app.get_subcommands().empty()) return std::nullopt;
  for (const std::string& word : app.get_subcommands().front()->remaining()) {
    if (word.size() > 1 && word[0] == '-') return word;
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"purgatory-tool: inspect, check, seal and embed kexec purgatory images"};
  app.footer(
      "Exit status: 0 success; 1 a check failed or an input is not a valid image or request;\n"
      "2 bad usage (an unknown option, a value that is not a number or a spec), or a file could not be\n"
      "read or written; 3 an internal error (a bug: please report it).\n"
      "Run 'purgatory-tool COMMAND --help' for a command's options.");
  app.require_subcommand(1);
  app.set_version_flag("--version", PURGATORY_SDK_VERSION);

  try {
    const std::map<std::string, Command> commands = {
        {"inspect", add_inspect(app)}, {"check", add_check(app)},   {"seal", add_seal(app)},
        {"embed", add_embed(app)},     {"digest", add_digest(app)}, {"sha256", add_sha256(app)},
        {"relocations", add_relocations(app)},
    };
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp& help) {
      return app.exit(help);
    } catch (const CLI::CallForAllHelp& help) {
      return app.exit(help);
    } catch (const CLI::CallForVersion& version) {
      return app.exit(version);
    } catch (const CLI::ParseError& error) {
      // Usage errors in the same form as every other message, with where to look. CLI11 reports a
      // mistyped command as a missing one: name it.
      std::string problem = error.what();
      if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr) {
        if (const auto unknown = unknown_option_in(app)) problem = fmt::format("unknown option {}", *unknown);
      }
      if (app.get_subcommands().empty()) {
        // The first argument that is not an option (or the one after "--") is what was meant as one.
        const char* meant = nullptr;
        for (int i = 1; i < argc && meant == nullptr; ++i) {
          if (std::string_view(argv[i]) == "--") {
            meant = i + 1 < argc ? argv[i + 1] : nullptr;
            break;
          }
          if (argv[i][0] != '-') meant = argv[i];
        }
        if (meant != nullptr && !commands.contains(meant)) {
          std::string known;
          for (const auto& [name, run] : commands) known += (known.empty() ? "" : ", ") + name;
          problem = fmt::format("unknown command \"{}\" (commands: {})", meant, known);
        }
      }
      fmt::print(stderr, "purgatory-tool: {}\nRun 'purgatory-tool --help' (or 'purgatory-tool COMMAND --help').\n",
                 problem);
      return exit_usage;
    }
    const int status = commands.at(app.get_subcommands().front()->get_name())();
    if (const auto problem = purgatory::host::standard_output_problem()) return standard_output_failed(*problem);
    return status;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "purgatory-tool: out of memory\n");
    return exit_usage;
  } catch (const std::system_error& error) {
    // {fmt} throws when a write to standard output fails.
    if (const auto problem = purgatory::host::standard_output_problem(error.code().value())) {
      return standard_output_failed(*problem);
    }
    fmt::print(stderr, "purgatory-tool: internal error: {}\n", error.what());
    return exit_internal;
  } catch (const std::exception& error) {
    fmt::print(stderr, "purgatory-tool: internal error: {}\n", error.what());
    return exit_internal;
  }
}
