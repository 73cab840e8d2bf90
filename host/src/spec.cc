// SPDX-License-Identifier: MIT
#include <purgatory/host/spec.h>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <purgatory/host/arch.h>

namespace purgatory::host {
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

// "key=value" options after the first fields of a spec.
struct Option {
  std::string_view key, value;
};
Result<Option> parse_option(std::string_view text, std::string_view spec) {
  const auto equals = text.find('=');
  if (equals == std::string_view::npos) {
    return Error{fmt::format("\"{}\" in \"{}\" is not a key=value option", text, spec)};
  }
  return Option{text.substr(0, equals), text.substr(equals + 1)};
}

// What a spec may name, for the error that names an unknown one: "none, 8250-pio, ..., hvc".
std::string console_kind_list() {
  std::string list = "none";
  for (const auto& kind : console_kinds) list += fmt::format(", {}", kind.name);
  return list;
}

std::string reset_method_list() {
  std::string list;
  for (const auto& method : reset_methods) {
    list += fmt::format("{}{}{}", list.empty() ? "" : ", ", method.name,
                        method.method == PURGATORY_RESET_RTAS_HCALL ? ",TOKEN" : "");
  }
  return list;
}

}  // namespace

Result<std::uint64_t> parse_number(std::string_view text) {
  int base = 10;
  std::string_view digits = text;
  if (digits.starts_with("0x") || digits.starts_with("0X")) {
    base = 16;
    digits.remove_prefix(2);
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (digits.empty() || error == std::errc::invalid_argument || end != digits.data() + digits.size()) {
    return Error{fmt::format("\"{}\" is not a number (decimal, or hexadecimal with 0x)", text)};
  }
  if (error == std::errc::result_out_of_range) return Error{fmt::format("\"{}\" does not fit in 64 bits", text)};
  return value;
}

Result<purgatory_console> parse_console_spec(std::string_view spec) {
  const auto parts = split(spec, ',');
  purgatory_console console{};
  const std::string_view kind = parts[0];
  std::size_t options_from = 2;
  if (kind == "none") {
    console.kind = PURGATORY_CONSOLE_NONE;
    options_from = 1;
  } else if (const ConsoleKind* named = console_kind_named(kind); named && named->kind != PURGATORY_CONSOLE_HVC) {
    console.kind = named->kind;
    if (parts.size() < 2) return Error{fmt::format("console \"{}\": {} needs an address", spec, kind)};
    const auto base = parse_number(parts[1]);
    if (!base) return Error{fmt::format("console \"{}\": {}", spec, base.error().message)};
    console.base = *base;
    if (console.kind == PURGATORY_CONSOLE_8250_PIO && console.base > 0xffff) {
      return Error{fmt::format("console \"{}\": an I/O port is at most 0xffff", spec)};
    }
  } else if (kind == "hvc") {
    console.kind = PURGATORY_CONSOLE_HVC;
    if (parts.size() >= 2 && parts[1].find('=') == std::string_view::npos) {
      const auto terminal = parse_number(parts[1]);
      if (!terminal) return Error{fmt::format("console \"{}\": {}", spec, terminal.error().message)};
      console.base = *terminal;
    } else {
      options_from = 1;
    }
  } else {
    return Error{fmt::format("unknown console \"{}\" ({})", kind, console_kind_list())};
  }

  std::vector<std::string_view> keys_given;
  for (std::size_t i = options_from; i < parts.size(); ++i) {
    const auto option = parse_option(parts[i], spec);
    if (!option) return option.error();
    if (std::find(keys_given.begin(), keys_given.end(), option->key) != keys_given.end()) {
      return Error{fmt::format("console \"{}\": {} given twice", spec, option->key)};
    }
    keys_given.push_back(option->key);
    const auto value = parse_number(option->value);
    if (!value) return Error{fmt::format("console \"{}\": {}", spec, value.error().message)};
    const bool is_8250 = console.kind == PURGATORY_CONSOLE_8250_PIO || console.kind == PURGATORY_CONSOLE_8250_MMIO;
    if (option->key == "divisor" && is_8250) {
      if (*value == 0 || *value > 0xffff) return Error{fmt::format("console \"{}\": divisor must be 1..65535", spec)};
      console.divisor = static_cast<std::uint32_t>(*value);
    } else if (option->key == "shift" && console.kind == PURGATORY_CONSOLE_8250_MMIO) {
      if (*value > 4) return Error{fmt::format("console \"{}\": shift must be 0..4", spec)};
      console.register_shift = static_cast<std::uint8_t>(*value);
    } else if (option->key == "width" && console.kind == PURGATORY_CONSOLE_8250_MMIO) {
      if (*value != 1 && *value != 4) return Error{fmt::format("console \"{}\": width must be 1 or 4", spec)};
      console.access_width = static_cast<std::uint8_t>(*value);
    } else {
      return Error{fmt::format("console \"{}\": option \"{}\" does not apply to {}", spec, option->key, kind)};
    }
  }
  return console;
}

Result<purgatory_reset> parse_reset_spec(std::string_view spec) {
  const auto parts = split(spec, ',');
  purgatory_reset reset{};
  const ResetMethod* named = reset_method_named(parts[0]);
  // Only RTAS takes an argument: its token.
  const std::size_t parts_wanted = named && named->method == PURGATORY_RESET_RTAS_HCALL ? 2 : 1;
  if (!named || parts.size() != parts_wanted) {
    return Error{fmt::format("unknown reset \"{}\" ({})", spec, reset_method_list())};
  }
  reset.method = named->method;
  if (reset.method == PURGATORY_RESET_RTAS_HCALL) {
    const auto token = parse_number(parts[1]);
    if (!token || *token == 0 || *token > 0xffffffff) {
      return Error{fmt::format("reset \"{}\": the RTAS token must be a non-zero 32-bit number", spec)};
    }
    reset.token = static_cast<std::uint32_t>(*token);
  }
  return reset;
}

Result<SegmentSpec> parse_segment_spec(std::string_view spec) {
  const auto first = spec.find(':');
  if (first == std::string_view::npos || first == 0) {
    return Error{fmt::format("segment \"{}\" is not ADDRESS:FILE[:MEMORY_SIZE]", spec)};
  }
  SegmentSpec segment;
  const auto address = parse_number(spec.substr(0, first));
  if (!address) return Error{fmt::format("segment \"{}\": {}", spec, address.error().message)};
  segment.address = *address;
  std::string_view rest = spec.substr(first + 1);
  // A memory size is recognised only as a final ":NUMBER", so file names may contain colons.
  const auto last = rest.rfind(':');
  if (last != std::string_view::npos) {
    const std::string_view size_text = rest.substr(last + 1);
    const auto size = parse_number(size_text);
    struct stat info {};
    if (!size && !size_text.empty() && (std::isdigit(static_cast<unsigned char>(size_text[0])) || size_text[0] == '-') &&
        ::stat(std::string(rest).c_str(), &info) != 0 && errno == ENOENT) {
      // No file has the whole name, so the last part was meant as the size: say what is wrong with it.
      return Error{fmt::format("segment \"{}\": memory size \"{}\": {}", spec, size_text, size.error().message)};
    }
    if (size) {
      if (*size == 0) {
        return Error{fmt::format("segment \"{}\": a memory size of 0 (leave it out for the file's own size)", spec)};
      }
      segment.memory_size = *size;
      rest = rest.substr(0, last);
    }
  }
  if (rest.empty()) return Error{fmt::format("segment \"{}\" names no file", spec)};
  segment.file = std::string(rest);
  return segment;
}

Result<purgatory_copy> parse_copy_spec(std::string_view spec) {
  const auto parts = split(spec, ':');
  if (parts.size() != 3) return Error{fmt::format("{}: expected SOURCE:DESTINATION:SIZE", spec)};
  std::uint64_t numbers[3] = {};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto number = parse_number(parts[i]);
    if (!number) return Error{fmt::format("{}: {}", spec, number.error().message)};
    numbers[i] = *number;
  }
  return purgatory_copy{numbers[0], numbers[1], numbers[2]};
}

Result<Assignment> parse_assignment(std::string_view text) {
  const auto equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0) return Error{fmt::format("\"{}\" is not NAME=VALUE", text)};
  const auto value = parse_number(text.substr(equals + 1));
  if (!value) return Error{fmt::format("\"{}\": {}", text, value.error().message)};
  return Assignment{std::string(text.substr(0, equals)), *value};
}

Result<std::array<std::uint64_t, 4>> parse_user_words(const std::vector<std::string>& assignments) {
  std::array<std::uint64_t, 4> words{};
  std::array<bool, 4> given{};
  for (const auto& text : assignments) {
    const auto assignment = parse_assignment(text);
    if (!assignment) return Error{"--user " + assignment.error().message};
    const auto index = parse_number(assignment->name);
    if (!index || *index >= words.size()) return Error{fmt::format("--user {}: the index is 0..3", text)};
    if (given[*index]) return Error{fmt::format("--user {} given twice", *index)};
    given[*index] = true;
    words[*index] = assignment->value;
  }
  return words;
}

}  // namespace purgatory::host
