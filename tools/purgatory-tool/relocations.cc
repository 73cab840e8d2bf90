// SPDX-License-Identifier: MIT
// purgatory-tool relocations FILE...: where object files and static libraries store an address, which
// is what makes a purgatory link come out with run-time relocations. The SDK's link step runs it when a
// relocation gate fails, so the error names the symbol and the object.
#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <purgatory/host/elf.h>
#include <purgatory/host/object_relocations.h>

#include "commands.h"
#include "describe.h"
#include "files.h"

namespace purgatory_tool {
namespace {

using namespace purgatory::host;

struct RelocationsOptions {
  std::vector<std::string> files;
  bool json = false;
};

struct Object {
  std::string name;  // "file.o", or "libx.a(member.o)"
  Result<std::vector<StoredAddress>> found;
};

// LLVM bitcode (what -flto makes instead of machine code): its addresses are not known until the link.
bool is_bitcode(std::span<const std::byte> bytes) {
  return bytes.size() >= 4 && bytes[0] == std::byte{'B'} && bytes[1] == std::byte{'C'} &&
         bytes[2] == std::byte{0xc0} && bytes[3] == std::byte{0xde};
}

constexpr const char* bitcode_problem = "LLVM bitcode (built with -flto), not an ELF object: nothing to examine "
                                        "(a purgatory is built without link-time optimisation)";

// The objects in one file: itself, or an archive's members (members that are neither ELF nor bitcode
// are skipped: an archive may carry other files, but not only those).
Result<std::vector<Object>> objects_of(const std::string& path, const std::vector<std::byte>& bytes) {
  std::vector<Object> objects;
  if (has_archive_magic(bytes)) {
    auto members = archive_members(bytes);
    if (!members) return members.error();
    for (const auto& member : *members) {
      const std::string name = fmt::format("{}({})", path, member.name);
      if (is_bitcode(member.bytes)) {
        objects.push_back({name, Error{bitcode_problem}});
      } else if (has_elf_magic(member.bytes)) {
        objects.push_back({name, stored_addresses(member.bytes)});
      }
    }
    if (objects.empty()) {
      return Error{fmt::format("an ar archive with no ELF object among its {} member{}", members->size(),
                               members->size() == 1 ? "" : "s")};
    }
    return objects;
  }
  if (is_bitcode(bytes)) return Error{bitcode_problem};
  if (!has_elf_magic(bytes)) return Error{"neither an ELF object nor an ar archive"};
  objects.push_back({path, stored_addresses(bytes)});
  return objects;
}

std::string demangled(const std::string& name) {
  if (!name.starts_with("_Z")) return name;
  int status = 0;
  const std::unique_ptr<char, decltype(&std::free)> text(abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status),
                                                         &std::free);
  return status == 0 && text ? std::string(text.get()) : name;
}

// A name as a reader wants it: "(anonymous namespace)::stop() (.text)" for the section
// ".text._ZN12_GLOBAL__N_14stopEv" that -ffunction-sections gives each function, a demangled symbol.
std::string readable(std::string name) {
  std::string suffix;
  if (const auto plus = name.find('+'); plus != std::string::npos) {
    suffix = name.substr(plus);
    name.resize(plus);
  }
  const bool section = name.size() > 2 && name.front() == '`' && name.back() == '`';
  if (section) name = name.substr(1, name.size() - 2);
  if (const auto at = name.find("._Z"); at != std::string::npos) {
    const std::string symbol = demangled(name.substr(at + 1));
    if (symbol != name.substr(at + 1)) return symbol + suffix + " (" + name.substr(0, at) + ")";
  }
  if (section && name.starts_with(".rodata.str")) return "a string literal" + suffix + " (" + name + ")";
  if (section) return "`" + name + "`" + suffix;
  return demangled(name) + suffix;
}

// Where the address is stored: "(anonymous namespace)::commands+0x8 (.data)" when the object names the
// variable, else "`.data.rel.ro` at 0x8".
std::string where(const StoredAddress& stored) {
  if (stored.holder.empty()) return fmt::format("{} at {:#x}", readable("`" + stored.section + "`"), stored.offset);
  const auto mangled = stored.section.find("._Z");
  return fmt::format("{} ({})", readable(stored.holder), stored.section.substr(0, mangled));
}

}  // namespace

Command add_relocations(CLI::App& app) {
  auto options = std::make_shared<RelocationsOptions>();
  auto* command = app.add_subcommand(
      "relocations",
      "List where object files and static libraries store an address: what makes a purgatory link come "
      "out with run-time relocations. An absolute address (a pointer in a static table, a string_view "
      "global, a vtable) always needs one, and fails the command; a GOT or TOC entry usually becomes a "
      "PC-relative access when linked, and is listed as a suspect only.");
  command->add_option("FILE", options->files, "ELF relocatable objects (.o) or ar archives (.a)")->required();
  command->add_flag("--json", options->json, "a JSON array with one object per object file (docs/purgatory-tool.md)");
  return [options] {
    int worst = exit_ok;
    ordered_json all = ordered_json::array();
    for (const auto& path : options->files) {
      const auto file = read_input(path);  // a read error is printed there, as every command prints it
      auto objects = file ? objects_of(path, *file) : Result<std::vector<Object>>(file.error());
      if (!objects) {
        worst = std::max(worst, file ? exit_failed : exit_usage);
        if (options->json) {
          all.push_back({{"file", path}, {"error", objects.error().message}});
        } else if (file) {
          fmt::print(stderr, "purgatory-tool: {}: {}\n", path, objects.error().message);
        }
        continue;
      }
      for (const auto& object : *objects) {
        if (!object.found) {
          worst = std::max(worst, exit_failed);
          if (options->json) {
            all.push_back({{"file", object.name}, {"error", object.found.error().message}});
          } else {
            fmt::print(stderr, "purgatory-tool: {}: {}\n", object.name, object.found.error().message);
          }
          continue;
        }
        ordered_json addresses = ordered_json::array();
        for (const auto& stored : *object.found) {
          if (!stored.through_table) worst = std::max(worst, exit_failed);
          if (options->json) {
            addresses.push_back({{"section", stored.section},
                                 {"offset", stored.offset},
                                 {"holder", stored.holder.empty() ? ordered_json(nullptr) : ordered_json(stored.holder)},
                                 {"target", stored.target},
                                 {"type", stored.type},
                                 {"absolute", !stored.through_table}});
          } else {
            fmt::print("{}: {}: {} of {}: {}\n", object.name, where(stored), stored.type, readable(stored.target),
                       stored.through_table ? "a GOT/TOC entry (suspect: the linker usually relaxes it)"
                                            : "an absolute address, which needs a run-time relocation");
          }
        }
        if (options->json) all.push_back({{"file", object.name}, {"stored_addresses", addresses}});
      }
    }
    if (options->json) print_json(all);
    return worst;
  };
}

}  // namespace purgatory_tool
