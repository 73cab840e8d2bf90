// SPDX-License-Identifier: MIT
#include <purgatory/host/sha256sum_format.h>

#include <purgatory/host/embed.h>

#include <fmt/format.h>

namespace purgatory::host {
namespace {

std::string escaped(std::string_view name) {
  std::string text;
  for (char c : name) {
    if (c == '\\') {
      text += "\\\\";
    } else if (c == '\n') {
      text += "\\n";
    } else if (c == '\r') {
      text += "\\r";
    } else {
      text += c;
    }
  }
  return text;
}

// GNU's reverse of escaped(); nullopt for a backslash followed by anything else.
std::optional<std::string> unescaped(std::string_view name) {
  std::string text;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '\\') {
      text += name[i];
      continue;
    }
    if (++i == name.size()) return std::nullopt;
    switch (name[i]) {
      case '\\': text += '\\'; break;
      case 'n': text += '\n'; break;
      case 'r': text += '\r'; break;
      default: return std::nullopt;
    }
  }
  return text;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Exactly 64 hex digits.
std::optional<Sha256Digest> parse_digest(std::string_view text) {
  if (text.size() != 2 * sha256_digest_size) return std::nullopt;
  Sha256Digest digest{};
  for (std::size_t i = 0; i < digest.size(); ++i) {
    const int high = hex_value(text[2 * i]), low = hex_value(text[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return digest;
}

constexpr std::string_view expected_form =
    "not a sha256sum line (expected 64 hex digits, two spaces or \" *\", and a file name)";

}  // namespace

std::string sha256sum_line(const Sha256Digest& digest, std::string_view name) {
  if (name.find_first_of("\\\n\r") == std::string_view::npos) return fmt::format("{}  {}\n", hex(digest), name);
  return fmt::format("\\{}  {}\n", hex(digest), escaped(name));
}

std::string sha256sum_check_name(std::string_view name) {
  if (name.find('\n') == std::string_view::npos) return std::string(name);
  return fmt::format("\\{}", escaped(name));
}

Result<std::optional<Sha256sumEntry>> parse_sha256sum_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::size_t start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos || line[start] == '#') return std::optional<Sha256sumEntry>{};
  line.remove_prefix(start);
  const bool is_escaped = line.front() == '\\';
  if (is_escaped) line.remove_prefix(1);

  Sha256sumEntry entry;
  std::string_view name, digest_text;
  if (line.starts_with("SHA256 (")) {
    const std::size_t close = line.rfind(") = ");
    if (close == std::string_view::npos || close < 8) return Error{"a tagged line without \") = \" after the name"};
    name = line.substr(8, close - 8);
    digest_text = line.substr(close + 4);
  } else {
    digest_text = line.substr(0, std::min(line.size(), 2 * sha256_digest_size));
    std::string_view rest = line.substr(digest_text.size());
    if (rest.empty() || (rest.front() != ' ' && rest.front() != '\t')) return Error{std::string(expected_form)};
    rest.remove_prefix(1);
    if (!rest.empty() && (rest.front() == ' ' || rest.front() == '*')) {
      entry.binary = rest.front() == '*';
      rest.remove_prefix(1);
    }
    name = rest;
  }
  const auto digest = parse_digest(digest_text);
  if (!digest) return Error{std::string(expected_form)};
  entry.digest = *digest;
  if (name.empty()) return Error{"no file name after the digest"};
  if (is_escaped) {
    auto plain = unescaped(name);
    if (!plain) return Error{"a backslash in the name that is not \\\\, \\n or \\r"};
    entry.name = std::move(*plain);
  } else {
    entry.name = std::string(name);
  }
  return std::optional<Sha256sumEntry>{std::move(entry)};
}

}  // namespace purgatory::host
