// purgatory-tool: inspect, check, seal and embed purgatory images from the host.
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "commands.h"

using namespace purgatory_tool;

int main(int argc, char** argv) {
  CLI::App app{"purgatory-tool: inspect, check, seal and embed kexec purgatory images"};
  app.footer(
      "Exit status: 0 success; 1 a check failed or an input is not a valid image or request;\n"
      "2 bad usage, or a file could not be read or written.\n"
      "Run 'purgatory-tool COMMAND --help' for a command's options.");
  app.require_subcommand(1);
  app.set_version_flag("--version", PURGATORY_SDK_VERSION);

  const std::map<std::string, Command> commands = {
      {"inspect", add_inspect(app)}, {"check", add_check(app)},   {"seal", add_seal(app)},
      {"embed", add_embed(app)},     {"digest", add_digest(app)}, {"sha256", add_sha256(app)},
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? exit_ok : exit_usage;
  }
  return commands.at(app.get_subcommands().front()->get_name())();
}
